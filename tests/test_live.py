"""Issue 9, live training: a generator trains on the CPU inside the server while its samples and curves update;
pause, resume, stop; one job at a time, the others in line; the result is usable in the session's other tabs."""

import time

import numpy as np
import pytest

from conftest import ROOT
from genlib import serving
from genlib.errors import GenLabError
from genlib.training import live
from genlib.features import generate
from genlib.features import live as lv


@pytest.fixture(autouse=True)
def no_job_outlives_its_test():
    """A job left training in its thread would draw from torch's global RNG under the next tests (measured: CI's
    "sampling must not touch the global RNG" checks of test_models failed while one ran)."""
    yield
    live.stop_all(timeout=60)


def watch(job, until, timeout=120.0, every=0.2):
    """Look at the job (as a front end does, which keeps it alive) until ``until(view)`` or the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = job.view()
        if until(v) or time.monotonic() > deadline:
            return v
        time.sleep(every)


def test_sixty_seconds_of_cpu_training_on_mnist_improve_the_samples():
    """The issue's check (on the VAE, which rises fastest — bench/live_training.py has all three: the MLP GAN goes
    1.0 → 3.1, the slim DCGAN → 4.2, the VAE → 5.7 in 60 s on this CPU, so a slower CI machine still passes): after
    60 s of training the domain classifier reads the samples (256 seeded ones, scored
    at every snapshot) as clear and varied digits far more than at step 0. Its score, exp E KL(p(y|x) ‖ p(y)), is
    the measure: the plain mean top-class probability cannot rise — the classifier is ~100 % sure of one class for
    the untrained generator's near-constant output (recorded, and checked here too)."""
    job = live.start(live.LiveConfig("vae", "mnist", max_seconds=60, seed=0, snapshot_every=5))
    v = watch(job, lambda v: not v.active, timeout=240)
    assert v.status == "finished" and v.model_id and v.step > 200
    first, last = v.history[0], v.history[-1]
    assert first.step == 0 and last.seconds >= 59
    assert first.confidence > 0.95 and first.score < 1.5  # one class, "for sure": what the raw confidence sees
    assert last.score > first.score + 2.0, [(s.step, s.score) for s in v.history]
    losses, conf = lv.curves(v)
    assert set(losses.series) == {"VAE loss (ELBO)", "reconstruction", "KL divergence"}
    assert len(conf) == len(v.history)


def test_pause_resume_stop_and_the_result_serves_like_a_shipped_model():
    job = live.start(live.LiveConfig("vae", "mnist", max_seconds=60, seed=3, snapshot_every=0.5))
    watch(job, lambda v: v.status == "running" and v.step > 20)
    job.pause()
    v = watch(job, lambda v: v.status == "paused")
    time.sleep(0.3)
    held = job.view().step
    time.sleep(0.8)
    assert job.view().step == held  # nothing trains while paused
    job.resume()
    watch(job, lambda v: v.step > held + 10)
    job.stop()
    v = watch(job, lambda v: not v.active)
    assert v.status == "stopped" and v.model_id.startswith("vae:live-") and v.seconds < 30
    # the session can use it in the other tabs: the Generate action, seeded like any model
    a = generate.run_generate("mnist", v.model_id, None, {"n": 4, "seed": 7})
    b = generate.run_generate("mnist", v.model_id, None, {"n": 4, "seed": 7})
    assert np.array_equal(np.asarray(a.image), np.asarray(b.image)) and "seed 7" in a.caption
    assert lv.menu([v.model_id], "mnist") == [(serving.live_title(v.model_id), v.model_id)]
    assert lv.menu([v.model_id], "fashion") == []  # trained on MNIST only
    with pytest.raises(GenLabError, match="no longer on the server"):
        serving.load("vae:live-0000000000000000", "mnist")


