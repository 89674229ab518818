"""First paint: every control shown applies to the selected model, and every tab/page shows a real result before
anyone presses a button (issue 17). In a real Chromium, for both front ends."""

import pytest

from genlib.registry import get_spec
from genlib.features import generate, menus, opening

# what each Gradio tab shows when it opens: (tab name, a locator that only a result fills)
GRADIO_RESULTS = (
    ("Generate", "#gen-image img"), ("Compare", "#cmp-gallery img"), ("Latent Lab", "#lab-image img"),
    ("Diffusion", "#dif-image img"), ("Style", "#sty-compare img"), ("Voice", "#tts-audio audio"),
    ("Text", "#tx-caption :text('done')"), ("Live training", "#live-grid img"),
)
# the same for each Streamlit page (its URL path): a locator that only a result fills
STREAMLIT_RESULTS = (
    ("", "[data-testid=stImage] img"), ("compare", "[data-testid=stImage] img"), ("lab", "[data-testid=stImage] img"),
    ("diffusion", "[data-testid=stImage] img"), ("style", "[data-testid=stImage] img"), ("voice", "audio"),
    ("text", "text=characters from"), ("live", "[data-testid=stImage] img"),
)


def test_opening_views_are_what_the_default_controls_give():
    shown = opening.generate()
    dataset = opening.first_dataset()
    model = menus.model_options(dataset)[0][1]
    again = generate.run_generate(dataset, model, menus.RANDOM_CLASS, {p.name: p.default for p in generate.ui_params()})
    assert shown.caption.split(" · ")[:3] == again.caption.split(" · ")[:3]  # the last part is the time taken
    assert list(shown.image.getdata()) == list(again.image.getdata())
    assert opening.generate() is shown, "computed once, then shared"


@pytest.mark.browser
def test_gradio_generate_shows_exactly_the_selected_models_controls(server, chromium_page):
    from playwright.sync_api import expect

    page = chromium_page
    page.goto(server, wait_until="load")
    params = [p.name for p in generate.ui_params()]

    def check(model_id):
        mine = generate.declared(model_id)
        for name in params:
            box = page.locator(f"#gen-{name}")
            (expect(box).to_be_visible if name in mine else expect(box).to_be_hidden)(timeout=10_000)
        klass = page.locator("#gen-class")
        (expect(klass).to_be_visible if get_spec(model_id).conditional else expect(klass).to_be_hidden)()

    options = menus.model_options("mnist")
    check(options[0][1])  # the first paint, before anything is touched
    for title, model_id in [*options[1:], options[0]]:
        page.locator("#gen-model input").click()
        page.get_by_role("option", name=title, exact=True).click()
        check(model_id)


@pytest.mark.browser
def test_every_gradio_tab_shows_a_result_without_a_click(server, chromium_page):
    from playwright.sync_api import expect

    page = chromium_page
    page.goto(server, wait_until="load")
    for tab, result in GRADIO_RESULTS:
        page.get_by_role("tab", name=tab, exact=True).click()
        expect(page.locator(result).first).to_be_attached(timeout=90_000)
    assert page.locator("#tx-out textarea").input_value().startswith("The secret of")


@pytest.mark.browser
def test_every_streamlit_page_shows_a_result_without_a_click(streamlit_server, chromium_page):
    from playwright.sync_api import expect

    page = chromium_page
    for path, result in STREAMLIT_RESULTS:
        page.goto(streamlit_server + path, wait_until="load")
        expect(page.locator(result).first).to_be_attached(timeout=90_000)
        expect(page.locator("[data-testid=stException]")).to_have_count(0)


@pytest.mark.browser
def test_streamlit_toolbar_is_in_viewer_mode(streamlit_server, chromium_page):
    from playwright.sync_api import expect

    page = chromium_page
    page.goto(streamlit_server, wait_until="load")
    expect(page.locator("[data-testid=stImage] img").first).to_be_attached(timeout=60_000)
    expect(page.locator("[data-testid=stAppDeployButton]")).to_have_count(0)
    expect(page.get_by_text("Deploy", exact=True)).to_have_count(0)
