"""Peak memory of one upload through genlib.inputs, over Pillow's own test images, GenLab's hostile corpus and
the largest pictures GenLab accepts.

For every file: the process's resident-set peak is reset (Linux /proc/self/clear_refs), freed memory is handed back
to the OS (malloc_trim), then the file goes through what the front ends do with an upload — ``read_image`` (checks,
decode, orientation, modes) and ``to_digit`` (the 28×28 digit every model reads) — and the peak above the resident
set before the call is recorded. Pillow's corpus is the ``Tests/images`` folder of Pillow's source release, fetched
once from the package registry with pip into ~/.cache/genlab/pillow-tests (the installed Pillow's version).

    python bench/upload_memory.py [--limit-mb 150] [--json out.json]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import PIL

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench.common import machine, table  # noqa: E402
from genlib import inputs  # noqa: E402
from genlib.errors import GenLabError  # noqa: E402

CACHE = Path.home() / ".cache" / "genlab" / "pillow-tests"
_libc = ctypes.CDLL("libc.so.6")


def pillow_corpus() -> list[Path]:
    folder = CACHE / PIL.__version__
    if not folder.is_dir():
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:", "--no-deps",
                            f"pillow=={PIL.__version__}", "-d", tmp], check=True)
            sdist = next(Path(tmp).glob("pillow-*.tar.gz"))
            with tarfile.open(sdist) as tar:
                members = [m for m in tar.getmembers() if "/Tests/images/" in m.name and m.isfile()]
                for m in members:
                    m.name = m.name.split("/Tests/images/", 1)[1]
                tar.extractall(folder, members=members, filter="data")
    return sorted(p for p in folder.rglob("*") if p.is_file())


def largest_accepted() -> list[tuple[str, bytes]]:
    """The largest pictures GenLab accepts (5000 × 5000 = MAX_PIXELS), in the formats and modes that cost the most
    memory to decode: smooth content, so each file stays under the 10 MB upload limit."""
    import io

    import numpy as np
    from PIL import Image

    side = int(inputs.MAX_PIXELS ** 0.5)
    ramp = np.linspace(0, 255, side, dtype=np.float32)
    rgb = np.stack([np.add.outer(ramp, ramp) / 2, np.tile(ramp, (side, 1)), np.tile(ramp[:, None], (1, side))],
                   -1).astype(np.uint8)
    out = []

    def save(name, img, fmt, **kw):
        buf = io.BytesIO()
        img.save(buf, format=fmt, **kw)
        if buf.tell() <= inputs.MAX_BYTES:
            out.append((name, buf.getvalue()))

    save("rgba_5000.png", Image.fromarray(np.dstack([rgb, rgb[..., :1]]), "RGBA"), "PNG", optimize=False)
    save("rgb_5000.jpg", Image.fromarray(rgb), "JPEG", quality=85)
    save("cmyk_5000.jpg", Image.fromarray(rgb).convert("CMYK"), "JPEG", quality=85)
    save("grey16_5000.png", Image.fromarray((np.add.outer(ramp, ramp) * 128).astype(np.uint16)), "PNG")
    save("fax_5000.tif", Image.fromarray(rgb[..., 0] > 128).convert("1"), "TIFF", compression="group4")
    save("palette_5000.gif", Image.fromarray(rgb).quantize(64), "GIF")
    save("rgb_5000.webp", Image.fromarray(rgb), "WEBP", quality=80)
    save("rgb_5000.bmp", Image.fromarray(rgb[:1800]), "BMP")  # BMP is uncompressed: the largest under 10 MB
    return out


def _kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def peak_mb(data: bytes) -> tuple[float, str]:
    """(peak resident memory above the start, in MB; 'ok' or the refusal) for one upload."""
    _libc.malloc_trim(0)
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current resident set
    before = _kib("VmRSS")
    try:
        inputs.read_image(data)
        inputs.to_digit(data)
        outcome = "ok"
    except GenLabError as e:
        outcome = "refused: " + str(e)[:60]
    return (_kib("VmHWM") - before) / 1024, outcome


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit-mb", type=float, default=150.0)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from hostile_corpus import corpus

    sets = {"Pillow Tests/images": [(p.name, p.read_bytes()) for p in pillow_corpus()],
            "hostile corpus": [(c.name, c.data) for c in corpus()], "largest accepted (25 MP)": largest_accepted()}
    peak_mb(b"warm-up")  # imports and first allocations are not an upload's cost
    inputs.read_image(next(d for _, d in sets["hostile corpus"] if d[:4] == b"\x89PNG"))
    rows, report, worst_all = [], {}, 0.0
    t0 = time.perf_counter()
    for label, files in sets.items():
        results = []
        for name, data in files:
            mb, outcome = peak_mb(data)
            results.append((mb, name, len(data), outcome))
        results.sort(reverse=True)
        over = [r for r in results if r[0] > args.limit_mb]
        worst_all = max(worst_all, results[0][0])
        accepted = sum(r[3] == "ok" for r in results)
        rows.append([label, len(results), accepted, len(results) - accepted, f"{results[0][0]:.1f}",
                     f"{sorted(r[0] for r in results)[len(results) // 2]:.1f}", len(over)])
        report[label] = {"files": len(results), "accepted": accepted, "worst": [
            {"name": n, "bytes": b, "peak_mb": round(m, 1), "outcome": o} for m, n, b, o in results[:8]]}
    print(f"Machine: {machine()}; Pillow {PIL.__version__}; {time.perf_counter() - t0:.0f} s\n")
    print(table(["corpus", "files", "accepted", "refused", "worst peak MB", "median peak MB",
                 f"over {args.limit_mb:g} MB"], rows))
    for label, r in report.items():
        print(f"\nlargest peaks, {label}:")
        for w in r["worst"][:5]:
            print(f"  {w['peak_mb']:7.1f} MB  {w['name']} ({w['bytes']:,} bytes) {w['outcome']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))
    sys.exit(0 if worst_all <= args.limit_mb else 1)


if __name__ == "__main__":
    main()
