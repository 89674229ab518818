"""Shareable links: the current view (tab, dataset, model, class, seed, slider values) as a URL query, and back.

Both front ends use the same names, so a link reads the same in either:

    ?tab=generate&dataset=mnist&model=cdcgan&class=7&seed=42&n=16&temperature=1
    ?tab=lab&dataset=fashion&model=cvae&seed_a=1&class_a=0&seed_b=2&class_b=9&t=0.35&mode=slerp

Every value is checked against the registry when a link is opened; a value that does not fit (a model without a
checkpoint here, a class out of range, a model trained live — those are private to the session that trained
them) is dropped with a sentence saying so, and the rest of the view is still restored. Seeds make the link
reproduce the very same images.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import urlencode

from genlib.controls import defaults
from genlib.data import DATASETS, dataset_info
from genlib.errors import GenLabError
from genlib.features import lab
from genlib.features.generate import declared, ui_params
from genlib.features.menus import RANDOM_CLASS, UI_DATASETS
from genlib.registry import get_spec, is_live
from genlib.serving import model_choices

TABS = ("generate", "lab")
LAB_DEFAULTS = MappingProxyType(defaults(lab.ENDPOINTS[2:]))  # seed_a, class_a, seed_b, class_b, t, mode


@dataclass
class View:
    tab: str
    dataset: str
    model: str
    values: dict = field(default_factory=dict)  # generate: class, seed, n, params · lab: LAB_DEFAULTS' keys
    problems: list[str] = field(default_factory=list)


def encode(tab: str, dataset: str, model: str, values: Mapping) -> str:
    """The query string (with its leading '?') of a view; ``values`` are that tab's settings."""
    return "?" + urlencode(fields(tab, dataset, model, values))


def fields(tab: str, dataset: str, model: str, values: Mapping) -> dict[str, str]:
    """The query's fields (unencoded, in link order)."""
    if tab not in TABS:
        raise GenLabError(f"Links exist for the {' and '.join(TABS)} tabs; got {tab!r}.")
    if is_live(model):
        raise GenLabError("A model trained live lives only in your session, so a link cannot carry it; share the "
                          "shipped models' views, or the training settings.")
    query = {"tab": tab, "dataset": dataset, "model": model}
    for k, v in values.items():
        if v is None:
            continue
        if isinstance(v, float) and v.is_integer() and k != "t":
            v = int(v)
        query[k] = str(v)
    return query


def _one(params: Mapping, name: str):
    v = params.get(name)
    if isinstance(v, (list, tuple)):
        v = v[-1] if v else None
    return None if v in (None, "") else str(v)


def decode(params: Mapping) -> View | None:
    """The view a link's query asks for (validated), or None when the query names no view."""
    tab = _one(params, "tab")
    if tab is None and _one(params, "model") is None:
        return None
    problems: list[str] = []
    if tab not in TABS:
        if tab is not None:
            problems.append(f"There is no '{tab}' view to restore; showing Generate.")
        tab = "generate"
    dataset = _one(params, "dataset") or UI_DATASETS[0]
    if dataset not in UI_DATASETS or not model_choices(dataset):
        problems.append(f"Dataset '{dataset}' has no trained models here; showing {DATASETS[UI_DATASETS[0]].title}.")
        dataset = UI_DATASETS[0]
    have = [m for _, m in lab.models(dataset)] if tab == "lab" else model_choices(dataset)
    model = _one(params, "model")
    if model not in have:
        if model is not None:
            why = ("it was trained live in someone's session, and those models stay there" if is_live(model)
                   else f"it has no checkpoint for {dataset} here")
            problems.append(f"Model '{model}' cannot be shown ({why}); showing {get_spec(have[0]).title}.")
        model = have[0]
    values = _lab_values(params, dataset, problems) if tab == "lab" else _generate_values(params, model, dataset,
                                                                                         problems)
    return View(tab, dataset, model, values, problems)


def _class(raw, dataset: str, problems: list[str], allow_random: bool):
    n = dataset_info(dataset).num_classes
    try:
        k = int(raw)
    except (TypeError, ValueError):
        k = None
    if k is not None and (0 <= k < n or (allow_random and k == RANDOM_CLASS)):
        return k
    problems.append(f"Class {raw!r} is not one of {dataset}'s 0–{n - 1}; using "
                    f"{'random classes' if allow_random else 'class 0'}.")
    return RANDOM_CLASS if allow_random else 0


def _generate_values(params: Mapping, model: str, dataset: str, problems: list[str]) -> dict:
    values = {}
    names = declared(model)
    for p in ui_params():
        raw = _one(params, p.name)
        if p.name not in names or raw is None:
            continue
        try:
            values[p.name] = p.validate(raw)  # the UI's own ranges (Count capped as in the menus)
        except GenLabError as e:
            problems.append(f"{e} Using the default.")
    if get_spec(model).conditional:
        raw = _one(params, "class")
        values["class"] = RANDOM_CLASS if raw is None else _class(raw, dataset, problems, allow_random=True)
    return values


def _lab_values(params: Mapping, dataset: str, problems: list[str]) -> dict:
    values = dict(LAB_DEFAULTS)
    for control in (lab.SEED_A, lab.SEED_B, lab.T, lab.MODE):
        raw = _one(params, control.name)
        if raw is not None:
            try:
                values[control.name] = control.validate(raw)
            except GenLabError as e:
                problems.append(f"{e} Using {control.default}.")
    for control in (lab.CLASS_A, lab.CLASS_B):
        raw = _one(params, control.name)
        if raw is not None:
            values[control.name] = _class(raw, dataset, problems, allow_random=False)
    return values
