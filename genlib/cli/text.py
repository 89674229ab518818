"""`genlib text MODEL --prompt …`: text from a character model, streamed to stdout; the flags are the Text tab's
writing controls."""

from __future__ import annotations

import json
import sys
import time

from genlib.cli import flags
from genlib.features import text as tx


def cmd_text(args) -> int:
    from genlib import text
    from genlib.errors import GenLabError

    settings = {"temperature": args.temperature, "top_k": args.top_k, "top_p": args.top_p, "seed": args.seed}
    text.load(args.model)  # before the clock starts (--verbose)
    if args.gender:
        steps = text.name(args.model, args.gender, prefix=args.prompt or "", **settings)
        lead = ""
    elif args.ask is not None:
        steps = text.reply(args.model, args.ask, length=args.length, **settings)
        lead = ""
    else:
        if args.prompt is None:
            raise GenLabError("Give a --prompt (it may be empty: --prompt ''), --gender for a name, or --ask.")
        steps = text.generate(args.model, args.prompt, length=args.length, explain=args.explain, **settings)
        lead = args.prompt
        if note := text.unknown_note(args.model, args.prompt):
            print(f"genlib: {note}", file=sys.stderr)
    out, n, t0 = sys.stdout, 0, time.perf_counter()
    if args.json:
        print(json.dumps({"model": args.model, "prompt": args.prompt, "text": text.last(steps), **settings}))
        return 0
    out.write(lead)
    shown = len(lead) if args.gender else 0
    for step in steps:
        if args.explain:
            top = "  ".join(f"{c!r} {p:.2f}" for c, p in step.top[:5])
            print(f"[{top}] → {step.char or '<eos>'!r}", file=sys.stderr)
        out.write(step.text[shown:])
        shown = len(step.text)
        out.flush()
        n += 1
    out.write("\n")
    if args.verbose:
        print(f"{n} characters in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    return 0


def add(sub) -> None:
    s = sub.add_parser("text", help="generate text with a character model (streamed to stdout)")
    s.add_argument("model", help="gpt-names, lstm-fortunes, gpt-chatbot, … (listed by genlib list) or a model folder")
    s.add_argument("--prompt", help="text to continue (control tokens such as <female> or <q>…<a> may be written)")
    flags.add(s, tx.GENDER, default=None, help="names models: a name of this kind (--prompt then gives its first "
                                              "letters)")
    s.add_argument("--ask", help="chatbot models: the question to answer")
    for c in (tx.TEMPERATURE, tx.TOP_K, tx.TOP_P, tx.SEED, tx.LENGTH):
        flags.add(s, c)
    s.add_argument("--explain", action="store_true", help="print the top-5 next characters of every step to stderr")
    s.add_argument("--verbose", action="store_true", help="print characters/s to stderr")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_text)
