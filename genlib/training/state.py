"""Resumable training state without pickle.

A state lives in ``<out>/train_state/step-<N>/``: ``tensors.safetensors`` (model, EMA, optimiser tensors, RNG) and
``state.json`` (step, optimiser hyper-parameters, the tensors' SHA-256). It is written into a temporary folder that is
fsynced and then renamed into place, and ``latest`` (a one-line file, itself replaced atomically) names the newest
complete one. A ``kill -9`` at any moment leaves the previous state intact.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import torch

from genlib import hub
from genlib.errors import CheckpointError

KEEP = 2


def _flatten_optimizer(name: str, sd: dict, tensors: dict) -> dict:
    """Put an optimiser's tensors in ``tensors`` under ``opt.<name>.<param>.<key>``; return its JSON-able rest."""
    plain_state = {}
    for pid, st in sd["state"].items():
        plain_state[str(pid)] = {}
        for k, v in st.items():
            if torch.is_tensor(v):
                tensors[f"opt.{name}.{pid}.{k}"] = v
            else:
                plain_state[str(pid)][k] = v
    return {"param_groups": sd["param_groups"], "plain_state": plain_state}


def _unflatten_optimizer(name: str, info: dict, tensors: dict) -> dict:
    state: dict[int, dict] = {}
    prefix = f"opt.{name}."
    for key, v in tensors.items():
        if key.startswith(prefix):
            pid, k = key[len(prefix):].split(".", 1)
            state.setdefault(int(pid), {})[k] = v
    for pid, extra in info["plain_state"].items():
        state.setdefault(int(pid), {}).update(extra)
    return {"state": state, "param_groups": info["param_groups"]}


def save_state(root: Path, step: int, model: torch.nn.Module, optimizers: dict, ema: dict | None,
               extra: dict) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    tensors, seen = {}, set()
    for k, v in model.state_dict().items():  # tied weights (GPT-2's lm_head = its embedding): safetensors wants
        tensors[f"model.{k}"] = v.clone() if v.data_ptr() in seen else v  # one owner per storage
        seen.add(v.data_ptr())
    if ema:
        tensors.update({f"ema.{k}": v for k, v in ema.items()})
    tensors["rng.cpu"] = torch.get_rng_state()
    if torch.cuda.is_available():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng.cuda{i}"] = s
    opt_info = {n: _flatten_optimizer(n, o.state_dict(), tensors) for n, o in optimizers.items()}

    final = root / f"step-{step:08d}"
    tmp = root / f".tmp-step-{step:08d}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    hub.atomic_save_tensors(tmp / "tensors.safetensors", tensors)
    hub.atomic_write_json(tmp / "state.json", {
        "step": step, "optimizers": opt_info, **extra,
        "tensors_sha256": hub.sha256_file(tmp / "tensors.safetensors"),
    })
    if final.exists():
        _discard(final)
    os.replace(tmp, final)
    hub.fsync_dir(root)
    hub.atomic_write_bytes(root / "latest", f"{final.name}\n".encode())
    for old in sorted(root.glob("step-*"))[:-KEEP]:
        _discard(old)
    for leftover in [*root.glob(".tmp-step-*"), *root.glob(".trash-*")]:  # from runs killed mid-write
        if leftover != tmp:
            shutil.rmtree(leftover, ignore_errors=True)
    return final


def _discard(folder: Path) -> None:
    """Rename first (atomic), then delete: a kill mid-delete never leaves a half-empty ``step-*`` folder behind."""
    trash = folder.with_name(f".trash-{folder.name}-{os.getpid()}")
    os.replace(folder, trash)
    shutil.rmtree(trash, ignore_errors=True)


def latest_state(root: Path) -> Path | None:
    pointer = root / "latest"
    if not pointer.is_file():
        return None
    folder = root / pointer.read_text().strip()
    return folder if folder.is_dir() else None


def load_state(folder: Path, model: torch.nn.Module, optimizers: dict) -> tuple[dict, dict | None]:
    """Restore model, optimisers and CPU RNG from ``folder``; returns (state.json dict, EMA tensors or None)."""
    from safetensors.torch import load_file

    info = hub.read_json(folder / "state.json")
    blob = folder / "tensors.safetensors"
    if not blob.is_file() or hub.sha256_file(blob) != info.get("tensors_sha256"):
        raise CheckpointError(f"Training state {folder} is corrupt (its tensors do not match state.json).")
    tensors = load_file(str(blob))
    model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
    for name, opt in optimizers.items():
        if name not in info["optimizers"]:
            raise CheckpointError(f"Training state {folder} has no optimiser '{name}'.")
        opt.load_state_dict(_unflatten_optimizer(name, json.loads(json.dumps(info["optimizers"][name])), tensors))
    torch.set_rng_state(tensors["rng.cpu"])
    if torch.cuda.is_available():
        cuda = [tensors[k] for k in sorted(tensors) if k.startswith("rng.cuda")]
        if len(cuda) == torch.cuda.device_count():
            torch.cuda.set_rng_state_all(cuda)
    ema = {k[4:]: v for k, v in tensors.items() if k.startswith("ema.")} or None
    return info, ema
