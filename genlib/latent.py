"""Latent Lab: interpolation, keyframe walks and their export, semantic directions, latent maps, breeding.

Everything here works on any shipped generator with a latent space (GANs and VAEs) through two model methods:
``sample_latents`` (the latent a seed gives — so an endpoint shows exactly what Generate shows for that seed) and
``decode``. Encoder models (VAEs) also take images: an upload or a drawing is encoded to its posterior mean.
Conditional models carry a class with each point; between two classes the class is blended (class weights), so a
walk can morph a 3 into an 8.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from genlib.data import dataset_info
from genlib.errors import GenLabError
from genlib.images import from_uint8, to_uint8
from genlib.registry import get_spec
from genlib.serving import load

MODES = ("slerp", "lerp")
MAX_FRAMES = 600
MAX_EXPORT_SIZE = 512


# ---------------------------------------------------------------- interpolation maths

def lerp(a: torch.Tensor, b: torch.Tensor, t) -> torch.Tensor:
    """(1 − t)·a + t·b for vectors (D,) and t a number or a 1-D tensor of steps (→ (T, D))."""
    t = torch.as_tensor(t, dtype=a.dtype)
    tt = t.reshape(-1, 1) if t.ndim else t
    out = a + tt * (b - a)
    if t.ndim:  # exact endpoints
        out[t == 0], out[t == 1] = a, b
    elif float(t) in (0.0, 1.0):
        out = (a if float(t) == 0 else b).clone()
    return out


def slerp(a: torch.Tensor, b: torch.Tensor, t) -> torch.Tensor:
    """Spherical interpolation: the direction moves along the great circle from a to b, the norm linearly from |a| to
    |b| (so with equal norms the norm is kept all the way). Gaussian latents live near a sphere of radius √D; a straight
    line cuts inside it, where a decoder sees atypical, washed-out latents. Falls back to lerp for parallel vectors."""
    t = torch.as_tensor(t, dtype=a.dtype)
    tt = t.reshape(-1, 1) if t.ndim else t
    na, nb = a.norm(), b.norm()
    if na == 0 or nb == 0:
        return lerp(a, b, t)
    ua, ub = a / na, b / nb
    omega = torch.arccos(torch.clamp((ua * ub).sum(), -1.0, 1.0))
    if omega < 1e-6 or math.pi - omega < 1e-6:  # parallel or antiparallel: the great circle is undefined
        return lerp(a, b, t)
    direction = (torch.sin((1 - tt) * omega) * ua + torch.sin(tt * omega) * ub) / torch.sin(omega)
    out = direction * (na + tt * (nb - na))
    if t.ndim:
        out[t == 0], out[t == 1] = a, b
    elif float(t) in (0.0, 1.0):
        out = (a if float(t) == 0 else b).clone()
    return out


def interpolate(a: torch.Tensor, b: torch.Tensor, t, mode: str = "slerp") -> torch.Tensor:
    if mode not in MODES:
        raise GenLabError(f"Interpolation must be one of {', '.join(MODES)}; got {mode!r}.")
    return (slerp if mode == "slerp" else lerp)(a, b, t)


def keyframe_path(keys: torch.Tensor, frames: int, loop: bool = False, mode: str = "slerp") -> torch.Tensor:
    """``frames`` points through the keyframes (K, D), K ≥ 2, evenly spaced in segment time. A loop returns to the
    first keyframe and leaves it out at the end, so the frames repeat seamlessly."""
    keys = torch.as_tensor(keys)
    k = len(keys)
    if k < 2:
        raise GenLabError("A path needs at least 2 keyframes.")
    if not 2 <= frames <= MAX_FRAMES:
        raise GenLabError(f"Frames must be between 2 and {MAX_FRAMES}; got {frames}.")
    segments = k if loop else k - 1
    pos = torch.arange(frames, dtype=torch.float64) * segments / (frames if loop else frames - 1)
    out = torch.empty(frames, keys.shape[1], dtype=keys.dtype)
    for i, p in enumerate(pos):
        s = min(int(p), segments - 1)
        out[i] = interpolate(keys[s], keys[(s + 1) % k], float(p - s), mode)
    return out


def blend_weights(weights_a: torch.Tensor, weights_b: torch.Tensor, t) -> torch.Tensor:
    """Class weights along a path: linear (they stay a distribution)."""
    return lerp(weights_a, weights_b, t)


# ---------------------------------------------------------------- points in a model's latent space

@dataclass
class Point:
    """A point in a model's latent space: latent ``z`` (D,) and, for conditional models, class weights (K,)."""

    z: torch.Tensor
    classes: torch.Tensor | None = None


