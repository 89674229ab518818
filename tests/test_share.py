"""Issue 9, shareable links: the view (tab, dataset, model, class, seed, sliders) in the URL, restored in a fresh
browser with the very same image — in both front ends."""

import io

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT
from genlib.features import generate, menus, share


def test_a_view_survives_the_round_trip():
    q = share.encode("generate", "fashion", "cvae", {"class": 9, "seed": 42, "n": 8.0, "temperature": 0.7,
                                                      "prior": "standard"})
    assert q == "?tab=generate&dataset=fashion&model=cvae&class=9&seed=42&n=8&temperature=0.7&prior=standard"
    from urllib.parse import parse_qs

    v = share.decode(parse_qs(q[1:]))
    assert (v.tab, v.dataset, v.model, v.problems) == ("generate", "fashion", "cvae", [])
    assert v.values == {"class": 9, "seed": 42, "n": 8, "temperature": 0.7, "prior": "standard"}
    lab = share.decode({"tab": "lab", "dataset": "mnist", "model": "cdcgan", "seed_a": "5", "class_a": "3",
                        "seed_b": "6", "class_b": "8", "t": "0.25", "mode": "lerp"})
    assert lab.values == {"seed_a": 5, "class_a": 3, "seed_b": 6, "class_b": 8, "t": 0.25, "mode": "lerp"}
    assert share.decode({}) is None and share.decode({"utm_source": "x"}) is None


def test_a_bad_link_restores_what_it_can_and_says_what_it_dropped():
    v = share.decode({"tab": "generate", "dataset": "mnist", "model": "cdcgan", "class": "12", "seed": "-3",
                      "n": "5000", "bogus": "1"})
    assert v.model == "cdcgan" and v.values == {"class": -1}
    assert len(v.problems) == 3 and any("Class '12'" in p for p in v.problems)
    v = share.decode({"tab": "nowhere", "dataset": "cifar", "model": "gan:live-0123456789abcdef"})
    assert (v.tab, v.dataset) == ("generate", "mnist") and v.model == menus.model_options("mnist")[0][1]
    assert any("trained live" in p for p in v.problems) and len(v.problems) == 3
    lab = share.decode({"tab": "lab", "model": "ddpm", "t": "7", "mode": "cubic"})
    assert lab.model != "ddpm" and lab.values["t"] == 0.5 and lab.values["mode"] == "slerp"
    with pytest.raises(Exception, match="trained live"):
        share.encode("generate", "mnist", "gan:live-0123456789abcdef", {})


def _pixels(page, selector: str) -> np.ndarray:
    """The image an <img> shows, fetched by the page itself."""
    src = page.locator(selector).get_attribute("src")
    data = page.evaluate("async (src) => Array.from(new Uint8Array(await (await fetch(src)).arrayBuffer()))", src)
    return np.asarray(Image.open(io.BytesIO(bytes(data))).convert("RGB"))


@pytest.mark.browser
def test_gradio_link_opened_in_a_fresh_browser_draws_the_same_image(server, chromium_page):
    from playwright.sync_api import expect

    page = chromium_page
    page.goto(server, wait_until="load")
    page.locator("#gen-dataset input").click()
    page.get_by_role("option", name="Fashion-MNIST").click()
    page.locator("#gen-model input").click()
    page.get_by_role("option", name="Conditional VAE").click()
    page.locator("#gen-class input").click()
    page.get_by_role("option", name="9: Ankle boot").click()
    seed = page.get_by_label("Seed", exact=True)
    seed.fill("4242")
    seed.press("Enter")
    page.locator("#gen-button").click()
    expect(page.locator("#gen-caption")).to_contain_text("seed 4242", timeout=30_000)
    original = _pixels(page, "#gen-image img")
    page.locator("#gen-share").click()
    link = page.locator("#gen-link textarea")
    page.wait_for_function("() => document.querySelector('#gen-link textarea').value.includes('seed=4242')",
                           timeout=10_000)
    url = link.input_value()
    assert url.startswith(server) and "dataset=fashion" in url and "class=9" in url and page.url == url

    fresh = page.context.browser.new_context().new_page()  # no cookies, no session: someone else's browser
    fresh.goto(url, wait_until="load")
    expect(fresh.locator("#gen-caption")).to_contain_text("seed 4242", timeout=30_000)
    assert "Ankle boot" in fresh.locator("#gen-caption").inner_text()
    assert np.array_equal(_pixels(fresh, "#gen-image img"), original)


@pytest.mark.browser
def test_gradio_lab_link_restores_endpoints_and_slider(server, chromium_page):
    from playwright.sync_api import expect

    url = server + share.encode("lab", "mnist", "cdcgan", {"seed_a": 11, "class_a": 3, "seed_b": 12,
                                                           "class_b": 8, "t": 0.3, "mode": "lerp"})
    page = chromium_page
    page.goto(url, wait_until="load")
    expect(page.locator("#lab-image img")).to_be_visible(timeout=30_000)
    assert page.get_by_label("Seed A", exact=True).input_value() == "11"
    assert page.locator("#lab-t input[type=number]").input_value() == "0.3"
    from genlib.features import lab

    a, b = lab.seed_point("mnist", "cdcgan", 11, 3), lab.seed_point("mnist", "cdcgan", 12, 8)
    expected = np.asarray(lab.frame("mnist", "cdcgan", a, b, 0.3, "lerp").convert("RGB"))
    page.wait_for_timeout(1000)  # the slider's own change event redraws the same frame; let it settle
    assert np.array_equal(_pixels(page, "#lab-image img"), expected)


@pytest.mark.browser
def test_streamlit_link_opened_in_a_fresh_browser_draws_the_same_image(streamlit_server, chromium_page):
    from playwright.sync_api import expect

    query = share.encode("generate", "mnist", "cdcgan", {"class": 7, "seed": 99, "n": 9})
    page = chromium_page
    page.goto(streamlit_server + "generate" + query, wait_until="load")
    image = page.locator("[data-testid=stImage] img").first
    expect(image).to_be_visible(timeout=60_000)
    expected = np.asarray(generate.run_generate("mnist", "cdcgan", 7, {"n": 9, "seed": 99}).image.convert("RGB"))
    assert np.array_equal(_pixels(page, "[data-testid=stImage] img >> nth=0"), expected)
    assert "seed=99" in page.url and "class=7" in page.url  # the address bar holds the view


def test_streamlit_pages_keep_the_view_in_the_url_and_restore_it():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "generate.py"), default_timeout=60).run()
    at.selectbox(key="gen_model").set_value("cdcgan").run()
    at.selectbox(key="gen_klass").set_value(4).run()
    at.number_input(key="gen_seed").set_value(31).run()
    at.button(key="gen_button").click().run()
    params = {k: at.query_params[k][0] if isinstance(at.query_params[k], list) else at.query_params[k]
              for k in at.query_params}
    assert params["model"] == "cdcgan" and params["class"] == "4" and params["seed"] == "31"
    shown = at.session_state["gen_result"]

    again = AppTest.from_file(str(ROOT / "pages" / "generate.py"), default_timeout=60)
    for k, v in params.items():
        again.query_params[k] = v
    again.run()
    assert not again.exception and again.selectbox(key="gen_klass").value == 4
    assert np.array_equal(np.asarray(again.session_state["gen_result"].image), np.asarray(shown.image))
