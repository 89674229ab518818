"""Text: held-out bits per character of every shipped text model next to the bigram reference, per corpus (and per
kind of name), and the novelty of generated first names — recomputed from the checkpoints by project code.

    python bench/text_quality.py [--novelty 1000]

Bits/char: every known character and each example's <eos> of the held-out split (``genlib.text.corpora``: 10 % of
the examples by a hash of their text); control tokens (<female>, <q>, …) are given, not scored. The bigram is
add-0.1 smoothed and fit on the same training split. Novelty: ``--novelty`` first names (alternately female and male,
seeds 0 … n−1, temperature 1) that are not any name of the training split.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, table  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--novelty", type=int, default=1000)
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args()
    from genlib import text
    from genlib.text.corpora import load_corpus
    from genlib.text.train import evaluate

    by_corpus, out = {}, {}
    for m in text.shipped():
        net, tok, meta = text.load(m["id"])
        got = evaluate(net, tok, load_corpus(m["corpus"]))
        stored = meta["metrics"]["test_bits_per_char"]
        assert abs(got["test_bits_per_char"] - stored) < 1e-3, (m["id"], got, stored)  # the checkpoint is what it says
        by_corpus.setdefault(m["corpus"], {})[m["kind"]] = got
        out[m["id"]] = got
        if m["corpus"] == "names":
            out[m["id"]]["novelty"] = text.novelty(m["id"], n=args.novelty, temperature=1.0)
    rows = []
    for corpus, kinds in by_corpus.items():
        ref = next(iter(kinds.values()))["bigram_test_bits_per_char"]
        gpt, lstm = kinds.get("gpt", {}).get("test_bits_per_char"), kinds.get("lstm", {}).get("test_bits_per_char")
        rows.append([corpus, ref, lstm, gpt, f"{1 - gpt / ref:.1%}" if gpt else "–",
                     "yes" if gpt and lstm and gpt < lstm else "no"])
    print(f"Machine: {machine()}\n")
    print(table(["Corpus", "Bigram", "LSTM", "Transformer", "Transformer vs bigram", "Transformer < LSTM"], rows))
    groups = sorted({k for g in out.values() for k in g if k.startswith("test_bits_per_char_")})
    if groups:
        print()
        print(table(["Names subset", "Bigram", "LSTM", "Transformer"], [
            [g.removeprefix("test_bits_per_char_"), out.get("gpt-names", out.get("lstm-names", {})).get(f"bigram_{g}"),
             out.get("lstm-names", {}).get(g), out.get("gpt-names", {}).get(g)] for g in groups]))
    for mid, got in out.items():
        if "novelty" in got:
            nv = got["novelty"]
            print(f"\n{mid}: {nv['novel']} of {nv['generated']} generated first names are new ({nv['novelty']:.1%}); "
                  f"{nv['distinct']} distinct; e.g. {', '.join(nv['examples_new'][:8])}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
