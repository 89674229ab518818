"""Latent Lab maths and its use of the shipped models."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from genlib import latent
from genlib.errors import GenLabError
from genlib.serving import generate


def test_slerp_keeps_norms_and_hits_both_endpoints_exactly():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(100, generator=g), torch.randn(100, generator=g)
    b = b / b.norm() * a.norm()
    ts = torch.linspace(0, 1, 11)
    path = latent.slerp(a, b, ts)
    assert torch.equal(path[0], a) and torch.equal(path[-1], b)
    assert torch.allclose(path.norm(dim=1), a.norm().expand(11), rtol=1e-5)
    assert torch.equal(latent.slerp(a, b, 0.0), a) and torch.equal(latent.slerp(a, b, 1.0), b)
    # unequal norms: the norm moves linearly, the direction along the great circle
    c = 3 * b
    mid = latent.slerp(a, c, 0.5)
    assert mid.norm() == pytest.approx(float((a.norm() + c.norm()) / 2), rel=1e-5)
    # the midpoint is farther from the origin than lerp's (lerp cuts inside the sphere)
    assert latent.slerp(a, b, 0.5).norm() > latent.lerp(a, b, 0.5).norm()
    # parallel vectors fall back to lerp rather than dividing by sin(0)
    assert torch.allclose(latent.slerp(a, 2 * a, 0.5), 1.5 * a)


def test_keyframe_path_passes_through_keys_and_loops():
    keys = torch.eye(4)[:3] * 5
    path = latent.keyframe_path(keys, 7, loop=False, mode="lerp")
    assert len(path) == 7 and torch.equal(path[0], keys[0]) and torch.equal(path[3], keys[1])
    assert torch.equal(path[-1], keys[2])
    looped = latent.keyframe_path(keys, 9, loop=True, mode="slerp")
    assert torch.equal(looped[0], keys[0]) and torch.equal(looped[3], keys[1]) and torch.equal(looped[6], keys[2])
    with pytest.raises(GenLabError, match="at least 2 keyframes"):
        latent.keyframe_path(keys[:1], 10)
    with pytest.raises(GenLabError, match="Frames must be between"):
        latent.keyframe_path(keys, 10_000)


@pytest.mark.parametrize("model_id", ["dcgan", "cdcgan", "vae", "gan"])
def test_pca_directions_are_orthonormal(model_id):
    d = latent.pca_directions(model_id, "mnist", k=5, n=500)
    v = d.vectors
    assert v.shape[0] == 5
    assert torch.allclose(v @ v.T, torch.eye(5), atol=1e-5)
    assert all(a >= b for a, b in zip(d.explained, d.explained[1:])), "sorted by explained variance"


def test_crossover_and_mutation_are_seeded_and_reproducible():
    a = latent.Point(torch.zeros(16))
    b = latent.Point(torch.ones(16))
    kids = latent.crossover(a, b, n=6, mutation=0.0, seed=3)
    again = latent.crossover(a, b, n=6, mutation=0.0, seed=3)
    assert all(torch.equal(x.z, y.z) for x, y in zip(kids, again))
    genes = torch.stack([k.z for k in kids])
    assert set(genes.unique().tolist()) == {0.0, 1.0}, "without mutation every gene is one parent's"
    assert 0.2 < genes.mean() < 0.8
    mutated = latent.crossover(a, b, n=6, mutation=0.5, seed=3)
    assert not torch.equal(torch.stack([k.z for k in mutated]), genes)
    assert all(torch.equal(x.z, y.z) for x, y in zip(mutated, latent.crossover(a, b, n=6, mutation=0.5, seed=3)))
    assert not torch.equal(mutated[0].z, latent.crossover(a, b, n=6, mutation=0.5, seed=4)[0].z)


def test_seed_endpoints_show_what_generate_shows():
    for model_id, label in (("cdcgan", 7), ("vae", None), ("cvae", 2)):
        a = latent.point_from_seed(model_id, "fashion", 11, label)
        b = latent.point_from_seed(model_id, "fashion", 12, label)
        frames = latent.between(model_id, "fashion", a, b, [0.0, 0.5, 1.0])
        # the frames are decoded as one batch of 3, Generate's as a batch of 1: the same within one grey level
        # (README "Reproducibility"; a matrix kernel may round differently for another batch shape)
        for frame, seed in ((frames[0], 11), (frames[2], 12)):
            alone = generate(model_id, "fashion", n=1, seed=seed, labels=label).images[0]
            assert np.abs(frame.astype(int) - alone.astype(int)).max() <= 1
        lerp_mid = latent.between(model_id, "fashion", a, b, 0.5, mode="lerp")[0]
        assert not np.array_equal(frames[1], lerp_mid), "the toggle changes the midpoint"


def test_class_morph_and_class_arithmetic():
    a = latent.point_from_seed("cvae", "mnist", 5, 3)
    b = latent.with_class(a, "mnist", 8)
    assert torch.equal(a.z, b.z) and int(b.classes.argmax()) == 8
    frames = latent.walk("cvae", "mnist", [a, b], frames=5, mode="lerp")
    from genlib.serving import load

    clf, _ = load("classifier", "mnist")
    from genlib.images import from_uint8

    read = clf.predict(from_uint8(frames)).tolist()
    assert read[0] == 3 and read[-1] == 8


def test_encoding_an_image_needs_an_encoder():
    from genlib.data import load_dataset

    x = load_dataset("mnist", "test").images[0]
    p = latent.point_from_image("vae", "mnist", x)
    assert p.z.shape == (16,)
    with pytest.raises(GenLabError, match="no encoder"):
        latent.point_from_image("dcgan", "mnist", x)


@pytest.mark.parametrize("fmt", ["gif", "mp4"])
def test_exports_decode_to_the_requested_number_of_frames(tmp_path, fmt):
    a, b, c = (latent.point_from_seed("dcgan", "mnist", s) for s in (1, 2, 3))
    frames = latent.walk("dcgan", "mnist", [a, b, c], frames=24, loop=True)
    path = latent.export(frames, tmp_path / f"walk.{fmt}", fps=12, size=64)
    if fmt == "gif":
        im = Image.open(path)
        assert im.n_frames == 24 and im.size == (64, 64)
        im.seek(5)
        shown = np.asarray(im.convert("L").resize((28, 28), Image.NEAREST))
        assert np.abs(shown.astype(int) - frames[5]).max() <= 2, "greys survive the palette"
    else:
        import av

        with av.open(str(path)) as f:
            decoded = [fr.to_ndarray(format="gray") for fr in f.decode(video=0)]
        assert len(decoded) == 24 and decoded[0].shape == (64, 64)
    with pytest.raises(GenLabError, match="fps must be between"):
        latent.export_gif(frames, fps=0)
    with pytest.raises(GenLabError, match=".gif or .mp4"):
        latent.export(frames, tmp_path / "walk.avi")


def test_latent_map_of_the_2d_vae():
    m = latent.latent_map("mnist", cells=5, n_points=300)
    assert m.image.shape == (140, 140) and m.points.shape == (300, 2)
    # the encoded classes form clusters: each class's mean is nearer its own points than the global mean is
    centres = np.stack([m.points[m.labels == k].mean(0) for k in range(10)])
    own = np.mean([np.linalg.norm(m.points[m.labels == k] - centres[k], axis=1).mean() for k in range(10)])
    spread = np.linalg.norm(m.points - m.points.mean(0), axis=1).mean()
    assert own < 0.8 * spread
    with pytest.raises(GenLabError, match="2-D latent"):
        latent.latent_map("mnist", model_id="vae")


def test_gif_bytes_are_a_valid_gif():
    frames = np.random.default_rng(0).integers(0, 255, size=(3, 28, 28), dtype=np.uint8)
    data = latent.export_gif(frames, fps=10, size=28)
    assert data[:6] in (b"GIF87a", b"GIF89a") and Image.open(io.BytesIO(data)).n_frames == 3
