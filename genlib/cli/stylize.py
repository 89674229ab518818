"""`genlib stylize CONTENT --style K | --style-image F --out x.png`: fast (Magenta) or classic (Gatys) style
transfer; the flags are the Style controls (`genlib.features.style`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from genlib.cli import flags
from genlib.features import style as sty


def cmd_stylize(args) -> int:
    from genlib import style
    from genlib.errors import GenLabError

    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg", ".webp"):
        raise GenLabError(f"--out must end in .png, .jpg or .webp; got {out.name}")
    if (args.style is None) == (args.style_image is None):
        raise GenLabError("Give exactly one of --style K (a built-in style, 0–25) or --style-image FILE.")
    chosen = args.style if args.style is not None else args.style_image
    second = args.blend if args.blend is not None else None
    if args.method == "fast":
        size = args.size
        result = style.stylize(args.content, chosen, style_b=second, ratio=args.ratio, strength=args.strength,
                               size=size, style_distance=not args.no_readouts)
    else:
        if second is not None or args.strength != sty.STRENGTH.default:
            raise GenLabError("--blend and --strength are for --method fast; classic uses --style-weight.")
        size = args.size if flags.given(args, "--size") else sty.CLASSIC_SIZE.default
        result = None
        for frame, result in style.classic_stream(args.content, chosen, size=size, steps=args.steps,
                                                  content_weight=args.content_weight, style_weight=args.style_weight,
                                                  tv_weight=args.tv_weight, init=args.init, seed=args.seed,
                                                  every=max(1, args.steps // 10),
                                                  style_distance=not args.no_readouts):
            if not args.json:
                print(f"step {frame.step}/{frame.steps}  content {frame.content_loss:.3f}  "
                      f"style {frame.style_loss:.4f}  {frame.seconds:.1f} s", file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    result.image.save(out)
    if args.compare:
        style.before_after(result).save(args.compare)
    if args.json:
        print(json.dumps({"out": str(out), "method": result.method, **result.settings, **result.readouts.as_dict()}))
    else:
        r = result.readouts
        dist = "" if r.style_after is None else f", style distance {r.style_before:.3f} → {r.style_after:.3f}"
        print(f"{result.method} ({result.settings.get('network', 'Gatys, Inception features')}): "
              f"{result.image.width}×{result.image.height} in {r.seconds:.2f} s; PSNR {r.psnr:.2f} dB, "
              f"SSIM {r.ssim:.3f} vs the content{dist}; wrote {out}")
    return 0


def add(sub) -> None:
    s = sub.add_parser("stylize", help="style transfer of an image: fast (Magenta, 26 built-in styles or any style "
                       "image) or classic (Gatys)")
    s.add_argument("content", help="content image file, or preset:NAME (astronaut, chelsea, coffee, rocket, …)")
    s.add_argument("--style", help="a built-in style, 0–25")
    s.add_argument("--style-image", help="any picture as the style (file or preset:NAME)")
    s.add_argument("--blend", help="a second style (0–25, a file or preset:NAME) mixed in by --ratio (fast)")
    flags.add(s, sty.RATIO)
    flags.add(s, sty.STRENGTH, help="style strength (fast)")
    flags.add(s, sty.SIZE, help=f"longest side of the output in px (classic: default {sty.CLASSIC_SIZE.default}, at "
                                f"most {sty.CLASSIC_SIZE.max})")
    s.add_argument("--method", choices=["fast", "classic"], default="fast")
    for c in sty.CLASSIC[1:]:  # steps and the three weights
        flags.add(s, c, help=f"classic: {c.label.lower()}")
    s.add_argument("--init", choices=["content", "noise"], default="content", help="classic: start image")
    s.add_argument("--seed", type=int, default=0, help="classic with --init noise")
    s.add_argument("--out", required=True, help="output image (.png, .jpg or .webp)")
    s.add_argument("--compare", help="also write content | result side by side here")
    s.add_argument("--no-readouts", action="store_true", help="skip the style distance (needs no Inception weights)")
    s.add_argument("--json", action="store_true", help="print settings and readouts as JSON")
    s.set_defaults(func=cmd_stylize)
