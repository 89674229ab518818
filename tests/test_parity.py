"""Front-end parity: every control a feature declares (genlib/features/*) exists in Gradio (as a named API parameter,
or a component by its elem id where the control has no endpoint), in Streamlit (a widget keyed ``<page>_<name>``)
and — where the feature has a command — in the CLI (``--<name>``), with the declared label, default and range.

The panels below say where each group of controls lives; a control declared in a feature's ``CONTROLS`` that no
panel names fails the test, so a new declaration cannot skip a front end unnoticed."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from genlib.controls import Control
from genlib.features import compare as cmp
from genlib.features import diffusion as dif
from genlib.features import generate as gen
from genlib.features import lab, menus
from genlib.features import live as lv
from genlib.features import style as sty
from genlib.features import text as tx
from genlib.features import voice as vo


@dataclass(frozen=True)
class Panel:
    controls: tuple[Control, ...]
    gradio: str  # an api_name, or "#<elem-id prefix>" for controls without an endpoint
    page: str  # pages/<page>.py
    prefix: str  # Streamlit keys: <prefix>_<name>
    state: dict = field(default_factory=dict)  # session state that makes the widgets appear (a conditional model …)
    cli: str | None = None  # the command whose flags take these controls
    cli_names: tuple[str, ...] = ()  # which of them are flags (the rest are menus the CLI takes otherwise)


STREAMLIT_COMPONENTS = {  # keys whose widget is a GenLab component, not a Streamlit widget AppTest can read
    "lab_t": "the frame scrubber (genlib/frontends/streamlit/components.py; tests/test_lab.py drives it in Chromium)",
}
MODEL_PARAMS = tuple(p for p in gen.ui_params() if p.name not in ("seed", "n"))
SEEN_IN_CLI_ONLY_AS_RANGE = {  # (command, control) whose flag has no default of its own, and why
    *(("sample", p.name) for p in MODEL_PARAMS),  # a model's sampling control: given only to models declaring it
    ("text", "gender"),  # --gender switches `genlib text` to names; without it, free text
}
PANELS = [
    Panel((menus.DATASET, menus.MODEL, menus.KLASS, *gen.ui_params()[:2]), "generate", "generate", "gen",
          {"gen_model": "cdcgan"}, "sample", ("seed", "n")),
    *[Panel((p,), "generate", "generate", "gen", {"gen_model": next(s.id for s in gen.specs() if p in s.params)},
            "sample", (p.name,)) for p in MODEL_PARAMS],
    Panel(cmp.COMPARE, "compare", "compare", "cmp"),
    Panel(cmp.COLLAPSE, "collapse", "compare", "collapse", {}, "collapse", ("seed", "n")),
    Panel(lab.ENDPOINTS, "lab_show", "lab", "lab", {"lab_model": "cvae"}),
    Panel(lab.WALK, "lab_walk", "lab", "lab", {"lab_model": "cvae"}, "walk",
          ("seeds", "classes", "frames", "fps", "size", "loop", "mode")),
    Panel(lab.ENCODE[2:], "lab_encode", "lab", "lab", {"lab_model": "cvae"}),
    Panel(lab.BREED, "#lab", "lab", "lab", {"lab_model": "cvae"}),
    Panel((lab.DIRECTION, lab.DIMENSION), "#lab", "lab", "lab", {"lab_model": "cvae"}),
    Panel(lab.MIX, "lab_mix", "lab", "lab", {"lab_model": "stylegan"}, "sample", ("mix_a", "mix_b", "crossover")),
    Panel((*dif.SAMPLE, *dif.params("ddpm")), "diffusion_sample", "diffusion", "dif"),
    Panel(dif.RESTORE[2:], "restore", "diffusion", "res", {}, "restore", ("mode", "sigma", "klass", "steps", "seed")),
    Panel(sty.FAST, "stylize", "style", "sty", {}, "stylize", ("ratio", "strength", "size")),
    Panel(sty.CLASSIC, "stylize_classic", "style", "sty_c", {}, "stylize",
          ("steps", "style_weight", "content_weight", "tv_weight")),
    Panel((vo.TEXT, *vo.SPEECH), "say", "voice", "tts", {}, "say", ("speed", "noise_scale", "noise_w", "seed")),
    Panel(vo.SAY_DIGIT, "voice_digit", "voice", "vd", {}, "voice", ("seed", "temperature")),
    Panel(vo.MORPH, "voice_morph", "voice", "vm", {}, "voice", ("t",)),
    Panel((tx.MODEL, tx.PROMPT, *tx.WRITE), "text_write", "text", "tx", {}, "text",
          ("temperature", "top_k", "top_p", "seed", "length")),
    Panel((tx.MODEL, *tx.NAMES), "text_names", "text", "tn", {}, "text", ("gender",)),
    Panel((tx.MODEL, *tx.CHAT), "text_reply", "text", "tc"),
    Panel(lv.CONTROLS, "live_start", "live", "live"),
]
FEATURES = (cmp, dif, lab, lv, sty, tx, vo)


def test_every_declared_control_is_in_a_panel():
    named = {id(c) for p in PANELS for c in p.controls}
    missing = [(f.__name__, c.name) for f in FEATURES for c in f.CONTROLS if id(c) not in named]
    missing += [("generate", c.name) for c in gen.controls() if id(c) not in named]
    assert not missing, f"declared controls no front-end check covers: {missing}"


def _same(a, b) -> bool:
    return a == b or (isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) < 1e-9)


# ------------------------------------------------------------------------------------------------------ Gradio
@pytest.fixture(scope="module")
def gradio_components():
    """{api_name: {parameter name: component}} and {elem_id: component} of the built app."""
    from genlib.frontends.gradio.app import build_demo

    demo = build_demo()
    info = demo.get_api_info()["named_endpoints"]
    by_api = {}
    for fn in demo.fns.values():
        if fn.api_name and f"/{fn.api_name}" in info:
            names = [p["parameter_name"] for p in info[f"/{fn.api_name}"]["parameters"]]
            by_api[fn.api_name] = dict(zip(names, fn.inputs))
    by_elem = {b.elem_id: b for b in demo.blocks.values() if getattr(b, "elem_id", None)}
    return by_api, by_elem, info


def _gradio_component(found, panel: Panel, c: Control):
    by_api, by_elem, _ = found
    if not panel.gradio.startswith("#"):
        assert c.name in by_api[panel.gradio], f"/{panel.gradio} has no parameter '{c.name}'"
        return by_api[panel.gradio][c.name]
    prefix = f"{panel.gradio[1:]}-{c.name.replace('_', '-')}"
    hits = [b for e, b in by_elem.items() if e == prefix or e.startswith(prefix + "-")]
    assert hits, f"no Gradio component with elem id {prefix}"
    return hits[0]


@pytest.mark.parametrize("panel", PANELS, ids=lambda p: f"{p.gradio}:{'+'.join(c.name for c in p.controls)}")
def test_gradio_has_every_control(gradio_components, panel):
    import gradio as gr

    for c in panel.controls:
        comp = _gradio_component(gradio_components, panel, c)
        assert comp.label.startswith(c.label), (c.name, comp.label)
        if c.kind in ("int", "float"):
            if c.number:
                assert isinstance(comp, gr.Number) and (comp.minimum, comp.maximum) == (c.min, c.max), c.name
            else:
                assert isinstance(comp, gr.Slider), c.name
                assert _same(comp.minimum, c.slider_min) and _same(comp.maximum, c.slider_max), c.name
                assert _same(comp.step, c.step), c.name
        elif c.kind == "choice" and c.choices:
            assert [v for _, v in comp.choices] == c.values, c.name
        elif c.kind == "bool":
            assert isinstance(comp, gr.Checkbox), c.name
        if c.default not in (None, ()) and c.kind != "text":
            assert _same(comp.value, c.default), (c.name, comp.value, c.default)


def test_gradio_api_documents_the_declared_defaults(gradio_components):
    """What `client.view_api()` shows a script: each parameter's default is the declared one."""
    _, _, info = gradio_components
    for panel in PANELS:
        if panel.gradio.startswith("#"):
            continue
        params = {p["parameter_name"]: p for p in info[f"/{panel.gradio}"]["parameters"]}
        for c in panel.controls:
            if c.default not in (None, ()) and c.kind != "text":
                assert _same(params[c.name]["parameter_default"], c.default), (panel.gradio, c.name)


