"""Class-conditional denoising diffusion (Ho et al., 2020) built on 🤗 diffusers' own parts.

* Network: diffusers' ``UNet2DModel`` on the dataset's pictures (28×28 grey: 28 → 14 → 7, self-attention at 7×7; or
  ``img_channels`` × ``image_size`` from the data, e.g. 3×32×32 emoji: 32 → 16 → 8), with a class embedding
  of ``num_classes + 1`` rows: the last row is the "no class" token that classifier-free guidance needs.
* Training: ``DDPMScheduler`` noises a clean image to a random step t; the UNet predicts the noise (ε-prediction,
  MSE). The class is dropped to "no class" with probability ``p_uncond`` (Ho & Salimans, 2022), so one network is both
  the conditional and the unconditional model.
* Sampling: DDIM (Song et al., 2021) or DPM-Solver++ (Lu et al., 2022), chosen by name, with ``steps``,
  classifier-free guidance ``guidance`` (ε = ε_∅ + g·(ε_y − ε_∅); 1 = plain conditional, 0 = unconditional) and
  ``eta``: 0 integrates the probability-flow ODE (deterministic given the starting noise), above 0 adds fresh noise
  at every step (DDIM's η; DPM-Solver++'s SDE variant); ``guidance_interval`` limits guidance to the noisiest part of
  the trajectory. The defaults — DDIM, 20 steps, η = 1, g = 1.5 on the noisiest half — were chosen by measurement
  (``bench/diffusion_settings.py``): on these small, CPU-trained models the stochastic samplers read as the requested
  class far more often and with far lower FID than the ODE ones. The starting noise x_T is the latent:
  ``sample_latents`` draws it from the seed, ``decode`` runs the sampler from it (the per-step noise comes from a
  generator seeded by the same seed), so the same seed gives the same images.
* Samplers and the sampling loop live apart in :mod:`genlib.pipelines.diffusion`; ``denoise_steps`` runs it and yields
  x_t and the predicted clean image x̂_0 every k steps (watch it denoise).
* Restoration (:mod:`genlib.pipelines.restore`): SDEdit-style denoising and RePaint-style inpainting on the same
  network.

diffusers is imported on first use, not at ``import genlib`` (it costs seconds on a laptop).
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn.functional as F
from torch import nn

from genlib.controls import Control
from genlib.errors import GenLabError
from genlib.models.base import GenerativeModel, seeded_generator, shape_config
from genlib.pipelines.diffusion import SAMPLERS, SIZE, DenoiseStep, denoise, make_scheduler
from genlib.registry import ModelSpec, TrainRecipe, register



class _ClassEmbedding(nn.Embedding):
    """``nn.Embedding`` that also takes class weights (N, K) that sum to 1: a blend of the first K rows. Same state
    dict as the layer it replaces, so checkpoints stay plain diffusers weights."""

    def forward(self, labels: torch.Tensor) -> torch.Tensor:
        if labels.is_floating_point():
            return labels.to(self.weight.dtype) @ self.weight[: labels.size(1)]
        return super().forward(labels)


class DiffusionModel(GenerativeModel):
    model_id = "ddpm"
    inference_prefixes = ("unet.",)

    def __init__(self, channels: tuple[int, ...] = (16, 32, 64), layers_per_block: int = 1, attention: bool = True,
                 num_classes: int = 10, num_train_timesteps: int = 1000, beta_schedule: str = "squaredcos_cap_v2",
                 p_uncond: float = 0.1, norm_groups: int = 8, img_channels: int = 1, image_size: int = SIZE):
        channels = tuple(int(c) for c in channels)
        shape = shape_config(img_channels, image_size, SIZE)
        super().__init__(channels=list(channels), layers_per_block=layers_per_block, attention=attention,
                         num_classes=num_classes, num_train_timesteps=num_train_timesteps,
                         beta_schedule=beta_schedule, p_uncond=p_uncond,
                         norm_groups=norm_groups, **shape)
        if image_size % 2 ** (len(channels) - 1):
            raise GenLabError(f"A {len(channels)}-level UNet needs an image size divisible by "
                              f"{2 ** (len(channels) - 1)}; got {image_size}.")
        self.img_channels, self.image_size = img_channels, image_size
        from diffusers import UNet2DModel

        levels = len(channels)
        down = ["DownBlock2D"] * levels
        up = ["UpBlock2D"] * levels
        if attention:  # self-attention at the coarsest resolution only (7×7 for three levels): cheap on a CPU
            down[-1], up[0] = "AttnDownBlock2D", "AttnUpBlock2D"
        self.unet = UNet2DModel(
            sample_size=image_size, in_channels=img_channels, out_channels=img_channels, block_out_channels=channels,
            layers_per_block=layers_per_block, down_block_types=tuple(down), up_block_types=tuple(up),
            norm_num_groups=norm_groups, attention_head_dim=channels[-1] // 2 if attention else None,
            add_attention=attention, num_class_embeds=num_classes + 1 if num_classes else None,
        )
        if num_classes:
            emb = self.unet.class_embedding
            self.unet.class_embedding = _ClassEmbedding(emb.num_embeddings, emb.embedding_dim)
        self.p_uncond = p_uncond
        self.null_class = num_classes  # the "no class" token
        self.latent_dim = img_channels * image_size * image_size
        self.train_scheduler = make_scheduler("ddpm", self.config)

    # ------------------------------------------------------------------ network
    def eps(self, x_t: torch.Tensor, t, labels: torch.Tensor | None, guidance: float = 1.0) -> torch.Tensor:
        """Guided noise prediction ε = ε_∅ + g·(ε_y − ε_∅); one batched UNet pass for both when g ∉ {0, 1}."""
        n = x_t.size(0)
        t = torch.full((n,), int(t), device=x_t.device, dtype=torch.long)
        if not self.num_classes:
            return self.unet(x_t, t).sample
        null = torch.full((n,), self.null_class, device=x_t.device, dtype=torch.long)
        if labels is None or guidance == 0:  # unconditional
            return self.unet(x_t, t, class_labels=null).sample
        if labels.is_floating_point():  # class weights: pad a zero column for the null token
            null = F.one_hot(null, self.num_classes + 1).float()
            labels = F.pad(labels.float(), (0, self.num_classes + 1 - labels.size(1)))
        if guidance == 1:
            return self.unet(x_t, t, class_labels=labels).sample
        out = self.unet(torch.cat([x_t, x_t]), torch.cat([t, t]), class_labels=torch.cat([labels, null])).sample
        cond, uncond = out.chunk(2)
        return uncond + guidance * (cond - uncond)

    def predict_x0(self, x_t: torch.Tensor, t: int, eps: torch.Tensor) -> torch.Tensor:
        a = self.train_scheduler.alphas_cumprod[int(t)].to(x_t)
        return ((x_t - (1 - a).sqrt() * eps) / a.sqrt()).clamp(-1, 1)

    # ------------------------------------------------------------------ sampling
    def sample_latents(self, n: int, seed: int = 0, labels=None, temperature: float = 1.0, **params) -> torch.Tensor:
        """The starting noise x_T, flattened: (n, C·H·W) — 784 for MNIST."""
        return self.latent_noise(n, seed, temperature)

    @torch.no_grad()
    def sample(self, n: int, seed: int = 0, labels=None, temperature: float = 1.0, steps: int = 20,
               guidance: float = 1.5, sampler: str = "ddim", eta: float = 1.0,
               guidance_interval: float = 0.5) -> torch.Tensor:
        labels = self.check_labels(n, labels)
        z = self.sample_latents(n, seed, labels, temperature)
        return self.decode(z, labels, steps=steps, guidance=guidance, sampler=sampler, eta=eta, seed=seed,
                           guidance_interval=guidance_interval)

    def decode(self, z, labels=None, steps: int = 20, guidance: float = 1.5, sampler: str = "ddim", eta: float = 1.0,
               seed: int = 0, guidance_interval: float = 0.5):
        return self.decode_from(z, labels, steps=steps, guidance=guidance, sampler=sampler, eta=eta, seed=seed,
                                guidance_interval=guidance_interval)

    def decode_from(self, x, labels=None, **kw) -> torch.Tensor:
        """The sampler's final image from x (keyword arguments as :meth:`denoise_steps`)."""
        last = None
        for last in self.denoise_steps(x, labels, every=0, **kw):
            pass
        return last.x_t

    def denoise_steps(self, z: torch.Tensor, labels=None, **kw) -> Iterator[DenoiseStep]:
        """Run the sampler from x = ``z``, yielding x_t and x̂_0 as it goes (:func:`genlib.pipelines.diffusion.denoise`
        has the keyword arguments: steps, guidance, sampler, eta, seed, every, start, known, resample,
        guidance_interval)."""
        return denoise(self, z, labels, **kw)

    # ------------------------------------------------------------------ training
    def training_step(self, batch, opt):
        loss = self._loss(*batch, None)
        opt.step("main", loss)
        return {"loss": loss.detach()}

    def _loss(self, x, y, g: torch.Generator | None):
        n = x.size(0)

        def rand(*shape, fn=torch.rand, **kw):
            return fn(*shape, generator=g, **kw).to(x.device) if g is not None else fn(*shape, device=x.device, **kw)

        t = rand(0, self.config["num_train_timesteps"], (n,), fn=torch.randint)
        noise = rand(*x.shape, fn=torch.randn)
        x_t = self.train_scheduler.add_noise(x, noise, t)
        labels = None
        if self.num_classes:
            drop = rand(n) < self.p_uncond
            labels = torch.where(drop, torch.full_like(y, self.null_class), y)
        pred = self.unet(x_t, t, class_labels=labels).sample
        return F.mse_loss(pred.float(), noise)

    @torch.no_grad()
    def validation_loss(self, batch, seed=0):
        x, y = batch
        return float(self._loss(x, y, seeded_generator(seed)))


