"""Data augmentation with generated samples (the seed's §3.4.4).

A classifier is trained on a small real subset (``per_class`` labelled images per class), with and without synthetic
labelled samples from each shipped conditional generator, and scored on the whole real test split. Each configuration
runs over several seeds (subset choice, initialisation, sampling seed) and reports mean ± std accuracy.

Caveat, stated with the results: the generators were trained on the *full* labelled training set, so "synthetic data"
here transfers knowledge the small classifier did not see. The experiment measures whether that transfer through
samples helps, not whether data can be created from nothing.
"""

from __future__ import annotations

import json
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from genlib import hub
from genlib.data import dataset_info, load_dataset
from genlib.errors import GenLabError
from genlib.images import from_uint8
from genlib.models.base import random_shift
from genlib.models.classifier import Classifier
from genlib.registry import ROOT, get_spec
from genlib.serving import generate, model_choices

RESULTS_DIR = ROOT / "assets" / "experiments"


@dataclass
class AugmentConfig:
    dataset: str
    per_class: tuple[int, ...] = (20, 100)
    seeds: int = 3
    synthetic_per_class: int = 500
    generators: tuple[str, ...] | None = None  # default: every conditional generator shipped for the dataset
    steps: int = 600
    batch_size: int = 64
    lr: float = 1e-3
    channels: int = 16
    hidden: int = 64
    command: str = ""
    extra: dict = field(default_factory=dict)


def _train_and_score(images: torch.Tensor, labels: torch.Tensor, test_x: torch.Tensor, test_y: np.ndarray,
                     cfg: AugmentConfig, seed: int, num_classes: int) -> float:
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    clf = Classifier(num_classes=num_classes, channels=cfg.channels, hidden=cfg.hidden)
    opt = torch.optim.Adam(clf.parameters(), lr=cfg.lr)
    clf.train()
    for _ in range(cfg.steps):
        idx = torch.randint(0, len(labels), (min(cfg.batch_size, len(labels)),), generator=g)
        loss = F.cross_entropy(clf(random_shift(images[idx])), labels[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return float((clf.predict(test_x).numpy() == test_y).mean())


def _real_subset(train, per_class: int, seed: int, num_classes: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picks = []
    for k in range(num_classes):
        where = np.flatnonzero(train.labels == k)
        if len(where) < per_class:
            raise GenLabError(f"Only {len(where)} training images of class {k}; cannot take {per_class} per class.")
        picks.append(rng.choice(where, per_class, replace=False))
    return np.concatenate(picks)


def run(cfg: AugmentConfig, progress=print) -> dict:
    info = dataset_info(cfg.dataset)
    k = info.num_classes
    generators = list(cfg.generators) if cfg.generators else [
        m for m in model_choices(cfg.dataset) if get_spec(m).conditional]
    for m in generators:
        if not get_spec(m).conditional:
            raise GenLabError(f"'{m}' is unconditional: it cannot make labelled samples for this experiment.")
    if cfg.seeds < 1 or not cfg.per_class or min(cfg.per_class) < 1:
        raise GenLabError("Need at least one seed and per-class sizes of at least 1.")
    train, test = load_dataset(cfg.dataset, "train"), load_dataset(cfg.dataset, "test")
    test_x = from_uint8(test.images)
    start = time.perf_counter()
    rows = []
    for per_class in cfg.per_class:
        for source in ["real only", *generators]:
            accs = []
            for seed in range(cfg.seeds):
                idx = _real_subset(train, per_class, seed, k)
                x, y = from_uint8(train.images[idx]), torch.from_numpy(train.labels[idx].astype(np.int64))
                if source != "real only":
                    labels = np.repeat(np.arange(k), cfg.synthetic_per_class)
                    synth = generate(source, cfg.dataset, n=len(labels), seed=1000 + seed, labels=labels.tolist())
                    x = torch.cat([x, from_uint8(synth.images)])
                    y = torch.cat([y, torch.from_numpy(synth.labels)])
                accs.append(_train_and_score(x, y, test_x, test.labels, cfg, seed, k))
            row = {"per_class": per_class, "train_set": source, "synthetic_per_class": 0 if source == "real only"
                   else cfg.synthetic_per_class, "accuracy_mean": float(np.mean(accs)),
                   "accuracy_std": float(np.std(accs, ddof=1)) if len(accs) > 1 else 0.0,
                   "accuracies": [round(a, 4) for a in accs]}
            rows.append(row)
            if progress:
                progress(f"{per_class:>4}/class  {source:<10} {row['accuracy_mean']:.2%} ± {row['accuracy_std']:.2%}")
    return {
        "experiment": "augment", "dataset": cfg.dataset, "test_images": len(test.labels), "seeds": cfg.seeds,
        "classifier": {"channels": cfg.channels, "hidden": cfg.hidden, "steps": cfg.steps,
                       "batch_size": cfg.batch_size, "lr": cfg.lr},
        "rows": rows, "wall_time_s": round(time.perf_counter() - start, 1),
        "device": f"cpu ({platform.machine()}, {torch.get_num_threads()} threads)", "command": cfg.command,
    }


def save(result: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    hub.atomic_write_json(path, result)


def results_path(dataset: str) -> Path:
    return RESULTS_DIR / f"augment-{dataset}.json"


def load_results(dataset: str) -> dict | None:
    """The shipped results for ``dataset`` (what the UIs show), or None."""
    path = results_path(dataset)
    return json.loads(path.read_text()) if path.is_file() else None


def results_table(result: dict) -> tuple[list[str], list[list[str]]]:
    """Headers and formatted rows for the UIs."""
    headers = ["Real images per class", "Training set", "Test accuracy (mean ± std)", "Seeds"]
    rows = []
    for r in result["rows"]:
        src = r["train_set"] if r["train_set"] == "real only" else (
            f"real + {r['synthetic_per_class']}/class from {get_spec(r['train_set']).title}")
        rows.append([str(r["per_class"]), src, f"{r['accuracy_mean']:.2%} ± {r['accuracy_std']:.2%}",
                     str(len(r["accuracies"]))])
    return headers, rows
