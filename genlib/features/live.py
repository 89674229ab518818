"""What both front ends show of live training (genlib.training.live): menus, actions and the curves."""

from __future__ import annotations

from types import MappingProxyType

import pandas as pd

from genlib.controls import Control, menu, seed
from genlib.data import DATASETS
from genlib.errors import GenLabError
from genlib.features.menus import UI_DATASETS
from genlib.serving import live_title
from genlib.training import live

MODEL_OPTIONS = tuple((title, key) for key, (_, _, title) in live.MODELS.items())
DATASET_OPTIONS = tuple((DATASETS[d].title, d) for d in UI_DATASETS)
MODEL = menu("model", "Model", MODEL_OPTIONS[0][1], MODEL_OPTIONS)
DATASET = menu("dataset", "Dataset", "mnist", DATASET_OPTIONS)
SECONDS = Control("seconds", "int", 120, "Train for (seconds)", 10, live.MAX_SECONDS, 10)
SEED = seed()
# the GAN recipe, one switch per ingredient (genlib.models.base.INGREDIENTS and the EMA): off, watch it collapse
RECIPE = (
    Control("r1", "bool", True, "R1 penalty", help="Keeps D smooth around real images, so G is not chased from mode "
                                                   "to mode."),
    Control("diffaugment", "bool", True, "DiffAugment", help="Shifts and cuts out every image D sees, real or fake, "
                                                            "so D cannot memorise the training set."),
    Control("ttur", "bool", True, "Two time scales", help="D learns at twice G's rate."),
    Control("ema", "bool", True, "Generator EMA", help="Shows a running average of G's weights: steadier samples."),
)
CONTROLS = (MODEL, DATASET, SECONDS, SEED, *RECIPE)
POLL_S = 1.0  # how often a front end refreshes a running job
LOSS_NAMES = MappingProxyType({"loss_d": "discriminator loss", "loss_g": "generator loss", "loss": "VAE loss (ELBO)",
                               "recon": "reconstruction", "kl": "KL divergence"})


def is_gan(model: str) -> bool:
    """Whether ``model`` has the GAN recipe's switches."""
    return bool(live.switches(model))


def start(model: str, dataset: str, seconds, seed, *switches, previous: str | None = None) -> str:
    """Queue a job for this session (stopping the session's previous one) and return its id. ``switches`` are the
    RECIPE switches in order (default: all on)."""
    if (old := live.get(previous)) is not None:
        old.stop()
    try:
        seconds, seed = float(seconds), int(seed)
    except (TypeError, ValueError):
        raise GenLabError("Training time and seed must be numbers.") from None
    on = dict(zip((c.name for c in RECIPE), switches))
    off = tuple(c.name for c in RECIPE if not on.get(c.name, True)) if is_gan(model) else ()
    return live.start(live.LiveConfig(model=model, dataset=dataset, max_seconds=seconds, seed=seed, off=off)).id


def control(job_id: str | None, action: str) -> None:
    job = live.get(job_id)
    if job is None:
        raise GenLabError("Start a training job first.")
    {"pause": job.pause, "resume": job.resume, "stop": job.stop}[action]()


def view(job_id: str | None) -> live.LiveView | None:
    job = live.get(job_id)
    return job.view() if job else None


def curves(v: live.LiveView | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(losses in long form: step, value, series) and (step, score) — the domain classifier's score — for plots."""
    rows = [(s.step, value, LOSS_NAMES[k]) for s in (v.history if v else [])
            for k, value in s.losses.items() if k in LOSS_NAMES]
    score = [(s.step, s.score) for s in (v.history if v else [])]
    losses = pd.DataFrame(rows, columns=["step", "value", "series"]).astype(
        {"step": "int64", "value": "float64", "series": "string"})
    return losses, pd.DataFrame(score, columns=["step", "score"]).astype({"step": "int64", "score": "float64"})


def with_result(models: list[str] | None, v: live.LiveView | None) -> list[str]:
    """The session's list of live-trained model ids, with this job's result added once it exists."""
    models = list(models or [])
    if v is not None and v.model_id and v.model_id not in models:
        models.append(v.model_id)
    return models


def menu(models: list[str] | None, dataset: str) -> list[tuple[str, str]]:
    """(label, id) of the session's live-trained models for ``dataset``, newest first, for the model menus."""
    from genlib.serving import load

    out = []
    for m in reversed(list(models or [])):
        try:
            load(m, dataset)
        except GenLabError:
            continue  # trained on the other dataset, or gone
        out.append((live_title(m), m))
    return out
