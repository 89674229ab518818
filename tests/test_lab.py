"""Latent Lab in both front ends: shared actions in-process, the Gradio tab in a real Chromium, the Streamlit page."""

import io

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT
from genlib.data import load_dataset
from genlib.errors import GenLabError
from genlib.features import lab


def test_actions_in_process():
    a = lab.seed_point("mnist", "cdcgan", 1, 3)
    b = lab.seed_point("mnist", "cdcgan", 2, 8)
    mid_slerp = np.asarray(lab.frame("mnist", "cdcgan", a, b, 0.5, "slerp"))
    mid_lerp = np.asarray(lab.frame("mnist", "cdcgan", a, b, 0.5, "lerp"))
    assert mid_slerp.shape == (28 * lab.SHOW, 28 * lab.SHOW) and not np.array_equal(mid_slerp, mid_lerp)
    kids, shown = lab.children("mnist", "cdcgan", a, b, 6, 0.3, 1)
    assert len(kids) == len(shown) == 6
    assert lab.class_row("mnist", "cdcgan", a).size[0] > 10 * 28
    image, caption = lab.direction_edit("mnist", "cdcgan", a, [1.5, 0, 0, 0, 0])
    assert "principal components" in caption and not np.array_equal(np.asarray(image), np.asarray(
        lab.frame("mnist", "cdcgan", a, b, 0.0, "slerp")))
    with pytest.raises(GenLabError, match="at least 2 seeds"):
        lab.export_walk("mnist", "vae", "5", "", 10, 10, 56, True, "slerp", "gif")
    with pytest.raises(GenLabError, match="whole numbers"):
        lab.export_walk("mnist", "vae", "1,x", "", 10, 10, 56, True, "slerp", "gif")


def test_drawing_is_encoded_and_reconstructed():
    digit = load_dataset("mnist", "test").images[3]
    page = 255 - np.asarray(Image.fromarray(digit).resize((280, 280), Image.BILINEAR))  # black ink on white
    enc = lab.encode_drawing("mnist", "vae", {"composite": page, "background": None, "layers": []})
    assert enc.point.z.shape == (16,) and "PSNR" in enc.caption and "SSIM" in enc.caption
    assert np.corrcoef(enc.digit.ravel(), enc.reconstruction.ravel())[0, 1] > 0.7
    with pytest.raises(GenLabError, match="no encoder"):
        lab.encode_drawing("mnist", "dcgan", page)
    with pytest.raises(GenLabError, match="Draw something"):
        lab.encode_drawing("mnist", "vae", {"composite": None, "background": None, "layers": []})
    with pytest.raises(GenLabError, match="blank"):
        lab.encode_drawing("mnist", "vae", np.full((100, 100), 255, np.uint8))


def test_latent_map_click_decodes_that_point():
    view = lab.map_view("fashion")
    side = view.image.size[0]
    z, image, caption = lab.map_pick("fashion", side / 2, side / 4)
    assert abs(z[0]) < 0.01 and z[1] == pytest.approx(lab.MAP_SPAN / 2) and "z = (" in caption
    with pytest.raises(GenLabError, match="inside the map"):
        lab.map_pick("fashion", -5, 10)


def _img_src(page, selector):
    loc = page.locator(f"{selector} img")
    return loc.get_attribute("src") if loc.count() else None


@pytest.mark.browser
def test_real_browser_slider_toggle_and_exports(server, chromium_page, tmp_path):
    from playwright.sync_api import expect

    page = chromium_page
    page.goto(server, wait_until="load")
    page.get_by_role("tab", name="Latent Lab").click(timeout=30_000)
    page.locator("#lab-show").click()
    expect(page.locator("#lab-image img")).to_be_visible(timeout=30_000)
    # drag the slider thumb with the mouse: the image follows
    before = _img_src(page, "#lab-image")
    track = page.locator("#lab-t input[type=range]")
    box = track.bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.5, y)
    page.mouse.down()
    seen = set()
    for frac in (0.4, 0.3, 0.2, 0.1):
        page.mouse.move(box["x"] + box["width"] * frac, y, steps=4)
        page.wait_for_timeout(150)
        seen.add(_img_src(page, "#lab-image"))
    page.mouse.up()
    page.wait_for_function("([sel, old]) => { const i = document.querySelector(sel); return i && i.src !== old; }",
                           arg=["#lab-image img", before], timeout=10_000)
    assert len(seen - {before}) >= 1, "the image changed while dragging"
    # the toggle changes the midpoint
    track.fill("0.5")
    page.wait_for_timeout(500)
    mid_slerp = _img_src(page, "#lab-image")
    page.locator("#lab-mode").get_by_text("lerp", exact=True).click()
    page.wait_for_function("([sel, old]) => document.querySelector(sel).src !== old",
                           arg=["#lab-image img", mid_slerp], timeout=10_000)
    # exports download and decode to the requested number of frames
    page.get_by_text("Walk through keyframes → GIF / MP4").click()
    box, slider = page.locator("#lab-frames input[type=number]"), page.locator("#lab-frames input[type=range]")
    expect(box).to_be_visible()
    for _ in range(10):  # the accordion is still opening: a fill can land before Gradio listens; type until it takes
        box.fill("24")
        box.press("Enter")
        if slider.input_value() == "24":
            break
        page.wait_for_timeout(200)
    expect(slider).to_have_value("24")  # the slider follows the box: the value is in Gradio's state
    for fmt in ("gif", "mp4"):
        page.locator("#lab-format").get_by_text(fmt, exact=True).click()
        page.locator("#lab-walk").click()
        expect(page.locator("#lab-walk-caption")).to_contain_text(fmt.upper(), timeout=30_000)
        expect(page.locator("#lab-walk-caption")).to_contain_text("24 frames")
        with page.expect_download() as info:
            page.locator("#lab-walk-file a").first.click()
        path = tmp_path / f"walk.{fmt}"
        info.value.save_as(path)
        if fmt == "gif":
            assert Image.open(path).n_frames == 24
        else:
            import av

            with av.open(str(path)) as f:
                assert sum(1 for _ in f.decode(video=0)) == 24