def _model(model_id: str, dataset: str):
    spec = get_spec(model_id)
    if not spec.generative:
        raise GenLabError(f"'{model_id}' is not a generator.")
    return spec, load(model_id, dataset)[0]


def _class_weights(spec, dataset: str, label) -> torch.Tensor | None:
    if not spec.conditional:
        return None
    k = dataset_info(dataset).num_classes
    if label is None:
        raise GenLabError(f"Model '{spec.id}' is conditional; pick a class from 0 to {k - 1}.")
    try:
        label = int(label)
    except (TypeError, ValueError):
        raise GenLabError(f"Class must be a number from 0 to {k - 1}; got {label!r}.") from None
    if not 0 <= label < k:
        raise GenLabError(f"Class must be between 0 and {k - 1}; got {label}.")
    return torch.nn.functional.one_hot(torch.tensor(label), k).float()


def point_from_seed(model_id: str, dataset: str, seed: int, label=None, **params) -> Point:
    """The latent that ``seed`` gives in Generate (with the model's own prior and temperature)."""
    spec, model = _model(model_id, dataset)
    seed = next(p for p in spec.all_params() if p.name == "seed").validate(seed)
    params = {k: p.validate(params[k]) for p in spec.params if (k := p.name) in params}
    classes = _class_weights(spec, dataset, label)
    labels = classes.argmax().reshape(1).to(model.device) if classes is not None else None
    with torch.inference_mode():
        z = model.sample_latents(1, seed, labels, **params)[0].float().cpu()
    return Point(z, classes)


def point_from_image(model_id: str, dataset: str, image: np.ndarray, label=None) -> Point:
    """Encode a (28, 28) uint8 image with an encoder model: its posterior mean."""
    spec, model = _model(model_id, dataset)
    if not spec.encoder:
        raise GenLabError(f"Model '{model_id}' has no encoder, so it cannot place an image in its latent space; "
                          f"pick a VAE.")
    classes = _class_weights(spec, dataset, label)
    x = from_uint8(np.asarray(image, np.uint8)[None]).to(model.device)
    labels = classes.argmax().reshape(1).to(model.device) if classes is not None else None
    with torch.inference_mode():
        mu, _ = model.encode(x, labels)
    return Point(mu[0].float().cpu(), classes)


def decode(model_id: str, dataset: str, z: torch.Tensor, classes: torch.Tensor | None = None) -> np.ndarray:
    """Latents (n, D) (and class weights (n, K)) → (n, 28, 28) uint8."""
    spec, model = _model(model_id, dataset)
    z = torch.as_tensor(z, dtype=torch.float32).reshape(-1, model.latent_dim)
    if spec.conditional and classes is None:
        raise GenLabError(f"Model '{model_id}' is conditional; give the class of each latent.")
    labels = None if classes is None else torch.as_tensor(classes, dtype=torch.float32).reshape(len(z), -1)
    with torch.inference_mode():
        return to_uint8(model.decode(z.to(model.device), None if labels is None else labels.to(model.device)))


def walk(model_id: str, dataset: str, points: list[Point], frames: int, loop: bool = False,
         mode: str = "slerp") -> np.ndarray:
    """Decode a keyframe path through ``points``: (frames, 28, 28) uint8."""
    z = keyframe_path(torch.stack([p.z for p in points]), frames, loop, mode)
    classes = None
    if points[0].classes is not None:
        classes = keyframe_path(torch.stack([p.classes for p in points]), frames, loop, "lerp")
    return decode(model_id, dataset, z, classes)


def seed_walk(model_id: str, dataset: str, seeds: list[int], classes: list | None = None, frames: int = 60,
              loop: bool = False, mode: str = "slerp") -> np.ndarray:
    """A walk through the images that ``seeds`` give in Generate. Conditional models take one class for every
    keyframe or one per seed (default class 0); unconditional models ignore ``classes``."""
    if len(seeds) < 2:
        raise GenLabError("A walk needs at least 2 seeds, e.g. 1,2,3.")
    if get_spec(model_id).conditional:
        classes = list(classes or [0])
        classes = classes * len(seeds) if len(classes) == 1 else classes
        if len(classes) != len(seeds):
            raise GenLabError(f"Give one class for all keyframes or one per seed ({len(seeds)}); "
                              f"got {len(classes)}.")
    else:
        classes = [None] * len(seeds)
    points = [point_from_seed(model_id, dataset, s, c) for s, c in zip(seeds, classes, strict=True)]
    return walk(model_id, dataset, points, frames, loop, mode)


