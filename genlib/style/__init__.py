"""Style transfer: fast (Magenta's feed-forward networks, ONNX) and classic (Gatys' optimisation, Inception features).

One entry point for the CLI and both front ends:

* :func:`stylize` — fast: one of the 26 built-in styles or any style image, an optional second style blended in with a
  ratio, a strength, an output size up to 1024 px; returns a :class:`Result` with the readouts.
* :func:`classic_stream` — classic: yields intermediate images while it optimises; the last frame carries the readouts
  (:func:`run_classic` runs it to the end).

A *style* is an ``int`` (a built-in style, 0–25), or an image (PIL image, path, bytes, array: any upload goes through
:mod:`genlib.inputs`), or a preset name (``"preset:hubble_deep_field"``). Content presets come from ``skimage.data``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image

from genlib import inputs, metrics
from genlib.errors import GenLabError
from genlib.style.fast import NUM_BUILTIN, FastStyle

MAX_SIZE = 1024
DEFAULT_SIZE = 512
CLASSIC_SIZE = 256
MIN_SIDE = 32
GALLERY_SIZE = 160
GALLERY_CONTENT = "chelsea"

CONTENT_PRESETS = {  # skimage.data, all shipped inside scikit-image (public domain / CC0; see README)
    "astronaut": "Astronaut (Eileen Collins)", "chelsea": "Chelsea the cat", "coffee": "Coffee cup",
    "rocket": "Rocket launch", "camera": "Cameraman (greyscale)", "hubble_deep_field": "Hubble deep field",
}
STYLE_PRESETS = {  # pictures used as style images (arbitrary-style and classic methods)
    "hubble_deep_field": "Hubble deep field", "immunohistochemistry": "Stained tissue",
    "grass": "Grass", "retina": "Retina", "brick": "Brick wall", "gravel": "Gravel",
    "coffee": "Coffee cup",
}

_fast: FastStyle | None = None
_fast_lock = threading.Lock()


def engine() -> FastStyle:
    """The shared fast-style sessions (loaded on first use)."""
    global _fast
    with _fast_lock:
        if _fast is None:
            _fast = FastStyle()
    return _fast


@lru_cache(maxsize=16)
def preset(name: str) -> Image.Image:
    """A picture from ``skimage.data`` by name (content or style preset), as RGB."""
    if name not in CONTENT_PRESETS and name not in STYLE_PRESETS:
        raise GenLabError(f"Unknown preset {name!r}; choose from {', '.join(sorted({*CONTENT_PRESETS, *STYLE_PRESETS}))}.")
    from skimage import data

    return inputs.read_image(getattr(data, name)()).convert("RGB")


def load_image(source) -> Image.Image:
    """Content or style image: ``preset:NAME``, or anything :func:`genlib.inputs.read_image` accepts → RGB."""
    if isinstance(source, str) and source.startswith("preset:"):
        return preset(source.removeprefix("preset:"))
    return inputs.read_image(source).convert("RGB")


def builtin_index(value) -> int:
    try:
        k = int(value)
    except (TypeError, ValueError):
        raise GenLabError(f"A built-in style is a number from 0 to {NUM_BUILTIN - 1}; got {value!r}.") from None
    if not 0 <= k < NUM_BUILTIN or str(value).strip() not in (str(k), f"{k}.0"):
        raise GenLabError(f"A built-in style is a number from 0 to {NUM_BUILTIN - 1}; got {value!r}.")
    return k


def resolve_style(style) -> int | Image.Image:
    """A style spec → a built-in index or an RGB style image."""
    if isinstance(style, (int, np.integer)) or (isinstance(style, str) and style.strip().lstrip("-").isdigit()):
        return builtin_index(style)
    if style is None:
        raise GenLabError("Choose a style: a built-in one (0–25), a preset, or a style image.")
    return load_image(style)


def content_image(source, size: int, max_size: int = MAX_SIZE) -> Image.Image:
    """The content picture, resized so its longest side is ``size`` px (32 … ``max_size``)."""
    size = int(size)
    if not MIN_SIDE <= size <= max_size:
        raise GenLabError(f"Output size must be between {MIN_SIDE} and {max_size} px; got {size}.")
    return inputs.fit(load_image(source), size, MIN_SIDE)


@lru_cache(maxsize=NUM_BUILTIN)
def swatch(k: int) -> Image.Image:
    """Built-in style ``k`` rendered on the gallery picture: its thumbnail, and its stand-in style image when it is
    blended with a style image (the style vector of the swatch)."""
    base = inputs.fit(preset(GALLERY_CONTENT), GALLERY_SIZE)
    return engine().builtin(base, np.eye(NUM_BUILTIN, dtype=np.float32)[k])


def gallery() -> list[tuple[Image.Image, str]]:
    """The 26 built-in styles as (thumbnail, caption), for a picker."""
    return [(swatch(k), f"Style {k}") for k in range(NUM_BUILTIN)]


# ---------------------------------------------------------------- readouts

@dataclass
class Readouts:
    psnr: float  # dB, output vs content (mean over R, G, B)
    ssim: float  # output vs content (mean over R, G, B)
    style_before: float | None  # Gram distance content → style (None without Inception weights or a style image)
    style_after: float | None  # Gram distance output → style
    seconds: float

    def rows(self) -> list[list]:
        """Table rows for the front ends: metric, value, what it means."""
        rows = [["Content PSNR", f"{self.psnr:.2f} dB", "output vs content (higher = more of the photo kept)"],
                ["Content SSIM", f"{self.ssim:.3f}", "structure kept, 1 = identical"]]
        if self.style_after is not None:
            rows.append(["Style distance", f"{self.style_before:.3f} → {self.style_after:.3f}",
                         "Gram-matrix distance to the style, content → output (lower = closer)"])
        else:
            rows.append(["Style distance", "n/a", "needs the InceptionV3 weights (`genlib data --prepare`)"])
        rows.append(["Time", f"{self.seconds:.2f} s", "stylisation only"])
        return rows

    def as_dict(self) -> dict:
        return {"psnr": round(self.psnr, 3), "ssim": round(self.ssim, 4),
                "style_distance_before": None if self.style_before is None else round(self.style_before, 4),
                "style_distance_after": None if self.style_after is None else round(self.style_after, 4),
                "seconds": round(self.seconds, 4)}


def readouts(content: Image.Image, output: Image.Image, style: Image.Image | None, seconds: float,
             style_distance: bool = True) -> Readouts:
    """Content preservation (PSNR/SSIM against the content) and style distance (Gram matrices) of one result."""
    a = np.asarray(content.convert("RGB")).transpose(2, 0, 1).copy()
    b = np.asarray(output.convert("RGB").resize(content.size, Image.LANCZOS)).transpose(2, 0, 1).copy()
    before = after = None
    if style is not None and style_distance:
        from genlib.style import classic

        try:
            before, after = classic.style_distance([content, output], style)
        except GenLabError:
            pass  # no Inception weights on this machine: the readout says so
    return Readouts(metrics.psnr(a, b), metrics.ssim(a, b), before, after, seconds)


# ---------------------------------------------------------------- fast

@dataclass
class Result:
    image: Image.Image
    content: Image.Image  # the content at the output size (the "before")
    readouts: Readouts
    method: str
    settings: dict = field(default_factory=dict)


def _describe(style) -> str:
    return f"built-in {style}" if isinstance(style, int) else "image"


def stylize(content, style, style_b=None, ratio: float = 0.5, strength: float = 1.0, size: int = DEFAULT_SIZE,
            style_distance: bool = True) -> Result:
    """Fast style transfer of ``content`` with ``style`` (blended with ``style_b`` by ``ratio`` when given).

    * two built-in styles: one pass of the 26-style network with weights (1 − ratio, ratio);
    * otherwise: style vectors (a built-in style stands in as its swatch's vector), mixed (1 − ratio, ratio), then
      moved from the content's own style vector by ``strength`` (Magenta's strength);
    * built-in styles alone: ``strength`` blends the stylised pixels with the content.
    """
    for name, v in (("Strength", strength), ("Blend ratio", ratio)):
        if not 0.0 <= float(v) <= 1.0:
            raise GenLabError(f"{name} must be between 0 and 1; got {v}.")
    a = resolve_style(style)
    b = resolve_style(style_b) if style_b is not None and not (isinstance(style_b, str) and not style_b) else None
    photo = content_image(content, size)
    net = engine()
    start = time.perf_counter()
    if isinstance(a, int) and (b is None or isinstance(b, int)):
        w = np.zeros(NUM_BUILTIN, np.float32)
        w[a] += 1.0 - (ratio if b is not None else 0.0)
        if b is not None:
            w[b] += ratio
        out = net.builtin(photo, w)
        if strength < 1.0:
            out = Image.blend(photo, out, float(strength))
        how = "26-style network (conditional instance norm)" + (", pixel strength" if strength < 1 else "")
    else:
        vec = net.style_vector(swatch(a) if isinstance(a, int) else a)
        if b is not None:
            vb = net.style_vector(swatch(b) if isinstance(b, int) else b)
            vec = (1.0 - ratio) * vec + ratio * vb
        if strength < 1.0:
            vec = strength * vec + (1.0 - strength) * net.style_vector(photo)
        out = net.transfer(photo, vec)
        how = "arbitrary-style network (style vector)"
    seconds = time.perf_counter() - start
    reference = _style_reference(a, b, ratio)
    return Result(out, photo, readouts(photo, out, reference, seconds, style_distance), "fast",
                  {"style": _describe(a), "style_b": None if b is None else _describe(b), "ratio": ratio,
                   "strength": strength, "size": list(out.size), "network": how})


def _style_reference(a, b, ratio: float) -> Image.Image:
    """The picture the style distance is measured against: the style image (or swatch); with a blend, the one that
    weighs more."""
    main = b if b is not None and ratio > 0.5 else a
    return swatch(main) if isinstance(main, int) else main


# ---------------------------------------------------------------- classic

def classic_stream(content, style, size: int = CLASSIC_SIZE, steps: int = 100, content_weight: float = 1.0,
                   style_weight: float = 100.0, tv_weight: float = 0.5, init: str = "content", seed: int = 0,
                   every: int = 10, style_distance: bool = True) -> Iterator[tuple]:
    """Gatys' optimisation; yields ``(frame, result)`` — ``result`` is None until the last frame."""
    from genlib.style import classic

    a = resolve_style(style)
    style_img = swatch(a) if isinstance(a, int) else a
    photo = content_image(content, size, classic.MAX_SIZE)
    frame = None
    for frame in classic.optimise(photo, style_img, steps=steps, content_weight=content_weight,
                                  style_weight=style_weight, tv_weight=tv_weight, init=init, seed=seed, every=every):
        if not frame.done:
            yield frame, None
    result = Result(frame.image, photo, readouts(photo, frame.image, style_img, frame.seconds, style_distance),
                    "classic", {"style": _describe(a), "size": list(frame.image.size), "steps": steps,
                                "content_weight": content_weight, "style_weight": style_weight,
                                "tv_weight": tv_weight, "init": init, "seed": seed})
    yield frame, result


def run_classic(content, style, **kw) -> Result:
    """Classic style transfer, run to the end."""
    result = None
    for _, result in classic_stream(content, style, **kw):
        pass
    return result


def before_after(result: Result) -> Image.Image:
    """Content and result side by side (same height), for downloads and the CLI's --compare."""
    a, b = result.content, result.image.resize(result.content.size, Image.LANCZOS)
    out = Image.new("RGB", (a.width * 2 + 8, a.height), "white")
    out.paste(a, (0, 0))
    out.paste(b, (a.width + 8, 0))
    return out
