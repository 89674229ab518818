"""Sample grids of every shipped generator for the README (assets/samples/<model>-<dataset>.png).

    python bench/readme_samples.py
"""

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from genlib.images import grid  # noqa: E402
from genlib.registry import available  # noqa: E402
from genlib.serving import generate  # noqa: E402


def main():
    out = ROOT / "assets" / "samples"
    out.mkdir(parents=True, exist_ok=True)
    rows = {}
    for spec, ds, _ in available():
        labels = (np.arange(30) % 10).tolist() if spec.conditional else None
        images = generate(spec.id, ds, n=30, seed=0, labels=labels).images
        path = out / f"{spec.id}-{ds}.png"
        grid(images, nrow=10, scale=2).save(path)
        rows.setdefault(spec.id, {})[ds] = path.relative_to(ROOT)
    lines = ["| model | MNIST | Fashion-MNIST |", "|---|---|---|"]
    for model_id, by_ds in rows.items():
        cells = [f"![{model_id} {d}]({by_ds[d]})" if d in by_ds else "–" for d in ("mnist", "fashion")]
        lines.append(f"| `{model_id}` | " + " | ".join(cells) + " |")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
