"""What the Diffusion tab (Gradio) and page (Streamlit) show: streamed denoising and restoration, computed once."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image

from genlib.controls import Control, menu
from genlib.data import DATASETS, dataset_info, load_dataset
from genlib.errors import GenLabError
from genlib.features.generate import UI_COUNT
from genlib.features.menus import DATASET, KLASS, MODEL, RANDOM_CLASS, class_id, class_options
from genlib.gate import HEAVY, gated
from genlib.images import grid
from genlib.registry import ROOT, SEED, UI_MAX_COUNT, get_spec
from genlib.pipelines.restore import MASKS, MODES, mask_from_png
from genlib.serving import denoise_stream, load, model_choices

SHOW = 8  # upscaling of the single images in restoration
CANVAS = 28 * 10  # the mask is drawn on the image shown at this size

# sampling (/diffusion_sample; the model's own sampler controls follow, see params())
N = UI_COUNT
EVERY = Control("every", "int", 2, "Show every k-th step", 1, 50, 1, help="How often the picture updates.")
SAMPLE = (DATASET, MODEL, KLASS, SEED, N, EVERY)
# restoration (/restore, `genlib restore`)
TASK = menu("mode", "Task", "denoise", MODES)
INDEX = Control("index", "int", 0, "Test image number", 0, 10**6, 1, number=True)
SIGMA = Control("sigma", "float", 0.3, "Noise level σ (denoise)", 0.05, 1.0, 0.05)
MASK = menu("mask", "Mask (inpaint): paint it, or pick one", "center", ("painted", *MASKS))
HINT = KLASS.but(label="Class hint", help="Guide the restoration towards one class, or none.")
STEPS = Control("steps", "int", 50, "DDIM steps", 1, 1000, 10, ui_min=10, ui_max=200)
RESAMPLE = Control("resample", "int", 5, "RePaint resampling (inpaint)", 1, 20, 1)
RESTORE = (DATASET, MODEL, INDEX, TASK, SIGMA, MASK, HINT, STEPS, SEED)
CONTROLS = (*SAMPLE, *RESTORE[2:])


def models(dataset: str) -> list[tuple[str, str]]:
    return [(get_spec(m).title, m) for m in model_choices(dataset) if get_spec(m).family == "diffusion"]


def params(model_id: str) -> list:
    """The sampler controls the model declares (steps, guidance, sampler, eta) after seed and count."""
    return [p for p in get_spec(model_id).all_params() if p.name not in ("seed", "n")]


def hint_options(dataset: str) -> list[tuple[str, int]]:
    """Restoration's class hint: none (the unconditional model) or one class."""
    return [("None (unconditional)", RANDOM_CLASS)] + class_options(dataset)[1:]


@dataclass
class StreamView:
    image: Image.Image  # x_t grid | predicted x_0 grid, side by side
    caption: str


def _side_by_side(a: Image.Image, b: Image.Image, gap: int = 12) -> Image.Image:
    out = Image.new("L", (a.width + gap + b.width, max(a.height, b.height)), 255)
    out.paste(a, (0, 0))
    out.paste(b, (a.width + gap, 0))
    return out


@gated(HEAVY)
def stream(dataset: str, model_id: str, klass, seed, n, every, values: dict) -> Iterator[StreamView]:
    """Sample and yield the noisy x_t next to the predicted clean x̂_0 every ``every`` steps."""
    if not model_id:
        raise GenLabError("No diffusion model is trained for this dataset.")
    try:
        n = int(n)
    except (TypeError, ValueError):
        raise GenLabError(f"Count must be a whole number; got {n!r}.") from None
    if not 1 <= n <= UI_MAX_COUNT:
        raise GenLabError(f"Count must be between 1 and {UI_MAX_COUNT} here; use the CLI for more.")
    every = int(every) if every not in (None, "") else 1
    label = class_id(klass)
    what = dataset_info(dataset).class_names[label] if label is not None else "random classes"
    for f in denoise_stream(model_id, dataset, n=n, seed=seed, labels=label, every=every, **values):
        image = _side_by_side(grid(f.x_t, scale=3), grid(f.x0, scale=3))
        done = f.index == f.total
        caption = (f"{'Done' if done else 'Step'} {f.index}/{f.total} (t = {f.t}) · {n} × {what} · seed {int(seed)} · "
                   f"{f.seconds:.2f} s · left: x_t, the current noisy images; right: the model's guess of the clean "
                   f"images x̂₀")
        yield StreamView(image, caption)


