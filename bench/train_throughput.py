"""Training throughput (images/s) of every model, through the real trainer, on this machine.

    python bench/train_throughput.py [--steps 60] [--dataset mnist] [--device auto] [--models ddpm ...]
        [--set KEY=VALUE ...]   # config overrides, e.g. the GANs' old recipe: --set r1=0 --set cutout=0
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, table  # noqa: E402

from genlib.cli.train import config_value  # noqa: E402
from genlib.registry import specs  # noqa: E402
from genlib.training import TrainConfig, train  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--dataset", default="mnist")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--models", nargs="+", help="default: every registered model trained on --dataset")
    ap.add_argument("--set", action="append", type=config_value, default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    overrides = dict(args.set)
    rows = []
    for spec in specs(None):
        if (args.models and spec.id not in args.models) or args.dataset not in spec.datasets:
            continue
        with tempfile.TemporaryDirectory() as out:
            warm = TrainConfig(spec.id, args.dataset, out, steps=5, progress=False, device=args.device,
                               checkpoint_every=10**6, sample_every=10**6, overrides=overrides)
            train(warm)  # first-call overheads (allocators, kernels) are not throughput
            cfg = TrainConfig(spec.id, args.dataset, out + "/m", steps=args.steps, progress=False,
                              device=args.device, checkpoint_every=10**6, sample_every=10**6, overrides=overrides)
            t = time.perf_counter()
            meta = train(cfg)
            wall = time.perf_counter() - t
        rows.append([spec.id, meta["batch_size"], args.steps, f"{args.steps * meta['batch_size'] / wall:,.0f}",
                     meta["device"]])
    print(f"Machine: {machine()}" + (f"; overrides {overrides}" if overrides else "") + "\n")
    print(table(["model", "batch", "steps", "images/s", "device"], rows))


if __name__ == "__main__":
    main()
