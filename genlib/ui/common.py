"""What both front ends show, computed once: menus from the registry, and the Generate action."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from genlib.data import DATASETS, dataset_info
from genlib.errors import GenLabError
from genlib.registry import COUNT, UI_MAX_COUNT, Param, get_spec, specs
from genlib.serving import generate, model_choices
from genlib.images import grid

RANDOM_CLASS = -1
UI_DATASETS = ("mnist", "fashion")


def dataset_options() -> list[tuple[str, str]]:
    """(label, id) for datasets that have at least one trained generator."""
    return [(DATASETS[d].title, d) for d in UI_DATASETS if model_choices(d)]


def model_options(dataset: str) -> list[tuple[str, str]]:
    return [(get_spec(m).title, m) for m in model_choices(dataset)]


def class_options(dataset: str) -> list[tuple[str, int]]:
    return [("Random (balanced)", RANDOM_CLASS)] + [
        (f"{i}: {name}" if name != str(i) else name, i) for i, name in enumerate(dataset_info(dataset).class_names)
    ]


def ui_params() -> list[Param]:
    """Every generation control any generator declares, once each, in a stable order (Count capped for the UI)."""
    seen: dict[str, Param] = {}
    for spec in specs():
        for p in spec.all_params():
            seen.setdefault(p.name, p)
    seen["n"] = Param(COUNT.name, COUNT.kind, COUNT.default, COUNT.label, 1, UI_MAX_COUNT, 1, help=COUNT.help)
    return list(seen.values())


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
        label = None if klass in (None, RANDOM_CLASS, str(RANDOM_CLASS)) else int(klass)
    result = generate(model_id, dataset, n=n, seed=seed, labels=label, **params)
    what = "random classes" if spec.conditional and label is None else (
        dataset_info(dataset).class_names[label] if label is not None else "unconditional")
    caption = (f"{len(result.images)} × {spec.title} on {DATASETS[dataset].title} · {what} · seed {int(seed)} · "
               f"{result.seconds * 1000:.0f} ms")
    return Shown(grid(result.images, scale=4), caption)
