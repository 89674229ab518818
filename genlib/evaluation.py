"""Figures stored with each checkpoint: the domain classifier's accuracy on real test data, and how often it reads
a conditional model's samples as the class that was asked for.
"""

from __future__ import annotations

import numpy as np
import torch

from genlib import hub
from genlib.data import dataset_info, load_dataset
from genlib.errors import GenLabError
from genlib.images import from_uint8
from genlib.registry import checkpoint_dir, get_spec
from genlib.serving import generate, load


def classifier_test_accuracy(dataset: str) -> float:
    """Accuracy of ``classifier-<dataset>`` on the real test split."""
    clf, _ = load("classifier", dataset)
    test = load_dataset(dataset, "test")
    pred = clf.predict(from_uint8(test.images))
    return float((pred.numpy() == test.labels).mean())


def class_accuracy(model_id: str, dataset: str, n: int = 2000, seed: int = 0) -> float:
    """Share of ``n`` class-balanced samples that the domain classifier assigns to the requested class."""
    if not get_spec(model_id).conditional:
        raise GenLabError(f"Model '{model_id}' is unconditional; class accuracy needs a conditional model.")
    k = dataset_info(dataset).num_classes
    labels = np.arange(n) % k
    clf, _ = load("classifier", dataset)
    correct = 0
    for start in range(0, n, 500):  # bounded memory for large n
        part = labels[start:start + 500]
        images = generate(model_id, dataset, n=len(part), seed=seed + start, labels=part.tolist()).images
        correct += int((clf.predict(from_uint8(images)).numpy() == part).sum())
    return correct / n


def store_metrics(model_id: str, dataset: str, **metrics) -> None:
    """Merge ``metrics`` into the checkpoint's meta.json (atomically; the weights and their hash are untouched)."""
    folder = checkpoint_dir(model_id, dataset)
    if folder is None:
        raise GenLabError(f"No checkpoint for {model_id}/{dataset}.")
    meta = hub.read_json(folder / hub.META)
    meta.setdefault("metrics", {}).update(metrics)
    hub.atomic_write_json(folder / hub.META, meta)


def evaluate_class_accuracy(models: list[str], datasets: list[str], n: int = 2000, seed: int = 0,
                            store: bool = True) -> list[dict]:
    rows = []
    for ds in datasets:
        acc = classifier_test_accuracy(ds)
        rows.append({"model": "classifier", "dataset": ds, "n": len(load_dataset(ds, "test")), "accuracy": acc})
        if store:
            store_metrics("classifier", ds, test_accuracy=round(acc, 4))
        for m in models:
            with torch.inference_mode():
                acc = class_accuracy(m, ds, n=n, seed=seed)
            rows.append({"model": m, "dataset": ds, "n": n, "accuracy": acc})
            if store:
                store_metrics(m, ds, class_accuracy={"value": round(acc, 4), "n": n, "seed": seed,
                                                     "reader": f"classifier-{ds}"})
    return rows