def test_streamlit_lab_page():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "lab.py"), default_timeout=120).run()
    assert not at.exception
    at.selectbox(key="lab_model").set_value("cvae").run()
    at.number_input(key="lab_seed_a").set_value(4).run()
    at.session_state["lab_t"] = 0.0  # what the frame scrubber stores when it is released at t = 0
    at.run()
    assert not at.exception and not at.error
    start = at.session_state["lab_frame"]
    at.session_state["lab_t"] = 1.0
    at.run()
    end = at.session_state["lab_frame"]
    assert not np.array_equal(np.asarray(start), np.asarray(end))
    at.radio(key="lab_mode").set_value("lerp").run()
    at.button(key="lab_walk").click().run()
    assert not at.exception and not at.error
    data = at.session_state["lab_walk_result"]
    assert Image.open(io.BytesIO(data[0])).n_frames == 60


@pytest.mark.browser
def test_real_browser_streamlit_draw_and_map_click(streamlit_server, chromium_page):
    """The Streamlit Latent Lab in Chromium: draw a stroke with the mouse → encoded and reconstructed; click the
    2-D latent map → that point is decoded."""
    from playwright.sync_api import expect

    page = chromium_page
    page.goto(streamlit_server + "lab", wait_until="load")
    model = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").nth(1)
    model.click(timeout=30_000)
    page.get_by_role("option", name="VAE (16-D latent)").click()
    page.get_by_text("Draw or upload → encode → use as an endpoint").click()
    canvas = page.locator(".genlab-canvas canvas")
    expect(canvas).to_be_visible(timeout=30_000)
    # the components above it (the frame scrubber) mount asynchronously, and a stroke drawn while the page reruns is
    # lost with the canvas it was drawn on: draw once the script is idle and the layout has settled
    expect(page.locator("img.genlab-frame")).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=60_000)
    canvas.scroll_into_view_if_needed()
    box = None
    for _ in range(40):
        previous, box = box, canvas.bounding_box()
        if previous == box:
            break
        page.wait_for_timeout(250)
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.8, steps=12)
    page.mouse.up()
    page.locator(".genlab-canvas button.use").click()
    expect(page.get_by_text("now endpoint A")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Reconstruction: PSNR")).to_be_visible()
    page.get_by_text("2-D latent map (VAE with a 2-D latent)").click()
    image = page.locator("img.genlab-click")
    expect(image).to_be_visible(timeout=60_000)
    # the component lives in a shadow root (document.querySelector cannot see it; the locator can): wait until the
    # map is decoded, since a click before that has no pixel to map and is ignored
    for _ in range(120):
        if image.evaluate("img => img.complete && img.naturalWidth > 0"):
            break
        page.wait_for_timeout(250)
    image.click(position={"x": 40, "y": 40})
    expect(page.get_by_text("z = (")).to_be_visible(timeout=60_000)


@pytest.mark.browser
def test_real_browser_streamlit_scrubber_moves_without_a_rerun(streamlit_server, chromium_page):
    """The Streamlit Lab's slider swaps frames in the browser: arrow keys move t and change the image at once, and
    the release reaches the server (the page keeps the new t after a full rerun)."""
    from playwright.sync_api import expect

    page = chromium_page
    page.goto(streamlit_server + "lab", wait_until="load")
    slider, frame = page.locator("input.genlab-t"), page.locator("img.genlab-frame")
    expect(frame).to_be_visible(timeout=60_000)
    before = frame.get_attribute("src")
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(page.locator(".genlab-caption")).to_have_text("t = 0.55 (slerp)")
    assert frame.get_attribute("src") != before
    expect(page.locator(".genlab-scrub")).to_have_attribute("data-server", "55", timeout=30_000)  # t reached it
    page.get_by_test_id("stSidebar").get_by_text("lerp", exact=True).click()  # a full rerun of the page
    expect(page.locator(".genlab-caption")).to_have_text("t = 0.55 (lerp)", timeout=30_000)
