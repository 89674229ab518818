"""`genlib walk MODEL --dataset D --seeds 1,2,3 --out walk.gif|mp4`: a latent walk through keyframes; the flags
are the Latent Lab's walk controls."""

from __future__ import annotations

import time

from genlib.cli import flags
from genlib.features import lab


def cmd_walk(args) -> int:
    from genlib import latent

    start = time.perf_counter()
    seeds = lab.parse_ints(args.seeds, "Keyframe seeds")
    classes = lab.parse_ints(args.classes, "Classes") if args.classes else None
    if args.klass is not None:
        classes = [args.klass]
    frames = latent.seed_walk(args.model, args.dataset, seeds, classes, args.frames, args.loop, args.mode)
    out = latent.export(frames, args.out, fps=args.fps, size=args.size, loop=True)
    print(f"wrote {len(frames)} frames of {args.model}/{args.dataset} ({args.mode}{', loop' if args.loop else ''}) "
          f"to {out} ({time.perf_counter() - start:.2f} s)")
    return 0


def add(sub) -> None:
    from genlib.data import DATASETS

    s = sub.add_parser("walk", help="a latent walk through seeds, exported as GIF or MP4")
    s.add_argument("model")
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    flags.add(s, lab.SEEDS, help="keyframe seeds, e.g. 1,2,3")
    s.add_argument("--class", dest="klass", type=int, help="conditional models: one class for every keyframe")
    flags.add(s, lab.CLASSES, help="conditional models: a class per keyframe, e.g. 3,8,3")
    for c in (lab.FRAMES, lab.MODE, lab.LOOP, lab.FPS, lab.SIZE):
        flags.add(s, c)
    s.add_argument("--out", required=True, help="walk.gif or walk.mp4")
    s.set_defaults(func=cmd_walk)
