"""The contract every GenLab model keeps, and the adversarial training step the GAN files share.

A model is an ``nn.Module`` built from keyword arguments (its config, saved as ``config.json``). It answers:
``sample(n, seed=, labels=, **params)`` → images (n, C, H, W) in [-1, 1] (``image_shape``: 1×28×28 for MNIST); ``training_step(batch, opt)`` → named
losses (it steps its own optimisers through ``opt``, so GANs and VAEs share one trainer); ``optimizer_groups()``;
``validation_loss(batch, seed)`` for tests; ``inference_state()``, the weights a checkpoint ships.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import torch
import torch.nn.functional as F
from torch import nn

from genlib import hub
from genlib.errors import CheckpointError, GenLabError


class Stepper(Protocol):
    """What ``training_step`` gets from the trainer: ``opt.step(name, loss)`` = zero_grad, backward, sync, step."""

    def step(self, name: str, loss: torch.Tensor) -> None: ...


def seeded_generator(seed: int, device: torch.device | str = "cpu") -> torch.Generator:
    """A local RNG: sampling never touches (or depends on) global random state."""
    return torch.Generator(device=device).manual_seed(int(seed))


def group_size(b: int, group: int) -> int:
    """The minibatch-stddev group size for a batch of ``b`` (StyleGAN's rule: ``group``, shrunk until it divides b).
    Group k holds images k, k + b/g, k + 2b/g, …"""
    g = max(1, min(group, b))
    while b % g:
        g -= 1
    return g


def minibatch_stddev(x: torch.Tensor, group: int) -> torch.Tensor:
    """Append the minibatch standard-deviation feature (Karras et al., 2018) to x (B, C, …) as one more channel: how
    much the images of each group (see :func:`group_size`) differ, averaged over features — a generator that draws
    one image for every latent shows D a zero here."""
    b = x.size(0)
    g = group_size(b, group)
    y = x.reshape(g, b // g, *x.shape[1:])
    # the variance over the group written out: torch's var over a leading dim is ~4x slower here (a sixth of a
    # StyleGAN training step, profiled)
    std = (y - y.mean(0)).square().mean(0).add(1e-8).sqrt().flatten(1).mean(1)  # (B/g,)
    return torch.cat([x, std.repeat(g).view(b, *([1] * (x.ndim - 1))).expand(b, 1, *x.shape[2:])], 1)


def _per_image(draw, b: int, group: int, device) -> torch.Tensor:
    """``draw(n)`` random values for the b images: one per image, or one per minibatch-stddev group (the images of a
    group then get the same augmentation, so augmenting adds no spread within a group for D to mistake for variety)."""
    n = b // group_size(b, group) if group > 1 else b
    values = draw(n).to(device)
    return values.repeat(b // n, *([1] * (values.ndim - 1))) if n != b else values


def random_shift(x: torch.Tensor, max_shift: int = 2, group: int = 1) -> torch.Tensor:
    """Translate each image by up to ``max_shift`` pixels, padding with black (-1). Differentiable in ``x``, so it
    also serves as DiffAugment's translation (Zhao et al., 2020) on real and fake images alike."""
    pad = F.pad(x, (max_shift,) * 4, value=-1.0)
    b, size = x.size(0), x.size(-1)
    dx, dy = _per_image(lambda n: torch.randint(0, 2 * max_shift + 1, (n, 2)), b, group, x.device).T
    rows = torch.arange(size, device=x.device)[None, :] + dy[:, None]  # (B, H)
    cols = torch.arange(size, device=x.device)[None, :] + dx[:, None]  # (B, W)
    out = pad[torch.arange(b, device=x.device)[:, None, None], :, rows[:, :, None], cols[:, None, :]]  # (B, H, W, C)
    return out.permute(0, 3, 1, 2)


def to_unit(x: torch.Tensor) -> torch.Tensor:
    """[-1, 1] → [0, 1]."""
    return (x + 1) / 2


class GenerativeModel(nn.Module):
    model_id: str = ""
    inference_prefixes: tuple[str, ...] = ("",)  # state-dict prefixes shipped in model.safetensors

    def __init__(self, **config):
        super().__init__()
        self.config = dict(config)
        self.num_classes = int(config.get("num_classes", 0))

    # ------------------------------------------------------------------ sampling
    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def check_labels(self, n: int, labels) -> torch.Tensor | None:
        if not self.num_classes:
            if labels is not None:
                raise GenLabError(f"Model '{self.model_id}' is unconditional; it takes no class.")
            return None
        if labels is None:
            raise GenLabError(f"Model '{self.model_id}' is conditional; give a class from 0 to {self.num_classes - 1}.")
        labels = torch.as_tensor(labels, dtype=torch.long).reshape(-1)
        if labels.numel() == 1:
            labels = labels.expand(n)
        if labels.numel() != n:
            raise GenLabError(f"Got {labels.numel()} labels for {n} samples.")
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise GenLabError(f"Class must be between 0 and {self.num_classes - 1}; got {labels.tolist()[:5]}.")
        return labels.to(self.device)

    def latent_noise(self, n: int, seed: int, temperature: float = 1.0) -> torch.Tensor:
        z = torch.randn(n, self.latent_dim, generator=seeded_generator(seed), dtype=torch.float32)
        return (z * temperature).to(self.device)

    def sample_latents(self, n: int, seed: int = 0, labels=None, temperature: float = 1.0, **params) -> torch.Tensor:
        """The latents ``sample`` decodes for this seed: (n, latent_dim). Latent tools start from these, so the
        image at an endpoint is exactly what Generate shows for the same seed."""
        return self.latent_noise(n, seed, temperature)

    @torch.no_grad()
    def sample(self, n: int, seed: int = 0, labels=None, temperature: float = 1.0, **params) -> torch.Tensor:
        """``n`` images (n, *image_shape) in [-1, 1]; the same seed (and labels) gives the same images."""
        labels = self.check_labels(n, labels)
        return self.decode(self.sample_latents(n, seed, labels, temperature, **params), labels)

    def decode(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Latents (n, latent_dim) → images in [-1, 1]. Conditional models take class ids (n,) or class weights
        (n, num_classes) that sum to 1 — a blend of classes, for interpolating between them."""
        raise NotImplementedError

    def sampling_parameters(self) -> list[nn.Parameter]:
        """The weights a sample passes through (a GAN's generator, a VAE's decoder): the size readouts report."""
        return list(self.parameters())

    # ------------------------------------------------------------------ training
    adam_betas = (0.9, 0.999)

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        return {"main": list(self.parameters())}

    def lr_scales(self) -> dict[str, float]:
        """Per optimiser group: a multiple of the recipe's learning rate (a GAN's two time scales); default 1."""
        return {}

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], opt: Stepper) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    @torch.no_grad()
    def validation_loss(self, batch: tuple[torch.Tensor, torch.Tensor], seed: int = 0) -> float:
        raise NotImplementedError

    def after_training(self, images: torch.Tensor, labels: torch.Tensor) -> None:
        """Hook run once on the training set (in [-1, 1]) before the checkpoint is written; VAEs fit their prior."""

    def ema_module(self) -> nn.Module:
        """The part whose weights an EMA averages (the generator for GANs, everything for a VAE)."""
        return self

    # ------------------------------------------------------------------ checkpoints
    def inference_state(self) -> dict[str, torch.Tensor]:
        return {k: v for k, v in self.state_dict().items() if k.startswith(self.inference_prefixes)}

    def save_pretrained(self, folder: str | Path, meta: dict | None = None, dtype: torch.dtype | None = None) -> None:
        hub.save_folder(Path(folder), {"model": self.model_id, **self.config}, self.inference_state(), meta or {},
                        dtype=dtype)

    @classmethod
    def from_pretrained(cls, folder: str | Path) -> tuple["GenerativeModel", dict]:
        """Rebuild a model from its folder (any registered id); returns (model in eval mode, meta)."""
        from genlib.registry import get_spec

        config, state, meta = hub.load_folder(Path(folder))
        model_id = config.pop("model", None)
        if not model_id:
            raise CheckpointError(f"{folder}/config.json names no model.")
        try:
            model = get_spec(model_id).factory(**config)
        except TypeError as e:
            raise CheckpointError(f"{folder}/config.json does not fit model '{model_id}' ({e}).") from None
        expected = set(model.inference_state())
        if set(state) != expected:
            missing, extra = sorted(expected - set(state))[:3], sorted(set(state) - expected)[:3]
            raise CheckpointError(f"Checkpoint {folder} does not match '{model_id}' "
                                  f"(missing {missing}, extra {extra}).")
        try:
            model.load_state_dict(state, strict=False)
        except RuntimeError as e:
            raise CheckpointError(f"Checkpoint {folder} has wrongly shaped weights for '{model_id}': {e}") from None
        return model.eval(), meta

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of one picture: from the data the model was built for (default 1×28×28)."""
        size = getattr(self, "image_size", 28)
        return getattr(self, "img_channels", 1), size, size

    def dummy_batch(self, n: int = 8, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
        g = seeded_generator(seed)
        x = torch.rand(n, *self.image_shape, generator=g) * 2 - 1
        y = torch.randint(0, max(self.num_classes, 10), (n,), generator=g)
        return x, y


def shape_config(img_channels: int, image_size: int, default_size: int = 28) -> dict:
    """The picture-shape entries of a model's config.json: only those that differ from 1 channel × ``default_size``,
    so configs of grey 28×28 models stay as they were before colour came in."""
    if img_channels not in (1, 3):
        raise GenLabError(f"Pictures have 1 (grey) or 3 (RGB) channels; got {img_channels}.")
    return {k: v for k, v, default in (("img_channels", img_channels, 1), ("image_size", image_size, default_size))
            if v != default}


def diff_augment(x: torch.Tensor, shift: int = 0, cutout: float = 0.0, group: int = 1) -> torch.Tensor:
    """DiffAugment (Zhao et al., 2020): the same differentiable augmentations on every image D sees, real or fake —
    translation by up to ``shift`` pixels and one random square of side ``cutout`` × size set to 0 (mid-grey) — so
    D cannot memorise a small training set and G gets gradients through the augmentation. With ``group`` > 1 the
    images of one minibatch-stddev group share their augmentation (see :func:`_per_image`)."""
    if shift:
        x = random_shift(x, shift, group)
    if cutout:
        b, size = x.size(0), x.size(-1)
        side = max(1, int(size * cutout + 0.5))
        cy, cx = _per_image(lambda n: torch.randint(0, size + (1 - side % 2), (n, 2)), b, group, x.device).T
        cy, cx = cy[:, None, None], cx[:, None, None]
        grid = torch.arange(size, device=x.device)
        rows = ((grid[None, :, None] - cy + side // 2) >= 0) & ((grid[None, :, None] - cy + side // 2) < side)
        cols = ((grid[None, None, :] - cx + side // 2) >= 0) & ((grid[None, None, :] - cx + side // 2) < side)
        x = x * (~(rows & cols)).unsqueeze(1).to(x.dtype)
    return x


# The recipe the shipped GANs train with (chosen by measurement: BENCHMARKS.md, "GANs worth showing a class"):
# DiffAugment translation + cutout, lazy R1, no label smoothing, D at twice G's rate; the trainer keeps an EMA of G.
MODERN_GAN = {"augment_shift": 3, "cutout": 0.25, "r1": 1.0, "real_target": 1.0, "lr_d_ratio": 2.0}
# each ingredient a class (live training) or the ablation table can switch off: what it sets to switch it off. The
# fourth, the generator EMA, is the trainer's (--ema 0).
INGREDIENTS = {"r1": {"r1": 0.0}, "diffaugment": {"augment_shift": 0, "cutout": 0.0}, "ttur": {"lr_d_ratio": 1.0}}


def without(*ingredients: str) -> dict:
    """The config overrides that switch off ``ingredients`` (names of :data:`INGREDIENTS`)."""
    unknown = set(ingredients) - set(INGREDIENTS)
    if unknown:
        raise GenLabError(f"Unknown GAN ingredient(s) {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(INGREDIENTS)} (and the EMA).")
    return {k: v for name in ingredients for k, v in INGREDIENTS[name].items()}


class GANModel(GenerativeModel):
    """Non-saturating GAN (Goodfellow et al., 2014) and the ingredients that make one train on a laptop.

    Subclasses set ``self.generator(z, labels)`` and ``self.discriminator(x, labels) -> (logit, class_logits|None)``.
    Each ingredient is a config key, so a run (``genlib train … --set r1=0``) or a class in live training can switch
    it off and watch what it was doing:

    * ``r1`` — the R1 gradient penalty γ/2·E‖∇D(x_real)‖² (Mescheder et al., 2018), applied lazily every
      ``r1_every`` D steps with the interval folded into γ (StyleGAN2): D stays smooth around the data, so G is not
      chased from mode to mode.
    * ``augment_shift`` / ``cutout`` — DiffAugment translation and cutout (:func:`diff_augment`) on every image D sees.
    * ``lr_d_ratio`` — two time-scale learning rates (Heusel et al., 2017): D learns ``lr_d_ratio`` × the base rate.
    * ``real_target`` — one-sided label smoothing (Salimans et al., 2016); 1.0 = off (R1 does its job better).
    * the generator EMA is the trainer's (``TrainRecipe.ema``; ``--ema 0`` turns it off).

    Conditional models either project the class onto D's features (``projection`` — Miyato & Koyama, 2018) or ask D
    to classify (AC-GAN, Odena et al., 2017), which rewards collapsing each class onto its most readable image;
    ``mode_seeking > 0`` adds the mode-seeking term of Mao et al. (2019), which rewards G for turning two latents of
    the same class into two different images.
    """

    inference_prefixes = ("generator.",)
    adam_betas = (0.5, 0.999)
    ingredients = INGREDIENTS  # what live training and the ablation can switch off (see :func:`without`)

    def __init__(self, latent_dim: int = 100, num_classes: int = 0, augment_shift: int = 0, mode_seeking: float = 0.0,
                 cutout: float = 0.0, r1: float = 0.0, r1_every: int = 4, lr_d_ratio: float = 1.0,
                 real_target: float = 0.9, **config):
        optional = {"num_classes": (num_classes, 0), "augment_shift": (augment_shift, 0),
                    "mode_seeking": (mode_seeking, 0.0), "cutout": (cutout, 0.0), "r1": (r1, 0.0),
                    "r1_every": (r1_every, 4), "lr_d_ratio": (lr_d_ratio, 1.0), "real_target": (real_target, 0.9)}
        super().__init__(latent_dim=latent_dim, **{k: v for k, (v, off) in optional.items() if v != off}, **config)
        if not 0 <= cutout < 1 or r1 < 0 or r1_every < 1 or lr_d_ratio <= 0 or not 0.5 < real_target <= 1:
            raise GenLabError("GAN recipe out of range: cutout in [0, 1), r1 ≥ 0, r1_every ≥ 1, lr_d_ratio > 0, "
                              "real_target in (0.5, 1].")
        self.latent_dim, self.augment_shift, self.mode_seeking = latent_dim, augment_shift, mode_seeking
        self.cutout, self.r1, self.r1_every, self.lr_d_ratio = cutout, r1, r1_every, lr_d_ratio
        self.real_target = real_target
        self._d_steps = 0

    augment_group = 1  # StyleGAN: its minibatch-stddev group, so augmentation cannot fake variety within a group

    def _d(self, x, y):
        return self.discriminator(diff_augment(x, self.augment_shift, self.cutout, self.augment_group), y)

    def decode(self, z, labels=None):
        return self.generator(z, labels)

    def optimizer_groups(self):
        return {"d": list(self.discriminator.parameters()), "g": list(self.generator.parameters())}

    def lr_scales(self):
        return {"d": self.lr_d_ratio}

    def sampling_parameters(self):
        return list(self.generator.parameters())

    def ema_module(self):
        return self.generator

    def _losses_d(self, x, y, fake):
        real_logit, real_cls = self._d(x, y)
        fake_logit, _ = self._d(fake, y)
        if self.real_target < 1:
            loss_real = F.binary_cross_entropy_with_logits(real_logit, torch.full_like(real_logit, self.real_target))
        else:
            loss_real = F.softplus(-real_logit).mean()
        loss_fake = F.softplus(fake_logit).mean()
        loss_cls = F.cross_entropy(real_cls, y) if real_cls is not None else torch.zeros((), device=x.device)
        return loss_real + loss_fake + loss_cls, real_logit, fake_logit

    def r1_penalty(self, x, y) -> torch.Tensor:
        """γ/2 · E‖∇ₓ D(x)‖² on real images (as D sees them, augmented)."""
        x = x.detach().requires_grad_(True)
        logit, _ = self._d(x, y)
        (grad,) = torch.autograd.grad(logit.sum(), x, create_graph=True)
        return grad.square().flatten(1).sum(1).mean() * (self.r1 / 2)

    def training_step(self, batch, opt):
        x, y = batch
        y = y if self.num_classes else None
        z = torch.randn(x.size(0), self.latent_dim, device=x.device)
        half = x.size(0) // 2
        if self.mode_seeking and y is not None:  # pair fake i with fake half+i: same class, other latent
            y = torch.cat([y[:half], y[:half], y[2 * half:]])
        fake = self.generator(z, y)  # fakes take the real batch's labels: classes stay balanced

        # ---- D: real → real, fake → fake (+ classify real, + lazy R1)
        loss_d, real_logit, fake_logit = self._losses_d(x, y, fake.detach())
        out = {}
        if self.r1 and self._d_steps % self.r1_every == 0:
            penalty = self.r1_penalty(x, y)
            loss_d = loss_d + penalty * self.r1_every
            out["r1"] = penalty.detach()
        self._d_steps += 1
        opt.step("d", loss_d)

        # ---- G: make D call fakes real (+ of the requested class)
        logit, cls = self._d(fake, y)
        loss_g = F.softplus(-logit).mean()
        if cls is not None:
            loss_g = loss_g + F.cross_entropy(cls, y)
        if self.mode_seeking:
            a, b = slice(0, half), slice(half, 2 * half)
            ratio = (fake[a] - fake[b]).abs().mean() / (z[a] - z[b]).abs().mean()
            loss_g = loss_g + self.mode_seeking / (ratio + 1e-5)
        opt.step("g", loss_g)
        return {
            "loss_d": loss_d.detach(),
            "loss_g": loss_g.detach(),
            "d_real": torch.sigmoid(real_logit).mean().detach(),
            "d_fake": torch.sigmoid(fake_logit).mean().detach(),
            **out,
        }

    @torch.no_grad()
    def validation_loss(self, batch, seed=0):
        x, y = batch
        y = y if self.num_classes else None
        z = torch.randn(x.size(0), self.latent_dim, generator=seeded_generator(seed)).to(x.device)
        return float(self._losses_d(x, y, self.generator(z, y))[0])
