"""Evaluation on the shipped checkpoints: reference sets, the side-by-side rows, stored figures, clear refusals."""

import json
import subprocess

import numpy as np
import pytest

from conftest import genlib_cmd
from genlib import evaluation, hub
from genlib.errors import GenLabError
from genlib.registry import checkpoint_dir, get_spec
from genlib.serving import list_models, model_choices

DATASETS = ("mnist", "fashion")


@pytest.mark.parametrize("dataset", DATASETS)
def test_shipped_reference_matches_its_classifier_and_is_a_fair_sample(dataset):
    ref = evaluation.reference(dataset)
    assert ref.train_features.shape == (evaluation.REF_TRAIN, 128)
    assert len(ref.test_features) == len(ref.test_labels) == len(ref.test_images) == evaluation.REF_TEST
    assert ref.test_images.dtype == np.uint8 and ref.test_images.shape[1:] == (28, 28)
    # any prefix is a fair sample: the first 100 floor images cover every class
    assert set(ref.test_labels[:100].tolist()) == set(range(10))
    # and the floor is what real data scores: the classifier reads the real floor images correctly
    assert (ref.test_probs.argmax(1) == ref.test_labels).mean() > 0.88


def test_rows_are_sane_and_the_floor_beats_the_models():
    # N = 1000: at 200 samples FID's small-sample bias is larger than the gap between the floor and the retrained
    # cdcgan (measured: floor 52.3, cdcgan 39.8 at N = 200; 14.2 and 19.5 at 1000; 8.6 and 16.3 at 2000)
    floor = evaluation.floor_row("mnist", 1000)
    rows = [evaluation.evaluate_model(m, "mnist", n=1000, seed=1) for m in ("cdcgan", "dcgan", "vae")]
    for row in rows:
        assert row["domain_fid"] > floor["domain_fid"]
        assert 1.0 <= row["classifier_score"] <= 10.0 and 0 <= row["precision"] <= 1 and 0 <= row["recall"] <= 1
        assert row["parameters"] > 10_000 and row["ms_per_sample"] > 0
    cdcgan, dcgan, vae = rows
    assert cdcgan["class_accuracy"] > 0.9 and dcgan["class_accuracy"] is None
    assert cdcgan["classes_covered"] == 10
    assert "psnr" in vae and vae["psnr"] > 15 and 0.5 < vae["ssim"] <= 1 and "psnr" not in dcgan
    assert floor["class_accuracy"] > 0.95 and floor["recall"] > 0.8


def test_same_seed_same_figures():
    a = evaluation.evaluate_model("cvae", "fashion", n=100, seed=3)
    b = evaluation.evaluate_model("cvae", "fashion", n=100, seed=3)
    assert {k: v for k, v in a.items() if k != "ms_per_sample"} == {k: v for k, v in b.items() if k != "ms_per_sample"}


def test_impossible_requests_are_refused_clearly():
    with pytest.raises(GenLabError, match="N must be between 50"):
        evaluation.evaluate_model("vae", "mnist", n=10)
    with pytest.raises(GenLabError, match="N must be between 50 .* and 2000"):
        evaluation.floor_row("mnist", 5000)
    with pytest.raises(GenLabError, match="no encoder"):
        evaluation.reconstruction_quality("dcgan", "mnist", 100)
    with pytest.raises(GenLabError, match="Pick 2 to 4"):
        evaluation.compare(["vae"], "mnist", n=100)
    with pytest.raises(GenLabError, match="Pick 2 to 4"):
        evaluation.compare(["vae", "vae"], "mnist", n=100)
    with pytest.raises(GenLabError, match="Unknown model"):
        evaluation.compare(["vae", "nope"], "mnist", n=100)


def test_a_model_that_fails_to_load_is_named(tmp_path, monkeypatch):
    """A corrupt checkpoint that shadows the shipped one: Compare names the model and the reason."""
    import shutil

    from genlib import registry, serving

    bad = tmp_path / "vae-mnist"
    shutil.copytree(checkpoint_dir("vae", "mnist"), bad)
    (bad / "model.safetensors").write_bytes(b"not weights")
    monkeypatch.setenv("GENLAB_CHECKPOINTS", str(tmp_path))
    monkeypatch.setattr(serving, "_cache", {})
    assert registry.checkpoint_dir("vae", "mnist") == bad
    with pytest.raises(GenLabError, match="Cannot compare 'vae'"):
        evaluation.compare(["cdcgan", "vae"], "mnist", n=100)


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_shipped_generator_stores_its_eval_figures(dataset):
    records = {row["model"]: row["metrics"].get("eval") for row in list_models(True) if row["dataset"] == dataset}
    for model_id, ev in records.items():
        assert ev, f"{model_id}/{dataset} has no stored eval figures"
        assert ev["n"] >= 2000 and ev["floor"]["domain_fid"] < ev["domain_fid"]
        assert ev["floor"]["precision"] > 0.5 and 0 <= ev["recall"] <= 1