def between(model_id: str, dataset: str, a: Point, b: Point, t, mode: str = "slerp") -> np.ndarray:
    """Decoded point(s) at t (a number or a list of steps) between a and b."""
    ts = torch.as_tensor(t, dtype=torch.float32).reshape(-1)
    if ((ts < 0) | (ts > 1)).any():
        raise GenLabError("t must lie between 0 and 1.")
    _, model = _model(model_id, dataset)
    if a.z.numel() != model.latent_dim or b.z.numel() != model.latent_dim or (a.classes is None) != (
            b.classes is None):
        raise GenLabError(f"Endpoints A and B were not both made with {get_spec(model_id).title} (a model was "
                          "changed in between): press Show to set both for this model.")
    z = interpolate(a.z, b.z, ts, mode)
    classes = None if a.classes is None else blend_weights(a.classes, b.classes, ts)
    return decode(model_id, dataset, z, classes)


# ---------------------------------------------------------------- export

def _frames_to_pil(frames: np.ndarray, size: int) -> list[Image.Image]:
    if not 16 <= size <= MAX_EXPORT_SIZE:
        raise GenLabError(f"Size must be between 16 and {MAX_EXPORT_SIZE} pixels; got {size}.")
    return [Image.fromarray(f, "L").resize((size, size), Image.NEAREST) for f in frames]


def _check_fps(fps) -> float:
    if not 1 <= float(fps) <= 60:
        raise GenLabError(f"fps must be between 1 and 60; got {fps}.")
    return float(fps)


def export_gif(frames: np.ndarray, fps: float = 20, size: int = 112, loop: bool = True) -> bytes:
    """(N, H, W) uint8 → an animated GIF (each frame shown 1/fps s; palette is the 256 greys, no dithering)."""
    fps = _check_fps(fps)
    images = [im.convert("P", dither=Image.Dither.NONE) for im in _frames_to_pil(frames, size)]
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], duration=round(1000 / fps),
                   loop=0 if loop else 1, disposal=1, optimize=False)
    return buf.getvalue()


def export_mp4(frames: np.ndarray, fps: float = 20, size: int = 112) -> bytes:
    """(N, H, W) uint8 → H.264 MP4 (yuv420p, plays in every browser) through PyAV."""
    import av

    fps = _check_fps(fps)
    size += size % 2  # yuv420p needs even sides
    images = _frames_to_pil(frames, size)
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=round(fps))
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18", "preset": "veryfast"}
        for im in images:
            for packet in stream.encode(av.VideoFrame.from_image(im.convert("RGB"))):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return buf.getvalue()


def export(frames: np.ndarray, path: str | Path, fps: float = 20, size: int = 112, loop: bool = True) -> Path:
    path = Path(path)
    if path.suffix.lower() == ".gif":
        data = export_gif(frames, fps, size, loop)
    elif path.suffix.lower() == ".mp4":
        data = export_mp4(frames, fps, size)
    else:
        raise GenLabError(f"Export to .gif or .mp4; got {path.name}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------- semantic directions and per-dimension edits

@dataclass
class Directions:
    vectors: torch.Tensor  # (k, D) orthonormal
    explained: list[float]  # share of variance along each (in the space the PCA ran in)
    space: str


_directions: dict[tuple, Directions] = {}


def pca_directions(model_id: str, dataset: str, k: int = 5, n: int = 2000, seed: int = 0) -> Directions:
    """Principal directions for latent edits (GANSpace, Härkönen et al., 2020).

    GANs: PCA of the generator's first-layer activations for n sampled latents, carried back to latent space by least
    squares (the latent direction that best moves along each principal component), then orthonormalised. VAEs: PCA of
    the latents that the model's own prior samples (the fitted Gaussians, not N(0, I)). Cached per model."""
    key = (model_id, dataset, k, n, seed)
    if key in _directions:
        return _directions[key]
    spec, model = _model(model_id, dataset)
    d = model.latent_dim
    if not 1 <= k <= d:
        raise GenLabError(f"k must be between 1 and the latent size {d}; got {k}.")
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, dataset_info(dataset).num_classes, (n,), generator=g) if spec.conditional else None
    with torch.inference_mode():
        z = model.sample_latents(n, seed, None if labels is None else labels.to(model.device)).float().cpu()
        first = _first_layer(model)
        if first is not None:
            h = first(z.to(model.device), None if labels is None else labels.to(model.device)).float().cpu()
            space = "mapping network's styles w" if hasattr(model.generator, "style") else "generator's first layer"
        else:
            h, space = z, "latent"
    hc = h - h.mean(0)
    _, s, vt = torch.linalg.svd(hc, full_matrices=False)
    explained = (s**2 / (s**2).sum())[:k].tolist()
    if h is z:
        vecs = vt[:k]
    else:  # regress the component scores on z: the latent direction that moves each component
        scores = hc @ vt[:k].T  # (n, k)
        sol = torch.linalg.lstsq(z - z.mean(0), scores).solution  # (D, k)
        vecs = sol.T
    q, r = torch.linalg.qr(vecs.T)  # orthonormalise, keeping the order and the sign of each direction
    vecs = (q * torch.sign(torch.diagonal(r))).T.contiguous()
    _directions[key] = Directions(vecs, [round(e, 4) for e in explained], space)
    return _directions[key]


