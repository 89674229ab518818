"""The GAN recipe (R1, DiffAugment, two time scales, EMA, projection D) and the collapse explainer — on tiny presets of
the real code, and on the shipped checkpoints."""

import numpy as np
import pytest
import torch

from genlib.data import load_dataset
from genlib.errors import GenLabError
from genlib.models.base import INGREDIENTS, MODERN_GAN, diff_augment, without
from genlib.registry import get_spec
from genlib.training import loop


def tiny(model_id, **over):
    torch.manual_seed(0)
    return get_spec(model_id).build("tiny", num_classes=10, **over).eval()


# ---------------------------------------------------------------- the recipe

def test_diff_augment_cuts_out_a_square_and_shifts():
    x = torch.ones(64, 1, 28, 28)
    out = diff_augment(x, shift=0, cutout=0.25)
    holes = (out == 0).flatten(1).sum(1)
    side = int(28 * 0.25 + 0.5)
    assert holes.max() == side * side and holes.min() > 0  # a full square, or one clipped at the border
    shifted = diff_augment(x, shift=3, cutout=0.0)
    assert torch.equal(diff_augment(x, 0, 0.0), x) and (shifted == -1).any()  # black comes in at the borders
    grad_in = torch.randn(2, 1, 28, 28, requires_grad=True)
    diff_augment(grad_in, 3, 0.25).sum().backward()
    assert grad_in.grad is not None and grad_in.grad.abs().sum() > 0  # differentiable: G learns through it


def test_grouped_augmentation_keeps_a_minibatch_stddev_group_alike():
    """StyleGAN's D measures the spread within groups of 4 (images k, k + b/4, …): copies of one image must stay
    copies after augmentation, or D would read a collapsed generator's copies as variety."""
    from genlib.models.base import group_size

    x = torch.rand(1, 1, 28, 28).expand(16, -1, -1, -1) * 2 - 1  # one image, 16 times
    out = diff_augment(x, shift=3, cutout=0.25, group=4)
    n = 16 // group_size(16, 4)
    for k in range(n):
        assert all(torch.equal(out[k], out[k + j * n]) for j in range(4))
    assert not all(torch.equal(out[0], out[k]) for k in range(1, n))  # the groups differ from each other
    assert group_size(6, 4) == 3 and group_size(7, 4) == 1


def test_minibatch_stddev_is_the_spread_within_each_group():
    from genlib.models.base import minibatch_stddev

    torch.manual_seed(0)
    x = torch.randn(8, 5)
    out = minibatch_stddev(x, 4)  # groups: images k, k + 2, k + 4, k + 6
    assert out.shape == (8, 6) and torch.equal(out[:, :5], x)
    for k in range(2):
        expected = x[k::2].std(0, unbiased=False).mean()
        assert torch.allclose(out[k::2, 5], expected.expand(4), atol=1e-5)
    copies = minibatch_stddev(torch.randn(1, 3, 4, 4).expand(8, -1, -1, -1), 4)
    assert copies.shape == (8, 4, 4, 4) and copies[:, 3].max() < 1e-3  # one image drawn 8 times: no spread
    mlp = tiny("gan", mbstd=4)
    assert mlp.augment_group == 4 and mlp.discriminator(torch.randn(8, 1, 28, 28))[0].shape == (8,)


def test_r1_penalty_is_half_gamma_times_the_squared_gradient():
    model = tiny("gan", r1=4.0, augment_shift=0, cutout=0.0)  # eval: dropout off, so D is the same both times
    x = torch.randn(8, 1, 28, 28)
    xr = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(model.discriminator(xr)[0].sum(), xr)
    expected = 4.0 / 2 * grad.square().flatten(1).sum(1).mean()
    assert torch.allclose(model.r1_penalty(x, None), expected, rtol=1e-4) and expected > 0


