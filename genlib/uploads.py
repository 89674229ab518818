"""The one door for user images (uploads and drawings): checked, normalised, never trusted.

``read_image`` takes bytes, a path, a PIL image or an array and returns an RGB or L PIL image, or raises a
:class:`~genlib.errors.GenLabError` with one clear sentence:

* size: at most ``MAX_BYTES`` of file; at most ``MAX_PIXELS`` decoded pixels (checked from the header, before decoding,
  so a decompression bomb is refused without being inflated);
* format: an allowlist (PNG, JPEG, GIF, BMP, WebP, TIFF); anything else, or bytes that are not an image, is refused;
* orientation: the EXIF orientation tag is applied (a phone photo shows the way it was taken);
* modes: palette and 1-bit images are expanded, RGBA/LA are composited over the background, 16- and 32-bit greyscale
  and float images are rescaled to 8 bits by their own range, CMYK/YCbCr/LAB are converted to RGB;
* animations: the first frame.

``to_digit`` then turns any such image into what the 28×28 models expect (MNIST's own preprocessing): greyscale,
bright ink on a dark background (inverted when the background is light), cropped to the ink, scaled to fit 20×20 with
its aspect kept, and centred by its centre of mass in a 28×28 canvas.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from genlib.errors import GenLabError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 25_000_000  # 5000 × 5000
FORMATS = {"PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF"}


def _open(source) -> Image.Image:
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, np.ndarray):
        return _from_array(source)
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise GenLabError(f"No such image file: {path.name}.")
        if path.stat().st_size > MAX_BYTES:
            raise GenLabError(f"The image is {path.stat().st_size / 2**20:.1f} MB; the limit is "
                              f"{MAX_BYTES // 2**20} MB.")
        source = path.read_bytes()
    if not isinstance(source, (bytes, bytearray)):
        raise GenLabError(f"Expected an image (file, bytes or array); got {type(source).__name__}.")
    if len(source) > MAX_BYTES:
        raise GenLabError(f"The image is {len(source) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB.")
    if not source:
        raise GenLabError("The file is empty.")
    try:
        img = Image.open(io.BytesIO(bytes(source)))
    except UnidentifiedImageError:
        raise GenLabError("That file is not an image GenLab can read (PNG, JPEG, GIF, BMP, WebP or TIFF).") from None
    except Image.DecompressionBombError:
        raise GenLabError(f"The image has too many pixels (the limit is {MAX_PIXELS:,}).") from None
    except (OSError, SyntaxError, ValueError) as e:
        raise GenLabError(f"The image file is damaged or truncated ({e}).") from None
    if img.format not in FORMATS:
        raise GenLabError(f"{img.format} images are not accepted; use PNG, JPEG, GIF, BMP, WebP or TIFF.")
    return img


def _from_array(a: np.ndarray) -> Image.Image:
    a = np.asarray(a)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)):
        raise GenLabError(f"An image array must be H×W, H×W×3 or H×W×4; got shape {a.shape}.")
    if a.dtype != np.uint8:
        a = _rescale(a.astype(np.float64))
    return Image.fromarray(a)


def _rescale(a: np.ndarray) -> np.ndarray:
    """Any numeric array → uint8 by its own range (a flat image becomes black)."""
    a = np.nan_to_num(a)
    lo, hi = float(a.min()), float(a.max())
    if hi <= lo:
        return np.zeros(a.shape, np.uint8)
    return np.round((a - lo) / (hi - lo) * 255).astype(np.uint8)


def read_image(source, background: int = 255) -> Image.Image:
    """Validated, oriented, 8-bit RGB or L image (see the module docstring for every rule)."""
    img = _open(source)
    w, h = img.size
    if w < 1 or h < 1:
        raise GenLabError("The image is empty.")
    if w * h > MAX_PIXELS:
        raise GenLabError(f"The image is {w}×{h} = {w * h:,} pixels; the limit is {MAX_PIXELS:,}.")
    try:
        if getattr(img, "n_frames", 1) > 1:
            img.seek(0)
        img = ImageOps.exif_transpose(img)  # also loads the pixels: truncated files fail here
    except (OSError, SyntaxError, ValueError) as e:
        raise GenLabError(f"The image file is damaged or truncated ({e}).") from None
    if img.mode in ("1", "P", "PA"):
        img = img.convert("RGBA")
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        img = Image.fromarray(_rescale(np.asarray(img, dtype=np.float64)), "L")
    if img.mode in ("RGBA", "LA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (background,) * 3 + (255,))
        img = Image.alpha_composite(base, rgba).convert("RGB")
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")  # CMYK, YCbCr, LAB, HSV
    return img


def to_digit(source, size: int = 28, box: int = 20) -> np.ndarray:
    """Any accepted image → (size, size) uint8, light ink on black, MNIST-style crop, scale and centring."""
    grey = np.asarray(read_image(source).convert("L"), dtype=np.float64)
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    if np.median(border) > 127:  # dark ink on a light page: invert to MNIST's polarity
        grey, border = 255 - grey, 255 - border
    grey = np.clip(grey - np.median(border), 0, 255)  # the background level becomes black
    ink = grey > 0.1 * grey.max() if grey.max() > 0 else np.zeros_like(grey, bool)
    if not ink.any():
        raise GenLabError("The image is blank: draw or upload something with visible strokes.")
    rows, cols = np.flatnonzero(ink.any(1)), np.flatnonzero(ink.any(0))
    crop = grey[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    ch, cw = crop.shape
    scale = box / max(ch, cw)
    nh, nw = max(1, round(ch * scale)), max(1, round(cw * scale))
    small = np.asarray(Image.fromarray(crop.astype(np.float32), "F").resize((nw, nh), Image.LANCZOS))
    small = np.clip(small, 0, None)
    small = small / small.max() * 255 if small.max() > 0 else small
    canvas = np.zeros((size, size))
    top, left = (size - nh) // 2, (size - nw) // 2
    canvas[top:top + nh, left:left + nw] = small
    # centre of mass to the middle, as MNIST was made
    total = canvas.sum()
    cy = (canvas.sum(1) * np.arange(size)).sum() / total
    cx = (canvas.sum(0) * np.arange(size)).sum() / total
    dy, dx = int(round((size - 1) / 2 - cy)), int(round((size - 1) / 2 - cx))
    shifted = np.zeros_like(canvas)  # a shift, not a roll: nothing wraps round the edge
    shifted[max(dy, 0):size + min(dy, 0), max(dx, 0):size + min(dx, 0)] = \
        canvas[max(-dy, 0):size + min(-dy, 0), max(-dx, 0):size + min(-dx, 0)]
    return np.clip(np.round(shifted), 0, 255).astype(np.uint8)
