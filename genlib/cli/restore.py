"""`genlib restore IMAGE --mode denoise|inpaint`: diffusion restoration with PSNR/SSIM; the flags are the
Restoration controls (`genlib.features.diffusion`)."""

from __future__ import annotations

import json
from pathlib import Path

from genlib.cli import flags
from genlib.features import diffusion as dif
from genlib.features.menus import class_id


def cmd_restore(args) -> int:
    import numpy as np
    from PIL import Image

    from genlib.pipelines import restore as restoration
    from genlib.errors import GenLabError
    from genlib.images import grid
    from genlib.serving import load

    out = Path(args.out)
    if out.suffix != ".png":
        raise GenLabError(f"--out must end in .png; got {out.name}")
    if args.image.startswith("test:"):
        from genlib.features.diffusion import test_image

        image = test_image(args.dataset, args.image[5:])
    else:
        image = restoration.prepare_image(args.image, args.dataset)
    mask = args.mask
    if args.mode == "inpaint" and mask not in restoration.MASKS:
        from genlib.inputs import read_image

        mask = np.asarray(read_image(mask, background=0).convert("L")) > 127  # white = missing
    model, _ = load(args.model, args.dataset)
    if args.as_is:
        sigma = args.sigma if flags.given(args, "--sigma", "--noise") else None  # none given: estimated
        result = restoration.restore(model, image, args.mode, sigma=sigma, mask=mask,
                                     label=class_id(args.klass), steps=args.steps, resample=args.resample,
                                     seed=args.seed)
    else:
        result = restoration.corrupt_and_restore(model, image, args.mode, sigma=args.sigma, mask=mask,
                                                 label=class_id(args.klass), steps=args.steps, resample=args.resample,
                                                 seed=args.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(result.restored).save(out)
    if args.strip:
        shown = [a for a in (result.reference, result.corrupted, result.restored) if a is not None]
        grid(np.stack(shown), nrow=len(shown), scale=4).save(args.strip)
    if args.json:
        print(json.dumps({"mode": args.mode, "sigma": result.sigma, "sigma_estimated": result.sigma_estimated,
                          **result.metrics}))
    else:
        noise = f" (noise σ {result.sigma:.3f}{', estimated' if result.sigma_estimated else ''})" \
            if result.sigma is not None else ""
        print(f"{args.mode}{noise}: {result.summary()}; wrote {out}")
    return 0


def add(sub) -> None:
    s = sub.add_parser("restore", help="diffusion restoration: denoise or inpaint an image, with PSNR/SSIM")
    s.add_argument("image", help="an image file, or test:N for test image N of --dataset")
    flags.add(s, dif.TASK, required=True)
    s.add_argument("--dataset", default="mnist", choices=["mnist", "fashion"], help="which model (default mnist)")
    s.add_argument("--model", default="ddpm")
    flags.add(s, dif.SIGMA, "--noise", help="denoise: std of the Gaussian noise GenLab adds, in [0, 1] pixel units")
    s.add_argument("--mask", default=dif.MASK.default,
                   help="inpaint: center, left, right, top, bottom, random, or a mask image (white = missing)")
    s.add_argument("--as-is", action="store_true",
                   help="the image is already corrupted: restore it as it is (denoise: --sigma, or estimated when "
                        "--sigma is not given; inpaint: --mask marks the missing pixels); no PSNR without a reference")
    flags.add(s, dif.HINT, "--class", type=int, choices=None, help="class hint (default -1: none)")
    flags.add(s, dif.STEPS)
    flags.add(s, dif.RESAMPLE)
    flags.add(s, dif.SEED)
    s.add_argument("--strip", help="also write clean | corrupted | restored side by side to this .png")
    s.add_argument("--json", action="store_true", help="print the metrics as JSON")
    s.add_argument("--out", required=True, help="the restored 28×28 image (.png)")
    s.set_defaults(func=cmd_restore)
