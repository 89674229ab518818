"""Latent Lab actions shared by both front ends. Each takes plain values (and Points kept in the session) and returns
images and captions; all the model work is in :mod:`genlib.latent`."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageDraw

from genlib import inputs, latent, metrics
from genlib.controls import Control, menu, seed
from genlib.data import dataset_info
from genlib.errors import GenLabError
from genlib.features.menus import DATASET, MODEL, class_id, download_path
from genlib.gate import HEAVY, LIGHT, gated
from genlib.images import grid
from genlib.models.stylegan import CROSSOVER, NOISE, TRUNCATION
from genlib.registry import get_spec
from genlib.serving import load, model_choices

SHOW = 8  # upscaling of single frames
DIMS = 8  # per-dimension sliders
DIRECTIONS = 5  # PCA sliders
# a colour per class for the latent map (Tableau 10)

# the endpoints and the slider (the Gradio endpoints /lab_show and /lab_frame; a link restores them)
MODE = menu("mode", "Interpolation", "slerp", latent.MODES, help="slerp follows the Gaussian shell; lerp a line.")
SEED_A, SEED_B = seed("Seed A", "seed_a", 1), seed("Seed B", "seed_b", 2)
CLASS_A, CLASS_B = menu("class_a", "Class A", 0), menu("class_b", "Class B", 0)
T = Control("t", "float", 0.5, "t (A → B)", 0.0, 1.0, 0.01)
ENDPOINTS = (DATASET, MODEL, SEED_A, CLASS_A, SEED_B, CLASS_B, T, MODE)
# a walk through keyframes (/lab_walk, `genlib walk`)
SEEDS = Control("seeds", "text", "1,2,3", "Keyframe seeds", help="Comma-separated seeds, one per keyframe.")
CLASSES = Control("classes", "text", "", "Classes (conditional: one, or one per seed)")
FRAMES = Control("frames", "int", 60, "Frames", 2, latent.MAX_FRAMES, 1)
FPS = Control("fps", "int", 20, "fps", 1, 60, 1)
SIZE = Control("size", "int", 112, "Size (px)", 28, latent.MAX_EXPORT_SIZE, 4)
LOOP = Control("loop", "bool", True, "Loop", help="Return to the first keyframe.")
FORMAT = menu("format", "Format", "gif", ("gif", "mp4"))
WALK = (DATASET, MODEL, SEEDS, CLASSES, FRAMES, FPS, SIZE, LOOP, MODE, FORMAT)
# encoding a drawing or an upload (/lab_encode)
DRAW_CLASS = menu("klass", "Its class (conditional VAE)", 0)
WHICH = menu("which", "Use as endpoint", "A", ("A", "B"))
ENCODE = (DATASET, MODEL, DRAW_CLASS, WHICH)
# semantic directions and latent dimensions (one slider per direction / dimension)
DIRECTION = Control("direction", "float", 0.0, "Direction", -3.0, 3.0, 0.1)
DIMENSION = Control("dimension", "float", 0.0, "z", -4.0, 4.0, 0.05)
MOVED = DIMENSION.step / 2 + 0.001  # a dimension slider counts as moved when it is off A's coordinate by more
# breeding
CHILDREN = Control("children", "int", 8, "Children", 2, 16, 1)
MUTATION = Control("mutation", "float", 0.3, "Mutation strength", 0.0, 2.0, 0.05)
BREED_SEED = seed("Breeding seed", "breed_seed")
BREED = (CHILDREN, MUTATION, BREED_SEED)
# style mixing, StyleGAN's own control (/lab_mix, `genlib sample stylegan --mix-a … --mix-b …`)
MIX_A = Control("mix_a", "text", "1,2,3", "Source A seeds (coarse styles)",
                help="Comma-separated seeds, up to 8: the top row; their styles fill the layers before the crossover.")
MIX_B = Control("mix_b", "text", "4,5", "Source B seeds (fine styles)",
                help="Comma-separated seeds, up to 8: the left column; their styles fill the crossover layer on.")
MIX = (MIX_A, MIX_B, CROSSOVER, TRUNCATION, NOISE)
CONTROLS = (*ENDPOINTS, SEEDS, CLASSES, FRAMES, FPS, SIZE, LOOP, FORMAT, *ENCODE[2:], DIRECTION, DIMENSION, *BREED,
            *MIX)

PALETTE = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207))


def models(dataset: str) -> list[tuple[str, str]]:
    return [(get_spec(m).title, m) for m in model_choices(dataset) if get_spec(m).latent_tools]


def is_conditional(model_id: str) -> bool:
    return bool(model_id) and get_spec(model_id).conditional


def can_mix(model_id: str) -> bool:
    return latent.can_mix(model_id)


def has_encoder(model_id: str) -> bool:
    return bool(model_id) and get_spec(model_id).encoder


def big(image: np.ndarray, scale: int = SHOW) -> Image.Image:
    return Image.fromarray(image, "L").resize((image.shape[1] * scale, image.shape[0] * scale), Image.NEAREST)


@gated(LIGHT)
def seed_point(dataset: str, model_id: str, seed, klass) -> latent.Point:
    if not model_id:
        raise GenLabError("Pick a model first.")
    label = class_id(klass)
    if is_conditional(model_id) and label is None:
        label = 0
    return latent.point_from_seed(model_id, dataset, seed, label if is_conditional(model_id) else None)


@gated(LIGHT)
def frame(dataset: str, model_id: str, a: latent.Point, b: latent.Point, t: float, mode: str) -> Image.Image:
    """One interpolated frame, upscaled: the slider's handler (one decode, no file I/O)."""
    return big(latent.between(model_id, dataset, a, b, float(t), mode)[0])


