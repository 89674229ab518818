"""Generate: a grid of samples from one model, with its sampling controls (declared by the model file)."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from genlib.controls import Control
from genlib.data import DATASETS, dataset_info
from genlib.errors import GenLabError
from genlib.features.menus import DATASET, KLASS, MODEL, class_id
from genlib.gate import HEAVY, LIGHT
from genlib.images import grid
from genlib.registry import COUNT, UI_MAX_COUNT, get_spec, is_live, specs
from genlib.serving import generate, live_title


def model_params() -> list[Control]:
    """Every sampling control any generator declares, once each, in a stable order (the CLI's range)."""
    seen: dict[str, Control] = {}
    for spec in specs():
        for p in spec.all_params():
            seen.setdefault(p.name, p)
    return list(seen.values())


UI_COUNT = COUNT.but(max=UI_MAX_COUNT)  # the front ends show a grid of at most this many; the CLI samples up to 10,000


def ui_params() -> list[Control]:
    """:func:`model_params` as the front ends take them: Count capped at what a grid shows."""
    return [UI_COUNT if p.name == COUNT.name else p for p in model_params()]


def controls() -> list[Control]:
    """Every control of the Generate action (the Gradio endpoint /generate)."""
    return [DATASET, MODEL, KLASS, *ui_params()]


def declared(model_id: str) -> set[str]:
    return {p.name for p in get_spec(model_id).all_params()}


@dataclass
class Shown:
    image: Image.Image
    caption: str


def run_generate(dataset: str, model_id: str, klass, values: dict) -> Shown:
    """The Generate action of both UIs: validated sampling → a grid and a one-line caption."""
    if not model_id:
        raise GenLabError("Pick a model first.")
    spec = get_spec(model_id)
    params = {k: v for k, v in values.items() if k in declared(model_id)}
    n = params.pop("n", COUNT.default)
    if int(n) > UI_MAX_COUNT:
        raise GenLabError(f"Count must be between 1 and {UI_MAX_COUNT} here; use the CLI for more.")
    seed = params.pop("seed", 0)
    label = None
    if spec.conditional:
        label = class_id(klass)
    lane = HEAVY if spec.family == "diffusion" else LIGHT  # a diffusion grid takes ~1 s, a GAN's a few ms
    with lane.admit(f"generate:{spec.family}"):
        result = generate(model_id, dataset, n=n, seed=seed, labels=label, **params)
    what = "random classes" if spec.conditional and label is None else (
        dataset_info(dataset).class_names[label] if label is not None else "unconditional")
    title = live_title(model_id) if is_live(model_id) else spec.title
    caption = (f"{len(result.images)} × {title} on {DATASETS[dataset].title} · {what} · seed {int(seed)} · "
               f"{result.seconds * 1000:.0f} ms")
    return Shown(grid(result.images, scale=4), caption)
