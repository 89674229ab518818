"""The one door for user images (uploads and drawings): checked, normalised, never trusted.

``read_image`` takes bytes, a path, a PIL image or an array and returns an RGB or L PIL image, or raises a
:class:`~genlib.errors.GenLabError` with one clear sentence:

* size: at most ``MAX_BYTES`` of file; at most ``MAX_PIXELS`` decoded pixels (checked from the header, before decoding,
  so a decompression bomb is refused without being inflated);
* format: an allowlist (PNG, JPEG, GIF, BMP, WebP, TIFF); anything else, or bytes that are not an image, is refused;
* orientation: the EXIF orientation tag is applied (a phone photo shows the way it was taken);
* modes: palette and 1-bit images are expanded, RGBA/LA/PA are composited over the background, 16-bit greyscale is
  scaled to 8 bits (65535 → 255, not clipped), 32-bit integer and float images by their own range, CMYK/YCbCr/LAB are
  converted to RGB;
* animations: the first frame; a broken EXIF block is ignored (the picture is kept, unrotated);
* memory: a picture larger than ``MAX_SIDE`` on its longest side is decoded at reduced size where the format allows
  (JPEG's DCT scaling) and otherwise shrunk by a whole factor straight after decoding, before any mode conversion, so
  one upload's peak memory stays bounded (``bench/upload_memory.py``: ≤ 150 MB over Pillow's own test images and the
  hostile corpus); every GenLab feature needs at most ``MAX_SIDE`` pixels (style transfer works at ≤ 1,024);
* errors never carry a traceback or a server path.

``to_digit`` then turns any such image into what the 28×28 models expect (MNIST's own preprocessing): greyscale,
bright ink on a dark background (inverted when the background is light), cropped to the ink, scaled to fit 20×20 with
its aspect kept, and centred by its centre of mass in a 28×28 canvas.
"""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from genlib.errors import GenLabError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 25_000_000  # 5000 × 5000
MAX_SIDE = 2048  # the longest side kept after decoding (style transfer's largest output is 1,024 px)
DIGIT_SIDE = 512  # what to_digit reads a picture at: its 20-px digit loses nothing
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
              5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}  # EXIF orientation → the transpose that shows it upright
FORMATS = {"PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF"}
ALLOWED = "PNG, JPEG, GIF, BMP, WebP or TIFF"
EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff")


def _too_big(n: int) -> GenLabError:
    return GenLabError(f"The image is {n / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB.")


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
            raise _too_big(path.stat().st_size)
        source = path.read_bytes()
    if isinstance(source, memoryview):
        source = source.tobytes()
    if not isinstance(source, (bytes, bytearray)):
        raise GenLabError(f"Expected an image (file, bytes or array); got {type(source).__name__}.")
    if len(source) > MAX_BYTES:
        raise _too_big(len(source))
    if not source:
        raise GenLabError("The file is empty (0 bytes).")
    try:
        # only the allowlisted decoders ever look at the bytes (PIL would otherwise try every plugin it has,
        # EPS through Ghostscript included)
        img = Image.open(io.BytesIO(bytes(source)), formats=sorted(FORMATS))
    except UnidentifiedImageError:
        kind = _sniff(source)
        if kind:
            raise GenLabError(f"The {kind} file is damaged or truncated (it starts like a {kind} but cannot be "
                              "read).") from None
        raise GenLabError(f"That file is not an image GenLab can read ({ALLOWED}).") from None
    except Image.DecompressionBombError:
        raise GenLabError(f"The image has too many pixels (the limit is {MAX_PIXELS:,}).") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError, TypeError) as e:
        raise GenLabError(f"The image file is damaged or truncated ({_short(e)}).") from None
    if img.format not in FORMATS:
        raise GenLabError(f"{img.format} images are not accepted; use {ALLOWED}.")
    return img


