"""One catalogue of models that both front ends, the CLI and the tests read.

A :class:`ModelSpec` says what a model is (family, modality — image, audio or text —, capabilities), which generation
controls it takes (:class:`~genlib.controls.Control`, rendered by both UIs and the CLI), its presets (``tiny`` for
tests, ``default`` for shipped checkpoints) and how to train it; a :class:`ModelRef` names one (a model trained live
in the server included). Each file in ``genlib/models/`` calls :func:`register` for its ids; adding a model is adding
one file (and its checkpoint folder ``checkpoints/<model>-<dataset>/``). The dataset catalogue is
:mod:`genlib.data.datasets`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from genlib import controls
from genlib.controls import Control
from genlib.errors import GenLabError

ROOT = Path(__file__).resolve().parent.parent


# Controls every image generator shares; per-model params are added to these.
SEED = controls.seed(help="Same seed, same images.")
UI_MAX_COUNT = 64  # the front ends sample at most this many at once (a grid a class can see); the CLI up to 10,000
COUNT = Control("n", "int", 16, "Count", 1, 10_000, 1, help="How many images to sample.", ui_max=UI_MAX_COUNT)


@dataclass(frozen=True)
class TrainRecipe:
    """How the shipped checkpoint is trained: batch size, learning rate and length per dataset."""

    batch_size: int = 64
    lr: float = 2e-4
    steps: dict[str, int] = field(default_factory=dict)
    ema: float = 0.0
    store_dtype: str = "float16"


@dataclass(frozen=True)
class ModelSpec:
    id: str
    title: str
    family: str
    factory: Callable[..., Any]
    presets: dict[str, dict]
    description: str = ""
    modality: str = "image"  # image | audio (pictures of sound) | text
    generative: bool = True
    conditional: bool = False
    encoder: bool = False
    params: tuple[Control, ...] = ()
    recipe: TrainRecipe = TrainRecipe()
    datasets: tuple[str, ...] = ("mnist", "fashion")
    latent_tools: bool = True  # a small latent the Latent Lab's sliders, maps and directions make sense on

    def config(self, preset: str = "default", num_classes: int = 10) -> dict:
        if preset not in self.presets:
            raise GenLabError(f"Model '{self.id}' has no preset '{preset}'; choose one of: {', '.join(self.presets)}.")
        return {**self.presets[preset], **({"num_classes": num_classes} if self.conditional else {})}

    def build(self, preset: str = "default", num_classes: int = 10, **overrides):
        return self.factory(**{**self.config(preset, num_classes), **overrides})

    @property
    def latent_dim(self) -> int | None:
        return self.presets["default"].get("latent_dim")

    def capabilities(self) -> dict:
        return {"conditional": self.conditional, "encoder": self.encoder, "latent_dim": self.latent_dim}

    def all_params(self) -> tuple[Control, ...]:
        return (SEED, COUNT, *self.params)


@dataclass(frozen=True)
class ModelRef:
    """Which model a front end, a link or a script means: a catalogue id and, for a model trained live in this server
    (genlib.training.live), its private token. Menus, the HTTP API and sessions carry it as text — ``"vae"``, or
    ``"vae:live-<token>"`` — and :meth:`parse` is the one place that text is read."""

    id: str
    live: str | None = None

    @classmethod
    def parse(cls, ref: str | ModelRef) -> ModelRef:
        if isinstance(ref, ModelRef):
            return ref
        base, sep, rest = str(ref).partition(":")
        if not sep:
            return cls(base)
        if not rest.startswith("live-") or len(rest) <= len("live-"):
            raise GenLabError(f"Unknown model '{ref}'; a model trained live is named '<model>:live-<token>'.")
        return cls(base, rest[len("live-"):])

    def __str__(self) -> str:
        return self.id if self.live is None else f"{self.id}:live-{self.live}"


def is_live(ref: str | ModelRef | None) -> bool:
    """True for a model trained live in this server (private to the session that trained it); False for anything else,
    a malformed name included (looking it up is what refuses it)."""
    try:
        return bool(ref) and ModelRef.parse(ref).live is not None
    except GenLabError:
        return False


_REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    if spec.id in _REGISTRY and _REGISTRY[spec.id].factory is not spec.factory:
        raise ValueError(f"model id '{spec.id}' registered twice")
    _REGISTRY[spec.id] = spec
    return spec


def _ensure_loaded() -> None:
    import genlib.models  # noqa: F401  (imports every model file, which registers its ids)


PICTURES = ("image", "audio")  # what the image trainer trains and the image features show (audio: log-mel pictures)


def specs(generative: bool | None = True, modality: str | tuple[str, ...] = PICTURES) -> list[ModelSpec]:
    """Registered specs of ``modality`` (one kind or several; default the picture models), in registration order
    (``generative=None`` includes classifiers)."""
    _ensure_loaded()
    kinds = (modality,) if isinstance(modality, str) else tuple(modality)
    return [s for s in _REGISTRY.values()
            if (generative is None or s.generative == generative) and s.modality in kinds]


def get_spec(model_id: str) -> ModelSpec:
    """The spec of ``model_id`` (a :class:`ModelRef` or its text); a model trained live in the server has its base
    model's spec."""
    _ensure_loaded()
    if isinstance(model_id, (str, ModelRef)):
        model_id = ModelRef.parse(model_id).id
    if model_id not in _REGISTRY:
        raise GenLabError(f"Unknown model '{model_id}'; choose one of: {', '.join(_REGISTRY)}.")
    return _REGISTRY[model_id]


def checkpoint_roots() -> list[Path]:
    """Folders searched for ``<model>-<dataset>/`` checkpoints: $GENLAB_CHECKPOINTS (os.pathsep-separated) first."""
    extra = [Path(p) for p in os.environ.get("GENLAB_CHECKPOINTS", "").split(os.pathsep) if p]
    return [*extra, ROOT / "checkpoints"]


def checkpoint_dir(model_id: str, dataset: str) -> Path | None:
    for root in checkpoint_roots():
        folder = root / f"{model_id}-{dataset}"
        if (folder / "config.json").is_file():
            return folder
    return None


def available(generative: bool | None = True, modality: str | tuple[str, ...] = PICTURES,
              ) -> list[tuple[ModelSpec, str, Path]]:
    """Every (spec, dataset, folder) with a usable checkpoint on disk: what the front ends offer. A damaged one
    (missing weights, a hash mismatch, not safetensors) is left out and listed by :func:`unavailable` instead."""
    from genlib.hub import checkpoint_problem

    return [(s, d, p) for s in specs(generative, modality) for d in s.datasets
            if (p := checkpoint_dir(s.id, d)) and not checkpoint_problem(p)]


def unavailable(generative: bool | None = None, modality: str | tuple[str, ...] = PICTURES,
                ) -> list[tuple[str, str, str]]:
    """(model, dataset, reason) for every checkpoint folder on disk that cannot be used."""
    from genlib.hub import checkpoint_problem

    return [(s.id, d, why) for s in specs(generative, modality) for d in s.datasets
            if (p := checkpoint_dir(s.id, d)) and (why := checkpoint_problem(p))]
