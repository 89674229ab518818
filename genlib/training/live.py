"""Live training for the classroom (GAN Lab style, on real data): train a small generator on the CPU inside the
server while everyone watches its samples and losses change.

- One job at a time per server (the ``training`` lane of :mod:`genlib.gate`): later jobs wait in line and know
  their place; a waiting job can be cancelled.
- A job runs in its own thread. ``pause()``, ``resume()`` and ``stop()`` act between optimisation steps; a job also
  ends at its step or time budget, or when nobody has looked at it for ``ABANDONED_S`` seconds (a closed tab).
- Every ``snapshot_every`` seconds the job samples a fixed 8×8 grid of latents (the same noise from step 0 on, so
  the grid changes only because the model does) and scores 256 seeded samples with the dataset's domain classifier
  (see :class:`Snapshot`): its classifier score is the "do these look like the data" curve.
- When it ends, the trained model is published in :mod:`genlib.serving` under a private id
  (``<model>:live-<token>``): the session that trained it can sample it in the other tabs like a shipped model.

No accelerate here: the server process may not own the one Accelerator a process is allowed. The loop, the optimisers
and the stepper are :mod:`genlib.training.loop`'s, the same that :mod:`genlib.training.trainer` runs.
"""

from __future__ import annotations

import atexit
import contextlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import torch
from PIL import Image

from genlib.data import dataset_info, load_dataset
from genlib.errors import GenLabError
from genlib.gate import TRAINING
from genlib.images import from_uint8, grid, to_uint8
from genlib.metrics import classifier_score
from genlib.registry import ModelRef, get_spec
from genlib.training import loop

# what can be trained live, with the preset used: (registry id, preset, title)
MODELS = {"gan": ("gan", "default", "GAN (MLP)"), "vae": ("vae", "default", "VAE (16-D latent)"),
          "dcgan": ("dcgan", "slim", "Slim DCGAN"), "stylegan": ("stylegan", "slim", "Slim StyleGAN")}
EMA_DECAY = 0.999
MAX_SECONDS = 900  # the longest a live job may train
ABANDONED_S = 60.0  # a running job nobody has looked at for this long is stopped
GRID_SEED, SCORE_SEED, SCORE_N = 1234, 4321, 256
KEEP_JOBS = 32
ACTIVE = ("waiting", "running", "paused", "stopping")  # the statuses of a job that has not ended


class Cancelled(Exception):
    pass


@dataclass(frozen=True)
class LiveConfig:
    model: str = "gan"
    dataset: str = "mnist"
    max_seconds: float = 120.0
    max_steps: int = 100_000
    batch_size: int = 64
    lr: float | None = None
    seed: int = 0
    snapshot_every: float = 1.0
    off: tuple[str, ...] = ()  # GAN ingredients switched off (switches()): watch what each one was doing

    def checked(self) -> LiveConfig:
        if self.model not in MODELS:
            raise GenLabError(f"Live training takes one of: {', '.join(MODELS)}; got {self.model!r}.")
        dataset_info(self.dataset)
        if not 1 <= float(self.max_seconds) <= MAX_SECONDS:
            raise GenLabError(f"Training time must be between 1 and {MAX_SECONDS} seconds; got {self.max_seconds!r}.")
        if not 8 <= int(self.batch_size) <= 256:
            raise GenLabError(f"Batch size must be between 8 and 256; got {self.batch_size!r}.")
        if self.lr is not None and not 1e-6 <= float(self.lr) <= 1e-1:
            raise GenLabError(f"Learning rate must be between 1e-6 and 0.1; got {self.lr!r}.")
        if unknown := set(self.off) - set(switches(self.model)):
            raise GenLabError(f"Unknown ingredient(s) {', '.join(sorted(unknown))}; one can switch off "
                              f"{', '.join(switches(self.model)) or 'nothing of this model'}.")
        return self


def switches(model: str) -> tuple[str, ...]:
    """What a class can switch off when training ``model`` live: the recipe ingredients its model class declares
    (GANs: R1, DiffAugment, two time scales) and, where there are any, the generator EMA."""
    names = tuple(getattr(get_spec(MODELS[model][0]).factory, "ingredients", {})) if model in MODELS else ()
    return (*names, "ema") if names else ()


@dataclass
class Snapshot:
    """The model at one moment: its losses and what the domain classifier makes of 256 seeded samples — the mean
    top-class probability (``confidence``) and the classifier score (``score``, exp E KL(p(y|x) ‖ p(y)), 1 to 10:
    each sample clearly one class *and* the classes varied). Only the score tracks learning from the start: the
    classifier is ~100 % sure of one class for an untrained generator's near-constant output."""

    step: int
    seconds: float
    losses: dict[str, float]
    confidence: float
    score: float


