"""What the Style tab (Gradio) and page (Streamlit) show: menus, the runs and their captions, computed once here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image

from genlib import style
from genlib.controls import Control, menu
from genlib.errors import GenLabError
from genlib.features.menus import download_path
from genlib.gate import HEAVY, STYLE_CLASSIC, gated
from genlib.style.classic import MAX_SIZE as CLASSIC_MAX

UPLOAD = "upload"
NONE = "none"

# fast (/stylize, `genlib stylize`); the menus' choices are filled from genlib.style at run time
CONTENT = menu("content", "Content picture", "astronaut")
CONTENT_UPLOAD = Control("content_upload", "text", None, "…or upload your own content image")
STYLE = menu("style", "Style", "b:19", help="a built-in style (or click one in the gallery), a picture, or your upload")
STYLE_UPLOAD = Control("style_upload", "text", None, "Style image (for 'My style image')")
BLEND = menu("blend", "Blend with a second style", NONE)
RATIO = Control("ratio", "float", 0.5, "Blend ratio (share of the second style)", 0.0, 1.0, 0.05)
STRENGTH = Control("strength", "float", 1.0, "Style strength", 0.0, 1.0, 0.05)
SIZE = Control("size", "int", style.DEFAULT_SIZE, "Output size (longest side, px)", style.MIN_SIDE, style.MAX_SIZE, 32,
               ui_min=64)
FAST = (CONTENT, STYLE, BLEND, RATIO, STRENGTH, SIZE)
# classic (/stylize_classic, `genlib stylize --method classic`)
CLASSIC_SIZE = SIZE.but(default=style.CLASSIC_SIZE, label="Size (px)", max=CLASSIC_MAX)
STEPS = Control("steps", "int", 100, "Steps", 1, 500, 10, ui_min=10)
STYLE_WEIGHT = Control("style_weight", "float", 100.0, "Style weight", 1.0, 1000.0, 1.0)
CONTENT_WEIGHT = Control("content_weight", "float", 1.0, "Content weight", 0.0, 10.0, 0.1)
TV_WEIGHT = Control("tv_weight", "float", 0.5, "Smoothness (total variation)", 0.0, 5.0, 0.1)
CLASSIC = (CLASSIC_SIZE, STEPS, STYLE_WEIGHT, CONTENT_WEIGHT, TV_WEIGHT)
CONTROLS = (*FAST, *CLASSIC)


def content_options() -> list[tuple[str, str]]:
    return [(title, name) for name, title in style.CONTENT_PRESETS.items()]


def style_options(blend: bool = False) -> list[tuple[str, str]]:
    """Style menu: the 26 built-in styles, the preset pictures, and "my uploaded style image"."""
    opts = [("None", NONE)] if blend else []
    opts += [(f"Built-in style {k}", f"b:{k}") for k in range(style.NUM_BUILTIN)]
    opts += [(f"Picture: {title}", f"p:{name}") for name, title in style.STYLE_PRESETS.items()]
    opts.append(("My style image (upload)", UPLOAD))
    return opts


def style_spec(choice: str | None, upload=None):
    """A menu value (+ the uploaded style file) → what :func:`genlib.style.stylize` takes; None for "None"."""
    if choice in (None, "", NONE):
        return None
    if choice == UPLOAD:
        if upload is None:
            raise GenLabError("Upload a style image first (or pick a built-in style or a picture).")
        return upload
    kind, _, value = str(choice).partition(":")
    if kind == "b":
        return style.builtin_index(value)
    if kind == "p":
        return f"preset:{value}"
    raise GenLabError(f"Unknown style choice {choice!r}.")


def content_spec(preset: str | None, upload=None):
    """The uploaded content file when there is one, else the preset picture."""
    if upload is not None:
        return upload
    if not preset:
        raise GenLabError("Pick a content picture or upload one.")
    return f"preset:{preset}"


def preview(preset: str | None, upload=None) -> Image.Image:
    """The content as GenLab will use it (validated, EXIF-rotated), for the 'before' view."""
    img = style.load_image(content_spec(preset, upload))
    img.thumbnail((512, 512))
    return img


@dataclass
class StyleView:
    before: Image.Image
    after: Image.Image
    rows: list[list]
    caption: str
    download: str | None = None  # path of the result as PNG
    progress: float = 1.0


def _saved(img: Image.Image) -> str:
    path = download_path("style", ".png", prefix="stylized-")
    img.save(path, format="PNG")
    return str(path)


def _caption(result: style.Result) -> str:
    s = result.settings
    if result.method == "fast":
        blend = f" blended with {s['style_b']} (ratio {s['ratio']:.2f})" if s.get("style_b") else ""
        return (f"**Fast** — {s['style']}{blend}, strength {s['strength']:.2f}, {s['size'][0]}×{s['size'][1]} px, "
                f"{s['network']}; {result.readouts.seconds:.2f} s.")
    return (f"**Classic** (Gatys, Inception features) — {s['steps']} steps at {s['size'][0]}×{s['size'][1]} px, "
            f"style weight {s['style_weight']:g}, content weight {s['content_weight']:g}; "
            f"{result.readouts.seconds:.1f} s.")


@gated(HEAVY)
def run_fast(content_preset, content_upload, choice, style_upload, blend_choice, ratio, strength,
             size) -> StyleView:
    result = style.stylize(content_spec(content_preset, content_upload), style_spec(choice, style_upload),
                           style_b=style_spec(blend_choice, style_upload), ratio=float(ratio),
                           strength=float(strength), size=int(size))
    return StyleView(result.content, result.image, result.readouts.rows(), _caption(result), _saved(result.image))


def run_classic(content_preset, content_upload, choice, style_upload, size, steps, style_weight, content_weight,
                tv_weight, seed=0, on_wait=None) -> Iterator[StyleView]:
    """Classic style transfer, one at a time across the server (the others wait their turn), streamed."""
    before = style.content_image(content_spec(content_preset, content_upload), int(size), CLASSIC_MAX)
    chosen = style_spec(choice, style_upload)
    ticket = STYLE_CLASSIC.enter(on_wait, kind="style-classic")
    try:
        for frame, result in style.classic_stream(before, chosen, size=int(size), steps=int(steps),
                                                  style_weight=float(style_weight),
                                                  content_weight=float(content_weight), tv_weight=float(tv_weight),
                                                  seed=int(seed), every=max(1, int(steps) // 20)):
            if result is None:
                yield StyleView(before, frame.image, [], f"Step {frame.step}/{frame.steps} — content loss "
                                f"{frame.content_loss:.3f}, style loss {frame.style_loss:.4f} "
                                f"({frame.seconds:.1f} s)", None, frame.step / frame.steps)
            else:
                yield StyleView(result.content, result.image, result.readouts.rows(), _caption(result),
                                _saved(result.image), 1.0)
    finally:
        STYLE_CLASSIC.leave(ticket)
