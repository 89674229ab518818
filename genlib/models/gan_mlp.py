"""The seed's fully connected GAN, made to train.

Generator 100 → 256 → 512 → 1024 → 784 = 28·28 pixels (C·H·W of the dataset's pictures) (BatchNorm + LeakyReLU, tanh out); discriminator 784 → 1024 → 512 → 1 with
dropout. What makes it train where the seed's version collapsed: Adam(2e-4, β1=0.5) as in DCGAN, the non-saturating
generator loss, BatchNorm only after the first hidden layer, and the recipe every shipped GAN trains with (lazy R1,
DiffAugment, two time scales, generator EMA: see ``GANModel``).
"""

from __future__ import annotations

from torch import nn

from genlib.models.base import MODERN_GAN, GANModel, minibatch_stddev, shape_config
from genlib.controls import Control
from genlib.registry import ModelSpec, TrainRecipe, register


class MLPGenerator(nn.Module):
    def __init__(self, latent_dim: int, hidden: tuple[int, ...], shape: tuple[int, int, int] = (1, 28, 28)):
        super().__init__()
        self.shape = shape
        layers, width = [nn.Linear(latent_dim, hidden[0]), nn.LeakyReLU(0.2)], hidden[0]
        for h in hidden[1:]:
            layers += [nn.Linear(width, h), nn.BatchNorm1d(h), nn.LeakyReLU(0.2)]
            width = h
        self.net = nn.Sequential(*layers, nn.Linear(width, shape[0] * shape[1] * shape[2]), nn.Tanh())

    def forward(self, z, labels=None):
        return self.net(z).view(-1, *self.shape)  # (B, C, H, W)


class MLPDiscriminator(nn.Module):
    """784 → hidden… → 1 with dropout; with ``mbstd`` (a group size) the last layer also sees the minibatch
    standard deviation of the features before it (:func:`~genlib.models.base.minibatch_stddev`)."""

    def __init__(self, hidden: tuple[int, ...], dropout: float, mbstd: int = 0, pixels: int = 28 * 28):
        super().__init__()
        layers, width = [], pixels
        for h in hidden:
            layers += [nn.Linear(width, h), nn.LeakyReLU(0.2), nn.Dropout(dropout)]
            width = h
        self.net, self.mbstd = nn.Sequential(*layers), mbstd
        self.out = nn.Linear(width + (1 if mbstd else 0), 1)

    def forward(self, x, labels=None):
        h = self.net(x.flatten(1))
        return self.out(minibatch_stddev(h, self.mbstd) if self.mbstd else h).squeeze(1), None  # (B,), no class head


class MLPGAN(GANModel):
    model_id = "gan"

    def __init__(self, latent_dim: int = 100, g_hidden=(256, 512, 1024), d_hidden=(1024, 512), dropout: float = 0.3,
                 mbstd: int = 0, img_channels: int = 1, image_size: int = 28, **recipe):
        super().__init__(latent_dim=latent_dim, g_hidden=list(g_hidden), d_hidden=list(d_hidden), dropout=dropout,
                         **({"mbstd": mbstd} if mbstd else {}), **shape_config(img_channels, image_size), **recipe)
        self.img_channels, self.image_size = img_channels, image_size
        self.generator = MLPGenerator(latent_dim, tuple(g_hidden), (img_channels, image_size, image_size))
        self.discriminator = MLPDiscriminator(tuple(d_hidden), dropout, mbstd, img_channels * image_size**2)
        if mbstd:  # augment per group, as StyleGAN does, or augmentation fakes the spread mbstd looks for
            self.augment_group = mbstd


TEMPERATURE = Control("temperature", "float", 1.0, "Latent temperature", 0.0, 2.0, 0.05,
                    help="Scales the latent noise: lower is more typical, higher more varied.")

register(ModelSpec(
    id="gan",
    title="GAN (MLP)",
    family="gan",
    factory=MLPGAN,
    description="The classic fully connected GAN of Goodfellow et al. (2014).",
    presets={"default": {"latent_dim": 100, **MODERN_GAN},
             "tiny": {"latent_dim": 8, "g_hidden": (16, 32), "d_hidden": (32,), "dropout": 0.3, **MODERN_GAN}},
    params=(TEMPERATURE,),
    recipe=TrainRecipe(batch_size=64, lr=2e-4, steps={"mnist": 15000, "fashion": 15000}, ema=0.999),
))
