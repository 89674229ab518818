"""Loading and sampling for the front ends and the CLI: a shared, read-only model cache and validated calls.

Models are loaded once per process (thread-safe) and never mutated by a request; every call carries its own seed and
uses a local generator, so concurrent users never disturb each other's results.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from genlib.data import dataset_info
from genlib.errors import GenLabError
from genlib.images import grid, to_uint8
from genlib.models.base import GenerativeModel
from genlib.modes import stepwise
from genlib.registry import ModelRef, ModelSpec, available, checkpoint_dir, get_spec, is_live

_cache: dict[tuple[str, str], tuple[GenerativeModel, dict]] = {}
_lock = threading.Lock()


def list_models(generative: bool | None = True) -> list[dict]:
    """Every (model, dataset) with a checkpoint on disk, with capabilities and stored metrics."""
    from genlib import hub

    rows = []
    for spec, ds, folder in available(generative):
        try:
            meta = hub.read_json(folder / hub.META)
        except GenLabError:
            meta = {}
        rows.append({"model": spec.id, "dataset": ds, "title": spec.title, "family": spec.family,
                     **spec.capabilities(), "steps": meta.get("steps"), "device": meta.get("device"),
                     "metrics": meta.get("metrics", {}), "path": str(folder)})
    return rows


def model_choices(dataset: str) -> list[str]:
    """Ids of generators with a checkpoint for ``dataset``, in registry order (what the UIs' model menus list)."""
    return [spec.id for spec, ds, _ in available() if ds == dataset]


# Models trained live in this process (genlib.training.live), under private ids "<model>:live-<token>".
_live: OrderedDict[str, tuple[str, GenerativeModel, dict]] = OrderedDict()
KEEP_LIVE = 16


def publish_live(model_id: str, dataset: str, model: GenerativeModel, meta: dict) -> None:
    """Make a live-trained model loadable by its id (the oldest of more than ``KEEP_LIVE`` is dropped)."""
    with _lock:
        _live[model_id] = (dataset, model, meta)
        while len(_live) > KEEP_LIVE:
            _live.popitem(last=False)


def live_title(model_id: str) -> str:
    """Menu label of a live-trained model."""
    return f"{get_spec(model_id).title} (live {ModelRef.parse(model_id).live[:4]})"


def load(model_id: str, dataset: str) -> tuple[GenerativeModel, dict]:
    """The model trained on ``dataset`` (shared, eval mode) and its meta. Loaded once per process."""
    spec = get_spec(model_id)
    dataset_info(dataset)
    if is_live(model_id):
        with _lock:
            found = _live.get(str(model_id))
        if found is None:
            raise GenLabError("That live-trained model is no longer on the server (it restarted, or many newer ones "
                              "replaced it); train it again in the Live training tab.")
        if found[0] != dataset:
            raise GenLabError(f"That live-trained model was trained on {found[0]}, not {dataset}.")
        return found[1], found[2]
    key = (model_id, dataset)
    with _lock:
        if key not in _cache:
            folder = checkpoint_dir(model_id, dataset)
            if folder is None:
                have = ", ".join(model_choices(dataset)) or "none"
                raise GenLabError(f"No trained '{model_id}' checkpoint for {dataset}; available for {dataset}: {have}. "
                                  f"Train one with `genlib train {model_id} --dataset {dataset}`.")
            model, meta = GenerativeModel.from_pretrained(folder)
            if spec.generative:
                model.requires_grad_(False)
            _cache[key] = (model, meta)
        return _cache[key]


def _labels_for(spec: ModelSpec, label, n: int, seed: int, num_classes: int):
    """Class ids for a conditional model: an int (all the same), a list, or None/'random' (seeded, balanced)."""
    if not spec.conditional:
        if label not in (None, "random", -1):
            raise GenLabError(f"Model '{spec.id}' is unconditional; it takes no class.")
        return None
    if label in (None, "random", -1):
        order = torch.randperm(num_classes, generator=torch.Generator().manual_seed(seed))
        return order.repeat(n // num_classes + 1)[:n]
    values = [label] if np.isscalar(label) else list(label)
    try:
        ids = [int(v) for v in values]
    except (TypeError, ValueError):
        raise GenLabError(f"Class must be a number from 0 to {num_classes - 1}; got {label!r}.") from None
    if any(i < 0 or i >= num_classes or float(v) != i for i, v in zip(ids, values)):
        raise GenLabError(f"Class must be a whole number from 0 to {num_classes - 1}; got {label!r}.")
    return torch.tensor(ids if len(ids) > 1 else ids * n)


@dataclass
class Generation:
    images: np.ndarray  # (n, 28, 28) uint8
    labels: np.ndarray  # (n,) int64, -1 where unconditional
    seconds: float


def _validated(model_id: str, dataset: str, n, seed, labels, params: dict):
    """Check every argument against the registry before any work: (model, n, seed, label ids, params)."""
    spec = get_spec(model_id)
    if not spec.generative:
        raise GenLabError(f"'{model_id}' is not a generator.")
    info = dataset_info(dataset)
    declared = {p.name: p for p in spec.all_params()}
    n, seed = declared["n"].validate(n), declared["seed"].validate(seed)
    unknown = set(params) - set(declared)
    if unknown:
        raise GenLabError(f"Model '{model_id}' has no setting {', '.join(sorted(unknown))}; "
                          f"it takes {', '.join(declared)}.")
    params = {k: declared[k].validate(v) for k, v in params.items()}
    label_ids = _labels_for(spec, labels, n, seed, info.num_classes)
    model, _ = load(model_id, dataset)
    return model, n, seed, label_ids, params


def generate(model_id: str, dataset: str, n: int = 16, seed: int = 0, labels=None, **params) -> Generation:
    """Validated sampling: every argument is checked against the registry before any work is done."""
    model, n, seed, label_ids, params = _validated(model_id, dataset, n, seed, labels, params)
    start = time.perf_counter()
    with torch.inference_mode():
        images = to_uint8(model.sample(n, seed=seed, labels=label_ids, **params))
    seconds = time.perf_counter() - start
    out_labels = label_ids.numpy() if label_ids is not None else np.full(n, -1)
    return Generation(images, out_labels.astype(np.int64), seconds)


@dataclass
class Frame:
    """One streamed denoising step: x_t and the predicted clean images x̂_0, as (n, 28, 28) uint8."""

    index: int
    total: int
    t: int
    x_t: np.ndarray
    x0: np.ndarray
    seconds: float


def denoise_stream(model_id: str, dataset: str, n: int = 16, seed: int = 0, labels=None, every: int = 1,
                   **params) -> Iterator[Frame]:
    """Validated sampling that yields every ``every`` sampler steps (and the last): watch a diffusion model denoise.
    The final frame's x_t is exactly what :func:`generate` returns for the same arguments."""
    if get_spec(model_id).family != "diffusion":
        raise GenLabError(f"'{model_id}' is not a diffusion model; only those can be watched step by step.")
    if int(every) != every or every < 1:
        raise GenLabError(f"Show every k-th step needs a whole number k ≥ 1; got {every!r}.")
    model, n, seed, label_ids, params = _validated(model_id, dataset, n, seed, labels, params)
    start = time.perf_counter()
    z = model.sample_latents(n, seed, label_ids)
    frames = (Frame(step.index, step.total, step.t, to_uint8(step.x_t), to_uint8(step.x0), time.perf_counter() - start)
              for step in model.denoise_steps(z, label_ids, seed=seed, every=int(every), **params))
    yield from stepwise(frames)  # never yield inside inference mode: it is thread-local (genlib.modes)


def sample(model_id: str, dataset: str, n: int = 16, seed: int = 0, labels=None, **params) -> np.ndarray:
    """``n`` samples as (n, 28, 28) uint8. ``labels``: a class id, a list of ids, or None (random, seeded)."""
    return generate(model_id, dataset, n, seed, labels, **params).images


def sample_grid(model_id: str, dataset: str, n: int = 16, seed: int = 0, labels=None, scale: int = 4,
                **params) -> Image.Image:
    """The same samples tiled into one PIL image (what the front ends show)."""
    return grid(generate(model_id, dataset, n, seed, labels, **params).images, scale=scale)
