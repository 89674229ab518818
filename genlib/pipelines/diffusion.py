"""Diffusion sampling, apart from the network (diffusers' split): the samplers by name, sharing the training noise
schedule, and the loop that runs one from x_T (or part-way, for restoration) while streaming x_t and x̂_0.

:func:`denoise` takes any model with ``eps(x_t, t, labels, guidance)``, ``predict_x0``, ``train_scheduler``,
``config`` and ``device`` (:class:`genlib.models.diffusion.DiffusionModel`); the restoration pipeline
(:mod:`genlib.pipelines.restore`) drives the same loop with known pixels and re-noising.
diffusers is imported on first use, not at ``import genlib`` (it costs seconds on a laptop).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import torch

from genlib.errors import GenLabError

SAMPLERS = ("ddim", "dpm")
SIZE = 28


def make_scheduler(name: str, train_config: dict, stochastic: bool = False):
    """A fresh sampler of ``name`` ("ddim" | "dpm" | "ddpm") sharing the training noise schedule. ``stochastic``
    picks DPM-Solver++'s SDE variant (DDIM takes its noise as ``eta`` at each step instead)."""
    from diffusers import DDIMScheduler, DDPMScheduler, DPMSolverMultistepScheduler

    common = {"num_train_timesteps": train_config["num_train_timesteps"],
              "beta_schedule": train_config["beta_schedule"], "prediction_type": "epsilon"}
    if name == "ddim":  # "trailing" spacing: the first step starts from pure noise (Lin et al., 2024)
        return DDIMScheduler(**common, clip_sample=True, set_alpha_to_one=True, timestep_spacing="trailing")
    if name == "dpm":
        # the cosine schedule's ᾱ → 0 at t = T makes log-SNR −∞ there: clip it (as diffusers advises for this
        # schedule) and threshold x̂₀ to the data range, or the solver's first steps blow up
        return DPMSolverMultistepScheduler(
            **common, algorithm_type="sde-dpmsolver++" if stochastic else "dpmsolver++", solver_order=2,
            lower_order_final=True, timestep_spacing="trailing", lambda_min_clipped=-5.1, thresholding=True,
            sample_max_value=1.0)
    if name == "ddpm":
        return DDPMScheduler(**common, clip_sample=True)
    raise GenLabError(f"Sampler must be one of {', '.join(SAMPLERS)}; got {name!r}.")


def check_sampling(steps, guidance, sampler, eta, most: int):
    if sampler not in SAMPLERS:
        raise GenLabError(f"Sampler must be one of {', '.join(SAMPLERS)}; got {sampler!r}.")
    try:
        steps_i = int(steps)
    except (TypeError, ValueError):
        raise GenLabError(f"Steps must be a whole number; got {steps!r}.") from None
    if steps_i != steps or not 1 <= steps_i <= most:
        raise GenLabError(f"Steps must be a whole number from 1 to {most} (the training steps); got {steps!r}.")
    guidance, eta = float(guidance), float(eta)
    if not guidance >= 0:  # also catches NaN
        raise GenLabError(f"Guidance must be 0 or more (1 = no guidance); got {guidance}.")
    if not 0 <= eta <= 1:
        raise GenLabError(f"eta must be between 0 (deterministic DDIM) and 1 (DDPM-like); got {eta}.")
    return steps_i, guidance, eta


@dataclass
class DenoiseStep:
    """One streamed step: ``index`` of ``total`` sampler steps done, timestep ``t``, the noisy batch x_t and the
    network's current guess of the clean batch x̂_0 (both (n, 1, 28, 28) in [-1, 1])."""

    index: int
    total: int
    t: int
    x_t: torch.Tensor
    x0: torch.Tensor


