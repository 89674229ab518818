"""Diffusion: sampling latency (16 images × 20 / 50 steps, DDIM and DPM-Solver++, with and without guidance) and
restoration (time, and PSNR/SSIM before → after on the first N test images).

    python bench/diffusion_latency.py [--repeats 10] [--restore-n 100] [--inpaint-n 25] [--speed-only]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common import machine, table  # noqa: E402

from genlib import serving  # noqa: E402
from genlib.pipelines import restore as restoration  # noqa: E402
from genlib.data import load_dataset  # noqa: E402
from genlib.registry import available  # noqa: E402


SPEED = [  # the default first; then guidance on every step, DPM-Solver++, and no guidance at all
    {"sampler": "ddim", "guidance": 1.5, "guidance_interval": 0.5},
    {"sampler": "ddim", "guidance": 1.5, "guidance_interval": 1.0},
    {"sampler": "dpm", "guidance": 1.5, "guidance_interval": 0.5},
    {"sampler": "ddim", "guidance": 1.0, "guidance_interval": 0.5},
]


def timed(fn, repeats):
    fn(0)  # warm-up
    times = []
    for i in range(repeats):
        t = time.perf_counter()
        fn(i + 1)
        times.append(time.perf_counter() - t)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--restore-n", type=int, default=100, help="test images per dataset, denoising (PSNR/SSIM)")
    ap.add_argument("--inpaint-n", type=int, default=25, help="test images per dataset, inpainting (slower)")
    ap.add_argument("--speed-only", action="store_true", help="only the sampling-latency table")
    args = ap.parse_args()
    datasets = [ds for spec, ds, _ in available() if spec.family == "diffusion"]
    speed, restore_rows, restore_time = [], [], []
    for ds in datasets:
        labels = list(range(10)) + list(range(6))  # 16 images, every class
        for steps in (20, 50):
            for setting in SPEED:
                med, p95 = timed(lambda s: serving.generate("ddpm", ds, n=16, seed=s, labels=labels, steps=steps,
                                                            **setting), args.repeats)
                speed.append([ds, 16, steps, setting["sampler"], setting["guidance"], setting["guidance_interval"],
                              f"{med:.3f}", f"{p95:.3f}"])
        if args.speed_only:
            continue
        model, _ = serving.load("ddpm", ds)
        test = load_dataset(ds, "test")
        for mode, kw in (("denoise σ=0.3", {"mode": "denoise", "sigma": 0.3}),
                         ("inpaint center, 50 steps × 5", {"mode": "inpaint", "mask": "center"})):
            med, p95 = timed(lambda s: restoration.corrupt_and_restore(model, test.images[s], seed=s, **kw),
                             max(3, args.repeats // 2))
            restore_time.append([ds, mode, f"{med:.2f}", f"{p95:.2f}"])
        for name, kw in (("denoise σ=0.1", {"mode": "denoise", "sigma": 0.1}),
                         ("denoise σ=0.2", {"mode": "denoise", "sigma": 0.2}),
                         ("denoise σ=0.3", {"mode": "denoise", "sigma": 0.3}),
                         ("denoise σ=0.5", {"mode": "denoise", "sigma": 0.5}),
                         ("inpaint center 12×12", {"mode": "inpaint", "mask": "center"}),
                         ("inpaint left half", {"mode": "inpaint", "mask": "left"}),
                         ("inpaint random 50 %", {"mode": "inpaint", "mask": "random"})):
            n = args.restore_n if kw["mode"] == "denoise" else args.inpaint_n
            res = [restoration.corrupt_and_restore(model, test.images[i], seed=i, **kw) for i in range(n)]
            m = {k: np.mean([r.metrics[k] for r in res]) for k in res[0].metrics}
            worse = sum(r.metrics["psnr_after"] < r.metrics["psnr_before"] for r in res)
            restore_rows.append([ds, name, n, f"{m['psnr_before']:.2f}", f"{m['psnr_after']:.2f}",
                                 f"{m['psnr_after'] - m['psnr_before']:+.2f}", f"{m['ssim_before']:.3f}",
                                 f"{m['ssim_after']:.3f}", worse])
    print(f"Machine: {machine()}\n")
    print(table(["dataset", "images", "steps", "sampler", "guidance", "interval", "median s", "p95 s"], speed))
    if args.speed_only:
        return
    print()
    print(table(["dataset", "restoration (1 image)", "median s", "p95 s"], restore_time))
    print()
    print(table(["dataset", "task", "images", "PSNR before", "PSNR after", "gain dB", "SSIM before", "SSIM after",
                 "images made worse"], restore_rows))


if __name__ == "__main__":
    main()
