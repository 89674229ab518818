"""`genlib sample MODEL --dataset D --out x.png|x.npz`: seeded samples; every sampling control a model declares
is a flag (`--temperature`, `--steps`, `--guidance`, …), taken by the models that declare it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from genlib.cli import flags
from genlib.cli.flags import int_arg
from genlib.features.generate import model_params


def cmd_sample(args) -> int:
    import numpy as np

    from genlib.images import grid
    from genlib.serving import generate

    out = Path(args.out)
    if out.suffix not in (".png", ".npz"):
        print(f"genlib: --out must end in .png (a grid) or .npz (arrays); got {out.name}", file=sys.stderr)
        return 2
    params = {}
    for item in args.param or []:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"genlib: --param takes NAME=VALUE; got {item!r}", file=sys.stderr)
            return 2
        params[name.strip()] = value.strip()
    for p in model_params():
        if p.name not in ("seed", "n") and hasattr(args, p.name):  # given on the command line
            params[p.name] = getattr(args, p.name)
    if flags.given(args, "--mix-a", "--mix-b", "--crossover"):
        return _style_mix(args, params, out)
    from genlib.data import dataset_info

    label = args.class_  # a class id is checked by the model (range, conditional or not); a name is looked up
    if label is not None:
        label = int(label) if label.lstrip("-").isdigit() else dataset_info(args.dataset).class_index(label)
    result = generate(args.model, args.dataset, n=args.n, seed=args.seed, labels=label, **params)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".png":
        grid(result.images, scale=args.scale).save(out)
    else:
        np.savez_compressed(out, images=result.images, labels=result.labels)
    print(f"wrote {len(result.images)} samples of {args.model}/{args.dataset} to {out} "
          f"({result.seconds * 1000:.0f} ms)")
    return 0


def _style_mix(args, params: dict, out: Path) -> int:
    """`--mix-a 1,2,3 --mix-b 4,5 --crossover 2`: StyleGAN's style-mixing grid, as the Latent Lab draws it."""
    from genlib.features import lab

    if out.suffix != ".png":
        print(f"genlib: the style-mixing grid is a picture; give --out a .png name (got {out.name})", file=sys.stderr)
        return 2
    image, caption = lab.style_mix(args.dataset, args.model, args.mix_a, args.mix_b, args.crossover,
                                   params.get("truncation", lab.TRUNCATION.default),
                                   params.get("noise", lab.NOISE.default), scale=args.scale)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out)
    print(f"wrote the style-mixing grid of {args.model}/{args.dataset} to {out}. {caption}")
    return 0


def add(sub) -> None:
    from genlib.features import lab

    from genlib.data import DATASETS

    s = sub.add_parser("sample", help="sample images to a .png grid or .npz arrays")
    s.add_argument("model")
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    s.add_argument("--class", dest="class_", help="conditional models: a class id, name or short name, e.g. 7 or "
                                                  "animals-nature (default: random)")
    for p in model_params():  # seed and n for every model; the rest only where the model declares them
        flags.add(s, p, **({} if p.name in ("seed", "n") else {"default": argparse.SUPPRESS}))
    for c in lab.MIX:  # style mixing (StyleGAN); --truncation and --noise are the model's own flags above
        if c.name not in ("truncation", "noise"):
            flags.add(s, c)
    s.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="any generation control the model declares, e.g. --param prior=standard (repeatable)")
    s.add_argument("--scale", type=int_arg("--scale", 1, 16), default=2, help="grid upscaling for .png")
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_sample)
