"""`genlib text-train gpt|lstm --corpus C`: train a character model (crash-safe, `--resume`)."""

from __future__ import annotations

import shlex

from genlib import controls
from genlib.cli import flags
from genlib.cli.flags import int_arg


def cmd_text_train(args) -> int:
    from genlib.text.train import recipe as text_recipe
    from genlib.text.train import train

    recipe = text_recipe(args.kind, args.corpus, args.preset)
    for key in ("steps", "batch", "lr", "seed"):
        if getattr(args, key) is not None:
            recipe[key] = getattr(args, key)
    out = args.out or f"runs/text-{args.kind}-{args.corpus}"
    meta = train(args.kind, args.corpus, out, resume=args.resume, device=None if args.device == "auto" else args.device,
                 command=shlex.join(["genlib", *args.argv]), **recipe)
    m = meta["metrics"]
    print(f"trained {args.kind} on {args.corpus}: {meta['steps']} steps in {meta['wall_time_s']} s on "
          f"{meta['device']}; "
          f"held-out {m['test_bits_per_char']} bits/char (bigram {m['bigram_test_bits_per_char']}); wrote {out}")
    return 0


def add(sub) -> None:
    s = sub.add_parser("text-train", help="train a character model (gpt or lstm) on names, fortunes or chatbot")
    s.add_argument("kind", choices=["gpt", "lstm"])
    s.add_argument("--corpus", required=True, choices=["names", "fortunes", "chatbot"])
    s.add_argument("--steps", type=int_arg("--steps", 1, 10**7))
    s.add_argument("--batch", type=int_arg("--batch", 1, 4096))
    s.add_argument("--lr", type=float)
    flags.add(s, controls.seed(), default=None, help="default: the recipe's")
    s.add_argument("--preset", choices=["default", "tiny"], default="default", help="tiny: a seconds-long check")
    s.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    s.add_argument("--out", help="default runs/text-KIND-CORPUS")
    s.add_argument("--resume", action="store_true", help="continue from the newest state in OUT/train_state")
    s.set_defaults(func=cmd_text_train)
