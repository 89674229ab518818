"""Latency of sampling 1 and 64 images from every shipped generator (median and p95 over repeats).

    python bench/sample_latency.py [--repeats 30] [--models ddpm ...]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, table  # noqa: E402

from genlib import serving  # noqa: E402
from genlib.registry import available, get_spec  # noqa: E402


def measure(model_id, dataset, n, repeats):
    label = 0 if get_spec(model_id).conditional else None
    serving.generate(model_id, dataset, n=n, seed=0, labels=label)  # warm-up (load + first call)
    times = []
    for i in range(repeats):
        t = time.perf_counter()
        serving.generate(model_id, dataset, n=n, seed=i, labels=label)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--models", nargs="+", help="default: every shipped generator")
    args = ap.parse_args()
    rows = []
    for spec, ds, _ in available():
        if args.models and spec.id not in args.models:
            continue
        m1, p1 = measure(spec.id, ds, 1, args.repeats)
        m64, p64 = measure(spec.id, ds, 64, args.repeats)
        rows.append([spec.id, ds, f"{m1:.2f}", f"{p1:.2f}", f"{m64:.2f}", f"{p64:.2f}"])
    print(f"Machine: {machine()}\n")
    print(table(["model", "dataset", "n=1 median ms", "n=1 p95 ms", "n=64 median ms", "n=64 p95 ms"], rows))


if __name__ == "__main__":
    main()
