"""`genlib collapse MODEL --dataset D`: the collapse explainer of the Compare tab — the class histogram of N samples,
recall and precision against the real-data floor, and near copies of training images (`--out` writes the pairs)."""

from __future__ import annotations

from genlib.cli import flags


def cmd_collapse(args) -> int:
    from genlib.features import compare as cmp
    from genlib.images import grid

    view = cmp.explain_collapse(args.dataset, args.model, args.seed, args.n)
    most = max(c for _, c in view.histogram) or 1
    print(f"{args.model}/{args.dataset}: samples read as each class")
    for name, count in view.histogram:
        print(f"  {name[:14]:<14} {count:>6}  {'█' * round(40 * count / most)}")
    width = max(len(r[0]) for r in view.table)
    print(f"\n  {'':<{width}}  {cmp.COLLAPSE_HEADERS[1]:>12}  {cmp.COLLAPSE_HEADERS[2]:>18}")
    for figure, model, real in view.table:
        print(f"  {figure:<{width}}  {model:>12}  {real:>18}")
    print(f"\n{view.caption}")
    if args.out:
        import numpy as np

        pairs = np.stack([np.asarray(image) for image, _ in view.pairs])
        grid(pairs, nrow=4).save(args.out)
        print(f"wrote {len(pairs)} sample | nearest-training-image pairs to {args.out}")
    return 0


def add(sub) -> None:
    from genlib.data import DATASETS
    from genlib.features import compare as cmp

    s = sub.add_parser("collapse", help="mode collapse and memorisation: class histogram, recall vs the floor, copies")
    s.add_argument("model")
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    flags.add(s, cmp.SEED)
    flags.add(s, cmp.COLLAPSE_N)
    s.add_argument("--out", help="write the sample | nearest-training-image pairs to this .png")
    s.set_defaults(func=cmd_collapse)