SCRUB_STEPS = 100  # the Streamlit slider's steps (t = 0.00 … 1.00), all decoded at once


@gated(LIGHT)
def frames(dataset: str, model_id: str, a: latent.Point, b: latent.Point, mode: str, steps: int = SCRUB_STEPS):
    """Every frame from A to B in ``steps`` equal steps of t, as (steps + 1, 28, 28) uint8, decoded as one batch
    (each within one grey level of that frame decoded alone: README "Reproducibility")."""
    return latent.between(model_id, dataset, a, b, np.linspace(0, 1, steps + 1).tolist(), mode)


@gated(LIGHT)
def strip(dataset: str, model_id: str, a: latent.Point, b: latent.Point, mode: str, n: int = 9) -> Image.Image:
    frames = latent.between(model_id, dataset, a, b, np.linspace(0, 1, n).tolist(), mode)
    return grid(frames, nrow=n, scale=3)


@dataclass
class Encoded:
    point: latent.Point
    digit: np.ndarray  # what the model saw (28×28)
    reconstruction: np.ndarray
    caption: str


@gated(LIGHT)
def encode_drawing(dataset: str, model_id: str, image, klass=None) -> Encoded:
    """A drawing or an upload → the validated, MNIST-style 28×28 image → encoded → reconstruction with PSNR/SSIM."""
    if image is None:
        raise GenLabError("Draw something or upload an image first.")
    if not has_encoder(model_id):
        raise GenLabError(f"{get_spec(model_id).title if model_id else 'This model'} has no encoder; pick a VAE to "
                          f"encode a drawing.")
    if isinstance(image, dict):  # Gradio's ImageEditor/Sketchpad value
        image = image.get("composite") if image.get("composite") is not None else image.get("background")
        if image is None:
            raise GenLabError("Draw something or upload an image first.")
    digit = inputs.to_digit(image)
    label = class_id(klass) if is_conditional(model_id) else None
    if is_conditional(model_id) and label is None:
        raise GenLabError("Conditional VAE: say which class the drawing is.")
    point = latent.point_from_image(model_id, dataset, digit, label)
    recon = latent.decode(model_id, dataset, point.z[None], None if point.classes is None else point.classes[None])[0]
    caption = (f"Reconstruction: PSNR {metrics.psnr(digit[None], recon[None]):.1f} dB, "
               f"SSIM {metrics.ssim(digit[None], recon[None]):.3f}")
    return Encoded(point, digit, recon, caption)


