"""InceptionV3 feature throughput (images/s) in the FID protocol, with the memory layout GenLab uses (channels-last)
and the default one (NCHW), on real test images of a dataset; also the largest feature difference between the two.

    python bench/inception_speed.py [--dataset mnist] [--n 200] [--threads 1]
"""

import argparse
import copy
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from common import machine, table  # noqa: E402

from genlib import evaluation  # noqa: E402
from genlib.data import load_dataset  # noqa: E402
from genlib.images import from_uint8  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="mnist")
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    feats = evaluation.inception()  # GenLab's extractor: channels-last
    images = from_uint8(load_dataset(args.dataset, "test").images[:args.n])

    nchw = copy.copy(feats)  # the same loaded network, fed NCHW
    nchw.memory_format = torch.contiguous_format
    feats(images[:4]), nchw(images[:4])  # warm-up
    rows, results = [], {}
    for name, fn in (("channels-last (GenLab)", feats), ("NCHW", nchw)):
        t = time.perf_counter()
        results[name] = fn(images)
        dt = time.perf_counter() - t
        rows.append([name, args.n, f"{dt:.1f}", f"{args.n / dt:.2f}"])
    diff = np.abs(results["channels-last (GenLab)"] - results["NCHW"]).max()
    print(machine())
    print(table(["layout", "images", "seconds", "images/s"], rows))
    print(f"largest feature difference between the layouts: {diff:.2e}")


if __name__ == "__main__":
    main()
