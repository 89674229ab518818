"""The training engine through its real entry points: CLI dry run, kill -9 + resume, 2 processes over gloo."""

import json
import signal
import subprocess
import time

import pytest
from safetensors.torch import load_file

from conftest import PYTHON, ROOT, free_port, genlib_cmd
from genlib.cli import main
from genlib.models.base import GenerativeModel
from genlib.training import state as train_state


def test_train_dry_run_writes_a_loadable_checkpoint(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "cdcgan", "--dataset", "digits", "--dry-run", "--out", str(out), "--no-progress"]) == 0
    model, meta = GenerativeModel.from_pretrained(out)
    assert meta["steps"] == 2 and meta["dataset"] == "digits" and meta["preset"] == "tiny"
    for key in ("device", "wall_time_s", "command", "libraries", "epochs", "dataset_source", "metrics"):
        assert key in meta
    assert "train cdcgan --dataset digits --dry-run" in meta["command"]
    assert (out / "samples" / "step-0000002.png").is_file()
    assert model.sample(3, seed=0, labels=[0, 1, 2]).shape == (3, 1, 28, 28)


def _train_cmd(out, steps=150):
    return genlib_cmd("train", "vae", "--dataset", "digits", "--steps", str(steps), "--batch-size", "32",
                      "--checkpoint-every", "10", "--sample-every", "1000", "--out", str(out), "--no-progress")


def _latest_step(out):
    pointer = out / "train_state" / "latest"
    try:
        return int(pointer.read_text().strip().split("-")[1])
    except (OSError, IndexError, ValueError):
        return 0


@pytest.mark.slow
def test_kill_9_then_resume_continues_and_matches_an_uninterrupted_run(tmp_path, subprocess_env):
    killed = tmp_path / "killed"
    proc = subprocess.Popen(_train_cmd(killed), env=subprocess_env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    while _latest_step(killed) < 30 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "training finished before it could be killed:\n" + proc.stdout.read()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    at_kill = _latest_step(killed)
    assert 30 <= at_kill < 150

    # every state left behind is complete and verifiable (no torn writes)
    states = sorted((killed / "train_state").glob("step-*"))
    assert states and not list((killed / "train_state").glob(".tmp-*/state.json"))
    for folder in states:
        info = json.loads((folder / "state.json").read_text())
        load_file(str(folder / "tensors.safetensors"))
        assert info["step"] == int(folder.name.split("-")[1])

    resumed = subprocess.run(_train_cmd(killed) + ["--resume"], env=subprocess_env, cwd=ROOT, capture_output=True,
                             text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert f"Resuming from {killed / 'train_state' / f'step-{at_kill:08d}'} (step {at_kill}/150)" in resumed.stdout
    meta = json.loads((killed / "meta.json").read_text())
    assert meta["steps"] == 150

    straight = tmp_path / "straight"
    subprocess.run(_train_cmd(straight), env=subprocess_env, cwd=ROOT, check=True, capture_output=True, timeout=300)
    a, b = load_file(str(killed / "model.safetensors")), load_file(str(straight / "model.safetensors"))
    assert a.keys() == b.keys()
    assert all((a[k] == b[k]).all() for k in a), "resumed run differs from an uninterrupted one"


def test_resume_refuses_another_models_state(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "vae", "--dataset", "digits", "--dry-run", "--out", str(out), "--no-progress"]) == 0
    assert train_state.latest_state(out / "train_state") is not None
    code = main(["train", "vae", "--dataset", "mnist", "--dry-run", "--out", str(out), "--resume", "--no-progress"])
    assert code == 2


@pytest.mark.slow
def test_two_processes_over_gloo_keep_ranks_in_sync(tmp_path, subprocess_env):
    out = tmp_path / "ddp"
    cmd = [PYTHON, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-port", str(free_port()),
           "-m", "genlib", "train", "dcgan", "--dataset", "digits", "--preset", "tiny", "--steps", "6",
           "--batch-size", "32", "--device", "cpu", "--out", str(out), "--no-progress"]
    proc = subprocess.run(cmd, env=subprocess_env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    meta = json.loads((out / "meta.json").read_text())
    assert meta["num_processes"] == 2 and meta["ranks_in_sync"] is True and meta["steps"] == 6
    GenerativeModel.from_pretrained(out)