def _first_layer(model):
    """The generator's first block as a function of (z, labels), for GANs (StyleGAN: its mapping network, GANSpace's
    choice); None for VAEs."""
    gen = getattr(model, "generator", None)
    if gen is None:
        return None
    if hasattr(gen, "style"):  # StyleGAN
        return gen.style
    if hasattr(gen, "project"):  # DCGAN
        def f(z, labels):
            if gen.embed is not None:
                z = torch.cat([z, gen.embed(labels)], 1)
            return gen.project(z)
        return f
    return lambda z, labels: gen.net[:3](z)  # MLP GAN: Linear, BatchNorm, LeakyReLU


def edit(point: Point, directions: torch.Tensor, amounts) -> Point:
    """Move ``point`` by Σ amounts[i] · directions[i] (amounts in units of the latent's typical scale, 1 = one
    standard deviation of the prior along that direction for unit-variance latents)."""
    amounts = torch.as_tensor(amounts, dtype=torch.float32).reshape(-1)
    if len(amounts) > len(directions):
        raise GenLabError(f"Got {len(amounts)} amounts for {len(directions)} directions.")
    return Point(point.z + amounts @ directions[:len(amounts)], point.classes)


def set_dimensions(point: Point, values: dict[int, float]) -> Point:
    """Set latent coordinates directly (the per-dimension sliders)."""
    z = point.z.clone()
    for i, v in values.items():
        if not 0 <= int(i) < len(z):
            raise GenLabError(f"Latent dimension must be between 0 and {len(z) - 1}; got {i}.")
        z[int(i)] = float(v)
    return Point(z, point.classes)


# ---------------------------------------------------------------- breeding and class arithmetic

def crossover(a: Point, b: Point, n: int = 8, mutation: float = 0.3, seed: int = 0) -> list[Point]:
    """Children of two parents: each latent gene (coordinate) comes from one parent at random (uniform crossover),
    then Gaussian mutation of strength ``mutation`` (relative to the genes' typical size). Seeded and reproducible.
    Conditional parents pass on one parent's class, chosen per child."""
    if not 1 <= n <= 64:
        raise GenLabError(f"Children must be between 1 and 64; got {n}.")
    if not 0 <= mutation <= 2:
        raise GenLabError(f"Mutation strength must be between 0 and 2; got {mutation}.")
    g = torch.Generator().manual_seed(int(seed))
    d = len(a.z)
    mask = torch.rand(n, d, generator=g) < 0.5
    scale = torch.stack([a.z, b.z]).std(0).mean().clamp(min=1e-3) if d > 1 else torch.tensor(1.0)
    z = torch.where(mask, a.z, b.z) + mutation * scale * torch.randn(n, d, generator=g)
    pick = torch.rand(n, generator=g) < 0.5
    children = []
    for i in range(n):
        classes = None if a.classes is None else (a.classes if pick[i] else b.classes).clone()
        children.append(Point(z[i], classes))
    return children


def with_class(point: Point, dataset: str, label: int) -> Point:
    """The same latent (style) with another class (content): class arithmetic for conditional models."""
    if point.classes is None:
        raise GenLabError("Only conditional models take a class.")
    k = dataset_info(dataset).num_classes
    if not 0 <= int(label) < k:
        raise GenLabError(f"Class must be between 0 and {k - 1}; got {label}.")
    return Point(point.z, torch.nn.functional.one_hot(torch.tensor(int(label)), k).float())


