"""Image tensors ↔ uint8 arrays and grids, grey or colour.

Tensors are (N, C, H, W) in [-1, 1] with C = 1 (grey) or 3 (RGB); arrays are uint8, (N, H, W) for grey and
(N, H, W, 3) for colour — the layout of :class:`genlib.data.Dataset` and of PIL."""

from __future__ import annotations

import math

import numpy as np
import torch
from PIL import Image


def to_uint8(x: torch.Tensor) -> np.ndarray:
    """(N, 1, H, W) in [-1, 1] → (N, H, W) uint8; (N, 3, H, W) → (N, H, W, 3)."""
    out = ((x.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return (out.squeeze(1) if out.shape[1] == 1 else out.permute(0, 2, 3, 1).contiguous()).numpy()


def from_uint8(images: np.ndarray) -> torch.Tensor:
    """(N, H, W) uint8 → (N, 1, H, W) float in [-1, 1]; (N, H, W, 3) → (N, 3, H, W)."""
    x = torch.from_numpy(np.array(images, copy=True)).float().div(127.5).sub(1)
    return x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2).contiguous()


def grid(images: np.ndarray, nrow: int | None = None, pad: int = 2, scale: int = 1) -> Image.Image:
    """Tile uint8 images — (N, H, W) grey or (N, H, W, 3) colour — into one PIL image, ``nrow`` per row
    (square-ish by default), on a dark grey background."""
    n, h, w = images.shape[:3]
    colour = images.ndim == 4
    nrow = nrow or max(1, math.ceil(math.sqrt(n)))
    rows = math.ceil(n / nrow)
    canvas = np.full((rows * (h + pad) + pad, nrow * (w + pad) + pad, *images.shape[3:]), 40, np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, nrow)
        canvas[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = img
    out = Image.fromarray(canvas, mode="RGB" if colour else "L")
    return out.resize((out.width * scale, out.height * scale), Image.NEAREST) if scale > 1 else out
