"""The one training loop both offline training (:mod:`genlib.training.trainer`, on accelerate, crash-safe) and live
training in the server (:mod:`genlib.training.live`, threads and snapshots) run: optimisers from the model's recipe,
a :class:`Stepper` that models step themselves (pythae's split: one loop, adversarial or not), and :func:`run`, which
feeds batches to ``training_step`` and hands each step's named losses to callbacks.

What differs between the two callers lives in their batches and callbacks: the offline trainer's batches walk
seeded epochs (resumable mid-epoch) and its callbacks keep EMA, progress, grids and checkpoints; live training's
batches end when the job is stopped, paused time is not counted, and its callback takes snapshots.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable

import torch

from genlib.errors import TrainingDiverged

# a callback: (step, named losses as floats) → None; it may raise to stop, or the batches may simply end
Callback = Callable[[int, dict[str, float]], None]


def optimizers(spec, model, lr: float | None = None) -> dict[str, torch.optim.Optimizer]:
    """Adam per optimiser group of ``model`` at the recipe's learning rate (or ``lr``) times the model's scale for
    that group (a GAN's two time scales), with the model's betas (DCGAN's (0.5, 0.999) for GANs)."""
    rate = float(lr) if lr else spec.recipe.lr
    scales = model.lr_scales()
    return {n: torch.optim.Adam(p, lr=rate * scales.get(n, 1.0), betas=model.adam_betas)
            for n, p in model.optimizer_groups().items()}


class Stepper:
    """``step(name, loss)``: refuse a non-finite loss, zero grads, backward, average grads across processes (when
    ``world`` > 1: what DDP does, written out so a GAN can step D and G in turn), optimiser step."""

    def __init__(self, optimizers: dict[str, torch.optim.Optimizer], backward: Callable | None = None,
                 world: int = 1, hint: str = "lower the learning rate"):
        self.optimizers, self.world, self.hint = optimizers, world, hint
        self.backward = backward or (lambda loss: loss.backward())

    def step(self, name: str, loss: torch.Tensor) -> None:
        if not torch.isfinite(loss):
            raise TrainingDiverged(f"The loss for '{name}' became {float(loss.detach())}; {self.hint}.")
        opt = self.optimizers[name]
        opt.zero_grad(set_to_none=True)
        self.backward(loss)
        if self.world > 1:
            grads = [p.grad for g in opt.param_groups for p in g["params"] if p.grad is not None]
            flat = torch.cat([g.reshape(-1) for g in grads])
            torch.distributed.all_reduce(flat)
            flat /= self.world
            offset = 0
            for g in grads:
                g.copy_(flat[offset: offset + g.numel()].view_as(g))
                offset += g.numel()
        opt.step()


class EMA:
    """An exponential moving average of ``module``'s weights (a GAN's generator: Karras et al. average it for the
    images they show). ``update(step)`` warms up as in TensorFlow's ExponentialMovingAverage — the decay is
    min(decay, (1 + step) / (10 + step)) — so a short run (live training) is not an average of its random start."""

    def __init__(self, module: torch.nn.Module, decay: float, init: dict | None = None):
        self.module, self.decay = module, decay
        self.shadow = {k: v.detach().clone().float() for k, v in module.state_dict().items()}
        if init:
            self.shadow.update({k: v.to(self.shadow[k].device) for k, v in init.items() if k in self.shadow})

    @torch.no_grad()
    def update(self, step: int | None = None) -> None:
        decay = self.decay if step is None else min(self.decay, (1 + step) / (10 + step))
        for k, v in self.module.state_dict().items():
            if v.is_floating_point():
                self.shadow[k].lerp_(v.float(), 1 - decay)
            else:
                self.shadow[k].copy_(v)

    @contextlib.contextmanager
    def applied(self):
        """Inside, the module holds the averaged weights; its own come back after."""
        own = {k: v.clone() for k, v in self.module.state_dict().items()}
        self.module.load_state_dict({k: v.to(own[k].dtype) for k, v in self.shadow.items()})
        try:
            yield self.module
        finally:
            self.module.load_state_dict(own)


def run(model, batches: Iterable, stepper: Stepper, callbacks: Iterable[Callback] = (), start: int = 0,
        autocast: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext) -> int:
    """Train ``model`` on every batch of ``batches``: ``training_step(batch, stepper)``, then each callback with the
    step number and the named losses. Returns the last step number (``start`` plus the batches seen)."""
    model.train()
    step = start
    for batch in batches:
        with autocast():
            out = model.training_step(batch, stepper)
        step += 1
        losses = {k: float(v) for k, v in out.items()}
        for callback in callbacks:
            callback(step, losses)
    return step


def finish(model, images: torch.Tensor, labels: torch.Tensor, limit: int | None = None,
           generator: torch.Generator | None = None) -> None:
    """What every trained model does once training ends: its ``after_training`` hook (a VAE fits its latent prior)
    on the training set, or on ``limit`` images of it drawn with ``generator``."""
    model.eval()
    if limit is not None and len(labels) > limit:
        keep = torch.randperm(len(labels), generator=generator)[:limit]
        images, labels = images[keep], labels[keep]
    model.after_training(images, labels)
