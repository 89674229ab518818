"""Wall time of the Compare tab's live readouts (sampling + domain FID/KID/score/precision/recall, reconstructions
for encoder models) for 2 and 4 models at several N; the first call (model loading) is excluded.

    python bench/compare_latency.py [--repeats 5]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, table  # noqa: E402

from genlib.features.compare import run_compare  # noqa: E402

SETS = {2: ["cdcgan", "cvae"], 4: ["cdcgan", "cvae", "dcgan", "vae"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--n", type=int, nargs="+", default=[250, 500, 1000])
    args = ap.parse_args()
    rows = []
    for ds in ("mnist", "fashion"):
        run_compare(ds, SETS[4], 0, 0, 100)  # warm-up: loads every model and the reference
        for k, models in SETS.items():
            for n in args.n:
                times = []
                for i in range(args.repeats):
                    t = time.perf_counter()
                    run_compare(ds, models, 0, i, n)
                    times.append(time.perf_counter() - t)
                rows.append([ds, k, n, f"{statistics.median(times):.2f}", f"{max(times):.2f}"])
                print(rows[-1], file=sys.stderr)
    print(f"Machine: {machine()}\n")
    print(table(["dataset", "models", "N", "median s", "max s"], rows))


if __name__ == "__main__":
    main()
