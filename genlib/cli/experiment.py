"""`genlib experiment augment --dataset D`: do generated samples help a small classifier?"""

from __future__ import annotations

import shlex
from pathlib import Path

from genlib.cli.flags import int_arg


def cmd_experiment(args) -> int:
    from genlib.experiments import augment

    cfg = augment.AugmentConfig(dataset=args.dataset, per_class=tuple(args.per_class), seeds=args.seeds,
                                synthetic_per_class=args.synthetic, generators=tuple(args.generators or ()) or None,
                                steps=args.steps, command=shlex.join(["genlib", *args.argv]))
    result = augment.run(cfg)
    out = Path(args.out) if args.out else augment.results_path(args.dataset)
    augment.save(result, out)
    print(f"wrote {out} ({result['wall_time_s']} s)")
    return 0


def add(sub) -> None:
    from genlib.data import DATASETS

    s = sub.add_parser("experiment", help="experiments that use the trained models (augment)")
    s.add_argument("name", choices=["augment"])
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    s.add_argument("--per-class", nargs="+", type=int_arg("--per-class", 1, 6000), default=[20, 100])
    s.add_argument("--seeds", type=int_arg("--seeds", 1, 100), default=3)
    s.add_argument("--synthetic", type=int_arg("--synthetic", 1, 1000), default=500,
                   help="synthetic samples per class from each generator")
    s.add_argument("--generators", nargs="+", help="default: every shipped conditional generator")
    s.add_argument("--steps", type=int_arg("--steps", 1, 10**6), default=600, help="classifier training steps")
    s.add_argument("--out", help="default assets/experiments/augment-DATASET.json (what the UIs show)")
    s.set_defaults(func=cmd_experiment)