def parse_ints(text: str, what: str) -> list[int]:
    try:
        values = [int(v) for v in str(text).replace(" ", "").split(",") if v]
    except ValueError:
        raise GenLabError(f"{what} must be whole numbers separated by commas, e.g. 1,2,3; got {text!r}.") from None
    return values


@gated(HEAVY)
def export_walk(dataset: str, model_id: str, seeds_text: str, classes_text: str, frames: int, fps: float, size: int,
                loop: bool, mode: str, fmt: str) -> tuple[str, str]:
    """A keyframe walk through seeds (and classes) → a GIF or MP4 file; returns (path, caption)."""
    start = time.perf_counter()
    seeds = parse_ints(seeds_text, "Seeds")
    classes = parse_ints(classes_text, "Classes") if is_conditional(model_id) else None
    images = latent.seed_walk(model_id, dataset, seeds, classes, int(frames), loop=bool(loop), mode=mode)
    if fmt not in ("gif", "mp4"):
        raise GenLabError(f"Export as gif or mp4; got {fmt!r}.")
    path = latent.export(images, download_path("walks", f".{fmt}"), fps=float(fps), size=int(size), loop=True)
    caption = (f"{len(images)} frames · {fmt.upper()} · {int(size)}×{int(size)} px · {float(fps):g} fps · "
               f"{mode}{' · loop' if loop else ''} · {path.stat().st_size / 1024:.0f} KB · "
               f"{time.perf_counter() - start:.2f} s")
    return str(path), caption


@gated(LIGHT)
def direction_edit(dataset: str, model_id: str, base: latent.Point, amounts: list[float],
                   dims: dict[int, float] | None = None) -> tuple[Image.Image, str]:
    """The base point moved along the first PCA directions (GANSpace) and with some coordinates set directly."""
    d = latent.pca_directions(model_id, dataset, k=min(DIRECTIONS, load(model_id, dataset)[0].latent_dim))
    point = latent.edit(base, d.vectors, amounts[:len(d.vectors)])
    if dims:
        point = latent.set_dimensions(point, dims)
    image = latent.decode(model_id, dataset, point.z[None], None if point.classes is None else point.classes[None])
    shares = ", ".join(f"{e:.0%}" for e in d.explained)
    return big(image[0]), f"Directions: principal components of the {d.space} (variance shares {shares})."


def moved_dimensions(a: latent.Point, values) -> dict[int, float]:
    """The per-dimension sliders that were moved off endpoint A's own coordinates: {dimension: value}.
    ``values`` is a list (one per slider) or a {dimension: value} dict."""
    items = values.items() if isinstance(values, dict) else enumerate(values)
    return {i: float(v) for i, v in items if i < len(a.z) and v is not None and abs(v - float(a.z[i])) > MOVED}


@gated(LIGHT)
def children(dataset: str, model_id: str, a: latent.Point, b: latent.Point, n: int, mutation: float, seed: int):
    """Breeding: (children points, [(image, caption)])."""
    kids = latent.crossover(a, b, int(n), float(mutation), int(seed))
    z = torch.stack([k.z for k in kids])
    classes = torch.stack([k.classes for k in kids]) if kids[0].classes is not None else None
    images = latent.decode(model_id, dataset, z, classes)
    return kids, [(big(im, 4), f"child {i + 1}") for i, im in enumerate(images)]


