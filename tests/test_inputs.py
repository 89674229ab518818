"""The one validated image decoder: every odd input is normalised correctly or refused with one clear sentence."""

import io
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from genlib import inputs
from genlib.data import load_dataset
from genlib.errors import GenLabError

sys.path.insert(0, str(Path(__file__).parent))


def _png(img: Image.Image, fmt="PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


@pytest.fixture(scope="module")
def digit():
    """A real MNIST test digit (uint8, white on black) and the same digit as a user would draw it (black on white,
    larger, off-centre)."""
    real = load_dataset("mnist", "test").images[0]
    page = np.full((200, 160), 255, np.uint8)
    big = np.asarray(Image.fromarray(255 - real).resize((112, 112), Image.BILINEAR))
    page[10:122, 40:152] = big
    return real, page


def test_drawn_digit_becomes_an_mnist_style_digit(digit):
    real, page = digit
    out = inputs.to_digit(_png(Image.fromarray(page)))
    assert out.shape == (28, 28) and out.dtype == np.uint8
    assert out[0].max() == 0 and out[:, 0].max() == 0, "black background, ink away from the border"
    ys, xs = np.nonzero(out > 50)
    assert 9 <= ys.mean() <= 18 and 9 <= xs.mean() <= 18, "centred by its mass"
    assert np.corrcoef(out.ravel(), real.ravel())[0, 1] > 0.7, "still the same digit"


def test_modes_are_normalised(digit):
    _, page = digit
    ref = inputs.to_digit(Image.fromarray(page))
    rgba = Image.fromarray(page).convert("RGBA")
    variants = {
        "RGBA": rgba,
        "transparent background": Image.fromarray(np.dstack([np.zeros_like(page)] * 3 + [255 - page]), "RGBA"),
        "palette": Image.fromarray(page).convert("P"),
        "16-bit": Image.fromarray(page.astype(np.uint16) * 257),
        "CMYK": Image.fromarray(page).convert("CMYK"),
        "1-bit": Image.fromarray(page).convert("1"),
    }
    for name, img in variants.items():
        out = inputs.to_digit(_png(img, "TIFF" if img.mode == "CMYK" else "PNG"))  # PNG has no CMYK
        floor = 0.8 if img.mode == "1" else 0.9  # 1-bit dithering loses the grey levels
        assert np.corrcoef(out.ravel(), ref.ravel())[0, 1] > floor, name


def test_exif_orientation_is_applied():
    img = np.zeros((40, 80, 3), np.uint8)
    img[:, :40] = 255  # left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    raw = _png(Image.fromarray(img), "JPEG", exif=exif.tobytes(), quality=95)
    shown = np.asarray(inputs.read_image(raw).convert("L"))
    assert shown.shape == (80, 40), "portrait after applying the tag"
    assert shown[:40].mean() > 200 and shown[40:].mean() < 50, "the white half is now on top"


def test_bad_inputs_are_refused_clearly(tmp_path, monkeypatch):
    with pytest.raises(GenLabError, match="not an image"):
        inputs.read_image(b"%PDF-1.4 definitely not a picture")
    with pytest.raises(GenLabError, match="empty"):
        inputs.read_image(b"")
    with pytest.raises(GenLabError, match="limit is 10 MB"):
        inputs.read_image(b"\x89PNG" + b"0" * (inputs.MAX_BYTES + 1))
    big = _png(Image.new("L", (6000, 5000)))  # compresses to a few KB: a decompression bomb in miniature
    with pytest.raises(GenLabError, match="pixels; the limit"):
        inputs.read_image(big)
    with pytest.raises(GenLabError, match="damaged or truncated"):
        inputs.read_image(_png(Image.new("RGB", (64, 64), (9, 9, 9)), "JPEG")[:200])
    with pytest.raises(GenLabError, match="not an image GenLab can read"):
        inputs.read_image(_png(Image.new("RGB", (8, 8)), "PPM"))
    with pytest.raises(GenLabError, match="blank"):
        inputs.to_digit(_png(Image.new("L", (50, 50), 255)))
    with pytest.raises(GenLabError, match="H×W"):
        inputs.read_image(np.zeros((2, 3, 4, 5)))


def test_arrays_and_float_images(digit):
    _, page = digit
    ref = inputs.to_digit(page)
    assert np.array_equal(inputs.to_digit(page.astype(np.float32) / 255), ref)


# ---------------------------------------------------------------- the hostile-upload corpus

def _corpus():
    from hostile_corpus import corpus

    return corpus()


@pytest.fixture(scope="module")
def hostile():
    return _corpus()


def _clean_message(msg: str) -> None:
    assert msg and len(msg) < 240 and "\n" not in msg, msg
    assert "Traceback" not in msg and "/tmp" not in msg and "/work" not in msg and ".py" not in msg, msg


def test_hostile_corpus_each_file_decodes_correctly_or_is_refused_clearly(hostile):
    """≥ 60 generated files (formats, modes, EXIF, animations, bombs, impostors, damage): each gives the right RGB
    picture or one clean sentence. A hang guard (not a speed test: bench/hostile_uploads.py measures the times)."""
    import signal

    assert len(hostile) >= 60
    problems = []

    def hung(*_):
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, hung)
    try:
        for case in hostile:
            signal.alarm(30)
            try:
                got = np.asarray(inputs.read_image(case.data).convert("RGB"))
            except GenLabError as e:
                _clean_message(str(e))
                if case.error is None or not re.search(case.error, str(e)):
                    problems.append(f"{case.name}: refused with {e}")
                continue
            except TimeoutError:
                problems.append(f"{case.name}: hung")
                continue
            finally:
                signal.alarm(0)
            if case.expect is None:
                problems.append(f"{case.name}: accepted, should be refused ({case.error})")
            elif got.shape != case.expect.shape:
                problems.append(f"{case.name}: shape {got.shape}, expected {case.expect.shape}")
            elif np.abs(got.astype(float) - case.expect).mean() > case.tol:
                problems.append(f"{case.name}: mean difference {np.abs(got.astype(float) - case.expect).mean():.1f}")
    finally:
        signal.signal(signal.SIGALRM, old)
    assert not problems, "\n".join(problems)


def test_hostile_corpus_as_files_on_disk(hostile, tmp_path):
    """The same door by path (what the CLI and the front ends pass): messages name no server path."""
    for case in hostile[::7]:
        path = tmp_path / case.name
        path.write_bytes(case.data)
        try:
            inputs.read_image(path)
        except GenLabError as e:
            _clean_message(str(e))
            assert str(tmp_path) not in str(e)
