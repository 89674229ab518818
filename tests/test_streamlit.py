"""The Streamlit page through AppTest: the same registry, the same numbers for the same seed."""

import numpy as np
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
    assert at.selectbox(key="gen_model").options == [s.title for s in specs()]
    at.selectbox(key="gen_model").set_value("cdcgan").run()
    at.selectbox(key="gen_class").set_value(7).run()
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
    assert not any(s.key == "gen_class" for s in at.selectbox)
