"""What every tab/page shows the moment it opens: its action run once with the default settings, computed once per
server (genlib.openings) and shared by both front ends. Each default here is the one the tab's controls start on, so
the opening view is exactly what pressing the button without touching anything gives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from PIL import Image

from genlib import openings
from genlib.errors import GenLabError
from genlib.registry import get_spec
from genlib.ui import common

# the defaults both front ends start their controls on (and the opening views use)
LAB = MappingProxyType({"seed_a": 1, "seed_b": 2, "class_a": 0, "class_b": 0, "t": 0.5, "mode": "slerp"})
DIFFUSION = MappingProxyType({"klass": common.RANDOM_CLASS, "seed": 0, "n": 16, "every": 2})
STYLE = MappingProxyType({"content": "astronaut", "style": "b:19", "blend": "none", "ratio": 0.5, "strength": 1.0})
SPEECH = MappingProxyType({"speed": 1.0, "noise_scale": 0.667, "noise_w": 0.8, "seed": 0})
DIGIT = MappingProxyType({"digit": 7, "seed": 0, "temperature": 1.0})
WRITE = MappingProxyType({"length": 300, "temperature": 0.8, "top_k": 0, "top_p": 1.0, "seed": 0, "stop_at_end": True})
NAMES = MappingProxyType({"gender": "female", "prefix": "", "count": 10, "temperature": 0.8, "seed": 0})
LIVE_GRID = 64


def first_dataset() -> str | None:
    options = common.dataset_options()
    return options[0][1] if options else None


def generate() -> common.Shown:
    def make():
        dataset = first_dataset()
        models = common.model_options(dataset) if dataset else []
        if not models:
            raise GenLabError("No trained generator is installed.")
        model_id = models[0][1]
        values = {p.name: p.default for p in common.ui_params()}
        return common.run_generate(dataset, model_id, common.RANDOM_CLASS, values)
    return openings.once("generate", make)


def compare() -> common.ComparedView:
    def make():
        dataset = first_dataset()
        models = [m for _, m in common.model_options(dataset)[:2]] if dataset else []
        return common.run_compare(dataset, models, common.RANDOM_CLASS, 0, common.COMPARE_DEFAULT_N)
    return openings.once("compare", make)


@dataclass(frozen=True)
class LabView:
    dataset: str
    model: str
    a: Any  # latent.Point
    b: Any
    frame: Image.Image
    strip: Image.Image
    edited: Image.Image


def lab_view() -> LabView:
    from genlib.ui import lab

    def make():
        dataset = first_dataset()
        models = lab.models(dataset) if dataset else []
        if not models:
            raise GenLabError("No model with a latent space is installed.")
        model_id = models[0][1]
        a = lab.seed_point(dataset, model_id, LAB["seed_a"], LAB["class_a"])
        b = lab.seed_point(dataset, model_id, LAB["seed_b"], LAB["class_b"])
        return LabView(dataset, model_id, a, b, lab.frame(dataset, model_id, a, b, LAB["t"], LAB["mode"]),
                       lab.strip(dataset, model_id, a, b, LAB["mode"]),
                       lab.frame(dataset, model_id, a, b, 0.0, LAB["mode"]))
    return openings.once("lab", make)


def diffusion():
    from genlib.ui import diffusion as dif

    def make():
        datasets = [d for _, d in common.dataset_options() if dif.models(d)]
        if not datasets:
            raise GenLabError("No diffusion model is installed.")
        model_id = dif.models(datasets[0])[0][1]
        values = {p.name: p.default for p in dif.params(model_id)}
        last = None
        for last in dif.stream(datasets[0], model_id, DIFFUSION["klass"], DIFFUSION["seed"], DIFFUSION["n"],
                               DIFFUSION["every"], values):
            pass
        return last
    return openings.once("diffusion", make)


def style():
    from genlib import style as st
    from genlib.ui import style as sty

    return openings.once("style", lambda: sty.run_fast(STYLE["content"], None, STYLE["style"], None, STYLE["blend"],
                                                       STYLE["ratio"], STYLE["strength"], st.DEFAULT_SIZE))


def speech():
    from genlib.ui import voice as vo

    return openings.once("speech", lambda: vo.speak(vo.EXAMPLE, **SPEECH))


def digit():
    from genlib.ui import voice as vo

    return openings.once("digit", lambda: vo.digit(DIGIT["digit"], DIGIT["seed"], DIGIT["temperature"]))


def written():
    from genlib.ui import text as tx

    def make():
        model = tx.default_model()
        last = None
        for last in tx.write(model, tx.example_prompt(model), **WRITE):
            pass
        return last
    return openings.once("write", make)


def names() -> str:
    from genlib.ui import text as tx

    return openings.once("names", lambda: tx.names_markdown(tx.names(tx.default_model("names"), **NAMES)))


def live() -> common.Shown:
    """What live training heads towards: the shipped checkpoint of the first live model, on MNIST."""
    from genlib.training import live as lt

    def make():
        base = next(iter(lt.MODELS.values()))[0]
        shown = common.run_generate("mnist", base, None, {"n": LIVE_GRID, "seed": 0})
        caption = (f"What a fully trained {get_spec(base).title} draws (GenLab's shipped checkpoint, {LIVE_GRID} "
                   "samples): press **Start training** to watch one learn this from scratch.")
        return common.Shown(shown.image, caption)
    return openings.once("live", make)


VIEWS: MappingProxyType[str, Callable[[], Any]] = MappingProxyType({
    "generate": generate, "lab": lab_view, "live": live, "digit": digit, "names": names, "speech": speech,
    "write": written, "style": style, "diffusion": diffusion, "compare": compare})


def get(key: str):
    """The opening view ``key``, or None when it cannot be made here (the tab then waits for its button). Made at most
    once per server, outside the gate: it is the server's own work, never a student's request in the busy lanes."""
    from genlib.gate import ungated

    try:
        with ungated():
            return VIEWS[key]()
    except GenLabError:
        return None


def warm():
    """Compute every opening view in the background (a server calls this once as it starts)."""
    return openings.warm(dict(VIEWS))
