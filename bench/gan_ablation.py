"""The GAN recipe's ablation: each ingredient switched off in turn, at equal CPU time, on both datasets, through the
real CLI (`genlib train … --set … --minutes M`, then `genlib eval --no-store`): Inception FID, recall, classes covered.

    python bench/gan_ablation.py [--model dcgan] [--minutes 10] [--datasets mnist fashion] [--out runs/ablation]
    # a recipe search instead of the ablation: your own variants, domain figures only (minutes faster per run)
    python bench/gan_ablation.py --model stylegan --minutes 20 --datasets mnist --no-inception \
        --variant "lr 1e-3=--lr 1e-3" --variant "batch 32=--batch-size 32" --out runs/stylegan-search

Runs are resumable (`--resume`): stop and start the script again and it continues where it was. One training runs
at a time with one thread (`OMP_NUM_THREADS=1`), so a second script (another --model) can share a 2-core machine.
Each finished row (its eval and the training's steps and wall time) is also kept in `bench/results/<out's name>.json`,
which is tracked: the runs folder may be lost (a fresh machine), the measured rows are not, and a later start goes on
with the rows still missing. `--collect` only gathers the rows that are finished and prints the table.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import machine, table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# (row name, what `genlib train` is given); the full recipe first
VARIANTS = {
    "full recipe": [],
    "− R1": ["--set", "r1=0"],
    "− DiffAugment": ["--set", "augment_shift=0", "--set", "cutout=0"],
    "− two time scales": ["--set", "lr_d_ratio=1"],
    "− EMA": ["--ema", "0"],
}
CONDITIONAL = {"− projection (AC-GAN head)": ["--set", "projection=false"]}
OLD = {"the old recipe (issue 19's starting point)": ["--set", "r1=0", "--set", "cutout=0", "--set", "lr_d_ratio=1",
                                                     "--set", "real_target=0.9"]}


def fid(row: dict) -> str:
    return f"{row['inception_fid']:.1f}" if row.get("inception_fid") is not None else "—"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="dcgan")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--datasets", nargs="+", default=["mnist", "fashion"])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--out", default="runs/ablation")
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=ARGS",
                    help="instead of the ablation's rows: NAME=extra `genlib train` arguments (repeatable; the "
                         "full recipe is always the first row)")
    ap.add_argument("--no-inception", action="store_true", help="domain figures only")
    ap.add_argument("--collect", action="store_true", help="train nothing: gather the finished rows, print the table")
    args = ap.parse_args()
    store = ROOT / "bench" / "results" / f"{Path(args.out).name}-{args.model}.json"
    done = json.loads(store.read_text()) if store.is_file() else {}
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if args.variant:
        if any("=" not in v for v in args.variant):
            ap.error("--variant takes NAME=ARGS, e.g. --variant 'lr 1e-3=--lr 1e-3'")
        variants = {"full recipe": [], **{v.split("=", 1)[0]: shlex.split(v.split("=", 1)[1]) for v in args.variant}}
    else:
        variants = {**VARIANTS, **(CONDITIONAL if args.model == "cdcgan" else {}), **OLD}
    rows = []
    for dataset in args.datasets:
        for name, extra in variants.items():
            slug = "".join(c if c.isalnum() else "-" for c in name).strip("-")
            folder = ROOT / args.out / f"{args.model}-{slug}"
            run = folder / f"{args.model}-{dataset}"
            result = folder / f"eval-{dataset}.json"
            key = f"{dataset}/{name}"
            if key not in done and not result.is_file():
                if args.collect:
                    continue
                cmd = [sys.executable, "-m", "genlib", "train", args.model, "--dataset", dataset, "--out", str(run),
                       "--minutes", str(args.minutes), "--steps", "1000000", "--resume", "--no-progress",
                       "--sample-every", "100000", *extra]
                subprocess.run(cmd, check=True, env=env, cwd=ROOT)
                subprocess.run([sys.executable, "-m", "genlib", "eval", "--dataset", dataset, "--models", args.model,
                                "--n", str(args.n), "--no-store", "--json", str(result),
                                *(["--no-inception"] if args.no_inception else [])], check=True, cwd=ROOT,
                               env={**env, "GENLAB_CHECKPOINTS": str(folder), "OMP_NUM_THREADS": "2"})
            if key not in done:
                meta = json.loads((run / "meta.json").read_text())
                floor, row = json.loads(result.read_text())
                done[key] = {"steps": meta["steps"], "wall_time_s": meta["wall_time_s"], "command": meta["command"],
                             "machine": machine(), "floor": floor, "eval": row}
                store.parent.mkdir(parents=True, exist_ok=True)  # merged with what a script on another dataset kept
                done = {**(json.loads(store.read_text()) if store.is_file() else {}), key: done[key]}
                tmp = store.with_suffix(f".tmp{os.getpid()}")
                tmp.write_text(json.dumps(done, indent=1, ensure_ascii=False))
                tmp.replace(store)
            floor, row, steps = done[key]["floor"], done[key]["eval"], done[key]["steps"]
            rows.append([dataset, name, steps, f"{done[key]['wall_time_s'] / 60:.1f}",
                         f"{row['domain_fid']:.1f}", fid(row), fid(floor), f"{row['recall']:.3f}",
                         f"{row['precision']:.3f}", row["classes_covered"],
                         f"{row['class_accuracy']:.1%}" if row.get("class_accuracy") is not None else "—"])
    print(f"Machine: {machine()}\n`{args.model}`, {args.minutes:g} min of one CPU thread per run; eval N = {args.n}, "
          f"seed 0\n")
    print(table(["dataset", "variant", "steps", "minutes", "dom FID ↓", "Inception FID ↓", "floor", "recall ↑", "precision ↑",
                 "classes covered", "class accuracy"], rows))


if __name__ == "__main__":
    main()
