"""A small CNN that names the class of an image: the domain classifier used to check conditional samples and for the
domain FID/KID features (grey 28×28, 64×64 log-mel pictures, or colour: ``img_channels`` comes from the dataset).

(channels, 28, 28) → [conv3 ×2, pool] → (C, 14, 14) → [conv3 ×2, pool] → (2C, 7, 7) → dense 128 → 10 logits.
Trained with random ±2-pixel shifts so it reads slightly off-centre samples as well as real data.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from genlib.models.base import GenerativeModel, random_shift, shape_config
from genlib.registry import ModelSpec, TrainRecipe, register


class Classifier(GenerativeModel):
    model_id = "classifier"

    def __init__(self, num_classes: int = 10, channels: int = 32, hidden: int = 128, dropout: float = 0.3,
                 img_channels: int = 1, image_size: int = 28):
        super().__init__(num_classes=num_classes, channels=channels, hidden=hidden, dropout=dropout,
                         **shape_config(img_channels, image_size))
        self.img_channels, self.image_size = img_channels, image_size  # any size reads (pooled to 7×7)
        c, c2 = channels, channels * 2
        block = lambda i, o: [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU(True)]  # noqa: E731
        self.features = nn.Sequential(
            *block(img_channels, c), *block(c, c), nn.MaxPool2d(2),  # (B, C, 14, 14)
            *block(c, c2), *block(c2, c2), nn.MaxPool2d(2),  # (B, 2C, 7, 7)
            nn.AdaptiveAvgPool2d(7),  # identity at 28×28; the 32×32 stem output (8×8 here) is pooled to 7×7
            nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(c2 * 49, hidden), nn.ReLU(True),
                                  nn.Dropout(dropout), nn.Linear(hidden, num_classes))

    @staticmethod
    def _stem(x: torch.Tensor) -> torch.Tensor:
        """Pictures larger than 32 px (the 64×64 log-mel spectrograms) are averaged 2×2 first: 32 mel bands × 32
        frames keep every digit apart, at a quarter of the cost; 28×28 images pass unchanged."""
        return F.avg_pool2d(x, 2) if x.shape[-1] > 32 else x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(self._stem(x)))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer features (B, hidden), for domain metrics."""
        return self.head[:3](self.features(self._stem(x)))

    @torch.no_grad()
    def predict(self, x: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
        """Class ids for images in [-1, 1], (N, C, H, W)."""
        self.eval()
        return torch.cat([self(x[i:i + batch_size].to(self.device)).argmax(1).cpu()
                          for i in range(0, len(x), batch_size)])

    def training_step(self, batch, opt):
        x, y = batch
        logits = self(random_shift(x))
        loss = F.cross_entropy(logits, y)
        opt.step("main", loss)
        return {"loss": loss.detach(), "acc": (logits.argmax(1) == y).float().mean()}

    @torch.no_grad()
    def validation_loss(self, batch, seed=0):
        x, y = batch
        return float(F.cross_entropy(self(x), y))

    def sample(self, *args, **kwargs):
        raise TypeError("a classifier does not sample")


register(ModelSpec(
    id="classifier", title="Domain classifier", family="classifier", factory=Classifier, generative=False,
    conditional=False, presets={"default": {}, "tiny": {"channels": 4, "hidden": 8}},
    recipe=TrainRecipe(batch_size=128, lr=1e-3, steps={"mnist": 1500, "fashion": 2500, "speech": 1500},
                       store_dtype="float16"),
    datasets=("mnist", "fashion", "speech"),
    description="CNN classifier per dataset; reads the class of generated samples (and of spoken digits).",
))
