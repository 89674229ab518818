"""The spoken-digit dataset ("speech"), built offline by project code from many synthetic voices.

Voices: every English accent eSpeak NG knows (en, en-US, en-029, en-GB-scotland, en-GB-x-gbclan, en-GB-x-gbcwmd,
en-GB-x-rp, en-US-nyc, en-Shaw is not a spoken accent and is left out) × every voice variant it ships (104: m1–m8, f1–f5,
klatt1–6, croak, whisper, …) = 832 voices, from PyPI ``espeakng-loader`` (the espeak-ng library and data, driven here
through ctypes); plus Piper's neural voice (``en_US-joe-medium``) with varied expressiveness, rhythm and speed.
Each eSpeak voice says each digit ``TAKES`` times with a seeded speed (130–250 words/min) and pitch (20–80).

**Split by voice**: 20 % of the variants (picked by a hash of their name, so the split is stable) are held out with
all their accents: the test voices are never heard in training. Piper's voice is in the training set.

Each clip is resampled to 16 kHz, fitted to 1.008 s (:func:`genlib.audio.features.fit_clip`) and stored as its
64×64 uint8 log-mel picture (:func:`genlib.audio.features.log_mel`), so the image models, trainer and metrics work on
speech unchanged. The build takes about a minute and is cached in ``$GENLAB_HOME/speech``.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import threading
from pathlib import Path

import numpy as np

from genlib.errors import DatasetUnavailable, GenLabError

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ACCENTS = ("en", "en-us", "en-029", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-gbcwmd", "en-gb-x-rp", "en-us-nyc")
TAKES = 2
PIPER_TAKES = 30
TEST_SHARE = 0.2
VERSION = 1
_lock = threading.Lock()


def test_variant(name: str) -> bool:
    """Is this eSpeak variant one of the held-out (test) voices? A stable hash of its name decides."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < TEST_SHARE


class ESpeak:
    """eSpeak NG through ctypes (the library and data from PyPI espeakng-loader), synchronous, one at a time."""

    _instance = None

    def __init__(self):
        try:
            import espeakng_loader
        except ImportError:
            raise GenLabError("The spoken-digit dataset needs eSpeak NG: `pip install espeakng-loader` "
                              "(GenLab's requirements include it).") from None
        self.data = Path(espeakng_loader.get_data_path())
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self._chunks: list[np.ndarray] = []
        proto = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
        self._callback = proto(self._collect)  # kept referenced: the library calls it
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.sample_rate = self.lib.espeak_Initialize(2, 0, str(self.data.parent).encode(), 0x8000)  # SYNCHRONOUS
        if self.sample_rate <= 0:
            raise GenLabError("eSpeak NG did not start (its data folder is missing or damaged).")
        self.lib.espeak_SetSynthCallback(self._callback)

    @classmethod
    def get(cls) -> ESpeak:
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def _collect(self, wav, n, events):
        if n > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
        return 0

    def variants(self) -> list[str]:
        return sorted(p.name for p in (self.data / "voices" / "!v").iterdir() if p.is_file())

    def say(self, text: str, voice: str, rate: int = 175, pitch: int = 50) -> np.ndarray:
        """``text`` in ``voice`` ("accent+variant") → float32 audio at ``sample_rate``."""
        with _lock:
            self._chunks = []
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise GenLabError(f"eSpeak NG has no voice '{voice}'.")
            self.lib.espeak_SetParameter(1, int(rate), 0)  # espeakRATE, words per minute
            self.lib.espeak_SetParameter(3, int(pitch), 0)  # espeakPITCH, 0-100
            data = text.encode()
            self.lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, 0, None, None)
            self.lib.espeak_Synchronize()
            chunks = self._chunks
        return (np.concatenate(chunks).astype(np.float32) / 32768) if chunks else np.zeros(0, np.float32)


