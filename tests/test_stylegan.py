"""StyleGAN, small: style mixing (exact at both ends), truncation towards the average style, noise redraws, and the
mixing grid in the CLI, both front ends and a real browser."""

import pytest
import torch

from conftest import torch_threads
from genlib.errors import GenLabError
from genlib.registry import get_spec


def tiny(model_id, **over):
    torch.manual_seed(0)
    return get_spec(model_id).build("tiny", num_classes=10, **over).eval()


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("preset", ["tiny", "default"])
def test_style_mixing_ends_are_the_sources_exactly(preset, threads):
    torch.manual_seed(0)
    model = get_spec("stylegan").build(preset).eval()
    layers = model.num_layers
    with torch_threads(threads):
        at_b = model.mix([1, 2, 3], [4, 5], crossover=0)
        at_a = model.mix([1, 2, 3], [4, 5], crossover=layers)
        between = model.mix([1, 2, 3], [4, 5], crossover=layers // 2)
    for i in range(2):
        for j in range(3):
            assert torch.equal(at_b.cells[i, j], at_b.b[i]), (i, j)  # crossover 0: every layer from B
            assert torch.equal(at_a.cells[i, j], at_a.a[j]), (i, j)  # crossover = layers: every layer from A
            assert not torch.equal(between.cells[i, j], between.a[j])
            assert not torch.equal(between.cells[i, j], between.b[i])
    # a source is the first image of its seed, as Generate draws it (another batch: equal to float rounding)
    assert torch.allclose(at_a.a[1], model.sample(1, seed=2)[0], atol=1e-5)


def test_style_mixing_mixes_coarse_from_a_and_fine_from_b():
    """Each layer takes its style from one source: the cell with crossover k equals synthesising A's w on layers
    < k and B's on the rest (computed here independently of ``mix``)."""
    model = tiny("stylegan")
    g = model.generator
    k = 3
    out = model.mix([7], [9], crossover=k)
    w7, w9 = g.style(model.sample_latents(1, 7)), g.style(model.sample_latents(1, 9))
    ws = torch.stack([w7[0] if i < k else w9[0] for i in range(model.num_layers)])[None]
    expected = g.synthesis(ws, g.fixed_noise(0, "cpu")).clamp(-1, 1)
    assert torch.allclose(out.cells[0, 0], expected[0], atol=1e-6)


def test_bad_crossover_and_truncation_get_one_sentence():
    model = tiny("stylegan")
    for bad in (-1, 7, 2.5):
        with pytest.raises(GenLabError, match="crossover layer must be a whole number from 0 to 6"):
            model.mix([1], [2], crossover=bad)
    for bad in (-0.1, 1.5, "x"):
        with pytest.raises(GenLabError, match="Truncation ψ must"):
            model.sample(2, seed=0, truncation=bad)
    with pytest.raises(GenLabError, match="at least one A seed"):
        model.mix([], [2], crossover=1)


def test_truncation_pulls_towards_the_average_style():
    model = tiny("stylegan")
    model.generator.w_avg.normal_()  # as if trained: the average style is not 0
    full, none = model.sample(4, seed=3, truncation=1.0), model.sample(4, seed=3, truncation=0.0)
    assert torch.equal(full, model.sample(4, seed=3))  # ψ = 1 is no truncation
    assert all(torch.equal(none[0], none[i]) for i in range(4))  # ψ = 0: every seed is the average image
    half = model.sample(4, seed=3, truncation=0.5)
    assert (half - none).abs().mean() < (full - none).abs().mean()


def test_new_noise_changes_texture_not_the_latent():
    model = tiny("stylegan")
    for layer in model.generator.layers:
        layer.noise_strength.data.fill_(0.5)  # a trained generator uses its noise
    a, b = model.sample(3, seed=5, noise=0), model.sample(3, seed=5, noise=1)
    assert torch.equal(a, model.sample(3, seed=5, noise=0)) and not torch.equal(a, b)
    assert torch.equal(model.sample_latents(3, 5), model.sample_latents(3, 5))  # the draw never touches z
    # the same latent decoded with one draw is the image Generate shows for it (the Lab's endpoints)
    assert torch.equal(model.decode(model.sample_latents(3, 5)), a)


def test_training_mixes_styles_tracks_the_average_and_draws_fresh_noise():
    model = tiny("stylegan").train()
    before = model.generator.w_avg.clone()
    z = torch.randn(4, model.latent_dim)
    torch.manual_seed(1)
    first = model.generator(z)
    torch.manual_seed(2)
    second = model.generator(z)
    assert not torch.equal(before, model.generator.w_avg) and not torch.equal(first, second)




def test_stylegan_trains_with_its_own_betas_and_rates():
    from genlib.training import loop

    opts = loop.optimizers(get_spec("stylegan"), tiny("stylegan"))
    assert opts["g"].param_groups[0]["betas"] == (0.0, 0.99)  # StyleGAN2's
    assert opts["d"].param_groups[0]["lr"] == opts["g"].param_groups[0]["lr"] == 2e-3  # both equalised: one rate


# ---------------------------------------------------------------- the shipped checkpoint: CLI, both front ends, browser

def test_cli_writes_the_mixing_grid_and_refuses_bad_values(tmp_path, subprocess_env):
    import subprocess

    from PIL import Image

    from conftest import ROOT, genlib_cmd

    def run(*args):
        return subprocess.run(genlib_cmd(*args), capture_output=True, text=True, env=subprocess_env, cwd=ROOT,
                              timeout=300)

    out = tmp_path / "grid.png"
    res = run("sample", "stylegan", "--dataset", "mnist", "--mix-a", "1,2,3", "--mix-b", "4,5", "--crossover", "2",
              "--out", str(out))
    assert res.returncode == 0, res.stderr
    w, h = Image.open(out).size
    assert w > h and (w - 2) / (h - 2) == pytest.approx(4 / 3, rel=0.01)  # (3 + 1) columns × (2 + 1) rows of tiles
    trunc = tmp_path / "t.png"
    assert run("sample", "stylegan", "--dataset", "mnist", "--truncation", "0.7", "--out", str(trunc)).returncode == 0
    for args, sentence in ((("--mix-a", "1", "--mix-b", "2", "--crossover", "9"), "--crossover must be between 0 and 6"),
                           (("--truncation", "1.5"), "--truncation must be between 0 and 1"),
                           (("--mix-a", "1,x", "--mix-b", "2"), "whole numbers separated by commas")):
        bad = run("sample", "stylegan", "--dataset", "mnist", *args, "--out", str(tmp_path / "b.png"))
        assert bad.returncode == 2 and sentence in bad.stderr and "Traceback" not in bad.stderr, bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1


def test_lab_action_draws_the_grid():
    import numpy as np

    from genlib.features import lab

    image, caption = lab.style_mix("mnist", "stylegan", "1,2,3", "4,5", 2, 1.0, 0)
    assert image.size == ((4 * 30 + 2) * 3, (3 * 30 + 2) * 3) and "layers 1–2 of 6" in caption
    again, _ = lab.style_mix("mnist", "stylegan", "1,2,3", "4,5", 2, 1.0, 0)
    assert np.array_equal(np.asarray(image), np.asarray(again))
    other, _ = lab.style_mix("mnist", "stylegan", "1,2,3", "4,5", 4, 1.0, 0)
    assert not np.array_equal(np.asarray(image), np.asarray(other))
    with pytest.raises(GenLabError, match="no per-layer styles"):
        lab.style_mix("mnist", "dcgan", "1", "2", 2, 1.0, 0)
    with pytest.raises(GenLabError, match="1 to 8 source A seeds"):
        lab.style_mix("mnist", "stylegan", "1,2,3,4,5,6,7,8,9", "2", 2, 1.0, 0)


def test_streamlit_lab_shows_the_mixing_grid():
    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    at = AppTest.from_file(str(ROOT / "pages" / "lab.py"), default_timeout=120)
    at.session_state["lab_model"] = "stylegan"
    at.run()
    assert not at.exception and not at.error
    assert at.slider(key="lab_crossover").value == 2
    at.slider(key="lab_crossover").set_value(6).run()
    assert not at.exception and not at.error
    at.text_input(key="lab_mix_a").set_value("1,q").run()
    assert any("whole numbers" in e.value for e in at.error)


@pytest.mark.browser
def test_real_browser_mixing_grid(server, chromium_page):
    from playwright.sync_api import expect

    page = chromium_page
    page.goto(server, wait_until="load")
    page.get_by_role("tab", name="Latent Lab").click(timeout=30_000)
    page.locator("#lab-model input").click()
    page.get_by_role("option", name="StyleGAN (small)").click()
    expect(page.locator("#lab-mix")).to_be_visible(timeout=30_000)
    page.locator("#lab-mix").click()
    expect(page.locator("#lab-mix-caption")).to_contain_text("layers 1–2 of 6", timeout=30_000)
    first = page.locator("#lab-mix-image img").get_attribute("src")
    page.locator("#lab-crossover input[type=number]").fill("5")
    page.locator("#lab-crossover input[type=number]").press("Enter")
    page.locator("#lab-mix").click()
    expect(page.locator("#lab-mix-caption")).to_contain_text("layers 1–5 of 6", timeout=30_000)
    # the caption and the picture arrive in one update, but the <img> may swap its src a moment later
    expect(page.locator("#lab-mix-image img")).not_to_have_attribute("src", first, timeout=30_000)
    page.locator("#lab-mix-a textarea, #lab-mix-a input").first.fill("1,x")
    page.locator("#lab-mix").click()
    expect(page.get_by_text("whole numbers separated by commas").first).to_be_visible(timeout=30_000)