def test_one_job_trains_at_a_time_and_the_others_see_their_place():
    first = live.start(live.LiveConfig("dcgan", "mnist", max_seconds=60, snapshot_every=0.5))
    watch(first, lambda v: v.status == "running")
    second = live.start(live.LiveConfig("gan", "mnist", max_seconds=60))
    assert watch(second, lambda v: v.position == 1).status == "waiting"
    third = live.start(live.LiveConfig("gan", "mnist", max_seconds=60))
    v3 = watch(third, lambda v: v.position == 2, timeout=10)
    assert v3.status == "waiting" and "number 2 in line" in v3.caption()
    first.stop()
    watch(second, lambda v: v.status == "running")
    assert watch(third, lambda v: v.position == 1).status == "waiting"
    third.stop()  # leaving the line
    assert watch(third, lambda v: not v.active).status == "cancelled"
    second.stop()
    assert watch(second, lambda v: not v.active).status == "stopped"
    assert watch(first, lambda v: not v.active).model_id  # the stopped first job's model was kept
    deadline = time.monotonic() + 10  # a stopped job says so a moment before its thread leaves the trainer
    while live.line() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert live.line() == 0


@pytest.mark.parametrize("config,match", [
    (dict(model="diffusion"), "Live training takes one of"), (dict(dataset="cifar"), "Unknown dataset"),
    (dict(max_seconds=0), "between 1 and"), (dict(batch_size=4), "Batch size"), (dict(lr=5.0), "Learning rate"),
])
def test_bad_settings_get_a_sentence(config, match):
    with pytest.raises(GenLabError, match=match):
        live.start(live.LiveConfig(**config))


def test_controls_need_a_job():
    with pytest.raises(GenLabError, match="Start a training job first"):
        lv.control(None, "pause")


@pytest.mark.browser
def test_real_browser_trains_live_then_samples_it_in_the_generate_tab(server, chromium_page):
    page = chromium_page
    page.goto(server, wait_until="load")
    page.get_by_role("tab", name="Live training").click()
    page.locator("#live-model").get_by_text("VAE (16-D latent)").click()
    page.locator("#live-seconds input[type=number]").fill("10")
    page.locator("#live-seconds input[type=number]").press("Enter")
    page.locator("#live-start").click()
    page.locator("#live-status").get_by_text("running").wait_for(timeout=60_000)
    page.locator("#live-grid img").wait_for(timeout=30_000)
    page.locator("#live-status").get_by_text("Done").wait_for(timeout=90_000)
    assert page.locator("#live-losses").is_visible() and page.locator("#live-confidence").is_visible()
    page.get_by_role("tab", name="Generate").click()
    assert "(live" in page.locator("#gen-model input").input_value()  # picked, ready to sample
    page.locator("#gen-button").click()
    page.locator("#gen-caption").get_by_text("(live").wait_for(timeout=30_000)
    assert page.locator("#gen-image img").count() == 1


def test_streamlit_live_page_trains_and_the_generate_page_lists_the_result():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "live.py"), default_timeout=60).run()
    assert not at.exception
    at.radio(key="live_model").set_value("vae").run()
    at.slider(key="live_seconds").set_value(10).run()
    at.button(key="live_start").click().run()
    job = live.get(at.session_state["live_job"])
    v = watch(job, lambda v: not v.active)
    assert v.status == "finished"
    at.run()
    assert not at.exception and any("Done" in s.value for s in at.success)
    assert at.session_state["live_models"] == [v.model_id]
    gen = AppTest.from_file(str(ROOT / "pages" / "generate.py"), default_timeout=60)
    gen.session_state["live_models"] = [v.model_id]
    gen.run()
    assert serving.live_title(v.model_id) in gen.selectbox(key="gen_model").options  # labels, as shown
    gen.selectbox(key="gen_model").set_value(v.model_id).run()
    gen.button(key="gen_button").click().run()
    assert not gen.exception and "(live" in gen.session_state["gen_result"].caption


def test_gan_ingredients_can_be_switched_off():
    job = live.start(live.LiveConfig("gan", "mnist", max_seconds=3, snapshot_every=1, off=("r1", "ema")))
    v = watch(job, lambda v: not v.active)
    assert v.model_id, v.message
    model, meta = serving.load(v.model_id, "mnist")
    assert model.r1 == 0 and model.cutout > 0 and meta["switched_off"] == ["r1", "ema"] and meta["ema"] is None
    vae = live.get(lv.start("vae", "mnist", 2, 0, False, False, False, False))  # a VAE has no GAN recipe:
    assert vae.config.off == ()  # the switches are ignored
    assert watch(vae, lambda v: not v.active).status == "finished"
    with pytest.raises(GenLabError, match="Unknown ingredient"):
        live.start(live.LiveConfig("gan", "mnist", off=("dropout",)))
