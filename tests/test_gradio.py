"""The Gradio front end: handler in-process, the HTTP API through gradio_client, and a real Chromium."""

import numpy as np
import pytest
from PIL import Image

from genlib.errors import GenLabError
from genlib.registry import specs
from genlib.features import compare, generate, menus


def test_menus_come_from_the_registry():
    ids = [m for _, m in menus.model_options("mnist")]
    assert ids == [s.id for s in specs() if "mnist" in s.datasets], "every generator for MNIST is offered, in order"
    assert [c for _, c in menus.class_options("fashion")][:3] == [menus.RANDOM_CLASS, 0, 1]
    assert "Ankle boot" in dict(menus.class_options("fashion")).__repr__()
    names = [p.name for p in generate.ui_params()]
    assert names[:2] == ["seed", "n"] and "temperature" in names


def test_handler_in_process_is_seeded_and_checks_input():
    defaults = {p.name: p.default for p in generate.ui_params()}
    a = generate.run_generate("mnist", "cdcgan", 7, {**defaults, "seed": 5, "n": 4})
    b = generate.run_generate("mnist", "cdcgan", 7, {**defaults, "seed": 5, "n": 4})
    assert np.array_equal(np.asarray(a.image), np.asarray(b.image)) and "· 7 ·" in a.caption
    with pytest.raises(GenLabError, match="Count must be between 1 and 64"):
        generate.run_generate("mnist", "vae", None, {**defaults, "n": 500})
    with pytest.raises(GenLabError, match="Seed must be between"):
        generate.run_generate("mnist", "vae", None, {**defaults, "seed": -3})


def test_api_through_gradio_client(server):
    from gradio_client import Client

    client = Client(server, verbose=False)
    image_path, caption = client.predict("fashion", "cvae", 9, 3, 8, 1.0, api_name="/generate")
    img = Image.open(image_path)
    assert img.size[0] > 100 and "Ankle boot" in caption and "seed 3" in caption
    again, _ = client.predict("fashion", "cvae", 9, 3, 8, 1.0, api_name="/generate")
    assert np.array_equal(np.asarray(Image.open(again)), np.asarray(img))
    with pytest.raises(Exception, match="not in the list of choices"):
        client.predict("fashion", "cvae", 12, 3, 8, 1.0, api_name="/generate")
    with pytest.raises(Exception, match="less than minimum value 0"):
        client.predict("fashion", "cvae", 1, -3, 8, 1.0, api_name="/generate")


@pytest.mark.browser
def test_real_browser_pick_a_class_and_see_an_image(server, chromium_page):
    from playwright.sync_api import expect

    page = chromium_page
    page.goto(server, wait_until="load")
    page.locator("#gen-model input").click()
    page.get_by_role("option", name="Conditional DCGAN").click()
    expect(page.locator("#gen-class")).to_be_visible()
    page.locator("#gen-class input").click()
    page.get_by_role("option", name="7", exact=True).click()
    page.locator("#gen-button").click()
    image = page.locator("#gen-image img")
    expect(image).to_be_visible(timeout=30_000)
    expect(page.locator("#gen-caption")).to_contain_text("· 7 ·", timeout=30_000)
    # the tab opens on its opening grid: wait for the new one to have loaded in place of it
    page.wait_for_function("() => { const i = document.querySelector('#gen-image img'); "
                           "return i && i.complete && i.naturalWidth > 0; }", timeout=30_000)
    assert image.evaluate("img => img.naturalWidth") > 100
    # the credit Twemoji's CC-BY 4.0 licence requires, at the foot of the page
    expect(page.locator("#credits")).to_contain_text("Twemoji graphics © Twitter, Inc. and other contributors")


def test_compare_handler_and_api(server):
    from gradio_client import Client

    view = compare.run_compare("mnist", ["cdcgan", "vae"], 3, 0, 100)
    assert [c for _, c in view.grids] == ["Conditional DCGAN · 3", "VAE (16-D latent) · unconditional"]
    assert view.table[0][0] == "Real data (floor)" and len(view.table) == 3
    with pytest.raises(GenLabError, match="Pick 2 to 4"):
        compare.run_compare("mnist", ["cdcgan"], 3, 0, 100)
    client = Client(server, verbose=False)
    gallery, table, caption = client.predict("fashion", ["cvae", "dcgan", "vae"], 9, 4, 100, api_name="/compare")
    assert len(gallery) == 3 and "N = 100" in caption
    rows = table["data"]
    assert table["headers"][:2] == ["Model", "Domain FID ↓"]
    assert [r[0] for r in rows] == ["Real data (floor)", "Conditional VAE", "DCGAN", "VAE (16-D latent)"]
    with pytest.raises(Exception, match="Pick 2 to 4"):
        client.predict("fashion", ["cvae"], 9, 4, 100, api_name="/compare")


@pytest.mark.browser
def test_real_browser_compare_two_models(server, chromium_page):
    from playwright.sync_api import expect

    page = chromium_page
    page.goto(server, wait_until="load")
    page.get_by_role("tab", name="Compare").click()
    page.locator("#cmp-n input").click()
    page.get_by_role("option", name="100", exact=True).click()
    page.locator("#cmp-button").click()
    expect(page.locator("#cmp-caption")).to_contain_text("N = 100", timeout=60_000)
    table = page.locator("#cmp-table")
    expect(table).to_contain_text("Real data (floor)")
    expect(table).to_contain_text("Domain FID")
    expect(page.locator("#cmp-gallery img")).to_have_count(2)
    # an impossible comparison: one model only → a clear message, no traceback
    page.locator("#cmp-models .token-remove").first.click()
    page.locator("#cmp-button").click()
    expect(page.get_by_text("Pick 2 to 4 different models")).to_be_visible(timeout=30_000)
