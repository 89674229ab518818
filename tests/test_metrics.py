"""Each metric's definition, pinned against an independent computation or a closed form."""

import numpy as np
import pytest
import scipy.linalg
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from genlib import metrics
from genlib.errors import GenLabError


def _scipy_fid(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2)
    covmean = covmean.real if np.iscomplexobj(covmean) else covmean
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1 + s2 - 2 * covmean))


def test_fid_of_a_set_with_itself_is_zero():
    x = np.random.default_rng(0).normal(size=(500, 32))
    assert abs(metrics.fid(x, x)) < 1e-6


def test_fid_matches_scipy_sqrtm():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(400, 24)) @ rng.normal(size=(24, 24))
    b = rng.normal(loc=0.3, size=(300, 24)) @ rng.normal(size=(24, 24))
    ours, ref = metrics.fid(a, b), _scipy_fid(a, b)
    assert ref > 1.0
    assert ours == pytest.approx(ref, rel=1e-6)


def test_fid_closed_form_for_shifted_isotropic_gaussians():
    # N(0, I) vs N(m, 4I) in d dims: |m|² + d(1 + 4 − 2·2) = |m|² + d
    d, m = 5, np.full(5, 2.0)
    assert metrics.frechet_distance(np.zeros(d), np.eye(d), m, 4 * np.eye(d)) == pytest.approx(4 * d + d)


def test_kid_is_unbiased():
    """Two samples of the same distribution: the mean of many unbiased MMD² estimates is ~0 (a biased estimator sits
    clearly above 0 at this sample size)."""
    rng = np.random.default_rng(2)
    vals = [metrics.mmd2_unbiased(rng.normal(size=(50, 8)), rng.normal(size=(50, 8))) for _ in range(400)]
    sem = np.std(vals) / np.sqrt(len(vals))
    assert abs(np.mean(vals)) < 3 * sem
    x, y = rng.normal(size=(50, 8)), rng.normal(size=(50, 8))
    k = metrics._poly_kernel
    biased = k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean()
    assert biased > 10 * sem


def test_kid_separates_different_distributions():
    rng = np.random.default_rng(3)
    same = metrics.kid(rng.normal(size=(300, 8)), rng.normal(size=(300, 8)), subsets=20, subset_size=200)[0]
    diff = metrics.kid(rng.normal(size=(300, 8)), rng.normal(loc=0.5, size=(300, 8)), subsets=20, subset_size=200)[0]
    assert diff > 10 * abs(same) and diff > 0


def test_classifier_score_closed_forms():
    k = 10
    # confident and balanced: each class one-hot, all classes equally often → score = K
    assert metrics.classifier_score(np.eye(k)[np.arange(100) % k]) == pytest.approx(k)
    # uninformative: every prediction uniform → score = 1
    assert metrics.classifier_score(np.full((50, k), 1 / k)) == pytest.approx(1.0)
    # mode collapse: all samples one-hot on the same class → 1
    assert metrics.classifier_score(np.eye(k)[np.zeros(40, int)]) == pytest.approx(1.0)
    # general case against exp(E KL(p(y|x) ‖ p(y))) written out
    p = np.random.default_rng(4).dirichlet(np.ones(k) * 0.3, size=200)
    marginal = p.mean(0)
    expected = np.exp(np.mean([np.sum(row * np.log(row / marginal)) for row in p]))
    assert metrics.classifier_score(p) == pytest.approx(expected, rel=1e-9)


def test_precision_recall_on_known_geometry():
    rng = np.random.default_rng(5)
    real = rng.normal(size=(400, 2))
    assert metrics.precision_recall(real, real.copy()) == (1.0, 1.0)
    far = rng.normal(size=(400, 2)) + 50
    assert metrics.precision_recall(real, far) == (0.0, 0.0)
    # a collapsed generator: every sample near the real mode → high precision, low recall
    collapsed = rng.normal(scale=0.05, size=(400, 2))
    p, r = metrics.precision_recall(real, collapsed)
    assert p > 0.9 and r < 0.3


def test_psnr_ssim_match_scikit_image():
    rng = np.random.default_rng(6)
    a = rng.integers(0, 256, size=(4, 28, 28), dtype=np.uint8)
    b = np.clip(a.astype(int) + rng.integers(-20, 21, size=a.shape), 0, 255).astype(np.uint8)
    assert metrics.psnr(a, b) == pytest.approx(np.mean([peak_signal_noise_ratio(x, y, data_range=255)
                                                        for x, y in zip(a, b)]))
    assert metrics.ssim(a, b) == pytest.approx(np.mean([structural_similarity(x, y, data_range=255)
                                                        for x, y in zip(a, b)]))
    # closed form: constant error of 10 grey levels → 20·log10(255/10)
    c = np.full((1, 28, 28), 100, np.uint8)
    assert metrics.psnr(c, c + 10) == pytest.approx(20 * np.log10(255 / 10))
    assert metrics.ssim(a, a) == pytest.approx(1.0)


def test_coverage_and_accuracy():
    cov = metrics.class_coverage(np.array([0] * 50 + [1] * 45 + [2] * 5), 4)
    assert cov["share"] == [0.5, 0.45, 0.05, 0.0]
    assert cov["classes_covered"] == 2  # fair share is 0.25; classes 2 and 3 fall below half of it
    assert metrics.conditional_accuracy([1, 2, 3, 3], [1, 2, 3, 0]) == 0.75


def test_metrics_refuse_too_few_samples():
    with pytest.raises(GenLabError):
        metrics.precision_recall(np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(GenLabError):
        metrics.fid(np.zeros((1, 2)), np.zeros((5, 2)))


def test_kid_subsets_agree_with_the_float64_estimator():
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(200, 16)), rng.normal(loc=0.2, size=(200, 16))
    mean, std = metrics.kid(a, b, subsets=1, subset_size=200)  # one subset of everything = the plain estimator
    assert std == 0.0
    assert mean == pytest.approx(metrics.mmd2_unbiased(a, b), rel=1e-4)
