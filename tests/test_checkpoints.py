"""Every shipped checkpoint: loads, samples, carries its provenance, and meets the issue's quality floor."""

import json
import shutil

import numpy as np
import pytest
import torch

from genlib import serving
from genlib.errors import CheckpointError
from genlib.evaluation import class_accuracy, classifier_test_accuracy, evaluate_model
from genlib.models.base import GenerativeModel
from genlib.registry import ROOT, available, specs

SHIPPED = [(spec.id, ds) for spec, ds, _ in available(None)]
EXPECTED = [(s.id, d) for s in specs(None) for d in s.datasets]
# Issue 2's floors: 95 % on MNIST, 85 % on Fashion-MNIST; issue 5's for diffusion: 97 % and 90 %; issue 19's for cdcgan
# retrained with its recipe: 97 % (MNIST) and 90 % (Fashion-MNIST).
CLASS_FLOOR = {("cdcgan", "mnist"): 0.97, ("cdcgan", "fashion"): 0.90, ("cvae", "mnist"): 0.95,
               ("cvae", "fashion"): 0.85, ("ddpm", "mnist"): 0.97, ("ddpm", "fashion"): 0.90}
# Issue 19's targets for GANs trained with its recipe (`genlib eval --n 2000`, seed 0): 10 of 10 classes and this
# recall. A checkpoint joins this list when it is retrained with the recipe and meets them; the others are in
# BENCHMARKS.md ("GANs worth showing a class") with their measured figures.
GAN_RECALL = {("dcgan", "mnist"): 0.5, ("cdcgan", "mnist"): 0.5, ("dcgan", "fashion"): 0.45,
              ("cdcgan", "fashion"): 0.45}


def test_every_model_dataset_pair_is_shipped():
    assert sorted(SHIPPED) == sorted(EXPECTED)
    size = sum(p.stat().st_size for p in (ROOT / "checkpoints").rglob("*") if p.is_file()
               and "train_state" not in p.parts and "samples" not in p.parts)
    assert size <= 120 * 2**20  # issue 19's budget for the whole folder


@pytest.mark.parametrize("model_id,dataset", SHIPPED)
def test_shipped_checkpoint_loads_samples_and_has_provenance(model_id, dataset):
    model, meta = serving.load(model_id, dataset)
    for key in ("dataset", "steps", "epochs", "wall_time_s", "device", "command", "libraries", "metrics"):
        assert key in meta, key
    assert meta["dataset"] == dataset and meta["model"] == model_id and meta["steps"] > 0
    assert meta["command"].startswith(f"genlib train {model_id} --dataset {dataset}")
    if model_id == "classifier":
        return
    images = serving.sample(model_id, dataset, n=8, seed=3)
    side = getattr(model, "image_size", 28)  # 64 for the spoken-digit log-mel pictures
    assert images.shape == (8, side, side) and images.dtype == np.uint8
    assert np.array_equal(images, serving.sample(model_id, dataset, n=8, seed=3))
    assert images.std() > 20, "samples are flat: the generator collapsed"


@pytest.mark.parametrize("dataset,floor", [("mnist", 0.97), ("fashion", 0.88)])
def test_domain_classifier_accuracy_on_real_test_data(dataset, floor):
    assert classifier_test_accuracy(dataset) >= floor


@pytest.mark.parametrize("model_id", ["cdcgan", "cvae", "ddpm"])
@pytest.mark.parametrize("dataset", ["mnist", "fashion"])
def test_conditional_samples_are_read_as_the_requested_class(model_id, dataset):
    with torch.inference_mode():
        acc = class_accuracy(model_id, dataset, n=500, seed=7)
    assert acc >= CLASS_FLOOR[model_id, dataset], f"{model_id}/{dataset}: {acc:.3f}"


@pytest.mark.parametrize("model_id,dataset", sorted(GAN_RECALL))
def test_recipe_gans_cover_every_class_with_the_recall_issue_19_asks(model_id, dataset):
    with torch.inference_mode():
        row = evaluate_model(model_id, dataset, 2000, 0, 10, with_inception=False)
    assert row["classes_covered"] == 10 and row["recall"] >= GAN_RECALL[model_id, dataset], row


def test_corrupt_checkpoint_gets_one_clear_sentence(tmp_path):
    src = ROOT / "checkpoints" / "vae-mnist"
    bad = tmp_path / "vae-mnist"
    shutil.copytree(src, bad, ignore=shutil.ignore_patterns("train_state", "samples"))
    blob = bytearray((bad / "model.safetensors").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (bad / "model.safetensors").write_bytes(bytes(blob))
    with pytest.raises(CheckpointError, match=r"is corrupt: model.safetensors does not match the hash"):
        GenerativeModel.from_pretrained(bad)
    (bad / "model.safetensors").write_bytes(b"not a safetensors file")
    meta = json.loads((bad / "meta.json").read_text())
    meta.pop("weights_sha256")
    (bad / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="cannot be read"):
        GenerativeModel.from_pretrained(bad)
    (bad / "config.json").write_text("{ truncated")
    with pytest.raises(CheckpointError, match="config.json is corrupt"):
        GenerativeModel.from_pretrained(bad)