# ------------------------------------------------------------------------------------------------------ Streamlit
@pytest.fixture(scope="module")
def streamlit_pages():
    runs = {}

    def widgets(page: str, state: dict) -> dict:
        k = (page, tuple(sorted(state.items())))
        if k not in runs:
            at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)
            for name, value in state.items():
                at.session_state[name] = value
            at.run()
            assert not at.exception, at.exception
            kinds = ("slider", "number_input", "selectbox", "radio", "checkbox", "text_input", "text_area",
                     "multiselect", "select_slider")
            runs[k] = {w.key: w for kind in kinds for w in getattr(at, kind) if w.key}
        return runs[k]
    return widgets


@pytest.mark.parametrize("panel", PANELS, ids=lambda p: f"{p.page}:{'+'.join(c.name for c in p.controls)}")
def test_streamlit_has_every_control(streamlit_pages, panel):
    shown = streamlit_pages(panel.page, panel.state)
    for c in panel.controls:
        key = f"{panel.prefix}_{c.name}"
        if key in STREAMLIT_COMPONENTS:
            continue
        hits = [w for k, w in shown.items() if k == key or (k.startswith(key) and k[len(key)].isdigit())]
        assert hits, f"pages/{panel.page}.py has no widget keyed {key}"
        w = hits[0]
        assert w.label.startswith(c.label), (key, w.label)
        if c.kind in ("int", "float") and not c.name == "dimension":  # a dimension slider starts on A's coordinate
            lo, hi = (c.min, c.max) if c.number else (c.slider_min, c.slider_max)
            assert _same(w.min, lo) and _same(w.max, hi), (key, w.min, w.max, lo, hi)
            assert _same(w.value, c.default), (key, w.value, c.default)
        elif c.kind == "choice" and c.choices:
            assert list(w.options) == [label for label, _ in c.options], key
            assert _same(w.value, c.default), (key, w.value, c.default)
        elif c.kind == "bool":
            assert w.value == c.default, key


