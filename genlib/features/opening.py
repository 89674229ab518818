"""What every tab/page shows the moment it opens: its action run once with the default settings, computed once per
server (genlib.openings) and shared by both front ends. The settings are the declared defaults of the feature's
controls (the ones its widgets start on), so the opening view is exactly what pressing the button without touching
anything gives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from PIL import Image

from genlib import openings
from genlib.controls import defaults
from genlib.errors import GenLabError
from genlib.features import menus
from genlib.features.compare import N as COMPARE_N
from genlib.features.compare import run_compare
from genlib.features.generate import Shown, run_generate, ui_params
from genlib.registry import get_spec

LIVE_GRID = 64


def first_dataset() -> str | None:
    options = menus.dataset_options()
    return options[0][1] if options else None


def generate() -> Shown:
    def make():
        dataset = first_dataset()
        models = menus.model_options(dataset) if dataset else []
        if not models:
            raise GenLabError("No trained generator is installed.")
        model_id = models[0][1]
        return run_generate(dataset, model_id, menus.RANDOM_CLASS, defaults(ui_params()))
    return openings.once("generate", make)


def compare():
    def make():
        dataset = first_dataset()
        models = [m for _, m in menus.model_options(dataset)[:2]] if dataset else []
        return run_compare(dataset, models, menus.RANDOM_CLASS, 0, COMPARE_N.default)
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
    from genlib.features import lab

    def make():
        dataset = first_dataset()
        models = lab.models(dataset) if dataset else []
        if not models:
            raise GenLabError("No model with a latent space is installed.")
        model_id = models[0][1]
        mode = lab.MODE.default
        a = lab.seed_point(dataset, model_id, lab.SEED_A.default, lab.CLASS_A.default)
        b = lab.seed_point(dataset, model_id, lab.SEED_B.default, lab.CLASS_B.default)
        return LabView(dataset, model_id, a, b, lab.frame(dataset, model_id, a, b, lab.T.default, mode),
                       lab.strip(dataset, model_id, a, b, mode), lab.frame(dataset, model_id, a, b, 0.0, mode))
    return openings.once("lab", make)


def diffusion():
    from genlib.features import diffusion as dif

    def make():
        datasets = [d for _, d in menus.dataset_options() if dif.models(d)]
        if not datasets:
            raise GenLabError("No diffusion model is installed.")
        model_id = dif.models(datasets[0])[0][1]
        d = defaults(dif.SAMPLE)
        last = None
        for last in dif.stream(datasets[0], model_id, d["klass"], d["seed"], d["n"], d["every"],
                               defaults(dif.params(model_id))):
            pass
        return last
    return openings.once("diffusion", make)


def style():
    from genlib.features import style as sty

    d = defaults(sty.FAST)
    return openings.once("style", lambda: sty.run_fast(d["content"], None, d["style"], None, d["blend"], d["ratio"],
                                                       d["strength"], d["size"]))


def speech():
    from genlib.features import voice as vo

    return openings.once("speech", lambda: vo.speak(vo.TEXT.default, **defaults(vo.SPEECH)))


def digit():
    from genlib.features import voice as vo

    return openings.once("digit", lambda: vo.digit(*defaults(vo.SAY_DIGIT).values()))


def written():
    from genlib.features import text as tx

    def make():
        model = tx.default_model()
        last = None
        for last in tx.write(model, tx.example_prompt(model), **defaults(tx.WRITE)):
            pass
        return last
    return openings.once("write", make)


def names() -> str:
    from genlib.features import text as tx

    return openings.once("names", lambda: tx.names_markdown(tx.names(tx.default_model("names"),
                                                                     **defaults(tx.NAMES))))


def live() -> Shown:
    """What live training heads towards: the shipped checkpoint of the first live model, on MNIST."""
    from genlib.training import live as lt

    def make():
        base = next(iter(lt.MODELS.values()))[0]
        shown = run_generate("mnist", base, None, {"n": LIVE_GRID, "seed": 0})
        caption = (f"What a fully trained {get_spec(base).title} draws (GenLab's shipped checkpoint, {LIVE_GRID} "
                   "samples): press **Start training** to watch one learn this from scratch.")
        return Shown(shown.image, caption)
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