def _clip(audio: np.ndarray, rate: int) -> np.ndarray:
    from genlib.audio.features import fit_clip, resample

    return fit_clip(resample(audio, rate))


def build(takes: int = TAKES, piper_takes: int = PIPER_TAKES, variants: list[str] | None = None,
          accents=ACCENTS, seed: int = 0) -> dict:
    """Synthesise the whole dataset → {"train"/"test": (pictures uint8 (N, 64, 64), labels, voice index)} and the
    voice names. ``variants``/``accents``/``takes`` shrink it for tests."""
    from genlib.audio.features import log_mel

    es = ESpeak.get()
    variants = variants if variants is not None else es.variants()
    rng = np.random.default_rng(seed)
    voices: list[str] = []
    rows = {"train": ([], [], []), "test": ([], [], [])}
    for variant in variants:
        split = "test" if test_variant(variant) else "train"
        for accent in accents:
            name = f"{accent}+{variant}"
            vid = len(voices)
            voices.append(name)
            clips = []
            for digit, word in enumerate(WORDS):
                for _ in range(takes):
                    audio = es.say(word, name, rate=int(rng.integers(130, 251)), pitch=int(rng.integers(20, 81)))
                    clips.append((_clip(audio, es.sample_rate), digit))
            pics = log_mel(np.stack([c for c, _ in clips]))
            rows[split][0].append(pics)
            rows[split][1].extend(d for _, d in clips)
            rows[split][2].extend([vid] * len(clips))
    if piper_takes:
        from genlib.audio import tts

        vid = len(voices)
        voices.append(f"piper:{tts.VOICE}")
        clips = []
        for digit, word in enumerate(WORDS):
            for k in range(piper_takes):
                speech = tts.say(word.capitalize() + ".", speed=float(rng.uniform(0.8, 1.25)),
                                 noise_scale=float(rng.uniform(0.3, 1.0)), noise_w=float(rng.uniform(0.3, 1.0)),
                                 seed=k)
                clips.append((_clip(speech.audio, speech.sample_rate), digit))
        rows["train"][0].append(log_mel(np.stack([c for c, _ in clips])))
        rows["train"][1].extend(d for _, d in clips)
        rows["train"][2].extend([vid] * len(clips))
    out = {}
    for split, (pics, labels, vids) in rows.items():
        if not pics:
            raise GenLabError(f"The {split} split is empty: pick variants for both splits.")
        out[split] = (np.concatenate(pics), np.array(labels, np.int64), np.array(vids, np.int64))
    out["voices"] = voices
    return out


def cache_path() -> Path:
    from genlib.data.paths import genlab_home

    return genlab_home() / "speech" / f"spoken-digits-v{VERSION}.safetensors"


def load(build_if_missing: bool = True) -> dict:
    """The cached dataset (built on first use: about a minute), as :func:`build` returns it."""
    from safetensors.numpy import load_file, save

    from genlib import hub

    path = cache_path()
    if path.is_file():
        try:
            t = load_file(str(path))
            voices = json.loads(path.with_suffix(".json").read_text())["voices"]
            return {s: (t[f"{s}_images"], t[f"{s}_labels"], t[f"{s}_voices"]) for s in ("train", "test")} | \
                {"voices": voices}
        except (OSError, ValueError, KeyError):
            pass  # damaged cache: rebuilt below
    if not build_if_missing:
        raise DatasetUnavailable("The spoken-digit dataset is not built yet: run `genlib data --prepare` "
                                 "(about a minute, offline).")
    data = build()
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {f"{s}_{k}": np.ascontiguousarray(a) for s in ("train", "test")
               for k, a in zip(("images", "labels", "voices"), data[s])}
    hub.atomic_write_bytes(path.with_suffix(".json"), json.dumps({"voices": data["voices"], "version": VERSION,
                                                                  "takes": TAKES, "piper_takes": PIPER_TAKES}).encode())
    hub.atomic_write_bytes(path, save(tensors))  # last: its presence means the build is complete
    return data
