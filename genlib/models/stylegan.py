"""StyleGAN, small (Karras et al., 2019; StyleGAN2, 2020): a mapping network, a learned constant, modulated and
demodulated convolutions, per-layer noise, style-mixing regularisation and truncation towards the mean style.

Shape at 28×28 (the start size is a quarter of the image, so 32×32 or 64×64 colour data only change the config):

    z (latent_dim) ─ pixel norm ─ mapping MLP (``mapping`` layers, lr × 0.01) ─ w (w_dim) ─ one copy per layer
    const (C₀, 7, 7) ─ L0 ─ L1 ─┬ toRGB ─────────────────────────────┐
                                 L2↑ ─ L3 ─┬ toRGB ───────────── + ─ up ─┐
                                           L4↑ ─ L5 ─ toRGB ──────────── + ─ image

(L↑: a modulated 4×4 stride-2 transposed convolution, as DCGAN upsamples; the others 3×3.)

Each layer Lᵢ takes its own style wᵢ: its input channels are scaled by an affine map of wᵢ, the output is
demodulated (divided by the norm the scaled weights would give), then noise × a learned strength is added. The
first layers set the coarse shape (7×7), the last ones the fine strokes (28×28). **Style mixing**: layers before the
``crossover`` take their style from image A, the rest from image B, so crossover 0 is B and crossover = the number of
layers is A (the noise draw is the grid's, the same for every image in it). **Truncation ψ**: w → w̄ + ψ (w − w̄),
towards the average style w̄ the generator tracks while training (ψ = 1: no truncation, ψ = 0: the average image).

The noise inputs of a sampled image are one fixed draw (``noise``, default 0) shared by the batch: an image is then
a function of its latent alone (the Latent Lab's sliders and walks stay smooth), and "same image, new noise" is the
same latent with another draw — the shape stays and the stroke texture changes. Training draws fresh noise per image.

Equalised learning rate (weights stored at unit scale, multiplied by He's constant at run time) in G and D, as in
StyleGAN, so both learn at StyleGAN2's 2e-3 with Adam β = (0, 0.99). The discriminator has the DCGAN's shape plus a
minibatch-stddev feature (:class:`StyleDiscriminator`); the rest of the recipe (R1, DiffAugment, EMA) is every GAN's
(:class:`~genlib.models.base.GANModel`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from genlib.controls import Control
from genlib.errors import GenLabError
from genlib.models.base import MODERN_GAN, GANModel, minibatch_stddev, seeded_generator
from genlib.registry import ModelSpec, TrainRecipe, register

NOISE_SEED_OFFSET = 0x5EED  # noise draws and latents come from different streams: a new draw never moves z
MBSTD_GROUP = 4  # images per minibatch-stddev group in D


class EqualLinear(nn.Module):
    def __init__(self, cin: int, cout: int, bias_init: float = 0.0, lr_mul: float = 1.0, act: bool = False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin) / lr_mul)
        self.bias = nn.Parameter(torch.full((cout,), float(bias_init)))
        self.scale, self.lr_mul, self.act = lr_mul / math.sqrt(cin), lr_mul, act

    def forward(self, x):
        out = F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)
        return F.leaky_relu(out, 0.2) * math.sqrt(2) if self.act else out


def rowwise_linear(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """x (B, i) @ weightᵀ (o, i) computed row by row (a broadcast product and a sum), so a row's result does not
    depend on where it sits in the batch — a GEMM's blocking can change the last bits — and a style-mixing cell is
    bit-identical to its source image. The sizes here (B × 128 × 128) are too small for the GEMM to matter."""
    return (x[:, None, :] * weight[None]).sum(-1)


class ModConv(nn.Module):
    """A k×k convolution (a 4×4 stride-2 transposed one with ``up``) modulated per image by a style and (optionally)
    demodulated — written as scale the input channels → one ordinary convolution for the whole batch → rescale the
    output, which equals StyleGAN2's per-image weights and keeps to plain (fast) convolutions on a CPU."""

    def __init__(self, cin: int, cout: int, w_dim: int, kernel: int = 3, demodulate: bool = True, up: bool = False):
        super().__init__()
        kernel = 4 if up else kernel
        self.weight = nn.Parameter(torch.randn(*((cin, cout) if up else (cout, cin)), kernel, kernel))
        self.affine = EqualLinear(w_dim, cin, bias_init=1.0)
        self.scale = 1 / math.sqrt(cin * (kernel * kernel // 4 if up else kernel * kernel))
        self.demodulate, self.up, self.pad = demodulate, up, 1 if up else kernel // 2

    def forward(self, x, w):
        a = self.affine
        style = rowwise_linear(w, a.weight * a.scale) + a.bias * a.lr_mul  # (B, cin)
        weight = self.weight * self.scale
        x = x * style[:, :, None, None]
        if self.up:  # (B, cin, H, W) → (B, cout, 2H, 2W)
            x = F.conv_transpose2d(x, weight, stride=2, padding=1)
        else:
            x = F.conv2d(x, weight, padding=self.pad)
        if self.demodulate:  # 1 / ‖W · diag(style)‖ per image and output channel
            power = weight.square().sum((2, 3))  # (cout, cin), or (cin, cout) transposed
            x = x * torch.rsqrt(rowwise_linear(style.square(), power.T if self.up else power) + 1e-8)[:, :, None, None]
        return x


class StyleLayer(nn.Module):
    def __init__(self, cin: int, cout: int, w_dim: int, up: bool = False):
        super().__init__()
        self.conv = ModConv(cin, cout, w_dim, up=up)
        self.noise_strength = nn.Parameter(torch.zeros(()))
        self.bias = nn.Parameter(torch.zeros(cout))

    def forward(self, x, w, noise):
        x = self.conv(x, w) + noise * self.noise_strength
        return F.leaky_relu(x + self.bias[None, :, None, None], 0.2) * math.sqrt(2)


class ToImage(nn.Module):
    """A modulated 1×1 convolution to the image channels (not demodulated), as a per-pixel weighted sum over channels:
    a 1×1 convolution is a GEMM whose blocking can change a pixel's last bits with its place in the batch."""

    def __init__(self, cin: int, img_channels: int, w_dim: int):
        super().__init__()
        self.conv = ModConv(cin, img_channels, w_dim, kernel=1, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(img_channels))

    def forward(self, x, w):
        c, a = self.conv, self.conv.affine
        style = rowwise_linear(w, a.weight * a.scale) + a.bias * a.lr_mul  # (B, cin)
        mix = style[:, None, :] * (c.weight[:, :, 0, 0] * c.scale)[None]  # (B, img_channels, cin)
        return (x[:, None] * mix[:, :, :, None, None]).sum(2) + self.bias[None, :, None, None]


class EqualConv2d(nn.Module):
    def __init__(self, cin: int, cout: int, kernel: int, stride: int = 1, padding: int = 0):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.scale, self.stride, self.padding = 1 / math.sqrt(cin * kernel * kernel), stride, padding

    def forward(self, x):
        return F.conv2d(x, self.weight * self.scale, self.bias, self.stride, self.padding)


class StyleDiscriminator(nn.Module):
    """The DCGAN's discriminator (two strided 4×4 convolutions, a linear head, a projection head when conditional)
    with StyleGAN's two changes: equalised learning rate, so D and G learn at the same rate, and a minibatch
    standard-deviation feature (Karras et al., 2018): D sees how much images in a group of 4 differ, so a generator
    that draws one image for every latent is caught at once."""

    def __init__(self, channels: int, num_classes: int, img_channels: int, image_size: int, group: int = MBSTD_GROUP):
        super().__init__()
        c2 = channels * 2
        self.group = group
        self.conv1 = EqualConv2d(img_channels, channels, 4, 2, 1)  # (B, C, S/2, S/2)
        self.conv2 = EqualConv2d(channels + 1, c2, 4, 2, 1)  # (+1: the minibatch-stddev map) → (B, 2C, S/4, S/4)
        feat = c2 * (image_size // 4) ** 2
        self.out = EqualLinear(feat, 1)
        self.project = nn.Embedding(num_classes, feat) if num_classes else None
        if self.project is not None:
            nn.init.normal_(self.project.weight, std=feat ** -0.5)

    def forward(self, x, labels=None):
        h = F.leaky_relu(self.conv1(x), 0.2) * math.sqrt(2)
        h = F.leaky_relu(self.conv2(minibatch_stddev(h, self.group)), 0.2).flatten(1) * math.sqrt(2)
        logit = self.out(h).squeeze(1)
        if self.project is not None:
            logit = logit + (self.project(labels) * h).sum(1) / math.sqrt(h.size(1))
        return logit, None


class StyleGenerator(nn.Module):
    def __init__(self, latent_dim: int, w_dim: int, mapping: int, channels: tuple[int, int, int], img_channels: int,
                 image_size: int, num_classes: int = 0, mixing: float = 0.9, w_avg_beta: float = 0.995):
        super().__init__()
        if image_size % 4:
            raise GenLabError(f"StyleGAN needs an image size divisible by 4; got {image_size}.")
        self.latent_dim, self.w_dim, self.mixing, self.w_avg_beta = latent_dim, w_dim, mixing, w_avg_beta
        self.start = image_size // 4
        self.embed = nn.Embedding(num_classes, latent_dim) if num_classes else None
        width = latent_dim * (2 if num_classes else 1)
        self.mapping = nn.Sequential(*[EqualLinear(width if i == 0 else w_dim, w_dim, lr_mul=0.01, act=True)
                                       for i in range(mapping)])
        self.register_buffer("w_avg", torch.zeros(w_dim))
        c0, c1, c2 = channels
        self.const = nn.Parameter(torch.randn(1, c0, self.start, self.start))
        self.layers = nn.ModuleList([
            StyleLayer(c0, c0, w_dim), StyleLayer(c0, c0, w_dim),  # start × start: the coarse shape
            StyleLayer(c0, c1, w_dim, up=True), StyleLayer(c1, c1, w_dim),  # 2 × start
            StyleLayer(c1, c2, w_dim, up=True), StyleLayer(c2, c2, w_dim),  # 4 × start: the fine strokes
        ])
        self.to_image = nn.ModuleList([ToImage(c, img_channels, w_dim) for c in channels])
        self._noise: dict[tuple[int, str], list[torch.Tensor]] = {}

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    def noise_shapes(self) -> list[tuple[int, int]]:
        return [(self.start << (i // 2), self.start << (i // 2)) for i in range(self.num_layers)]

    def style(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """z (B, latent_dim) → w (B, w_dim); conditional models map [z, embed(class)] (class ids or weights)."""
        x = z * torch.rsqrt(z.square().mean(1, keepdim=True) + 1e-8)
        if self.embed is not None:
            code = labels.to(self.embed.weight.dtype) @ self.embed.weight if labels.is_floating_point() \
                else self.embed(labels)
            x = torch.cat([x, code * torch.rsqrt(code.square().mean(1, keepdim=True) + 1e-8)], 1)
        return self.mapping(x)

    def truncate(self, w: torch.Tensor, psi: float) -> torch.Tensor:
        return w if psi == 1 else self.w_avg.to(w.dtype).lerp(w, psi)

    def fixed_noise(self, draw: int, device) -> list[torch.Tensor]:
        """The noise maps of draw ``draw`` (1, 1, H, W) per layer; the last few draws are kept (a Lab slider frame
        should not pay for drawing them again)."""
        key = (int(draw), str(device))
        if key not in self._noise:
            g = seeded_generator(NOISE_SEED_OFFSET + int(draw))
            if len(self._noise) >= 8:
                self._noise.pop(next(iter(self._noise)))
            self._noise[key] = [torch.randn(1, 1, h, w, generator=g).to(device) for h, w in self.noise_shapes()]
        return self._noise[key]

    def synthesis(self, ws: torch.Tensor, noise: list[torch.Tensor]) -> torch.Tensor:
        """Per-layer styles ws (B, num_layers, w_dim) and noise maps → images (B, C, S, S)."""
        x = self.const.expand(ws.size(0), -1, -1, -1)
        image = None
        for i, layer in enumerate(self.layers):
            x = layer(x, ws[:, i], noise[i])
            if i % 2:  # the end of a resolution: add its picture to the upsampled one so far
                rgb = self.to_image[i // 2](x, ws[:, i])
                image = rgb if image is None else rgb + F.interpolate(image, scale_factor=2, mode="bilinear",
                                                                      align_corners=False)
        return image

    def forward(self, z, labels=None, truncation: float = 1.0, noise: int = 0):
        w = self.style(z, labels)
        if self.training:  # track w̄; mix two styles at a random crossover; fresh noise per image
            with torch.no_grad():
                self.w_avg.lerp_(w.detach().mean(0).to(self.w_avg.dtype), 1 - self.w_avg_beta)
            ws = w[:, None].expand(-1, self.num_layers, -1)
            if self.mixing and torch.rand(()) < self.mixing:
                w2 = self.style(torch.randn_like(z), labels)
                cut = int(torch.randint(1, self.num_layers, ()))
                ws = torch.cat([ws[:, :cut], w2[:, None].expand(-1, self.num_layers - cut, -1)], 1)
            maps = [torch.randn(z.size(0), 1, h, w_, device=z.device) for h, w_ in self.noise_shapes()]
            return self.synthesis(ws, maps)
        ws = self.truncate(w, truncation)[:, None].expand(-1, self.num_layers, -1)
        return self.synthesis(ws, self.fixed_noise(noise, z.device)).clamp(-1, 1)


TRUNCATION = Control("truncation", "float", 1.0, "Truncation ψ", 0.0, 1.0, 0.05,
                     help="Pulls each style towards the average one: lower is cleaner and more alike, 1 is untouched.")
NOISE = Control("noise", "int", 0, "Noise draw", 0, 9999, 1, number=True,
                help="Redraws only the per-layer noise: the same image with new stroke texture.")
CROSSOVER = Control("crossover", "int", 2, "Crossover layer", 0, 6, 1,
                    help="Layers before it take their style from the A seed atop the column (the coarse shape), the "
                         "rest from the B seed starting the row (the fine strokes): 0 gives B, 6 gives A.")


@dataclass
class MixGrid:
    """Style mixing of every A with every B: ``cells[i, j]`` has A[j]'s coarse styles and B[i]'s fine ones."""

    a: torch.Tensor  # (len(seeds_a), C, S, S)
    b: torch.Tensor  # (len(seeds_b), C, S, S)
    cells: torch.Tensor  # (len(seeds_b), len(seeds_a), C, S, S)
    crossover: int


class StyleGAN(GANModel):
    model_id = "stylegan"
    adam_betas = (0.0, 0.99)  # StyleGAN2's
    # DiffAugment per minibatch-stddev group: augmenting four copies of one image differently would show D a spread
    # that is not there, and a generator that draws one image for every latent would go unseen (measured: it did)
    augment_group = MBSTD_GROUP

    def __init__(self, latent_dim: int = 128, w_dim: int = 128, mapping: int = 4, channels=(64, 32, 16),
                 img_channels: int = 1, image_size: int = 28, mixing: float = 0.9, d_channels: int = 32,
                 num_classes: int = 0, **recipe):
        super().__init__(latent_dim=latent_dim, num_classes=num_classes, w_dim=w_dim, mapping=mapping,
                         channels=list(channels), img_channels=img_channels, image_size=image_size, mixing=mixing,
                         d_channels=d_channels, **recipe)
        self.img_channels, self.image_size = img_channels, image_size
        self.generator = StyleGenerator(latent_dim, w_dim, mapping, tuple(channels), img_channels, image_size,
                                        num_classes, mixing)
        self.discriminator = StyleDiscriminator(d_channels, num_classes, img_channels, image_size)

    @property
    def num_layers(self) -> int:
        return self.generator.num_layers

    def decode(self, z, labels=None, truncation: float = 1.0, noise: int = 0):
        return self.generator(z, labels, truncation=TRUNCATION.validate(truncation), noise=noise)

    @torch.no_grad()
    def sample(self, n: int, seed: int = 0, labels=None, temperature: float = 1.0, truncation: float = 1.0,
               noise: int = 0, **params) -> torch.Tensor:
        labels = self.check_labels(n, labels)
        return self.decode(self.sample_latents(n, seed, labels), labels, truncation, noise)

    @torch.no_grad()
    def mix(self, seeds_a, seeds_b, crossover: int, truncation: float = 1.0, noise: int = 0, labels_a=None,
            labels_b=None) -> MixGrid:
        """The style-mixing grid of seeds ``seeds_a`` (coarse layers) and ``seeds_b`` (fine layers), sources and
        cells in one batch. Each source is the first image of its seed, as Generate shows it."""
        if not 0 <= int(crossover) <= self.num_layers or int(crossover) != crossover:
            raise GenLabError(f"The crossover layer must be a whole number from 0 to {self.num_layers}; "
                              f"got {crossover}.")
        crossover, psi = int(crossover), TRUNCATION.validate(truncation)
        if not seeds_a or not seeds_b:
            raise GenLabError("Style mixing needs at least one A seed and one B seed.")
        g = self.generator

        def styles(seeds, labels):
            z = torch.cat([self.sample_latents(1, int(s)) for s in seeds])
            y = None if labels is None else self.check_labels(len(seeds), labels)
            if self.num_classes and y is None:
                raise GenLabError(f"Model '{self.model_id}' is conditional; give the class of each source.")
            return g.truncate(g.style(z, y), psi)

        wa, wb = styles(seeds_a, labels_a), styles(seeds_b, labels_b)
        na, nb, L = len(wa), len(wb), self.num_layers
        cell_a = wa[None].expand(nb, -1, -1).reshape(nb * na, -1)  # cell (i, j) → A[j], B[i]
        cell_b = wb[:, None].expand(-1, na, -1).reshape(nb * na, -1)
        layer = torch.arange(L, device=wa.device)[None, :, None]
        cells = torch.where(layer < crossover, cell_a[:, None], cell_b[:, None])  # (nb·na, L, w_dim)
        ws = torch.cat([wa[:, None].expand(-1, L, -1), wb[:, None].expand(-1, L, -1), cells])
        out = g.synthesis(ws, g.fixed_noise(noise, ws.device)).clamp(-1, 1)
        return MixGrid(out[:na], out[na:na + nb], out[na + nb:].reshape(nb, na, *out.shape[1:]), crossover)


# the DCGAN recipe, except that G and D (both with equalised weights) learn at the same rate, StyleGAN2's 2e-3
RECIPE = {**MODERN_GAN, "lr_d_ratio": 1.0}
# the default's size and batch: the fastest learner at equal CPU time of a search (BENCHMARKS.md, "StyleGAN: a recipe
# search at equal CPU time"); the first checkpoint's G (96, 48, 24) with D 64 spent twice the time per image
PRESETS = {"default": {"latent_dim": 128, "w_dim": 128, "channels": (64, 32, 16), "d_channels": 32, **RECIPE},
           "slim": {"latent_dim": 64, "w_dim": 64, "mapping": 2, "channels": (32, 16, 8), "d_channels": 16,
                    **RECIPE},
           "tiny": {"latent_dim": 8, "w_dim": 8, "mapping": 2, "channels": (8, 4, 4), "d_channels": 4, **RECIPE}}

register(ModelSpec(
    id="stylegan", title="StyleGAN (small)", family="gan", factory=StyleGAN, presets=PRESETS,
    params=(TRUNCATION, NOISE),
    # the shipped checkpoints: 88 minutes of one thread of the 2-core CPU (`--minutes 88`) reached ≈ 63,000 steps
    recipe=TrainRecipe(batch_size=32, lr=2e-3, steps={"mnist": 63000, "fashion": 63000}, ema=0.999),
    description="Style-based generator (Karras et al., 2019/2020): mapping network, modulated convolutions, "
                "per-layer noise, style mixing and truncation.",
))
