"""``genlib`` command line: list | data | train | sample | restore | stylize | say | voice | text | text-eval |
text-train | eval | collapse | walk | experiment — one module per command in this package, each adding its parser with
:func:`add`; flags that set a feature's controls come from the controls themselves (:mod:`genlib.cli.flags`).

Errors a person can fix (unknown model, missing dataset, bad value, corrupt checkpoint) print one sentence and exit 2;
nothing prints a traceback for them.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

COMMANDS = ("catalog", "train", "sample", "restore", "stylize", "say", "voice", "text", "text_eval", "text_train",
            "evaluate", "collapse", "walk", "experiment")


def build_parser():
    from importlib import import_module

    from genlib.cli.flags import Parser

    p = Parser(prog="genlib", description="GenLab: train, sample and evaluate small generative models.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name in COMMANDS:
        import_module(f"genlib.cli.{name}").add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    from genlib.errors import GenLabError

    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    if getattr(args, "dry_run", False):
        args.preset, args.steps, args.limit_train = "tiny", 2, args.limit_train or 64
        args.batch_size = args.batch_size or 16
        args.out = args.out or f"runs/dry-run-{args.model}-{args.dataset}"
    try:
        return args.func(args)
    except GenLabError as e:
        print(f"genlib: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `genlib list | head`: the reader left; not an error worth a traceback
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("genlib: interrupted; resume training with --resume.", file=sys.stderr)
        return 130