# ---------------------------------------------------------------- the 2-D latent map

@dataclass
class LatentMap:
    image: np.ndarray  # (cells·28, cells·28) uint8: decoded grid, top row = largest z₂
    extent: tuple[float, float, float, float]  # z₁ min, z₁ max, z₂ min, z₂ max
    points: np.ndarray  # (n, 2) encoded test images
    labels: np.ndarray  # (n,)


@lru_cache(maxsize=8)
def cached_latent_map(dataset: str, model_id: str = "vae2d", cells: int = 15, span: float = 3.0):
    """:func:`latent_map`, computed once per process for each setting (the front ends draw it on every click)."""
    return latent_map(dataset, model_id, cells, span)


def latent_map(dataset: str, model_id: str = "vae2d", cells: int = 15, span: float = 3.0, n_points: int = 1000):
    """Decode a cells×cells grid over [−span, span]² of a 2-D latent space, and encode real test images onto it."""
    from genlib.evaluation import reference

    spec, model = _model(model_id, dataset)
    if model.latent_dim != 2 or spec.conditional:
        raise GenLabError(f"The latent map needs an unconditional model with a 2-D latent; '{model_id}' has "
                          f"{model.latent_dim} dimensions.")
    if not 3 <= cells <= 40:
        raise GenLabError(f"Cells must be between 3 and 40; got {cells}.")
    axis = torch.linspace(-span, span, cells)
    z2, z1 = torch.meshgrid(axis.flip(0), axis, indexing="ij")  # rows from top (large z₂) to bottom
    tiles = decode(model_id, dataset, torch.stack([z1.reshape(-1), z2.reshape(-1)], 1))
    image = tiles.reshape(cells, cells, 28, 28).transpose(0, 2, 1, 3).reshape(cells * 28, cells * 28)
    ref = reference(dataset)
    x = ref.test_images[:n_points]
    with torch.inference_mode():
        mu, _ = model.encode(from_uint8(x).to(model.device))
    return LatentMap(image, (-span, span, -span, span), mu.float().cpu().numpy(), ref.test_labels[:n_points])


# ---------------------------------------------------------------- style mixing (StyleGAN)

MAX_MIX_SOURCES = 8  # per side: a grid of at most 8 × 8 cells


def can_mix(model_id: str) -> bool:
    """Whether ``model_id`` has per-layer styles to mix (StyleGAN)."""
    return bool(model_id) and callable(getattr(get_spec(model_id).factory, "mix", None))


@dataclass
class StyleMix:
    image: np.ndarray  # (len(B) + 1, len(A) + 1, 28, 28) uint8: row 0 the A sources, column 0 the B sources
    seeds_a: list[int]
    seeds_b: list[int]
    crossover: int
    layers: int


def style_mix(model_id: str, dataset: str, seeds_a: list[int], seeds_b: list[int], crossover: int,
              truncation: float = 1.0, noise: int = 0) -> StyleMix:
    """The style-mixing grid: cell (i, j) has source A[j]'s styles before ``crossover`` (the coarse layers) and
    B[i]'s from it on (the fine ones). Row 0 shows the A sources, column 0 the B sources; the corner is blank."""
    if not can_mix(model_id):
        raise GenLabError(f"{get_spec(model_id).title} has no per-layer styles to mix; pick StyleGAN.")
    for name, seeds in (("A", seeds_a), ("B", seeds_b)):
        if not 1 <= len(seeds) <= MAX_MIX_SOURCES:
            raise GenLabError(f"Give 1 to {MAX_MIX_SOURCES} source {name} seeds; got {len(seeds)}.")
    model, _ = load(model_id, dataset)
    with torch.inference_mode():
        g = model.mix(seeds_a, seeds_b, crossover, truncation, noise)
    a, b, cells = to_uint8(g.a), to_uint8(g.b), to_uint8(g.cells.flatten(0, 1)).reshape(len(seeds_b), len(seeds_a),
                                                                                       *g.a.shape[-2:])
    out = np.zeros((len(seeds_b) + 1, len(seeds_a) + 1, *a.shape[-2:]), np.uint8)
    out[0, 1:], out[1:, 0], out[1:, 1:] = a, b, cells
    return StyleMix(out, list(seeds_a), list(seeds_b), g.crossover, model.num_layers)