@torch.no_grad()
def denoise(model, z: torch.Tensor, labels=None, steps: int = 20, guidance: float = 1.5, sampler: str = "ddim",
            eta: float = 1.0, seed: int = 0, every: int = 1, start: int | None = None,
            known: tuple[torch.Tensor, torch.Tensor] | None = None, resample: int = 1,
            guidance_interval: float = 0.5) -> Iterator[DenoiseStep]:
    """Run the sampler from x = ``z`` and yield a :class:`DenoiseStep` every ``every`` steps and after the last
    (``every=0``: only the last). ``start`` (an index into the sampler's timesteps) begins part-way, with ``z``
    already the noisy x_t there (SDEdit). ``known`` = (image, mask) keeps the pixels where mask is 1 equal to the
    image noised to the current step, and ``resample`` > 1 re-noises each step that many times (RePaint).
    Guidance applies on the noisiest ``guidance_interval`` of the trajectory only (t ≥ (1 − interval)·T;
    Kynkäänniemi et al., 2024): the class is settled there, and the quieter steps then cost one network pass
    instead of two."""
    steps, guidance, eta = check_sampling(steps, guidance, sampler, eta, model.config["num_train_timesteps"])
    if not 0 <= float(guidance_interval) <= 1:
        raise GenLabError(f"Guidance interval must be between 0 and 1; got {guidance_interval}.")
    guided_from = (1 - float(guidance_interval)) * model.config["num_train_timesteps"]
    if resample > 1 and sampler != "ddim":
        raise GenLabError("Re-noising (RePaint) needs the DDIM sampler, which keeps no state between steps.")
    scheduler = make_scheduler(sampler, model.config, stochastic=eta > 0)
    scheduler.set_timesteps(steps, device=z.device)
    timesteps = scheduler.timesteps[start or 0:]
    jump = model.config["num_train_timesteps"] // steps  # DDIM's stride from t to its previous step
    g = torch.Generator().manual_seed(int(seed) + 1)  # DDIM's eta noise and RePaint's: a local CPU RNG, then moved
    x = z.reshape(-1, *model.image_shape).to(model.device).float()
    if start is None:
        x = x * scheduler.init_noise_sigma
    alphas = model.train_scheduler.alphas_cumprod.to(x)
    # DDIM clips x̂₀ to [-1, 1] and re-derives ε from the clipped x̂₀, so both stay consistent: without that, the
    # near-zero ᾱ of the first steps leaves noise in the background (measured: BENCHMARKS.md)
    # (η is kept a hair below 1: at η = 1 the first step's √(1 − ᾱ_prev − σ²) is 0 up to rounding, and a rounding
    # below 0 turns the whole batch into NaN)
    kw = {"eta": min(eta, 1 - 1e-6), "generator": g, "use_clipped_model_output": True} if sampler == "ddim" else (
        {"generator": g} if eta > 0 else {})
    total = len(timesteps)
    for i, t in enumerate(timesteps, start=1):
        t_int, prev = int(t), int(t) - jump
        for r in range(resample):
            e = model.eps(scheduler.scale_model_input(x, t), t_int, labels,
                         guidance if t_int >= guided_from else min(guidance, 1.0))
            x0 = model.predict_x0(x, t_int, e)
            x_prev = scheduler.step(e, t, x, **kw).prev_sample
            if known is not None:  # keep the known pixels: the image noised to the previous step
                image, mask = known
                if prev >= 0:
                    noise = torch.randn(x.shape, generator=g).to(x)
                    image = alphas[prev].sqrt() * image + (1 - alphas[prev]).sqrt() * noise
                x_prev = mask * image + (1 - mask) * x_prev
            if r + 1 < resample and prev >= 0:  # RePaint: back up to t, x_t ~ q(x_t | x_prev), and redo
                ratio = alphas[t_int] / alphas[prev]
                x = ratio.sqrt() * x_prev + (1 - ratio).sqrt() * torch.randn(x.shape, generator=g).to(x)
            else:
                break
        x = x_prev
        if (every and i % every == 0) or i == total:
            yield DenoiseStep(i, total, t_int, (x if i < total else x.clamp(-1, 1)).clone(), x0)
