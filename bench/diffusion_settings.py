"""How the diffusion model's sampling settings trade class accuracy against diversity: DDIM eta × guidance scale
(and DPM-Solver++), guidance on every step or on the noisiest part only (interval), 20 steps, N class-balanced samples, domain metrics against the real-data reference. The shipped
defaults (``genlib/models/diffusion.py``) were chosen from this table.

    python bench/diffusion_settings.py [--n 500] [--datasets mnist fashion]
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, table  # noqa: E402

from genlib.evaluation import evaluate_model  # noqa: E402

SETTINGS = [{"sampler": "ddim", "eta": eta, "guidance": g, "guidance_interval": 1.0}
            for eta in (0.0, 1.0) for g in (1.0, 1.5, 2.0, 3.0)] + [
    {"sampler": "dpm", "eta": eta, "guidance": 1.5, "guidance_interval": 1.0} for eta in (0.0, 1.0)] + [
    {"sampler": "ddim", "eta": 1.0, "guidance": 1.5, "guidance_interval": i} for i in (0.5, 0.7)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--datasets", nargs="+", default=["mnist", "fashion"])
    args = ap.parse_args()
    rows = []
    for ds in args.datasets:
        for s in SETTINGS:
            r = evaluate_model("ddpm", ds, n=args.n, seed=0, kid_subsets=5, kid_size=min(args.n, 500),
                               params={**s, "steps": args.steps})
            rows.append([ds, s["sampler"], s["eta"], s["guidance"], s["guidance_interval"], f"{r['class_accuracy']:.1%}",
                         f"{r['domain_fid']:.1f}", f"{r['precision']:.3f}", f"{r['recall']:.3f}",
                         f"{r['classifier_score']:.2f}"])
            print(rows[-1], file=sys.stderr, flush=True)
    print(f"Machine: {machine()}\n")
    print(table(["dataset", "sampler", "eta", "guidance", "interval", "class acc", "dom FID", "precision", "recall",
                 "CS"], rows))


if __name__ == "__main__":
    main()