# ---------------------------------------------------------------- restoration

@dataclass
class RestoreView:
    images: list[tuple[Image.Image, str]]  # clean, corrupted, restored (each with a caption)
    headers: list[str]
    table: list[list[str]]
    caption: str


EXAMPLES = ROOT / "assets" / "examples"  # the first 32 real test images of each dataset, for machines without it


def test_image(dataset: str, index) -> np.ndarray:
    """Test image ``index`` of the dataset; where the dataset is not installed, the first 32 ship in assets/."""
    try:
        i = int(index)
    except (TypeError, ValueError):
        raise GenLabError(f"Test image number must be a whole number; got {index!r}.") from None
    try:
        images = load_dataset(dataset, "test").images
    except GenLabError:
        images = np.asarray(Image.open(EXAMPLES / f"{dataset}-test.png").convert("L")).reshape(28, -1, 28)
        images = images.transpose(1, 0, 2)
        if not 0 <= i < len(images):
            raise GenLabError(f"The {DATASETS[dataset].title} test set is not installed here (`genlib data "
                              f"--prepare`); the first {len(images)} test images ship with GenLab: pick 0 to "
                              f"{len(images) - 1}.") from None
    if not 0 <= i < len(images):
        raise GenLabError(f"Test image number must be between 0 and {len(images) - 1}; got {i}.")
    return images[i]


def source_image(dataset: str, upload, index) -> np.ndarray:
    """The clean image to work on: the upload when there is one, else test image ``index``."""
    from genlib.pipelines.restore import prepare_image

    if upload is not None:
        return prepare_image(upload, dataset)
    return test_image(dataset, index)


def canvas_background(dataset: str, upload, index) -> Image.Image:
    """The clean image upscaled to the drawing canvas, to paint the mask on."""
    return Image.fromarray(source_image(dataset, upload, index)).resize((CANVAS, CANVAS), Image.NEAREST)


def chosen_mask(mode: str, mask, painted):
    """The mask to restore with: a ready-made one by name, or — for "painted" — the first layer painted in Gradio's
    editor (a dict of layers) or the PNG of Streamlit's canvas (bytes)."""
    if mode != "inpaint" or mask != "painted":
        return mask
    if isinstance(painted, (bytes, bytearray)):
        return mask_from_png(bytes(painted))
    layers = (painted or {}).get("layers") or [] if isinstance(painted, dict) else []
    if not layers:
        raise GenLabError("Paint over the part of the image to fill in (or pick a ready-made mask).")
    return layers[0]


@gated(HEAVY)
def restore(dataset: str, model_id: str, upload, index, mode: str, sigma, mask, klass, steps, seed) -> RestoreView:
    """Corrupt the clean image (noise of std ``sigma``, or the drawn/named ``mask``), restore it, and read out PSNR and
    SSIM before and after, against the clean image."""
    from genlib.pipelines.restore import corrupt_and_restore

    if not model_id:
        raise GenLabError("No diffusion model is trained for this dataset.")
    clean = source_image(dataset, upload, index)
    seed = SEED.validate(seed)
    model, _ = load(model_id, dataset)
    r = corrupt_and_restore(model, clean, mode, sigma=float(sigma), mask=mask, label=class_id(klass),
                            steps=int(steps), seed=seed)
    m = r.metrics
    what = f"noise σ = {r.sigma:.2f}" if mode == "denoise" else f"{int(r.mask.sum())} of 784 pixels masked (grey)"
    images = [(Image.fromarray(a).resize((28 * SHOW, 28 * SHOW), Image.NEAREST), c)
              for a, c in ((r.reference, "Clean"), (r.corrupted, f"Corrupted ({what})"), (r.restored, "Restored"))]
    table = [["PSNR (dB) ↑", f"{m['psnr_before']:.2f}", f"{m['psnr_after']:.2f}",
              f"{m['psnr_after'] - m['psnr_before']:+.2f}"],
             ["SSIM ↑", f"{m['ssim_before']:.3f}", f"{m['ssim_after']:.3f}", f"{m['ssim_after'] - m['ssim_before']:+.3f}"]]
    caption = (f"{mode.capitalize()} on {DATASETS[dataset].title} with {get_spec(model_id).title}, {int(steps)} DDIM "
               f"steps, seed {seed}. Before = corrupted vs clean; after = restored vs clean.")
    return RestoreView(images, ["Metric", "Before", "After", "Change"], table, caption)