@gated(LIGHT)
def style_mix(dataset: str, model_id: str, mix_a: str, mix_b: str, crossover, truncation, noise, scale: int = 3):
    """StyleGAN's style-mixing grid → (image, caption): the A sources across the top, the B sources down the left,
    each cell A's coarse styles with B's fine ones."""
    seeds_a, seeds_b = parse_ints(mix_a, "Source A seeds"), parse_ints(mix_b, "Source B seeds")
    crossover, psi, draw = CROSSOVER.validate(crossover), TRUNCATION.validate(truncation), NOISE.validate(noise)
    m = latent.style_mix(model_id, dataset, seeds_a, seeds_b, crossover, psi, draw)
    image = grid(m.image.reshape(-1, *m.image.shape[-2:]), nrow=len(seeds_a) + 1, scale=scale)
    coarse = f"layers 1–{m.crossover}" if m.crossover else "no layers"
    fine = f"layers {m.crossover + 1}–{m.layers}" if m.crossover < m.layers else "no layers"
    return image, (f"Top row: A seeds {', '.join(map(str, seeds_a))}; left column: B seeds "
                   f"{', '.join(map(str, seeds_b))}. Each cell takes its coarse styles ({coarse} of {m.layers}, "
                   f"7×7 first) from the A above it and its fine styles ({fine}) from the B beside it. "
                   f"Truncation ψ = {psi:g}, noise draw {draw}.")


@gated(LIGHT)
def class_row(dataset: str, model_id: str, point: latent.Point) -> Image.Image:
    """Class arithmetic: the same latent (style) decoded as every class."""
    k = dataset_info(dataset).num_classes
    pts = [latent.with_class(point, dataset, c) for c in range(k)]
    images = latent.decode(model_id, dataset, torch.stack([p.z for p in pts]), torch.stack([p.classes for p in pts]))
    return grid(images, nrow=k, scale=3)


# ---------------------------------------------------------------- the 2-D latent map

MAP_CELLS, MAP_SPAN, MAP_SCALE = 15, 3.0, 2


@dataclass
class MapView:
    image: Image.Image
    caption: str


def _map(dataset: str) -> latent.LatentMap:
    return latent.cached_latent_map(dataset, cells=MAP_CELLS, span=MAP_SPAN)


def _to_pixel(z: np.ndarray, side: int) -> tuple[float, float]:
    x = (z[0] + MAP_SPAN) / (2 * MAP_SPAN) * side
    y = (MAP_SPAN - z[1]) / (2 * MAP_SPAN) * side
    return x, y


@gated(HEAVY)
def map_view(dataset: str, marker: np.ndarray | None = None, picked: np.ndarray | None = None) -> MapView:
    """The decoded grid over the plane with the encoded test set as coloured points (and the user's markers)."""
    m = _map(dataset)
    side = m.image.shape[0] * MAP_SCALE
    img = Image.fromarray(m.image, "L").resize((side, side), Image.NEAREST).convert("RGB")
    draw = ImageDraw.Draw(img)
    for (zx, zy), label in zip(m.points, m.labels):
        x, y = _to_pixel(np.array([zx, zy]), side)
        draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=PALETTE[int(label) % 10])
    for z, colour in ((marker, (255, 255, 255)), (picked, (255, 0, 0))):
        if z is not None:
            x, y = _to_pixel(np.asarray(z), side)
            draw.ellipse([x - 7, y - 7, x + 7, y + 7], outline=colour, width=3)
    names = dataset_info(dataset).class_names
    legend = ", ".join(f"{n}" for n in names)
    return MapView(img, f"2-D VAE latent plane, z₁ → right, z₂ → up, [−{MAP_SPAN:g}, {MAP_SPAN:g}]². Dots: "
                        f"{len(m.points)} encoded test images coloured by class ({legend}, Tableau colours in order). "
                        f"Click anywhere to decode that point.")


@gated(LIGHT)
def map_pick(dataset: str, x: float, y: float) -> tuple[np.ndarray, Image.Image, str]:
    """A click at pixel (x, y) of the map image → the latent there and its decoded image."""
    side = _map(dataset).image.shape[0] * MAP_SCALE
    if not (0 <= x <= side and 0 <= y <= side):
        raise GenLabError("Click inside the map.")
    z = np.array([x / side * 2 * MAP_SPAN - MAP_SPAN, MAP_SPAN - y / side * 2 * MAP_SPAN], np.float32)
    image = latent.decode("vae2d", dataset, torch.from_numpy(z)[None])[0]
    return z, big(image), f"z = ({z[0]:+.2f}, {z[1]:+.2f})"