def test_lazy_r1_runs_every_r1_every_d_steps():
    model = tiny("dcgan", r1_every=3).train()
    stepper = loop.Stepper(loop.optimizers(get_spec("dcgan"), model))
    batch = model.dummy_batch(8)
    seen = ["r1" in model.training_step(batch, stepper) for _ in range(6)]
    assert seen == [True, False, False, True, False, False]


def test_two_time_scales_and_betas_reach_the_optimisers():
    spec = get_spec("dcgan")
    model = tiny("dcgan")
    opts = loop.optimizers(spec, model, 1e-4)
    assert opts["d"].param_groups[0]["lr"] == pytest.approx(1e-4 * MODERN_GAN["lr_d_ratio"])
    assert opts["g"].param_groups[0]["lr"] == pytest.approx(1e-4)
    assert opts["g"].param_groups[0]["betas"] == (0.5, 0.999)
    off = tiny("dcgan", **without("ttur"))
    assert loop.optimizers(spec, off, 1e-4)["d"].param_groups[0]["lr"] == pytest.approx(1e-4)


def test_switching_ingredients_off():
    model = tiny("dcgan", **without(*INGREDIENTS))
    assert (model.r1, model.augment_shift, model.cutout, model.lr_d_ratio) == (0.0, 0, 0.0, 1.0)
    assert "r1" not in model.train().training_step(model.dummy_batch(8), loop.Stepper(
        loop.optimizers(get_spec("dcgan"), model)))
    with pytest.raises(GenLabError, match="Unknown GAN ingredient"):
        without("dropout")


def test_projection_discriminator_reads_the_class():
    model = tiny("cdcgan")
    d = model.discriminator
    assert d.project is not None and d.classify is None
    x = torch.randn(4, 1, 28, 28)
    logit, cls = d(x, torch.tensor([0, 0, 0, 0]))
    assert cls is None and not torch.allclose(logit, d(x, torch.tensor([1, 1, 1, 1]))[0])
    ac = tiny("cdcgan", projection=False).discriminator  # the AC-GAN head, for the ablation
    assert ac.project is None and ac(x, None)[1].shape == (4, 10)


def test_ema_warms_up_and_applies_temporarily():
    net = torch.nn.Linear(2, 2)
    ema = loop.EMA(net, 0.999)
    with torch.no_grad():
        net.weight.add_(1.0)
    ema.update(step=0)  # decay min(0.999, 1/10): mostly the new weights
    assert torch.allclose(ema.shadow["weight"], net.weight - 0.1, atol=1e-6)
    own = net.weight.detach().clone()
    with ema.applied():
        assert torch.allclose(net.weight, ema.shadow["weight"])
    assert torch.equal(net.weight, own)


# ---------------------------------------------------------------- the collapse explainer

def test_nearest_training_image_of_a_training_image_is_itself():
    from genlib.evaluation import nearest_training

    train = load_dataset("mnist", "train").images
    idx, dist = nearest_training(train[[5, 900, 4321]], "mnist")
    assert idx.tolist() == [5, 900, 4321] and np.allclose(dist, 0, atol=1e-3)


def test_collapse_histogram_matches_an_independent_count():
    from genlib.features import compare as cmp
    from genlib.serving import generate, load

    n, seed = 100, 4
    view = cmp.explain_collapse("mnist", "dcgan", seed, n)
    g = generate("dcgan", "mnist", n=n, seed=seed)  # the same samples, read here by the classifier directly
    clf, _ = load("classifier", "mnist")
    with torch.inference_mode():
        x = torch.from_numpy(g.images).float().div(127.5).sub(1).unsqueeze(1)
        read = clf(x).argmax(1).numpy()
    assert [c for _, c in view.histogram] == np.bincount(read, minlength=10).tolist()
    assert sum(c for _, c in view.histogram) == n and len(view.pairs) == 16
    assert view.table[0][1].endswith("of 10") and "Recall" in view.caption
    with pytest.raises(GenLabError, match="Pick a model"):
        cmp.explain_collapse("mnist", "", seed, n)
