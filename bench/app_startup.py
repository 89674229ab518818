"""Seconds from `python app.py` to the Gradio page answering HTTP 200, and to the first generated grid.

    python bench/app_startup.py [--repeats 3]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def once():
    port = free_port()
    env = dict(os.environ, GRADIO_SERVER_PORT=str(port))
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
            if time.perf_counter() - t > 120:
                raise RuntimeError("app did not start within 120 s")
        up = time.perf_counter() - t
        from gradio_client import Client

        Client(url, verbose=False).predict("mnist", "cdcgan", 7, 0, 16, 1.0, api_name="/generate")
        first = time.perf_counter() - t
    finally:
        proc.terminate()
        proc.wait()
    return up, first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    runs = [once() for _ in range(args.repeats)]
    print(f"Machine: {machine()}\n")
    print(f"page up: median {statistics.median(r[0] for r in runs):.1f} s; first grid (cdcgan, 16 images): "
          f"median {statistics.median(r[1] for r in runs):.1f} s over {args.repeats} cold starts")


if __name__ == "__main__":
    main()
