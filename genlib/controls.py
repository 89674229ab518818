"""Controls, declared once: what a person (or a script) can set, with its range, default and help.

A :class:`Control` is declared next to the action it feeds (a model file's sampling controls, a feature's controls in
``genlib/features/``) and rendered three ways from that one declaration: a Gradio component
(``genlib/frontends/gradio/widgets.py``), a Streamlit widget keyed ``<page>_<name>``
(``genlib/frontends/streamlit/widgets.py``) and an argparse flag ``--<name>`` (``genlib/cli/flags.py``). Its ``name``
is also the parameter's name in the HTTP API. ``tests/test_parity.py`` checks that every declared control exists in
every front end with this default and range.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from genlib.errors import GenLabError

MAX_SEED = 2**31 - 1
KINDS = ("int", "float", "choice", "bool", "text")


@dataclass(frozen=True)
class Control:
    """One control. ``kind`` is "int", "float", "choice", "bool" or "text"; numbers show as a slider, or as a number
    box when ``number`` is set (seeds, lengths, indices); a choice with no fixed ``choices`` gets its menu from the
    feature at run time (datasets, models, classes)."""

    name: str
    kind: str
    default: Any
    label: str
    min: float | None = None
    max: float | None = None
    step: float | None = None
    choices: tuple = ()  # values, or (label, value) pairs
    help: str = ""
    ui_min: float | None = None  # the range sliders offer, when narrower than what the API and the CLI take
    ui_max: float | None = None
    number: bool = False  # a number box instead of a slider

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"control '{self.name}': kind must be one of {KINDS}")

    @property
    def slider_min(self) -> float | None:
        return self.ui_min if self.ui_min is not None else self.min

    @property
    def slider_max(self) -> float | None:
        return self.ui_max if self.ui_max is not None else self.max

    @property
    def options(self) -> list[tuple[str, Any]]:
        """The menu as (label, value) pairs."""
        return [c if isinstance(c, tuple) else (str(c), c) for c in self.choices]

    @property
    def values(self) -> list[Any]:
        return [v for _, v in self.options]

    @property
    def whole(self) -> bool:
        """True when the control takes whole numbers only."""
        return self.kind == "int"

    def but(self, **changes) -> Control:
        """This control with some fields changed (the same seed control labelled "Seed A", …)."""
        return replace(self, **changes)

    def validate(self, value: Any) -> Any:
        """Coerce ``value`` to this control's type, or raise a one-sentence error naming what is allowed."""
        if self.kind == "choice":
            if self.choices and value not in self.values:
                raise GenLabError(f"{self.label} must be one of {', '.join(map(str, self.values))}; got {value!r}.")
            return value
        if self.kind == "bool":
            return bool(value)
        if self.kind == "text":
            return "" if value is None else str(value)
        try:
            number = int(value) if self.kind == "int" else float(value)
        except (TypeError, ValueError):
            raise GenLabError(f"{self.label} must be a number; got {value!r}.") from None
        if self.kind == "int" and float(value) != number:
            raise GenLabError(f"{self.label} must be a whole number; got {value!r}.")
        if number != number or (self.min is not None and number < self.min) or (
            self.max is not None and number > self.max
        ):
            raise GenLabError(f"{self.label} must be between {_num(self.min)} and {_num(self.max)}; got {value!r}.")
        return number


def _num(x):
    return int(x) if isinstance(x, float) and x.is_integer() else x


def seed(label: str = "Seed", name: str = "seed", default: int = 0, help: str = "Same seed, same result.") -> Control:
    """A seed control: a whole number 0 … 2³¹−1 in a number box."""
    return Control(name, "int", default, label, 0, MAX_SEED, 1, help=help, number=True)


def menu(name: str, label: str, default: Any = None, choices: tuple = (), help: str = "") -> Control:
    """A menu; ``choices`` empty when the feature fills it at run time."""
    return Control(name, "choice", default, label, choices=tuple(choices), help=help)


def defaults(controls) -> dict[str, Any]:
    """{name: default} of some controls."""
    return {c.name: c.default for c in controls}
