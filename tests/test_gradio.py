"""The Gradio front end: handler in-process, the HTTP API through gradio_client, and a real Chromium."""

import numpy as np
import pytest
from PIL import Image

from conftest import free_port
from genlib.errors import GenLabError
from genlib.registry import specs
from genlib.ui import common


@pytest.fixture(scope="module")
def server():
    from genlib.ui.gradio_ui import build_demo

    demo = build_demo()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


def test_menus_come_from_the_registry():
    ids = [m for _, m in common.model_options("mnist")]
    assert ids == [s.id for s in specs()], "every registered generator with a checkpoint is offered, in order"
    assert [c for _, c in common.class_options("fashion")][:3] == [common.RANDOM_CLASS, 0, 1]
    assert "Ankle boot" in dict(common.class_options("fashion")).__repr__()
    names = [p.name for p in common.ui_params()]
    assert names[:2] == ["seed", "n"] and "temperature" in names


def test_handler_in_process_is_seeded_and_checks_input():
    defaults = {p.name: p.default for p in common.ui_params()}
    a = common.run_generate("mnist", "cdcgan", 7, {**defaults, "seed": 5, "n": 4})
    b = common.run_generate("mnist", "cdcgan", 7, {**defaults, "seed": 5, "n": 4})
    assert np.array_equal(np.asarray(a.image), np.asarray(b.image)) and "· 7 ·" in a.caption
    with pytest.raises(GenLabError, match="Count must be between 1 and 64"):
        common.run_generate("mnist", "vae", None, {**defaults, "n": 500})
    with pytest.raises(GenLabError, match="Seed must be between"):
        common.run_generate("mnist", "vae", None, {**defaults, "seed": -3})


def test_api_through_gradio_client(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    image_path, caption = client.predict("fashion", "cvae", 9, 3, 8, 1.0, "fitted", api_name="/generate")
    img = Image.open(image_path)
    assert img.size[0] > 100 and "Ankle boot" in caption and "seed 3" in caption
    again, _ = client.predict("fashion", "cvae", 9, 3, 8, 1.0, "fitted", api_name="/generate")
    assert np.array_equal(np.asarray(Image.open(again)), np.asarray(img))
    with pytest.raises(Exception, match="not in the list of choices"):
        client.predict("fashion", "cvae", 12, 3, 8, 1.0, "fitted", api_name="/generate")
    with pytest.raises(Exception, match="less than minimum value 0"):
        client.predict("fashion", "cvae", 1, -3, 8, 1.0, "fitted", api_name="/generate")


@pytest.mark.browser
def test_real_browser_pick_a_class_and_see_an_image(server):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(server, wait_until="networkidle")
        page.locator("#gen-model input").click()
        page.get_by_role("option", name="Conditional DCGAN").click()
        expect(page.locator("#gen-class")).to_be_visible()
        page.locator("#gen-class input").click()
        page.get_by_role("option", name="7", exact=True).click()
        page.locator("#gen-button").click()
        image = page.locator("#gen-image img")
        expect(image).to_be_visible(timeout=30_000)
        expect(page.locator("#gen-caption")).to_contain_text("· 7 ·", timeout=30_000)
        assert image.evaluate("img => img.naturalWidth") > 100
        browser.close()