STEPS = Control("steps", "int", 20, "Denoising steps", 1, 1000, 1, ui_max=200,
              help="Sampler steps: more is slower and (up to a point) better.")
GUIDANCE = Control("guidance", "float", 1.5, "Guidance scale", 0.0, 20.0, 0.5, ui_max=10.0,
                 help="Classifier-free guidance: 0 = ignore the class, 1 = plain conditional, >1 = more typical.")
SAMPLER = Control("sampler", "choice", "ddim", "Sampler", choices=SAMPLERS,
                help="ddim: DDIM (Song et al.); dpm: DPM-Solver++ (Lu et al.).")
INTERVAL = Control("guidance_interval", "float", 0.5, "Guidance interval", 0.0, 1.0, 0.1,
                 help="Guide only the noisiest fraction of the steps (1 = all): same class fidelity, fewer passes.")
ETA = Control("eta", "float", 1.0, "Sampler noise (eta)", 0.0, 1.0, 0.1,
            help="0 = deterministic (an ODE from the starting noise); DDIM: 1 = DDPM-like noise at every step; "
                 "DPM-Solver++: above 0 = its SDE variant.")

register(ModelSpec(
    id="ddpm", title="Diffusion (DDPM/DDIM)", family="diffusion", factory=DiffusionModel, conditional=True,
    params=(STEPS, GUIDANCE, SAMPLER, ETA, INTERVAL), latent_tools=False,
    presets={"default": {"channels": (16, 32, 64)},
             "tiny": {"channels": (8, 8), "attention": False, "norm_groups": 4}},
    recipe=TrainRecipe(batch_size=64, lr=5e-4, steps={"mnist": 6000, "fashion": 6000}, ema=0.999),
    description="Class-conditional diffusion (diffusers UNet2DModel) with classifier-free guidance; "
                "DDIM or DPM-Solver++ sampling.",
))
