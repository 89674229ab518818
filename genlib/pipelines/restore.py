"""Image restoration with the trained diffusion model, read out as PSNR / SSIM before and after.

* **denoise** (SDEdit, Meng et al., 2022): an image with Gaussian noise of std σ, y = x + σ·n, is — up to a scale —
  exactly what the forward process makes at the step t* where √((1 − ᾱ_t)/ᾱ_t) = σ. So √ᾱ_t*·y *is* a sample x_t*,
  and running the sampler from t* down to 0 denoises it. σ is either given or estimated from the image (wavelet MAD,
  Donoho & Johnstone 1994).
* **inpaint** (RePaint, Lugmayr et al., 2022): start from noise; after every DDIM step, overwrite the known pixels with
  the original noised to that step, and re-noise/re-run each step ``resample`` times so the filled region agrees with
  its surroundings.

Both run deterministic DDIM (η = 0, no guidance unless a class hint is given): measured, it keeps closer to the input
than η = 1 (+8.3 vs +6.6 dB on MNIST at σ = 0.3). A clean ``reference`` gives the before/after readout: for a test image or an upload, GenLab corrupts it itself (seeded
noise, or the drawn mask filled with mid-grey), restores it, and measures both against the clean image.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from genlib.errors import GenLabError
from genlib.images import from_uint8, to_uint8
from genlib.metrics import psnr, ssim

SIZE = 28
MODES = ("denoise", "inpaint")
MASKS = ("center", "left", "right", "top", "bottom", "random")
FILL = 128  # what a missing pixel shows (and counts as in "before")


@dataclass
class Restored:
    corrupted: np.ndarray  # (28, 28) uint8: what the model got
    restored: np.ndarray  # (28, 28) uint8
    reference: np.ndarray | None  # (28, 28) uint8 clean image, when known
    mask: np.ndarray | None  # (28, 28) bool, True = missing (inpaint)
    sigma: float | None  # noise std in [0, 1] pixel units (denoise)
    sigma_estimated: bool = False
    metrics: dict = field(default_factory=dict)  # psnr_before/after, ssim_before/after (with a reference)

    def summary(self) -> str:
        m = self.metrics
        if not m:
            return "No clean reference, so no PSNR/SSIM."
        return (f"PSNR {m['psnr_before']:.2f} → {m['psnr_after']:.2f} dB ({m['psnr_after'] - m['psnr_before']:+.2f}); "
                f"SSIM {m['ssim_before']:.3f} → {m['ssim_after']:.3f}")


def prepare_image(source, dataset: str) -> np.ndarray:
    """An upload (bytes/path/PIL/array) → (28, 28) uint8 in the dataset's style. A 28×28 image is taken as it is
    (only made greyscale); anything else gets MNIST's crop-scale-centre (digits fit 20×20, clothes 28×28)."""
    from genlib.inputs import read_image, to_digit

    img = read_image(source)
    if img.size == (SIZE, SIZE):
        return np.asarray(img.convert("L"), dtype=np.uint8)
    return to_digit(img, SIZE, box=20 if dataset == "mnist" else SIZE)


def make_mask(kind, seed: int = 0) -> np.ndarray:
    """A named mask ("center", "left", "right", "top", "bottom", "random") or an array → (28, 28) bool, True where
    pixels are missing. Arrays must be 28×28 or a square multiple of it (a drawing on an upscaled canvas); a pixel is
    missing when more than half of its block is marked. RGB(A) arrays count any painted (non-zero alpha or bright)
    pixel."""
    if isinstance(kind, str):
        m = np.zeros((SIZE, SIZE), bool)
        if kind == "center":
            m[8:20, 8:20] = True
        elif kind == "left":
            m[:, :14] = True
        elif kind == "right":
            m[:, 14:] = True
        elif kind == "top":
            m[:14] = True
        elif kind == "bottom":
            m[14:] = True
        elif kind == "random":  # half the pixels, scattered
            m = np.random.default_rng(seed).random((SIZE, SIZE)) < 0.5
        else:
            raise GenLabError(f"Mask must be one of {', '.join(MASKS)}, or an image; got {kind!r}.")
        return m
    a = np.asarray(kind)
    if a.ndim == 3:  # painted RGBA/RGB: alpha if present, else brightness
        a = a[..., 3] if a.shape[2] == 4 else a.max(axis=2)
    if a.ndim != 2:
        raise GenLabError(f"A mask must be a 2-D image; got an array of shape {a.shape}.")
    h, w = a.shape
    if h != w or h % SIZE:
        raise GenLabError(f"The mask is {w}×{h} pixels; it must be {SIZE}×{SIZE} or a square multiple of it "
                          f"(e.g. {SIZE * 10}×{SIZE * 10}) to match the image.")
    k = h // SIZE
    marked = (a.astype(np.float64) > 0).reshape(SIZE, k, SIZE, k).mean(axis=(1, 3))
    m = marked > 0.5
    if not m.any():
        raise GenLabError("The mask is empty: paint over the part of the image to fill in.")
    if m.all():
        raise GenLabError("The mask covers the whole image: leave some pixels for the model to work from.")
    return m


