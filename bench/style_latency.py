"""Style transfer: fast stylisation latency (built-in styles and style images, 256–1024 px), the classic optimisation
(256 px × 100 steps) and the hostile-upload corpus (decode time per file, the slowest first).

    python bench/style_latency.py [--repeats 10] [--classic-repeats 3] [--json out.json]

Times are wall clock of the stylisation call alone (content already decoded; readouts off), median of warm runs,
plus the first call in a fresh process (which loads the ONNX sessions).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from common import machine, table  # noqa: E402

from genlib import inputs, style  # noqa: E402
from genlib.errors import GenLabError  # noqa: E402
from genlib.style import fast as fast_mod  # noqa: E402


def timed(fn, repeats: int) -> tuple[float, float, float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--classic-repeats", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    photo = style.preset("astronaut")  # 512 × 512
    big = photo.resize((1024, 1024))
    painting = style.preset("hubble_deep_field")
    t = time.perf_counter()
    style.stylize(photo, 19, size=512, style_distance=False)
    first = time.perf_counter() - t
    rows, out = [], {"machine": machine(), "onnx_threads": fast_mod.threads(), "first_call_s": first}
    cases = [("built-in style", 256, 19, None, 1.0), ("built-in style", 512, 19, None, 1.0),
             ("built-in style", 1024, 19, None, 1.0), ("two built-in styles blended", 512, 3, 19, 1.0),
             ("style image", 512, painting, None, 1.0), ("style image", 1024, painting, None, 1.0),
             ("style image, strength 0.5", 512, painting, None, 0.5)]
    for name, size, s, b, strength in cases:
        src = big if size > 512 else photo
        style.stylize(src, s, style_b=b, strength=strength, size=size, style_distance=False)  # warm this shape
        med, lo, hi = timed(lambda: style.stylize(src, s, style_b=b, strength=strength, size=size,
                                                  style_distance=False), args.repeats)
        rows.append([name, f"{size}×{size}", f"{med:.3f}", f"{lo:.3f}–{hi:.3f}"])
        out[f"fast {name} {size}"] = med
    print(f"## Fast style transfer ({machine()}, onnxruntime {fast_mod.threads()} threads)\n")
    print(f"First call in a fresh process (loads the network): {first:.2f} s\n")
    print(table(["Fast", "size", "median s", "min–max s"], rows))

    crow = []
    times = []
    for _ in range(args.classic_repeats):
        r = style.run_classic(photo, "preset:hubble_deep_field", size=256, steps=100, style_distance=False)
        times.append(r.readouts.seconds)
    crow.append(["Gatys, Inception features", "256×256", "100", f"{statistics.median(times):.1f}",
                 f"{min(times):.1f}–{max(times):.1f}"])
    out["classic 256 x 100 median_s"] = statistics.median(times)
    print("\n" + table(["Classic", "size", "steps", "median s", "min–max s"], crow))

    # what the readouts say, same content (astronaut): fast 512 px and classic 256 px × 100 steps
    rrows = []
    for name, r in (("fast, built-in style 19", style.stylize(photo, 19, size=512)),
                    ("fast, Hubble picture, strength 0.7", style.stylize(photo, painting, strength=0.7, size=512)),
                    ("fast, Hubble picture, strength 1", style.stylize(photo, painting, size=512)),
                    ("classic, Hubble picture, 100 steps", style.run_classic(photo, painting, size=256, steps=100))):
        ro = r.readouts
        rrows.append([name, f"{ro.psnr:.2f}", f"{ro.ssim:.3f}", f"{ro.style_before:.3f} → {ro.style_after:.3f}"])
        out[f"readouts {name}"] = ro.as_dict()
    print("\n" + table(["result (astronaut)", "PSNR dB", "SSIM", "style distance"], rrows))

    from hostile_corpus import corpus

    files = corpus()
    res = []
    for case in files:
        t = time.perf_counter()
        try:
            inputs.read_image(case.data).convert("RGB")
            verdict = "decoded"
        except GenLabError as e:
            verdict = "refused: " + str(e)[:60]
        res.append((time.perf_counter() - t, case.name, verdict))
    res.sort(reverse=True)
    out["hostile"] = {"files": len(files), "max_s": res[0][0], "median_s": statistics.median(r[0] for r in res),
                      "refused": sum(r[2].startswith("refused") for r in res)}
    print(f"\n## Hostile uploads: {len(files)} files, {out['hostile']['refused']} refused, the rest decoded; "
          f"median {out['hostile']['median_s'] * 1000:.1f} ms, slowest {res[0][0] * 1000:.0f} ms\n")
    print(table(["slowest files", "ms", "verdict"], [[n, f"{s * 1000:.1f}", v] for s, n, v in res[:6]]))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
