"""Live training on the CPU: how fast each live model steps and how its samples improve within a minute.

    python bench/live_training.py [--seconds 60] [--datasets mnist] [--json FILE]

Each model of the Live training tab (genlib.training.live, the same job the front ends start) trains for
``--seconds`` with nobody else on the machine; the domain classifier reads 256 seeded samples at step 0 and then
every 5 s. Reported: steps and steps/s, the classifier score (exp E KL(p(y|x) ‖ p(y)), 1–10) at 0, 15, 30 s and the
end, and the plain mean confidence at the start and the end.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, table  # noqa: E402


def at(history, seconds):
    """Classifier score of the last snapshot taken at or before ``seconds`` of training."""
    got = [s for s in history if s.seconds <= seconds + 0.5]
    return f"{got[-1].score:.2f}" if got else "—"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--datasets", nargs="+", default=["mnist"])
    ap.add_argument("--json")
    args = ap.parse_args()
    from genlib.training import live

    rows, out = [], []
    for dataset in args.datasets:
        for key, (_, preset, title) in live.MODELS.items():
            job = live.start(live.LiveConfig(key, dataset, max_seconds=args.seconds, snapshot_every=5))
            while (v := job.view()).active:
                time.sleep(0.5)
            if v.status != "finished":
                raise SystemExit(f"{key} on {dataset}: {v.status} — {v.message}")
            h = v.history
            rows.append([title, dataset, f"{v.step:,}", f"{v.step / v.seconds:.1f}", at(h, 0), at(h, 15), at(h, 30),
                         f"{h[-1].score:.2f}", f"{h[0].confidence:.3f} → {h[-1].confidence:.3f}"])
            out.append({"model": key, "preset": preset, "dataset": dataset, "steps": v.step, "seconds": v.seconds,
                        "history": [(s.step, s.seconds, s.score, s.confidence) for s in h]})
            print(rows[-1], flush=True)
    print(f"\npython bench/live_training.py {' '.join(sys.argv[1:])}\n{machine()}\n")
    print(table(["model", "dataset", "steps", "steps/s", "score at 0 s", "15 s", "30 s", f"{args.seconds:g} s",
                 "mean confidence, start → end"], rows))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