# ------------------------------------------------------------------------------------------------------ CLI
def _command(name: str) -> argparse.ArgumentParser:
    from genlib.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices[name]


@pytest.mark.parametrize("panel", [p for p in PANELS if p.cli], ids=lambda p: f"{p.cli}:{'+'.join(p.cli_names)}")
def test_cli_has_every_control(panel):
    parser = _command(panel.cli)
    flags = {s: a for a in parser._actions for s in a.option_strings}
    by_name = {c.name: c for c in panel.controls}
    for name in panel.cli_names:
        c = gen.COUNT if (panel.cli, name) == ("sample", "n") else by_name[name]  # the CLI samples up to 10,000
        flag = "--" + name.replace("_", "-")
        assert flag in flags, f"`genlib {panel.cli}` has no {flag}"
        action = flags[flag]
        if (panel.cli, name) not in SEEN_IN_CLI_ONLY_AS_RANGE:
            assert _same(action.default, c.default), (flag, action.default, c.default)
        if c.kind in ("int", "float"):
            action.type(str(c.min)), action.type(str(c.max))  # the ends are taken
            for outside in (c.min - 1, c.max + 1):
                with pytest.raises(argparse.ArgumentTypeError, match="must be between"):
                    action.type(str(outside))
        elif c.kind == "choice" and c.choices:
            assert list(action.choices) == c.values, flag
