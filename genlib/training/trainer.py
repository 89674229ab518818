"""One trainer for every model family, on 🤗 accelerate.

* Device: CPU, CUDA or MPS chosen by accelerate (``device="cpu"`` forces the CPU); bf16 autocast on GPUs that have it.
* Several processes (``accelerate launch`` / ``torchrun``): each process takes its shard of every batch and gradients
  are averaged across processes after each backward (what DDP does, written out so a GAN can step D and G in turn).
* The loop, optimisers and stepper are :mod:`genlib.training.loop`'s (shared with live training); models step their
  own optimisers (pythae's split: one trainer, adversarial or not).
* Progress: tqdm with the named losses; a grid from fixed noise every ``sample_every`` steps.
* Safety: atomic training states every ``checkpoint_every`` steps (``resume=True`` continues from the newest), a
  NaN/inf guard that stops with a clear message, optional EMA of the generator.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import platform
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from genlib.data import load_dataset
from genlib.errors import GenLabError
from genlib.images import from_uint8, grid, to_uint8
from genlib.registry import get_spec
from genlib.training import loop
from genlib.training import state as train_state


@dataclass
class TrainConfig:
    model: str
    dataset: str
    out: str
    preset: str = "default"
    steps: int | None = None  # total optimisation steps (default: the model's recipe for this dataset)
    epochs: float | None = None  # alternative to steps
    batch_size: int | None = None
    lr: float | None = None
    seed: int = 0
    device: str = "auto"  # auto | cpu | cuda | mps
    resume: bool = False
    ema: float | None = None  # e.g. 0.999; 0 or None = recipe default
    checkpoint_every: int = 500
    sample_every: int = 500
    log_every: int = 10
    progress: bool = True
    store_dtype: str | None = None  # dtype of the exported model.safetensors
    limit_train: int | None = None  # use only the first N training images (tiny runs)
    minutes: float | None = None  # also stop once this much training time is spent (resumed time included)
    overrides: dict = field(default_factory=dict)  # model config keys over the preset's (`--set r1=0`: ablations)
    command: str = field(default_factory=lambda: shlex.join(["genlib", *sys.argv[1:]]))


def _make_accelerator(device: str):
    from accelerate import Accelerator

    cpu = device == "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise GenLabError("--device cuda was asked for, but no CUDA GPU is visible.")
    if device == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise GenLabError("--device mps was asked for, but MPS is not available.")
    bf16 = not cpu and torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    return Accelerator(cpu=cpu, mixed_precision="bf16" if bf16 else "no")


def _batches(n: int, batch: int, seed: int, epoch: int, rank: int, world: int):
    """Deterministic order for (seed, epoch); each process takes its slice of each global batch."""
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 100_003 + epoch))
    per = batch // world
    for i in range(n // batch):
        yield perm[i * batch + rank * per: i * batch + (rank + 1) * per]


def _library_versions() -> dict:
    import accelerate
    import safetensors

    return {"python": platform.python_version(), "torch": torch.__version__, "accelerate": accelerate.__version__,
            "safetensors": safetensors.__version__, "numpy": np.__version__}


def _device_name(accelerator) -> str:
    d = accelerator.device
    if d.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(d)})"
    return f"{d.type} ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


def train(cfg: TrainConfig) -> dict:
    """Train ``cfg.model`` on ``cfg.dataset``; write the inference checkpoint to ``cfg.out``. Returns the meta dict."""
    spec = get_spec(cfg.model)
    recipe = spec.recipe
    data = load_dataset(cfg.dataset, "train")
    images, labels = from_uint8(data.images), torch.tensor(data.labels)
    if cfg.limit_train:
        images, labels = images[: cfg.limit_train], labels[: cfg.limit_train]

    accelerator = _make_accelerator(cfg.device)
    rank, world = accelerator.process_index, accelerator.num_processes
    batch_size = cfg.batch_size or recipe.batch_size
    if batch_size % world or batch_size > len(labels):
        raise GenLabError(f"Batch size {batch_size} must divide by {world} processes and fit {len(labels)} images.")
    steps_per_epoch = len(labels) // batch_size
    if cfg.steps is not None and cfg.epochs is not None:
        raise GenLabError("Give --steps or --epochs, not both.")
    total = cfg.steps if cfg.steps is not None else (
        math.ceil(cfg.epochs * steps_per_epoch) if cfg.epochs is not None else recipe.steps.get(cfg.dataset, 1000))
    if total < 1:
        raise GenLabError(f"Training needs at least one step; got {total}.")
    if cfg.minutes is not None and (cfg.minutes <= 0 or world > 1):
        raise GenLabError("--minutes takes a positive number of minutes, in a single process.")

    torch.manual_seed(cfg.seed)  # same initial weights on every process
    # models that take their picture size from the data (StyleGAN) get the dataset's
    takes = inspect.signature(spec.factory).parameters
    shape = {k: v for k, v in (("image_size", int(images.shape[-1])), ("img_channels", int(images.shape[1])))
             if k in takes and k not in cfg.overrides}
    try:
        model = spec.build(cfg.preset, num_classes=data.info.num_classes, **{**shape, **cfg.overrides}).to(
            accelerator.device)
    except TypeError as e:
        raise GenLabError(f"--set does not fit model '{cfg.model}' ({e}).") from None
    lr = cfg.lr or recipe.lr
    optimizers = loop.optimizers(spec, model, lr)
    ema_decay = cfg.ema if cfg.ema is not None else recipe.ema

    out = Path(cfg.out)
    state_root = out / "train_state"
    step, elapsed_before, ema_init = 0, 0.0, None
    if cfg.resume and (found := train_state.latest_state(state_root)):
        info, ema_init = train_state.load_state(found, model, optimizers)
        step, elapsed_before = int(info["step"]), float(info.get("wall_time_s", 0.0))
        if info.get("model") != cfg.model or info.get("dataset") != cfg.dataset:
            raise GenLabError(f"{state_root} holds a run of {info.get('model')} on {info.get('dataset')}, "
                              f"not {cfg.model} on {cfg.dataset}.")
        accelerator.print(f"Resuming from {found} (step {step}/{total}).")
    elif cfg.resume:
        accelerator.print(f"No training state in {state_root}; starting from scratch.")
    if world > 1:  # processes start identical; also reseed so each draws its own noise
        torch.manual_seed(cfg.seed + 1000 * rank + step)
    ema = loop.EMA(model.ema_module(), ema_decay, ema_init) if ema_decay else None
    stepper = loop.Stepper(optimizers, accelerator.backward, world,
                           hint="lower the learning rate (--lr) or resume from the last good checkpoint")

    fixed_z_seed, fixed_labels = 1234, (torch.arange(64) % data.info.num_classes if spec.conditional else None)
    samples_dir = out / "samples"
    t0, running = time.time(), {}
    progress = None
    if cfg.progress and accelerator.is_main_process:
        from tqdm.auto import tqdm

        progress = tqdm(total=total, initial=step, desc=f"{cfg.model}/{cfg.dataset}", dynamic_ncols=True)

    def run_state(now_step: int) -> dict:
        return {"model": cfg.model, "dataset": cfg.dataset, "preset": cfg.preset, "overrides": cfg.overrides,
                "seed": cfg.seed,
                "wall_time_s": elapsed_before + time.time() - t0, "total_steps": total, "step": now_step}

    def sync_buffers():
        if world > 1:
            for buf in model.buffers():
                torch.distributed.broadcast(buf, 0)

    def out_of_time() -> bool:
        return cfg.minutes is not None and elapsed_before + time.time() - t0 >= 60 * cfg.minutes

    def batches():  # seeded epochs, resumable mid-epoch: the batches steps step+1 … total take
        done = step
        while done < total:
            epoch, offset = divmod(done, steps_per_epoch)
            for i, idx in enumerate(_batches(len(labels), batch_size, cfg.seed, epoch, rank, world)):
                if i < offset:
                    continue
                if out_of_time():
                    return
                yield images[idx].to(accelerator.device), labels[idx].to(accelerator.device)
                done += 1
                if done >= total:
                    return

    def keep_ema(now: int, losses: dict) -> None:
        if ema:
            ema.update(now)

    def report(now: int, losses: dict) -> None:
        for k, v in losses.items():
            running[k] = 0.9 * running.get(k, v) + 0.1 * v
        if progress and (now % cfg.log_every == 0 or now == total):
            progress.set_postfix({k: f"{v:.3f}" for k, v in running.items()}, refresh=False)
            progress.update(now - progress.n)
        if (now % cfg.sample_every == 0 or now == total) and accelerator.is_main_process and spec.generative:
            _save_progress_grid(model, ema, samples_dir / f"step-{now:07d}.png", fixed_z_seed, fixed_labels)

    def checkpoint(now: int, losses: dict) -> None:
        if now % cfg.checkpoint_every == 0 or now == total:
            sync_buffers()
            if accelerator.is_main_process:
                train_state.save_state(state_root, now, model, optimizers, ema.shadow if ema else None,
                                       run_state(now))
            accelerator.wait_for_everyone()

    start_step = step
    step = loop.run(model, batches(), stepper, (keep_ema, report, checkpoint), start=step,
                    autocast=accelerator.autocast)
    if step < total and step % cfg.checkpoint_every and accelerator.is_main_process:  # stopped by --minutes
        train_state.save_state(state_root, step, model, optimizers, ema.shadow if ema else None, run_state(step))
    if progress:
        progress.close()
    in_sync = _ranks_in_sync(model) if world > 1 else None
    wall = elapsed_before + time.time() - t0
    trained_now = step - start_step
    meta = {
        "model": cfg.model, "dataset": cfg.dataset, "dataset_source": data.source, "preset": cfg.preset,
        **({"overrides": cfg.overrides} if cfg.overrides else {}),
        **({"minutes": cfg.minutes} if cfg.minutes is not None else {}),
        "train_images": len(labels), "steps": step, "epochs": round(step / steps_per_epoch, 3),
        "batch_size": batch_size, "lr": lr, "ema": ema_decay or None, "seed": cfg.seed,
        "device": _device_name(accelerator), "num_processes": world,
        "mixed_precision": accelerator.mixed_precision, "wall_time_s": round(wall, 1),
        "images_per_s_this_run": round(trained_now * batch_size / max(time.time() - t0, 1e-9), 1),
        "final_losses": {k: round(v, 4) for k, v in running.items()}, "command": cfg.command,
        **({"ranks_in_sync": in_sync} if in_sync is not None else {}),
        "libraries": _library_versions(), "metrics": {},
    }
    if accelerator.is_main_process:
        if ema:
            model.ema_module().load_state_dict({k: v.to(model.device) for k, v in ema.shadow.items()})
        loop.finish(model, images, labels)
        store = getattr(torch, cfg.store_dtype or recipe.store_dtype)
        model.save_pretrained(out, meta, dtype=store)
    accelerator.wait_for_everyone()
    return meta


@torch.no_grad()
def _ranks_in_sync(model: torch.nn.Module) -> bool:
    """True when every process holds the same parameters (what gradient averaging guarantees)."""
    flat = torch.cat([p.detach().reshape(-1).float() for p in model.parameters()])
    lo, hi = flat.clone(), flat.clone()
    torch.distributed.all_reduce(lo, op=torch.distributed.ReduceOp.MIN)
    torch.distributed.all_reduce(hi, op=torch.distributed.ReduceOp.MAX)
    return bool(torch.equal(lo, hi))


@torch.no_grad()
def _save_progress_grid(model, ema, path: Path, seed: int, labels) -> None:
    was_training = model.training
    model.eval()
    with ema.applied() if ema else contextlib.nullcontext():
        images = model.sample(64, seed=seed, labels=labels)
    path.parent.mkdir(parents=True, exist_ok=True)
    grid(to_uint8(images), nrow=8, scale=2).save(path)
    model.train(was_training)
