"""Controls → argparse flags: ``--<name>`` (underscores as hyphens) with the control's default, its full range
checked (an out-of-range value is one sentence, exit 2) and its label as the help text."""

from __future__ import annotations

import argparse

from genlib.controls import Control


class Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: one line + usage hint, exit 2
        self.exit(2, f"genlib: {message} (see `genlib {self.prog.split()[-1]} --help`)\n")


def _fmt(x) -> str:
    return str(int(x)) if isinstance(x, float) and x.is_integer() else str(x)


def number_arg(name: str, lo=None, hi=None, whole: bool = True):
    """An argparse type: a whole (or real) number within [lo, hi], else one sentence."""
    def parse(text):
        try:
            value = int(text) if whole else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a {'whole ' if whole else ''}number; got {text!r}") from None
        if value != value or (lo is not None and value < lo) or (hi is not None and value > hi):
            raise argparse.ArgumentTypeError(f"{name} must be between {_fmt(lo)} and {_fmt(hi)}; got {text}")
        return value
    return parse


def int_arg(name: str, lo: int, hi: int):
    return number_arg(name, lo, hi, whole=True)


def int_list(name: str):
    def parse(text: str) -> list[int]:
        try:
            return [int(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} takes comma-separated whole numbers, e.g. 1,2,3") from None
    return parse


def given(args, *names: str) -> bool:
    """Whether one of the flags ``names`` was written on the command line (not left at its default)."""
    return any(a.split("=", 1)[0] in names for a in args.argv)


def flag_name(c: Control) -> str:
    return "--" + c.name.replace("_", "-")


def add(parser: argparse.ArgumentParser, c: Control, *aliases: str, help: str | None = None, **kw):
    """Add control ``c`` to ``parser`` as ``--<name>`` (plus ``aliases``). ``kw`` goes to argparse and wins over what
    the control gives (dest, required, a type for a text control the command parses itself, default=SUPPRESS for a
    model's sampling control that only a model declaring it takes)."""
    text = help or c.help or c.label
    if c.kind == "bool":
        spec = {"action": argparse.BooleanOptionalAction, "default": c.default, "help": text}
    elif c.kind == "choice":
        values = c.values or None
        spec = {"choices": values, "default": c.default, "type": type(values[0]) if values else None, "help": text}
    elif c.kind == "text":
        spec = {"type": str, "default": c.default, "help": text}
    else:
        spec = {"type": number_arg(flag_name(c), c.min, c.max, whole=c.whole), "default": c.default,
                "help": f"{text} ({_fmt(c.min)}–{_fmt(c.max)}, default {_fmt(c.default)})"}
    return parser.add_argument(flag_name(c), *aliases, **{**spec, **kw})