@pytest.mark.parametrize("dataset", DATASETS)
def test_stored_inception_fids(dataset):
    """All generators of a dataset carry an Inception FID, each worse than the real-data floor — or a record that
    says it was measured without one (a checkpoint retrained since the last Inception run) — or none does yet."""
    records = {row["model"]: row["metrics"].get("eval") or {} for row in list_models(True)
               if row["dataset"] == dataset}
    have = {m for m, ev in records.items() if "inception_fid" in ev}
    pending = {m for m, ev in records.items() if ev.get("inception") == evaluation.NOT_MEASURED}
    if not have:
        pytest.skip(f"no Inception FIDs stored for {dataset} yet: `genlib eval --dataset {dataset} --n 2000`")
    assert have | pending == set(records), f"Inception FID missing for {sorted(set(records) - have - pending)}"
    assert not have & pending
    for m in have:
        assert records[m]["inception_fid"] > records[m]["floor"]["inception_fid"] > 0, m


def _run(env, *args):
    return subprocess.run(genlib_cmd(*args), capture_output=True, text=True, env=env, timeout=300)


def test_cli_eval_prints_the_table_with_the_floor(tmp_path, subprocess_env):
    out = tmp_path / "rows.json"
    before = (checkpoint_dir("vae", "mnist") / hub.META).read_bytes()
    r = _run(subprocess_env, "eval", "--models", "cdcgan", "vae", "--dataset", "mnist", "--n", "100",
             "--no-inception", "--no-store", "--json", str(out))
    assert r.returncode == 0, r.stderr
    assert "real data (floor)" in r.stdout and "cdcgan" in r.stdout and "dom FID" in r.stdout
    assert "No reconstruction PSNR/SSIM for cdcgan: it has no encoder." in r.stdout
    rows = json.loads(out.read_text())
    assert [x["model"] for x in rows] == ["real data (floor)", "cdcgan", "vae"]
    assert (checkpoint_dir("vae", "mnist") / hub.META).read_bytes() == before, "--no-store leaves meta.json alone"
    bad = _run(subprocess_env, "eval", "--models", "vae", "--dataset", "mnist", "--n", "10", "--no-inception",
               "--no-store")
    assert bad.returncode == 2 and "N must be between 50" in bad.stderr and "Traceback" not in bad.stderr


def test_augment_experiment_tiny_run_through_the_cli(tmp_path, subprocess_env):
    out = tmp_path / "augment.json"
    r = _run(subprocess_env, "experiment", "augment", "--dataset", "mnist", "--per-class", "3", "--seeds", "2",
             "--synthetic", "4", "--steps", "3", "--out", str(out))
    assert r.returncode == 0, r.stderr
    res = json.loads(out.read_text())
    conditional = [m for m in model_choices("mnist") if get_spec(m).conditional]
    assert [row["train_set"] for row in res["rows"]] == ["real only", *conditional]  # every shipped one by default
    assert {"cdcgan", "cvae", "ddpm"} <= set(conditional)
    for row in res["rows"]:
        assert len(row["accuracies"]) == 2 and all(0 <= a <= 1 for a in row["accuracies"])
        assert row["accuracy_mean"] == pytest.approx(np.mean(row["accuracies"]), abs=1e-4)
    bad = _run(subprocess_env, "experiment", "augment", "--dataset", "mnist", "--generators", "vae", "--steps", "1")
    assert bad.returncode == 2 and "unconditional" in bad.stderr


@pytest.mark.parametrize("dataset", DATASETS)
def test_shipped_augment_results(dataset):
    from genlib.experiments.augment import load_results, results_table

    res = load_results(dataset)
    assert res is not None, f"assets/experiments/augment-{dataset}.json is missing"
    sizes = {row["per_class"] for row in res["rows"]}
    assert {20, 100} <= sizes and res["seeds"] >= 3
    assert {row["train_set"] for row in res["rows"]} >= {"real only", "cdcgan", "cvae"}
    headers, rows = results_table(res)
    assert len(rows) == len(res["rows"]) and "±" in rows[0][2]