_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
               (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"))


def _sniff(data: bytes) -> str | None:
    """The allowed format a file's first bytes announce (for a precise message about a broken file), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    return next((name for sig, name in _SIGNATURES if data.startswith(sig)), None)


def _short(e: Exception) -> str:
    """An exception as one short line that names no file or folder."""
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    text = re.sub(r"(/|[A-Za-z]:\\)[^\s'\"]*", "…", text)
    return text[:120]


def _from_array(a: np.ndarray) -> Image.Image:
    a = np.asarray(a)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)):
        raise GenLabError(f"An image array must be H×W, H×W×3 or H×W×4; got shape {a.shape}.")
    if a.size == 0:
        raise GenLabError("The image is empty.")
    if a.shape[0] * a.shape[1] > MAX_PIXELS:
        raise GenLabError(f"The image is {a.shape[1]}×{a.shape[0]} pixels; the limit is {MAX_PIXELS:,}.")
    if a.dtype == bool:
        a = a.astype(np.uint8) * 255
    elif a.dtype != np.uint8:
        a = _rescale(a.astype(np.float64))
    return Image.fromarray(a)


def _rescale(a: np.ndarray) -> np.ndarray:
    """Any numeric array → uint8 by its own range (a flat image becomes black; NaN → 0, ±inf → the finite range)."""
    finite = np.isfinite(a)
    if not finite.any():
        return np.zeros(a.shape, np.uint8)
    lo, hi = float(a[finite].min()), float(a[finite].max())
    a = np.clip(np.where(np.isnan(a), lo, a), lo, hi)
    if hi <= lo:
        return np.zeros(a.shape, np.uint8)
    return np.round((a - lo) / (hi - lo) * 255).astype(np.uint8)


def _to_16bit_range(img: Image.Image) -> np.ndarray:
    """16-bit / 32-bit / float greyscale → uint8: 16-bit by its full scale (65535 → 255, as every viewer shows it),
    32-bit integer and float by their own range."""
    a = np.asarray(img)
    if img.mode.startswith("I;16"):
        return ((a.astype(np.uint32) + 128) // 257).astype(np.uint8)  # round(a / 257), in integers
    if img.mode == "I" and a.min() >= 0 and a.max() <= 65535 and a.max() > 255:
        return ((a.astype(np.int64) + 128) // 257).astype(np.uint8)  # PNG 16-bit greyscale opens as "I"
    if img.mode == "I" and a.min() >= 0 and a.max() <= 255:
        return a.astype(np.uint8)
    return _rescale(a.astype(np.float64))


def read_image(source, background: int = 255, max_side: int = MAX_SIDE) -> Image.Image:
    """Validated, oriented, 8-bit RGB or L image (see the module docstring for every rule), its longest side reduced
    by a whole factor to the smallest size at or above ``max_side`` when it is larger."""
    img = _open(source)
    w, h = img.size
    if w < 1 or h < 1:
        raise GenLabError("The image is empty (0 pixels).")
    if w * h > MAX_PIXELS:
        raise GenLabError(f"The image is {w}×{h} = {w * h:,} pixels; the limit is {MAX_PIXELS:,}.")
    try:
        try:
            orientation = int(img.getexif().get(0x0112, 1))
        except Exception:  # noqa: BLE001 - a broken EXIF block must not cost the picture: keep it unrotated
            orientation = 1
        _check_decode_cost(img, max_side)
        if img.format == "JPEG" and max(w, h) > max_side:
            img.draft(img.mode, (max_side, max_side))  # decode at 1/2, 1/4 or 1/8 scale, still ≥ max_side
        img.load()  # the first frame of an animation; truncated files fail here
        img = _shrink(img, max_side)
        if orientation in _TRANSPOSE:
            img = img.transpose(_TRANSPOSE[orientation])
        img = _normalise_mode(img, background)
    except GenLabError:
        raise
    except Image.DecompressionBombError:
        raise GenLabError(f"The image has too many pixels (the limit is {MAX_PIXELS:,}).") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError, TypeError,
            ZeroDivisionError, MemoryError) as e:
        raise GenLabError(f"The image file is damaged or truncated ({_short(e)}).") from None
    return img


def _shrink(img: Image.Image, longest: int = MAX_SIDE) -> Image.Image:
    """``img`` reduced by a whole factor (box filter) so its longest side is the smallest at or above ``longest``,
    in its own mode where Pillow can (1-bit via 8-bit grey, palettes by nearest pixel)."""
    w, h = img.size
    factor = max(w, h) // longest
    if factor < 2:
        return img
    out_w, out_h = -(-w // factor), -(-h // factor)
    rows = factor * max(1, (4 << 20) // (4 * w * factor))  # ~4 MB of the picture at a time
    out = None
    for top in range(0, h, rows):  # in strips: a whole-picture copy (RGBA is premultiplied first) would double the
        strip = img.crop((0, top, w, min(h, top + rows)))  # decoded picture's memory
        sw, sh = -(-strip.width // factor), -(-strip.height // factor)
        if strip.mode == "P":
            small = strip.resize((sw, sh), Image.NEAREST)  # a palette cannot be averaged; nearest keeps its colours
        elif strip.mode.startswith("I;16"):
            small = strip.resize((sw, sh), Image.BOX)  # the same box average in 16 bits (reduce has no 16-bit mode)
        else:
            small = (strip.convert("L") if strip.mode == "1" else strip).reduce(factor)
        if out is None:
            out = Image.new(small.mode, (out_w, out_h))
            if img.mode == "P":
                out.putpalette(img.getpalette() or [])
                if "transparency" in img.info:
                    out.info["transparency"] = img.info["transparency"]
        out.paste(small, (0, top // factor))
    return out


# bytes per pixel of a decoded picture, by mode (Pillow keeps RGB in 4 bytes), and how much more than that a
# decoder needs (measured with bench/upload_memory.py: libwebp decodes through extra full-size RGBA buffers)
_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2, "I;16N": 2}
_DECODER_FACTOR = {"WEBP": 4.0}
DECODE_BUDGET = 110 * 2**20  # the most memory one upload may take to decode (the 25-megapixel cap costs 100 MB)


def _check_decode_cost(img: Image.Image, max_side: int) -> None:
    """Refuse, before decoding, a picture whose decoding would take more than ``DECODE_BUDGET`` of memory."""
    w, h = img.size
    if img.format == "JPEG":  # decoded by DCT scaling straight at ~max_side
        scale = min(8, max(1, max(w, h) // max_side))
        scale = 1 << (scale.bit_length() - 1)
        w, h = -(-w // scale), -(-h // scale)
    cost = w * h * _BYTES_PER_PIXEL.get(img.mode, 4) * _DECODER_FACTOR.get(img.format, 1.0)
    if cost > DECODE_BUDGET:
        side = int((DECODE_BUDGET / (cost / (w * h))) ** 0.5)
        raise GenLabError(f"This {img.size[0]}×{img.size[1]} {img.format} would take about {cost / 2**20:,.0f} MB "
                          f"of server memory to open (the limit is {DECODE_BUDGET // 2**20} MB): save it at most "
                          f"{side // 100 * 100:,} pixels on a side, or as PNG or JPEG.")


def _normalise_mode(img: Image.Image, background: int) -> Image.Image:
    if img.mode == "1":
        return img.convert("L")  # black and white: no alpha to composite (and a quarter of RGBA's memory)
    if img.mode == "P" and "transparency" not in img.info:
        return img.convert("RGB")
    if img.mode in ("P", "PA"):
        img = img.convert("RGBA")
    if img.mode in ("I", "F") or img.mode.startswith("I;16"):
        img = Image.fromarray(_to_16bit_range(img), "L")
    if img.mode in ("RGBA", "LA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (background,) * 3 + (255,))
        img = Image.alpha_composite(base, rgba).convert("RGB")
    if img.mode == "LAB":
        from PIL import ImageCms

        img = ImageCms.applyTransform(img, ImageCms.buildTransform(
            ImageCms.createProfile("LAB"), ImageCms.createProfile("sRGB"), "LAB", "RGB"))
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")  # CMYK, YCbCr, HSV, RGBX
    return img


def fit(img: Image.Image, longest: int, min_side: int = 32) -> Image.Image:
    """``img`` scaled (Lanczos, aspect kept) so its longest side is ``longest`` px; refused if the shorter side would
    fall under ``min_side`` px (a 1×4000 strip cannot be stylised)."""
    w, h = img.size
    scale = longest / max(w, h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    if min(nw, nh) < min_side:
        raise GenLabError(f"The image is {w}×{h}: too thin — at {longest} px its short side would be "
                          f"{min(nw, nh)} px (needs at least {min_side}).")
    return img if (nw, nh) == (w, h) else img.resize((nw, nh), Image.LANCZOS)


def to_digit(source, size: int = 28, box: int = 20) -> np.ndarray:
    """Any accepted image → (size, size) uint8, light ink on black, MNIST-style crop, scale and centring."""
    grey = np.asarray(read_image(source, max_side=DIGIT_SIDE).convert("L"), dtype=np.float32)
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