@dataclass
class LiveView:
    """What a front end shows of a job at one moment (a copy: safe to read while the job trains)."""

    job_id: str
    status: str  # waiting | running | paused | stopping | finished | stopped | failed | cancelled
    position: int  # place in line while waiting (1 = next)
    step: int
    seconds: float
    grid: Image.Image | None
    history: list[Snapshot] = field(default_factory=list)
    message: str = ""
    model_id: str | None = None
    title: str = ""

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def caption(self) -> str:
        if self.status == "waiting":
            return (f"Waiting for the trainer: another training job is running. You are number {self.position} "
                    f"in line.")
        last = self.history[-1] if self.history else None
        parts = [f"{self.title}: {self.status}", f"step {self.step:,}", f"{self.seconds:.0f} s"]
        if self.seconds > 0 and self.step:
            parts.append(f"{self.step / self.seconds:.0f} steps/s")
        if last:
            parts.append(f"classifier score {last.score:.2f} / 10 (confidence {last.confidence:.2f})")
        text = " · ".join(parts)
        return f"{text}. {self.message}" if self.message else text


class LiveJob:
    def __init__(self, config: LiveConfig):
        self.config = config.checked()
        self.id = secrets.token_hex(8)
        base, self.preset, self.title = MODELS[config.model]
        self.spec = get_spec(base)
        self._lock = threading.Lock()
        self._run = threading.Event()
        self._run.set()
        self._stop = threading.Event()
        self.status, self.position, self.step, self.seconds = "waiting", 0, 0, 0.0
        self.grid: Image.Image | None = None
        self.history: list[Snapshot] = []
        self.message, self.model_id = "", None
        self.seen = time.monotonic()
        self._thread = threading.Thread(target=self._main, name=f"live-{self.id}", daemon=True)

    # -------------------------------------------------------------- controls
    def pause(self) -> None:
        with self._lock:
            if self.status == "running":
                self._run.clear()
                self.status = "paused"

    def resume(self) -> None:
        with self._lock:
            if self.status == "paused":
                self.status = "running"
                self._run.set()

    def stop(self) -> None:
        with self._lock:
            if self.status in ("running", "paused"):
                self.status = "stopping"
            self._stop.set()
            self._run.set()

    @property
    def active(self) -> bool:
        """Not ended yet (reading it, unlike :meth:`view`, does not count as looking at the job)."""
        with self._lock:
            return self.status in ACTIVE

    def view(self) -> LiveView:
        """A copy of the job's state; looking at a job keeps it alive (see ``ABANDONED_S``)."""
        with self._lock:
            self.seen = time.monotonic()
            return LiveView(self.id, self.status, self.position, self.step, self.seconds, self.grid,
                            list(self.history), self.message, self.model_id, self.title)

    # -------------------------------------------------------------- the job
    def _waiting(self, position: int) -> None:
        with self._lock:
            self.position = position
        if self._stop.is_set():
            raise Cancelled
        if time.monotonic() - self.seen > ABANDONED_S:
            raise Cancelled

    def _main(self) -> None:
        try:
            ticket = TRAINING.enter(self._waiting, poll=0.2, kind="live-training")
        except Cancelled:
            with self._lock:
                self.status, self.message = "cancelled", "Left the line before starting."
            return
        try:
            with self._lock:
                if self._stop.is_set():
                    self.status, self.message = "cancelled", "Stopped before starting."
                    return
                self.status, self.position = "running", 0
            self._train()
        except GenLabError as e:
            with self._lock:
                self.status, self.message = "failed", str(e)
        except Exception as e:  # noqa: BLE001 — a job's failure must never take the server down
            with self._lock:
                self.status, self.message = "failed", f"Training stopped with an internal error: {e}"
        finally:
            TRAINING.leave(ticket)

    def _train(self) -> None:
        cfg = self.config
        data = load_dataset(cfg.dataset, "train")
        images, labels = from_uint8(data.images), torch.tensor(np.asarray(data.labels))
        torch.manual_seed(cfg.seed)
        recipe = getattr(self.spec.factory, "ingredients", {})
        overrides = {k: v for name in cfg.off if name in recipe for k, v in recipe[name].items()}
        model = self.spec.build(self.preset, num_classes=data.info.num_classes, **overrides)
        ema = loop.EMA(model.ema_module(), EMA_DECAY) if recipe and "ema" not in cfg.off else None
        lr = float(cfg.lr) if cfg.lr is not None else self.spec.recipe.lr
        stepper = loop.Stepper(loop.optimizers(self.spec, model, lr), hint="try a lower learning rate")
        order = torch.Generator().manual_seed(cfg.seed)
        from genlib.serving import load as load_model

        classifier, _ = load_model("classifier", cfg.dataset)
        grid_labels = torch.arange(64) % data.info.num_classes if self.spec.conditional else None
        score_labels = torch.arange(SCORE_N) % data.info.num_classes if self.spec.conditional else None

        trained, start, last_shot, losses = 0.0, time.monotonic(), -1e9, {}

        def snapshot():  # the samples show the EMA generator when it is on (what the shipped GANs show)
            model.eval()
            with torch.inference_mode(), ema.applied() if ema else contextlib.nullcontext():
                shown = grid(to_uint8(model.sample(64, seed=GRID_SEED, labels=grid_labels)), nrow=8, scale=3)
                probs = torch.softmax(classifier(model.sample(SCORE_N, seed=SCORE_SEED, labels=score_labels)), 1)
            model.train()
            confidence, score = float(probs.max(1).values.mean()), classifier_score(probs.numpy())
            with self._lock:
                self.grid = shown
                self.history.append(Snapshot(self.step, round(trained, 2), dict(losses), round(confidence, 4),
                                             round(score, 3)))

        def batches():  # random batches until the budget is spent, the job is stopped or nobody watches
            nonlocal start, trained
            while True:
                if not self._run.is_set():
                    paused_at = time.monotonic()
                    self._run.wait()
                    start += time.monotonic() - paused_at  # paused time is not training time
                trained = time.monotonic() - start
                if self._stop.is_set() or trained >= cfg.max_seconds or self.step >= cfg.max_steps:
                    return
                if time.monotonic() - self.seen > ABANDONED_S:
                    with self._lock:
                        self.message = f"Stopped: nobody watched it for {ABANDONED_S:.0f} s."
                    return
                idx = torch.randint(len(labels), (cfg.batch_size,), generator=order)
                yield images[idx], labels[idx]

        def watched(step: int, out: dict) -> None:
            nonlocal losses, last_shot
            losses = {k: round(v, 4) for k, v in out.items()}
            if ema:
                ema.update(step)
            with self._lock:
                self.step, self.seconds = step, trained
            if time.monotonic() - last_shot >= cfg.snapshot_every:
                last_shot = time.monotonic()
                snapshot()

        snapshot()
        loop.run(model, batches(), stepper, (watched,))
        trained = time.monotonic() - start
        with self._lock:
            self.seconds = trained
        snapshot()
        if ema:
            model.ema_module().load_state_dict(ema.shadow)
        loop.finish(model, images, labels, limit=10_000, generator=order)  # a VAE fits its latent prior
        model.requires_grad_(False)
        model_id = str(ModelRef(self.spec.id, live=self.id))
        meta = {"model": self.spec.id, "dataset": cfg.dataset, "preset": self.preset, "steps": self.step,
                "wall_time_s": round(trained, 1), "device": "cpu (live, in the server)", "live": True,
                "batch_size": cfg.batch_size, "lr": lr, "seed": cfg.seed, "metrics": {},
                **({"switched_off": list(cfg.off)} if cfg.off else {}), "ema": EMA_DECAY if ema else None}
        from genlib.serving import live_title, publish_live

        publish_live(model_id, cfg.dataset, model, meta)
        with self._lock:
            self.model_id = model_id
            self.status = "stopped" if self._stop.is_set() or self.message else "finished"
            if not self.message:
                self.message = f"Done: use “{live_title(model_id)}” in the other tabs."


_jobs: OrderedDict[str, LiveJob] = OrderedDict()
_jobs_lock = threading.Lock()


@atexit.register
def stop_all(timeout: float = 5.0) -> None:
    """Stop every job and let its thread finish its step; at interpreter exit too (a daemon thread killed inside
    torch aborts the process with "terminate called without an active exception")."""
    with _jobs_lock:
        jobs = list(_jobs.values())
    for job in jobs:
        job.stop()
    deadline = time.monotonic() + timeout
    for job in jobs:
        job._thread.join(max(0.0, deadline - time.monotonic()))


def start(config: LiveConfig) -> LiveJob:
    """Queue a job (it starts when the trainer is free) and return it."""
    job = LiveJob(config)
    with _jobs_lock:
        _jobs[job.id] = job
        while len(_jobs) > KEEP_JOBS:
            old_id, old = next(iter(_jobs.items()))
            if old.active:  # not view(): that would keep an abandoned job alive
                break
            del _jobs[old_id]
    job._thread.start()
    return job


def get(job_id: str | None) -> LiveJob | None:
    with _jobs_lock:
        return _jobs.get(job_id or "")


def line() -> int:
    """How many jobs are training or waiting now."""
    return TRAINING.busy
