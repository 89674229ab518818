"""Checkpoint folders: ``config.json`` + ``model.safetensors`` + ``meta.json``, written atomically, verified on load.

The config holds the model id and its constructor arguments (the diffusers convention), so a folder rebuilds its
model with nothing else. ``meta.json`` records how the weights were made (dataset, steps, device, wall time, exact
command, library versions, metrics) and the SHA-256 of the weights, checked at load time. Nothing here unpickles.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from genlib.errors import CheckpointError

CONFIG, WEIGHTS, META = "config.json", "model.safetensors", "meta.json"


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a torn write."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())


def atomic_save_tensors(path: Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None) -> None:
    """Write a safetensors file atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, save({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, metadata=metadata))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_json(path: Path) -> dict:
    try:
        with open(path) as f:
            obj = json.load(f)
    except FileNotFoundError:
        raise CheckpointError(f"Checkpoint file {path} is missing.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CheckpointError(f"Checkpoint file {path} is corrupt ({e.msg if hasattr(e, 'msg') else e}).") from None
    if not isinstance(obj, dict):
        raise CheckpointError(f"Checkpoint file {path} does not hold a JSON object.")
    return obj


_PROBLEMS: dict[tuple, str | None] = {}


def checkpoint_problem(folder: Path) -> str | None:
    """Why the checkpoint in ``folder`` cannot be used (one sentence, no path), or None when it looks whole: its JSON
    files parse, its weights file exists, matches the SHA-256 in meta.json (when recorded) and is a readable
    safetensors file (a pickle renamed ``.safetensors`` or a truncated file fails here, before anything loads it).
    Cached per file size and modification time, so the front ends can ask on every page build."""
    from safetensors import safe_open

    folder = Path(folder)
    files = [folder / CONFIG, folder / META, folder / WEIGHTS]
    try:
        key = (str(folder), *((f.stat().st_size, f.stat().st_mtime_ns) if f.exists() else None for f in files))
    except OSError as e:
        return f"its files cannot be read ({e.strerror})"
    if key in _PROBLEMS:
        return _PROBLEMS[key]
    problem = None
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        problem = f"{', '.join(missing)} missing"
    else:
        try:
            meta = read_json(folder / META)
            read_json(folder / CONFIG)
            if meta.get("weights_sha256") and sha256_file(folder / WEIGHTS) != meta["weights_sha256"]:
                problem = f"{WEIGHTS} does not match the SHA-256 recorded in {META} (damaged or replaced)"
            else:
                with safe_open(str(folder / WEIGHTS), framework="pt") as f:
                    f.keys()
        except CheckpointError as e:
            problem = str(e).replace(str(folder), folder.name)
        except (SafetensorError, OSError, ValueError) as e:
            problem = f"{WEIGHTS} is not a readable safetensors file ({type(e).__name__}: {str(e)[:80]})"
    _PROBLEMS[key] = problem
    return problem


def save_folder(folder: Path, config: dict, state: dict[str, torch.Tensor], meta: dict,
                dtype: torch.dtype | None = None) -> None:
    """Write a checkpoint folder. Weights first, then config, then meta (which carries the weights' hash)."""
    folder = Path(folder)
    if dtype is not None:
        state = {k: v.to(dtype) if v.is_floating_point() else v for k, v in state.items()}
    atomic_save_tensors(folder / WEIGHTS, state)
    atomic_write_json(folder / CONFIG, config)
    atomic_write_json(folder / META, {**meta, "weights_sha256": sha256_file(folder / WEIGHTS)})


def load_folder(folder: Path, verify: bool = True) -> tuple[dict, dict[str, torch.Tensor], dict]:
    """Read and verify a checkpoint folder. Returns (config, float32 state dict, meta)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CheckpointError(f"Checkpoint folder {folder} does not exist.")
    config, meta = read_json(folder / CONFIG), read_json(folder / META)
    weights = folder / WEIGHTS
    if not weights.is_file():
        raise CheckpointError(f"Checkpoint file {weights} is missing.")
    if verify and meta.get("weights_sha256") and sha256_file(weights) != meta["weights_sha256"]:
        raise CheckpointError(f"Checkpoint {folder} is corrupt: {WEIGHTS} does not match the hash in {META}.")
    try:
        state = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"Checkpoint {folder} is corrupt: {WEIGHTS} cannot be read ({e}).") from None
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}
    return config, state, meta
