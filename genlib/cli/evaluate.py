"""`genlib eval --dataset D`: the side-by-side quality table (FID, KID, precision/recall, …) with the real-data
floor, stored in each checkpoint's meta.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from genlib import controls
from genlib.cli import flags
from genlib.cli.flags import int_arg


def format_table(rows: list[dict], markdown: bool = False) -> str:
    """The side-by-side table shared by `genlib eval` (plain text) and BENCHMARKS.md (``markdown``)."""
    cols = [("model", "{}", 18), ("n", "{}", 6), ("domain_fid", "{:.2f}", 11), ("domain_kid", "{:.4f}", 11),
            ("classifier_score", "{:.2f}", 8), ("precision", "{:.3f}", 10), ("recall", "{:.3f}", 8),
            ("class_accuracy", "{:.2%}", 10), ("classes_covered", "{}", 8), ("inception_fid", "{:.2f}", 11),
            ("psnr", "{:.2f}", 7), ("ssim", "{:.3f}", 7)]
    heads = {"domain_fid": "dom FID", "domain_kid": "dom KID", "classifier_score": "CS", "class_accuracy": "cls acc",
             "classes_covered": "covered", "inception_fid": "Incep FID", "precision": "precision"}
    used = [c for c in cols if any(r.get(c[0]) is not None for r in rows)]
    cells = [[heads.get(k, k) for k, _, _ in used]]
    cells += [["—" if r.get(k) is None else fmt.format(r[k]) for k, fmt, _ in used] for r in rows]
    if markdown:
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(used)]
        return "\n".join(lines + ["| " + " | ".join(c) + " |" for c in cells[1:]])
    return "\n".join("".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}" for i, (c, (_, _, w)) in enumerate(zip(row, used)))
                     for row in cells)


def cmd_eval(args) -> int:
    from genlib.evaluation import build_reference, evaluate, table_notes
    from genlib.serving import list_models

    if args.build_reference:
        print(f"wrote {build_reference(args.dataset)}")
    models = args.models or [m["model"] for m in list_models(True) if m["dataset"] == args.dataset]
    rows = evaluate(models, args.dataset, n=args.n, seed=args.seed, with_inception=not args.no_inception,
                    store=not args.no_store, progress=lambda m: print(f"evaluating {m} …", file=sys.stderr))
    print(f"{args.dataset}: N = {args.n} samples per model (class-balanced for conditional models), seed {args.seed}")
    print(format_table(rows, markdown=args.markdown))
    for note in table_notes(rows):
        print(note)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


def add(sub) -> None:
    from genlib.data import DATASETS

    s = sub.add_parser("eval", help="side-by-side quality table (FID, KID, precision/recall, …) with the real floor")
    s.add_argument("--models", nargs="+", help="default: every generator with a checkpoint for the dataset")
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    s.add_argument("--n", type=int_arg("--n", 1, 100_000), default=2000, help="samples per model (50-2000)")
    flags.add(s, controls.seed())
    s.add_argument("--no-inception", action="store_true", help="skip the (slow) InceptionV3 FID")
    s.add_argument("--build-reference", action="store_true",
                   help="recompute the shipped domain-feature reference from the dataset first")
    s.add_argument("--no-store", action="store_true", help="do not write the figures into meta.json")
    s.add_argument("--json", help="also write the rows to this JSON file")
    s.add_argument("--markdown", action="store_true", help="print the table as Markdown (as in BENCHMARKS.md)")
    s.set_defaults(func=cmd_eval)
