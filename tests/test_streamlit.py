"""The Streamlit page through AppTest: the same registry, the same numbers for the same seed."""


import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from genlib import serving
from genlib.registry import specs


def app():
    at = AppTest.from_file(str(ROOT / "pages" / "generate.py"), default_timeout=60)
    return at.run()


def test_generate_page_offers_registry_models_and_draws_a_class():
    at = app()
    assert not at.exception
    assert at.selectbox(key="gen_dataset").value == "mnist"
    assert at.selectbox(key="gen_model").options == [s.title for s in specs() if "mnist" in s.datasets]
    at.selectbox(key="gen_model").set_value("cdcgan").run()
    at.selectbox(key="gen_klass").set_value(7).run()
    at.number_input(key="gen_seed").set_value(5).run()
    at.slider(key="gen_n").set_value(4).run()
    at.button(key="gen_button").click().run()
    assert not at.exception and not at.error
    shown = at.session_state["gen_result"]
    assert "· 7 ·" in shown.caption and "seed 5" in shown.caption
    same = serving.generate("cdcgan", "mnist", n=4, seed=5, labels=7)
    from genlib.images import grid

    assert np.array_equal(np.asarray(shown.image), np.asarray(grid(same.images, scale=4)))


def test_unconditional_model_has_no_class_widget():
    at = app()
    at.selectbox(key="gen_model").set_value("vae").run()
    assert not any(s.key == "gen_klass" for s in at.selectbox)


def test_compare_page_shows_grids_and_the_table():
    at = AppTest.from_file(str(ROOT / "pages" / "compare.py"), default_timeout=120).run()
    assert not at.exception
    assert at.multiselect(key="cmp_models").value == [s.id for s in specs()][:2]
    at.multiselect(key="cmp_models").set_value(["cdcgan", "cvae", "vae"]).run()
    at.selectbox(key="cmp_klass").set_value(4).run()
    at.select_slider(key="cmp_n").set_value(100).run()
    at.button(key="cmp_button").click().run()
    assert not at.exception and not at.error
    view = at.session_state["cmp_result"]
    assert [row[0] for row in view.table] == ["Real data (floor)", "Conditional DCGAN", "Conditional VAE",
                                               "VAE (16-D latent)"]
    assert len(at.dataframe[0].value) == 4 and "N = 100" in at.caption[0].value
    assert "Real images per class" in at.dataframe[1].value.columns  # the augmentation results
    at.multiselect(key="cmp_models").set_value(["vae"]).run()
    at.button(key="cmp_button").click().run()
    assert at.error and "Pick 2 to 4" in at.error[0].value


@pytest.mark.browser
def test_real_browser_streamlit_compare(streamlit_server, chromium_page):
    from playwright.sync_api import expect

    page = chromium_page
    page.goto(streamlit_server + "compare", wait_until="networkidle")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_text("Metrics on N = 500")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid='stImage'] img")).to_have_count(2)
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    expect(page.get_by_text("Twemoji graphics © Twitter, Inc. and other contributors", exact=False)).to_be_visible()
