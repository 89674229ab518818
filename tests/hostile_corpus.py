"""A corpus of hostile and odd uploads, generated on the spot (nothing binary is committed).

``corpus()`` returns ``Case``s: a file name as a user would upload it, its bytes, and what a correct decoder must do:
either return this exact picture (``expect``: H×W×3 uint8, compared with a tolerance ``tol`` for lossy formats), or
refuse it with a message matching ``error``. Used by tests/test_inputs.py and bench/hostile_uploads.py.
"""

from __future__ import annotations

import io
import pickle
import struct
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
from PIL import Image, TiffImagePlugin

BOMB = 20_000  # side of the decompression bombs


@dataclass
class Case:
    name: str
    data: bytes
    expect: np.ndarray | None = None  # the RGB picture a correct decoder returns
    tol: float = 2.0  # mean absolute difference allowed (lossy formats)
    error: str | None = None  # regex the refusal must match


def _save(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def _rgb(img: Image.Image, bg=255) -> np.ndarray:
    if img.mode in ("RGBA", "LA", "PA", "P", "1"):
        img = img.convert("RGBA")
        base = Image.new("RGBA", img.size, (bg, bg, bg, 255))
        img = Image.alpha_composite(base, img)
    return np.asarray(img.convert("RGB"))


def _photo() -> Image.Image:
    from skimage import data

    return Image.fromarray(data.astronaut()).resize((96, 80), Image.LANCZOS)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _png_bomb(w: int, h: int) -> bytes:
    """A valid PNG header claiming w×h greyscale pixels and a few KB of zero rows: never decode it."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (w + 1) * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def _jpeg_with_size(w: int, h: int) -> bytes:
    """A small real JPEG whose SOF header is rewritten to claim w×h."""
    data = bytearray(_save(Image.new("RGB", (16, 16), (200, 30, 30)), "JPEG"))
    i = data.index(b"\xff\xc0")
    data[i + 5:i + 9] = struct.pack(">HH", h, w)
    return bytes(data)


def _gif_bomb(w: int, h: int) -> bytes:
    data = bytearray(_save(Image.new("P", (8, 8)), "GIF"))
    data[6:10] = struct.pack("<HH", w, h)  # logical screen
    i = data.index(b"\x2c")  # image descriptor
    data[i + 5:i + 9] = struct.pack("<HH", w, h)
    return bytes(data)


def _bmp_bomb(w: int, h: int) -> bytes:
    data = bytearray(_save(Image.new("RGB", (4, 4)), "BMP"))
    data[18:26] = struct.pack("<ii", w, h)
    return bytes(data)


def _tiff_bomb(w: int, h: int) -> bytes:
    info = TiffImagePlugin.ImageFileDirectory_v2()
    data = bytearray(_save(Image.new("L", (4, 4)), "TIFF", tiffinfo=info))
    # patch ImageWidth (256) and ImageLength (257) in the first IFD
    ifd = struct.unpack("<I", data[4:8])[0]
    n = struct.unpack("<H", data[ifd:ifd + 2])[0]
    for k in range(n):
        e = ifd + 2 + 12 * k
        tag, typ = struct.unpack("<HH", data[e:e + 4])
        if tag in (256, 257):
            value = w if tag == 256 else h
            data[e + 2:e + 4] = struct.pack("<H", 4)  # LONG
            data[e + 8:e + 12] = struct.pack("<I", value)
    return bytes(data)


def _webp_bomb() -> bytes:
    data = bytearray(_save(Image.new("RGBA", (8, 8), (1, 2, 3, 128)), "WEBP", lossless=True, exif=_exif(1)))
    assert data[12:16] == b"VP8X"
    data[24:30] = (16383 - 1).to_bytes(3, "little") * 2  # the canvas claims 16383 × 16383
    return bytes(data)


def _exif(orientation: int, pad: int = 0) -> bytes:
    ex = Image.Exif()
    ex[0x0112] = orientation
    if pad:
        ex[0x010E] = "x" * pad  # ImageDescription: a big EXIF block
    return ex.tobytes()


def _orient(a: np.ndarray, o: int) -> np.ndarray:
    """What EXIF orientation ``o`` means: the stored pixels → the picture as taken."""
    img = Image.fromarray(a)
    t = {2: [Image.Transpose.FLIP_LEFT_RIGHT], 3: [Image.Transpose.ROTATE_180], 4: [Image.Transpose.FLIP_TOP_BOTTOM],
         5: [Image.Transpose.TRANSPOSE], 6: [Image.Transpose.ROTATE_270], 7: [Image.Transpose.TRANSVERSE],
         8: [Image.Transpose.ROTATE_90]}.get(o, [])
    for op in t:
        img = img.transpose(op)
    return np.asarray(img)


def corpus() -> list[Case]:
    photo = _photo()
    rgb = np.asarray(photo)
    grey = photo.convert("L")
    cases: list[Case] = []
    add = cases.append

    # ---- every allowed format, plain
    add(Case("photo.png", _save(photo, "PNG"), rgb, 0))
    add(Case("photo.jpg", _save(photo, "JPEG", quality=95), rgb, 4))
    add(Case("photo.bmp", _save(photo, "BMP"), rgb, 0))
    add(Case("photo.webp", _save(photo, "WEBP", lossless=True), rgb, 0))
    add(Case("photo_lossy.webp", _save(photo, "WEBP", quality=90), rgb, 6))
    add(Case("photo.tif", _save(photo, "TIFF"), rgb, 0))
    add(Case("photo_lzw.tif", _save(photo, "TIFF", compression="tiff_lzw"), rgb, 0))
    gif = photo.convert("P", palette=Image.Palette.ADAPTIVE)
    add(Case("photo.gif", _save(gif, "GIF"), _rgb(gif), 0))
    add(Case("tiny_1x1.png", _save(Image.new("RGB", (1, 1), (10, 20, 30)), "PNG"),
             np.array([[[10, 20, 30]]], np.uint8), 0))
    add(Case("wrong_extension.jpg", _save(photo, "PNG"), rgb, 0))  # a PNG named .jpg: judged by content

    # ---- every mode
    add(Case("mode_L.png", _save(grey, "PNG"), _rgb(grey), 0))
    one = grey.point(lambda v: 255 if v > 128 else 0).convert("1")
    add(Case("mode_1.png", _save(one, "PNG"), _rgb(one), 0))
    add(Case("mode_1.bmp", _save(one, "BMP"), _rgb(one), 0))
    add(Case("mode_1.tif", _save(one, "TIFF", compression="group4"), _rgb(one), 0))
    add(Case("mode_P.png", _save(gif, "PNG"), _rgb(gif), 0))
    add(Case("mode_P.bmp", _save(gif, "BMP"), _rgb(gif), 0))
    half = photo.convert("RGBA")
    alpha = np.tile(np.linspace(0, 255, 96).astype(np.uint8), (80, 1))
    half.putalpha(Image.fromarray(alpha))
    add(Case("mode_RGBA.png", _save(half, "PNG"), _rgb(half), 1))
    add(Case("mode_RGBA.webp", _save(half, "WEBP", lossless=True), _rgb(half), 1))
    add(Case("mode_RGBA.tif", _save(half, "TIFF"), _rgb(half), 1))
    la = grey.convert("LA")
    la.putalpha(Image.fromarray(alpha))
    add(Case("mode_LA.png", _save(la, "PNG"), _rgb(la), 1))
    pa = gif.copy()
    pa.info["transparency"] = 0
    add(Case("mode_P_transparent.png", _save(pa, "PNG"), _rgb(pa.convert("RGBA")), 1))
    add(Case("mode_P_transparent.gif", _save(pa, "GIF"), _rgb(pa.convert("RGBA")), 1))
    cmyk = photo.convert("CMYK")
    add(Case("mode_CMYK.jpg", _save(cmyk, "JPEG", quality=95), np.asarray(cmyk.convert("RGB")), 6))
    add(Case("mode_CMYK.tif", _save(cmyk, "TIFF"), np.asarray(cmyk.convert("RGB")), 1))
    ycc = photo.convert("YCbCr")
    # PIL writes YCbCr TIFFs without the subsampling its reader assumes: decoded right or refused as damaged
    add(Case("mode_YCbCr.tif", _save(ycc, "TIFF"), rgb, 3, error="damaged"))
    lab = photo.convert("LAB") if hasattr(Image, "core") else None
    if lab is not None:
        add(Case("mode_LAB.tif", _save(lab, "TIFF"), rgb, 12))
    # 16-bit greyscale: a full-range ramp must come back as a full-range ramp (scaled, not clipped at 255)
    ramp16 = np.tile(np.linspace(0, 65535, 96).astype(np.uint16), (80, 1))
    want16 = np.repeat(np.round(ramp16 / 257.0).astype(np.uint8)[..., None], 3, -1)
    add(Case("mode_I16.png", _save(Image.fromarray(ramp16), "PNG"), want16, 1))
    add(Case("mode_I16.tif", _save(Image.fromarray(ramp16), "TIFF"), want16, 1))
    ramp32 = np.tile(np.linspace(-1000, 3_000_000, 96).astype(np.int32), (80, 1))
    want32 = np.repeat(np.round((ramp32 + 1000) / 3_001_000 * 255).astype(np.uint8)[..., None], 3, -1)
    add(Case("mode_I32.tif", _save(Image.fromarray(ramp32, "I"), "TIFF"), want32, 1))
    rampf = np.tile(np.linspace(-0.5, 2.0, 96).astype(np.float32), (80, 1))
    wantf = np.repeat(np.round((rampf + 0.5) / 2.5 * 255).astype(np.uint8)[..., None], 3, -1)
    add(Case("mode_F.tif", _save(Image.fromarray(rampf, "F"), "TIFF"), wantf, 1))
    rgb16 = np.asarray(photo).astype(np.uint16) * 257  # 16 bits per channel RGB (PNG)
    raw16 = _png_rgb16(rgb16)
    add(Case("mode_RGB48.png", raw16, rgb, 1))

    # ---- EXIF orientation: all eight, on JPEG, and on PNG/WebP; a bogus tag; a huge EXIF block
    for o in range(1, 9):
        add(Case(f"exif_orientation_{o}.jpg", _save(photo, "JPEG", quality=95, exif=_exif(o)), _orient(rgb, o), 4))
    add(Case("exif_orientation_6.png", _save(photo, "PNG", exif=_exif(6)), _orient(rgb, 6), 0))
    add(Case("exif_orientation_8.webp", _save(photo, "WEBP", lossless=True, exif=_exif(8)), _orient(rgb, 8), 0))
    add(Case("exif_orientation_0.jpg", _save(photo, "JPEG", quality=95, exif=_exif(0)), rgb, 4))
    add(Case("exif_orientation_99.jpg", _save(photo, "JPEG", quality=95, exif=_exif(99)), rgb, 4))
    add(Case("exif_huge_60KB.jpg", _save(photo, "JPEG", quality=95, exif=_exif(6, 60_000)), _orient(rgb, 6), 4))
    add(Case("exif_huge_8MB.png", _save(photo, "PNG", exif=_exif(3, 8_000_000)), _orient(rgb, 3), 0))
    broken = bytearray(_save(photo, "JPEG", quality=95, exif=_exif(6)))
    j = broken.index(b"Exif\x00\x00") + 6
    broken[j + 4:j + 8] = b"\xff\xff\xff\x7f"  # the IFD offset points far past the end
    add(Case("exif_corrupt.jpg", bytes(broken), rgb, 4))

    # ---- animations and multi-page: the first frame
    frames = [photo, photo.transpose(Image.Transpose.ROTATE_180), Image.new("RGB", photo.size, (0, 255, 0))]
    add(Case("animated.gif", _save(frames[0].convert("P", palette=Image.Palette.ADAPTIVE), "GIF", save_all=True,
                                   append_images=[f.convert("P", palette=Image.Palette.ADAPTIVE) for f in frames[1:]],
                                   duration=100, loop=0), rgb, 8))
    add(Case("animated.png", _save(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100), rgb, 0))
    add(Case("animated.webp", _save(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True,
                                    duration=100), rgb, 0))
    add(Case("multipage.tif", _save(frames[0], "TIFF", save_all=True, append_images=frames[1:]), rgb, 0))

    # ---- not images, or not allowed
    add(Case("empty.png", b"", error="empty"))
    add(Case("one_byte.png", b"\x89", error="not an image"))
    add(Case("page.html.png", b"<!doctype html><html><body><script>alert(1)</script></body></html>",
             error="not an image"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "hello")
    add(Case("archive.zip.png", buf.getvalue(), error="not an image"))
    add(Case("payload.pickle.png", pickle.dumps({"a": 1}), error="not an image"))
    add(Case("doc.pdf.png", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", error="not an image"))
    add(Case("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
             error="not an image"))
    add(Case("script.sh.jpg", b"#!/bin/sh\nrm -rf /\n", error="not an image"))
    add(Case("random_bytes.png", np.random.default_rng(0).bytes(4096), error="not an image"))
    add(Case("photo.ppm", _save(photo, "PPM"), error="not an image"))
    add(Case("photo.ico", _save(photo, "ICO"), error="not an image"))
    add(Case("photo.tga", _save(photo, "TGA"), error="not an image"))
    add(Case("photo.pcx", _save(photo, "PCX"), error="not an image"))
    add(Case("fake_eps.png", b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n", error="not an image"))
    add(Case("too_big_11MB.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (11 * 2**20), error="limit is 10 MB"))

    # ---- decompression bombs and lying headers: refused from the header, never inflated
    add(Case("bomb_20000x20000.png", _png_bomb(BOMB, BOMB), error="pixels"))
    add(Case("bomb_6000x5000_real.png", _save(Image.new("L", (6000, 5000)), "PNG", optimize=True), error="pixels"))
    add(Case("bomb_20000x20000.jpg", _jpeg_with_size(BOMB, BOMB), error="pixels"))
    add(Case("bomb_20000x20000.gif", _gif_bomb(BOMB, BOMB), error="pixels"))
    add(Case("bomb_20000x20000.bmp", _bmp_bomb(BOMB, BOMB), error="pixels|damaged"))
    add(Case("bomb_20000x20000.tif", _tiff_bomb(BOMB, BOMB), error="pixels"))
    add(Case("bomb_16383x16383.webp", _webp_bomb(), error="pixels|damaged"))
    add(Case("bomb_1x30000000.png", _png_bomb(1, 30_000_000), error="pixels"))
    ztxt = b"Comment\x00\x00" + zlib.compress(b"A" * 50_000_000, 9)  # a 50 MB text chunk in 50 KB
    good = _save(photo, "PNG")
    add(Case("bomb_text_chunk.png", good[:33] + _chunk(b"zTXt", ztxt) + good[33:], rgb, 0, error="damaged"))

    # ---- damaged files
    png = _save(photo, "PNG")
    add(Case("truncated.png", png[: len(png) // 2], error="damaged or truncated"))
    jpg = _save(photo, "JPEG", quality=95)
    add(Case("truncated.jpg", jpg[: len(jpg) // 2], error="damaged or truncated"))
    add(Case("truncated.gif", _save(gif, "GIF")[:300], error="damaged or truncated"))
    add(Case("truncated.tif", _save(photo, "TIFF")[:2000], error="damaged or truncated"))
    add(Case("truncated.webp", _save(photo, "WEBP", lossless=True)[:200], error="damaged|not an image"))
    add(Case("header_only.png", png[:33], error="damaged or truncated"))
    bad_crc = bytearray(png)
    bad_crc[29:33] = b"\x00\x00\x00\x00"
    add(Case("bad_crc.png", bytes(bad_crc), error="damaged or truncated|not an image"))
    zero_size = bytearray(png)
    zero_size[16:24] = struct.pack(">II", 0, 0)
    add(Case("zero_by_zero.png", _fix_ihdr_crc(bytes(zero_size)), error="empty|damaged|not an image"))
    return cases


def _png_rgb16(a: np.ndarray) -> bytes:
    """A 16-bit-per-channel RGB PNG written by hand (PIL cannot write RGB;16)."""
    h, w, _ = a.shape
    raw = b"".join(b"\x00" + a[y].astype(">u2").tobytes() for y in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", zlib.compress(raw))
            + _chunk(b"IEND", b""))


def _fix_ihdr_crc(png: bytes) -> bytes:
    body = png[12:29]
    return png[:29] + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF) + png[33:]