def mask_from_png(data: bytes) -> np.ndarray:
    """A painted mask (PNG bytes whose alpha marks the paint, as the Streamlit mask painter sends) → RGBA array for
    :func:`make_mask`. Checked like any upload: size, format, pixel count."""
    import io

    from PIL import Image, UnidentifiedImageError

    from genlib.inputs import MAX_BYTES

    if not data or len(data) > MAX_BYTES:
        raise GenLabError("The painted mask is empty or too large.")
    try:
        img = Image.open(io.BytesIO(data))
        if img.format != "PNG" or img.width * img.height > 4096 * 4096:
            raise GenLabError("The painted mask must be a PNG of at most 4096×4096 pixels.")
        return np.asarray(img.convert("RGBA"))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise GenLabError("The painted mask could not be read as a PNG image.") from None


def add_noise(image: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    """Gaussian noise of std ``sigma`` (in [0, 1] pixel units), clipped and rounded to 8 bits like a real file."""
    noise = np.random.default_rng(seed).standard_normal(image.shape) * sigma * 255
    return np.clip(np.round(image.astype(np.float64) + noise), 0, 255).astype(np.uint8)


def estimate_sigma(image: np.ndarray) -> float:
    """Noise std of an 8-bit image in [0, 1] units: Donoho's wavelet MAD, median(|HH|) / 0.6745 over the finest Haar
    diagonal coefficients. Blocks touching 0 or 255 are left out when enough others remain, since clipping there hides
    half of the noise."""
    a = image.astype(np.float64) / 255.0
    h, w = (a.shape[0] // 2) * 2, (a.shape[1] // 2) * 2
    blocks = a[:h, :w].reshape(h // 2, 2, w // 2, 2).transpose(0, 2, 1, 3).reshape(-1, 4)
    hh = (blocks[:, 0] - blocks[:, 1] - blocks[:, 2] + blocks[:, 3]) / 2
    inside = ((blocks > 0) & (blocks < 1)).all(axis=1)
    if inside.sum() >= 32:
        hh = hh[inside]
    return float(np.median(np.abs(hh)) / 0.6745)


def _check(sigma, steps, resample):
    if sigma is not None and not 0 < float(sigma) <= 1:
        raise GenLabError(f"Noise level must be above 0 and at most 1 (a fraction of the pixel range); got {sigma}.")
    if int(steps) != steps or not 1 <= int(steps) <= 1000:
        raise GenLabError(f"Steps must be a whole number from 1 to 1000; got {steps!r}.")
    if int(resample) != resample or not 1 <= int(resample) <= 20:
        raise GenLabError(f"Resampling must be a whole number from 1 to 20; got {resample!r}.")


@torch.no_grad()
def restore(model, image: np.ndarray, mode: str = "denoise", *, reference: np.ndarray | None = None,
            sigma: float | None = None, mask=None, label: int | None = None, steps: int = 50, resample: int = 5,
            seed: int = 0) -> Restored:
    """Restore an already corrupted (28, 28) uint8 ``image`` with the diffusion ``model``.

    denoise: ``sigma`` is the noise std in [0, 1] units (None: estimated). inpaint: ``mask`` marks the missing pixels
    (see :func:`make_mask`). ``label`` conditions on a class (None: unconditional). With a clean ``reference`` the
    result carries PSNR/SSIM before and after."""
    if mode not in MODES:
        raise GenLabError(f"Mode must be one of {', '.join(MODES)}; got {mode!r}.")
    _check(sigma, steps, resample)
    image = np.asarray(image)
    if image.shape != (SIZE, SIZE) or image.dtype != np.uint8:
        raise GenLabError(f"Restoration works on {SIZE}×{SIZE} 8-bit images; got {image.shape} {image.dtype}.")
    labels = None
    if label is not None:
        if not 0 <= int(label) < model.num_classes:
            raise GenLabError(f"Class must be between 0 and {model.num_classes - 1}; got {label}.")
        labels = torch.full((1,), int(label), dtype=torch.long, device=model.device)
    y = from_uint8(image[None]).to(model.device)  # (1, 1, 28, 28) in [-1, 1]
    estimated = False
    m = None
    if mode == "denoise":
        if sigma is None:
            sigma, estimated = max(estimate_sigma(image), 1e-3), True
        x, start = _sdedit_start(model, y, float(sigma), steps)
        out = model.decode_from(x, labels, steps=steps, guidance=1.0, eta=0.0, start=start, seed=int(seed))
    else:
        if mask is None:
            raise GenLabError("Inpainting needs a mask: draw over the part to fill in, or name one "
                              f"({', '.join(MASKS)}).")
        m = make_mask(mask, seed)
        keep = torch.from_numpy(~m).float()[None, None].to(model.device)
        z = model.sample_latents(1, int(seed))
        out = model.decode_from(z, labels, steps=steps, guidance=1.0, eta=0.0, known=(y, keep), resample=int(resample),
                                 seed=int(seed))
        out = keep * y + (1 - keep) * out  # known pixels exactly as given
    restored = to_uint8(out)[0]
    metrics = {}
    if reference is not None:
        reference = np.asarray(reference, dtype=np.uint8)
        metrics = {"psnr_before": psnr(reference, image), "psnr_after": psnr(reference, restored),
                   "ssim_before": ssim(reference, image), "ssim_after": ssim(reference, restored)}
    return Restored(image, restored, reference, m, float(sigma) if mode == "denoise" else None, estimated, metrics)


def _sdedit_start(model, y: torch.Tensor, sigma: float, steps: int) -> tuple[torch.Tensor, int]:
    """The sampler step whose noise level matches σ (in [-1, 1] units: 2σ) and the image scaled to be x_t there."""
    from genlib.pipelines.diffusion import make_scheduler

    scheduler = make_scheduler("ddim", model.config)
    scheduler.set_timesteps(steps)
    alphas = model.train_scheduler.alphas_cumprod[scheduler.timesteps.long()]
    levels = ((1 - alphas) / alphas).sqrt()  # noise std of x_t / √ᾱ_t, per sampler step
    start = int(torch.argmin((levels - 2 * sigma).abs()))
    return alphas[start].sqrt() * y, start


def corrupt_and_restore(model, clean: np.ndarray, mode: str = "denoise", *, sigma: float = 0.3, mask="center",
                        label: int | None = None, steps: int = 50, resample: int = 5, seed: int = 0) -> Restored:
    """The classroom demo: corrupt a clean image (seeded noise of std ``sigma``, or ``mask`` filled with grey),
    restore it, and read PSNR/SSIM against the clean image."""
    clean = np.asarray(clean, dtype=np.uint8)
    if mode == "denoise":
        _check(sigma, steps, resample)
        corrupted = add_noise(clean, float(sigma), seed)
        return restore(model, corrupted, "denoise", reference=clean, sigma=sigma, label=label, steps=steps, seed=seed)
    if mode == "inpaint":
        m = make_mask(mask, seed)
        corrupted = np.where(m, FILL, clean).astype(np.uint8)
        return restore(model, corrupted, "inpaint", reference=clean, mask=m, label=label, steps=steps,
                       resample=resample, seed=seed)
    raise GenLabError(f"Mode must be one of {', '.join(MODES)}; got {mode!r}.")
