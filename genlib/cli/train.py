"""`genlib train MODEL --dataset D`: train an image generator (crash-safe, `--resume`)."""

from __future__ import annotations

import argparse
import json
import shlex

from genlib import controls
from genlib.cli import flags
from genlib.cli.flags import int_arg


def cmd_train(args) -> int:
    from genlib.training import TrainConfig, train

    meta = train(TrainConfig(
        model=args.model, dataset=args.dataset, out=args.out or f"runs/{args.model}-{args.dataset}",
        preset=args.preset, steps=args.steps, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
        seed=args.seed, device=args.device, resume=args.resume, ema=args.ema,
        checkpoint_every=args.checkpoint_every, sample_every=args.sample_every, progress=not args.no_progress,
        limit_train=args.limit_train, overrides=dict(args.set or []), minutes=args.minutes, command=shlex.join(["genlib", *args.argv]),
    ))
    print(f"trained {meta['model']} on {meta['dataset']}: {meta['steps']} steps, {meta['wall_time_s']} s on "
          f"{meta['device']}; losses {meta['final_losses']}; wrote {args.out or f'runs/{args.model}-{args.dataset}'}")
    return 0


def config_value(text: str) -> tuple[str, object]:
    """``KEY=VALUE`` → (key, value): JSON numbers, booleans and lists as such, anything else as text."""
    key, sep, raw = text.partition("=")
    if not sep or not key.isidentifier():
        raise argparse.ArgumentTypeError(f"--set takes KEY=VALUE (e.g. r1=0); got '{text}'.")
    try:
        return key, json.loads(raw)
    except json.JSONDecodeError:
        return key, raw


def add(sub) -> None:
    from genlib.data import DATASETS

    s = sub.add_parser("train", help="train a model")
    s.add_argument("model")
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    s.add_argument("--steps", type=int_arg("--steps", 1, 10**8))
    s.add_argument("--epochs", type=float)
    s.add_argument("--minutes", type=flags.number_arg("--minutes", 0.01, 10**6, whole=False),
                   help="also stop after this much training time (equal-time comparisons; resumable)")
    s.add_argument("--batch-size", type=int_arg("--batch-size", 1, 65536))
    s.add_argument("--lr", type=float)
    flags.add(s, controls.seed())
    s.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto")
    s.add_argument("--out", help="run folder (default runs/MODEL-DATASET)")
    s.add_argument("--resume", action="store_true", help="continue from the newest state in OUT/train_state")
    s.add_argument("--preset", default="default", help="default | tiny")
    s.add_argument("--ema", type=float, help="EMA decay of the generator, e.g. 0.999 (0 = off)")
    s.add_argument("--checkpoint-every", type=int_arg("--checkpoint-every", 1, 10**8), default=500)
    s.add_argument("--sample-every", type=int_arg("--sample-every", 1, 10**8), default=500)
    s.add_argument("--set", action="append", type=config_value, metavar="KEY=VALUE",
                   help="override one model config key of the preset, e.g. --set r1=0 (ablations); repeatable")
    s.add_argument("--limit-train", type=int_arg("--limit-train", 1, 10**8), help="use the first N images only")
    s.add_argument("--dry-run", action="store_true", help="tiny preset, 2 steps, on a few images: checks the path")
    s.add_argument("--no-progress", action="store_true")
    s.set_defaults(func=cmd_train)
