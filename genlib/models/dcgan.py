"""DCGAN (Radford et al., 2016), and its class-conditional variant, trained with a modern recipe; the picture's size
and channels come from the dataset (28×28 grey for MNIST, 32×32 RGB for emoji; the size must divide by 4).

Generator: z (+ class embedding) → linear → (2C, S/4, S/4) → ConvT → (C, S/2, S/2) → ConvT → (channels, S, S),
BatchNorm + ReLU, tanh out. Discriminator: strided convs with LeakyReLU, no normalisation, no pooling. The conditional discriminator
projects the class onto its features (Miyato & Koyama, 2018); the recipe's ingredients (R1, DiffAugment, two time
scales, EMA) are :class:`~genlib.models.base.GANModel`'s.
"""

from __future__ import annotations

import torch
from torch import nn

from genlib.errors import GenLabError
from genlib.models.base import MODERN_GAN, GANModel, shape_config
from genlib.models.gan_mlp import TEMPERATURE
from genlib.registry import ModelSpec, TrainRecipe, register


class DCGenerator(nn.Module):
    def __init__(self, latent_dim: int, channels: int, num_classes: int, embed_dim: int, img_channels: int = 1,
                 image_size: int = 28):
        super().__init__()
        self.embed = nn.Embedding(num_classes, embed_dim) if num_classes else None
        c2, self.start = channels * 2, image_size // 4
        self.project = nn.Sequential(
            nn.Linear(latent_dim + (embed_dim if num_classes else 0), c2 * self.start**2, bias=False),
            nn.BatchNorm1d(c2 * self.start**2),
            nn.ReLU(True),
        )
        self.c2 = c2
        self.net = nn.Sequential(
            nn.ConvTranspose2d(c2, channels, 4, 2, 1, bias=False),  # (B, C, S/2, S/2)
            nn.BatchNorm2d(channels),
            nn.ReLU(True),
            nn.ConvTranspose2d(channels, img_channels, 4, 2, 1),  # (B, channels, S, S)
            nn.Tanh(),
        )

    def forward(self, z, labels=None):
        if self.embed is not None:  # class ids, or class weights (n, K) for a blend of classes
            code = labels.to(self.embed.weight.dtype) @ self.embed.weight if labels.is_floating_point() \
                else self.embed(labels)
            z = torch.cat([z, code], dim=1)
        return self.net(self.project(z).view(-1, self.c2, self.start, self.start))


class DCDiscriminator(nn.Module):
    """Strided convs with LeakyReLU and no normalisation (BatchNorm in D mixes the statistics of a real and a fake
    batch, and R1 wants D's gradient per image). Conditional: a projection head (``projection``: logit + ⟨embed(y),
    φ(x)⟩) or an auxiliary classifier (AC-GAN)."""

    def __init__(self, channels: int, num_classes: int, projection: bool = False, img_channels: int = 1,
                 image_size: int = 28):
        super().__init__()
        c2 = channels * 2
        self.features = nn.Sequential(
            nn.Conv2d(img_channels, channels, 4, 2, 1),  # (B, C, S/2, S/2)
            nn.LeakyReLU(0.2, True),
            nn.Conv2d(channels, c2, 4, 2, 1),  # (B, 2C, S/4, S/4)
            nn.LeakyReLU(0.2, True),
            nn.Flatten(),
        )
        feat = c2 * (image_size // 4) ** 2
        self.out = nn.Linear(feat, 1)
        self.project = nn.Embedding(num_classes, feat) if num_classes and projection else None
        self.classify = nn.Linear(feat, num_classes) if num_classes and not projection else None
        if self.project is not None:
            nn.init.normal_(self.project.weight, std=feat ** -0.5)

    def forward(self, x, labels=None):
        h = self.features(x)  # (B, 2C·(S/4)²)
        logit = self.out(h).squeeze(1)
        if self.project is not None:
            return logit + (self.project(labels) * h).sum(1), None
        return logit, (self.classify(h) if self.classify is not None else None)


class DCGAN(GANModel):
    model_id = "dcgan"

    def __init__(self, latent_dim: int = 100, channels: int = 64, num_classes: int = 0, embed_dim: int = 32,
                 projection: bool = False, img_channels: int = 1, image_size: int = 28, **recipe):
        if image_size % 4 or image_size < 8:
            raise GenLabError(f"DCGAN draws pictures whose size divides by 4; got {image_size}.")
        shape = shape_config(img_channels, image_size)
        super().__init__(latent_dim=latent_dim, num_classes=num_classes, channels=channels, embed_dim=embed_dim,
                         **({"projection": True} if projection else {}), **shape, **recipe)
        self.img_channels, self.image_size = img_channels, image_size
        self.generator = DCGenerator(latent_dim, channels, num_classes, embed_dim, img_channels, image_size)
        self.discriminator = DCDiscriminator(channels, num_classes, projection, img_channels, image_size)


class ConditionalDCGAN(DCGAN):
    model_id = "cdcgan"

    def __init__(self, latent_dim: int = 100, channels: int = 64, num_classes: int = 10, embed_dim: int = 32,
                 projection: bool = False, img_channels: int = 1, image_size: int = 28, **recipe):
        super().__init__(latent_dim, channels, num_classes, embed_dim, projection, img_channels, image_size, **recipe)


PRESETS = {"default": {"latent_dim": 100, "channels": 64, **MODERN_GAN},
           "slim": {"latent_dim": 64, "channels": 16, **MODERN_GAN},  # live training on a CPU
           "tiny": {"latent_dim": 8, "channels": 4, **MODERN_GAN}}
RECIPE = TrainRecipe(batch_size=64, lr=2e-4, steps={"mnist": 13000, "fashion": 13000}, ema=0.999)

register(ModelSpec(
    id="dcgan", title="DCGAN", family="gan", factory=DCGAN, presets=PRESETS, params=(TEMPERATURE,), recipe=RECIPE,
    description="Deep convolutional GAN (Radford et al., 2016).",
))
COND_PRESETS = {name: {**p, "projection": True} for name, p in PRESETS.items()}

register(ModelSpec(
    id="cdcgan", title="Conditional DCGAN", family="gan", factory=ConditionalDCGAN, presets=COND_PRESETS,
    params=(TEMPERATURE,), recipe=RECIPE, conditional=True,
    description="Class-conditional DCGAN with a projection discriminator (Miyato & Koyama, 2018).",
))
