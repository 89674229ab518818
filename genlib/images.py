"""Image tensors ↔ uint8 arrays and grids."""

from __future__ import annotations

import math

import numpy as np
import torch
from PIL import Image


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """(N, 1, H, W) in [-1, 1] → (N, H, W) uint8."""
    return ((x.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).squeeze(1).numpy()


def from_uint8(images: np.ndarray) -> torch.Tensor:
    """(N, H, W) uint8 → (N, 1, H, W) float in [-1, 1]."""
    return torch.from_numpy(np.array(images, copy=True)).float().div(127.5).sub(1).unsqueeze(1)


def grid(images: np.ndarray, nrow: int | None = None, pad: int = 2, scale: int = 1) -> Image.Image:
    """Tile (N, H, W) uint8 images into one grey PIL image, ``nrow`` per row (square-ish by default)."""
    n, h, w = images.shape
    nrow = nrow or max(1, math.ceil(math.sqrt(n)))
    rows = math.ceil(n / nrow)
    canvas = np.full((rows * (h + pad) + pad, nrow * (w + pad) + pad), 40, np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, nrow)
        canvas[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = img
    out = Image.fromarray(canvas, mode="L")
    return out.resize((out.width * scale, out.height * scale), Image.NEAREST) if scale > 1 else out
