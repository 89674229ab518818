"""Text: characters per second at batch 1 for every shipped text model (issue 8's ≥ 1,000 chars/s target).

    python bench/text_speed.py [--length 1000] [--repeats 5]

Warm (the model loaded and one short run first), batch 1, temperature 0.8, the sampling loop users get
(``genlib.text.generate``), ``--length`` characters without stopping at <eos>; median over ``--repeats`` seeds. Both
with the next-character view off (CLI) and on (the Text tab computes the top 10 at every step).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, table  # noqa: E402

PROMPT = {"names": "<female>", "fortunes": "The secret of ", "chatbot": "<q>Hello<a>"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--length", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--json", help="also write the rows here")
    args = ap.parse_args()
    from genlib import text

    rows, out = [], []
    for m in text.shipped():
        text.last(text.generate(m["id"], PROMPT[m["corpus"]], length=50, stop_at_eos=False))  # warm
        rates = {}
        for explain in (False, True):
            runs = []
            for seed in range(args.repeats):
                t = time.perf_counter()
                n = sum(1 for _ in text.generate(m["id"], PROMPT[m["corpus"]], length=args.length, seed=seed,
                                                 explain=explain, stop_at_eos=False))
                runs.append(n / (time.perf_counter() - t))
            rates[explain] = runs
        rows.append([m["id"], f"{statistics.median(rates[False]):,.0f}", f"{min(rates[False]):,.0f}",
                     f"{statistics.median(rates[True]):,.0f}"])
        out.append({"model": m["id"], "chars_per_s": statistics.median(rates[False]),
                    "chars_per_s_with_top10": statistics.median(rates[True]), "runs": rates[False]})
    print(f"Machine: {machine()}\n")
    print(table(["Model", "chars/s (median)", "chars/s (slowest run)", "chars/s with top-10 view"], rows))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
