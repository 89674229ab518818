"""GenLab's trained voice models in use: say a digit, morph one voice into another, recognise a spoken digit.

* :func:`say_digit` — the spoken-digit CVAE (``voice``, trained on the "speech" dataset) draws a log-mel picture for
  digit K from its fitted prior (seeded), and Griffin-Lim turns it into 16 kHz audio.
* :func:`morph` — two utterances as latents (a digit + seed each, or a real clip encoded by the CVAE), interpolated
  (spherical for seeds, linear for encodings) with the digit condition blended along the way, decoded at ``t``.
* :func:`classify` — the spoken-digit classifier (``classifier`` on "speech", trained on the training voices only)
  names the digit in any WAV: any common sample rate, mono or stereo, resampled to 16 kHz and fitted to 1 s.
* :func:`evaluate` — the figures stored with the checkpoints: the classifier's accuracy on the held-out voices (real
  speech it never heard) and on generated digits (intelligibility, through the vocoder and back), and the real-time
  factor of generator + vocoder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from genlib.audio import features as F
from genlib.controls import MAX_SEED
from genlib.errors import GenLabError

DATASET = "speech"
MODEL = "voice"
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
GL_ITERS = 32


def _digit(k) -> int:
    try:
        d = int(k)
    except (TypeError, ValueError):
        raise GenLabError(f"A digit is a whole number from 0 to 9; got {k!r}.") from None
    if not 0 <= d <= 9 or str(k).strip() not in (str(d), f"{d}.0"):
        raise GenLabError(f"A digit is a whole number from 0 to 9; got {k!r}.")
    return d


def _seed(seed) -> int:
    from genlib.audio.tts import _check

    value = _check("Seed", seed, 0, MAX_SEED)
    if value != int(value):
        raise GenLabError(f"Seed must be a whole number; got {seed!r}.")
    return int(value)


def _temperature(t) -> float:
    from genlib.audio.tts import _check

    return _check("Temperature", t, 0.0, 2.0)


def model():
    from genlib.serving import load

    return load(MODEL, DATASET)[0]


def reader():
    from genlib.serving import load

    return load("classifier", DATASET)[0]


@dataclass
class Utterance:
    audio: np.ndarray  # float32 mono, 16 kHz
    picture: np.ndarray  # the model's log-mel picture, uint8 (64, 64)
    digit: int | None
    seconds: float  # generation + vocoder time
    caption: str
    sample_rate: int = F.SR


def _vocode(pictures: torch.Tensor, seed: int) -> tuple[np.ndarray, np.ndarray]:
    u8 = ((pictures.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).cpu().numpy()[:, 0]
    return F.griffin_lim(u8, iters=GL_ITERS, seed=seed), u8


@torch.no_grad()
def say_digits(digits, seed: int = 0, temperature: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """A batch: digits (list) → (audio (N, CLIP), pictures (N, 64, 64)); one seed for the batch."""
    m = model()
    labels = torch.tensor([_digit(d) for d in digits])
    pics = m.sample(len(labels), seed=_seed(seed), labels=labels, temperature=_temperature(temperature))
    return _vocode(pics, seed)


def say_digit(digit, seed: int = 0, temperature: float = 1.0) -> Utterance:
    """Digit K in a voice drawn (seeded) from the CVAE's fitted prior, through Griffin-Lim."""
    d = _digit(digit)
    start = time.perf_counter()
    audio, pics = say_digits([d], seed, temperature)
    return Utterance(audio[0], pics[0], d, time.perf_counter() - start,
                     f"“{WORDS[d]}” · seed {int(seed)} · temperature {float(temperature):g}")


def _latent(source, m, seed_offset: int = 0):
    """(digit, seed) or a WAV (path/bytes) → (z (1, D), one-hot (1, 10), kind)."""
    if isinstance(source, tuple):
        d, seed = _digit(source[0]), _seed(source[1])
        z = m.sample_latents(1, seed=seed, labels=torch.tensor([d]))
        return z, torch.nn.functional.one_hot(torch.tensor([d]), 10).float(), "seed"
    audio, rate = F.read_wav(source)
    pic = F.log_mel(F.fit_clip(F.resample(audio, rate)))
    x = torch.from_numpy(pic).float()[None, None] / 127.5 - 1
    probs = torch.softmax(reader()(x), 1)
    d = int(probs.argmax())
    mu, _ = m.encode(x.to(m.device), torch.tensor([d], device=m.device))
    return mu.cpu(), torch.nn.functional.one_hot(torch.tensor([d]), 10).float(), "clip"


@torch.no_grad()
def morph(a, b, t: float, seed: int = 0) -> Utterance:
    """Utterance at ``t`` ∈ [0, 1] between ``a`` and ``b`` — each a (digit, seed) pair or a WAV file."""
    try:
        t = float(t)
    except (TypeError, ValueError):
        raise GenLabError(f"t must be a number between 0 and 1; got {t!r}.") from None
    if not 0.0 <= t <= 1.0:
        raise GenLabError(f"t must be between 0 and 1; got {t}.")
    m = model()
    start = time.perf_counter()
    za, ya, ka = _latent(a, m)
    zb, yb, kb = _latent(b, m)
    from genlib.latent import slerp

    z = slerp(za, zb, t) if ka == kb == "seed" else za + t * (zb - za)
    y = ya + t * (yb - ya)  # the digit condition blends too: "three" turns into "eight"
    pic = m.decode(z.to(m.device), y.to(m.device))
    audio, u8 = _vocode(pic, seed)
    da, db = int(ya.argmax()), int(yb.argmax())
    return Utterance(audio[0], u8[0], db if t >= 0.5 else da, time.perf_counter() - start,
                     f"t = {t:.2f} between “{WORDS[da]}” and “{WORDS[db]}”")


@dataclass
class Recognition:
    digit: int
    probabilities: list[float]
    seconds_of_audio: float
    sample_rate: int
    channels_note: str

    def caption(self) -> str:
        p = self.probabilities[self.digit]
        return f"Heard “{WORDS[self.digit]}” ({self.digit}) with probability {p:.0%}"


@torch.no_grad()
def classify(source) -> Recognition:
    """Which digit is spoken in a WAV (path or bytes): any common sample rate, mono or stereo (averaged)."""
    audio, rate = F.read_wav(source)
    if np.abs(audio).max() < 1e-3:
        raise GenLabError("The recording is silent.")
    pic = F.log_mel(F.fit_clip(F.resample(audio, rate)))
    x = torch.from_numpy(pic).float()[None, None] / 127.5 - 1
    clf = reader()
    probs = torch.softmax(clf(x.to(clf.device)), 1)[0].cpu().numpy()
    return Recognition(int(probs.argmax()), [round(float(p), 4) for p in probs], len(audio) / rate, rate, "")


@torch.no_grad()
def predict_pictures(pictures: np.ndarray) -> np.ndarray:
    from genlib.images import from_uint8

    return reader().predict(from_uint8(pictures)).numpy()


@torch.no_grad()
def evaluate(n_per_digit: int = 100, seed: int = 0, repeats: int = 20) -> dict:
    """The voice figures: held-out-voice accuracy (real), generated-digit accuracy (through Griffin-Lim and back to a
    log-mel picture), and the real-time factor of generator + vocoder for one 1 s clip."""
    from genlib.data import load_dataset

    test = load_dataset(DATASET, "test")
    real_acc = float((predict_pictures(np.asarray(test.images)) == test.labels).mean())
    digits = np.repeat(np.arange(10), n_per_digit)
    heard = []
    for i in range(0, len(digits), 100):
        audio, _ = say_digits(digits[i:i + 100].tolist(), seed=seed + i)
        heard.append(predict_pictures(F.log_mel(audio)))
    gen_acc = float((np.concatenate(heard) == digits).mean())
    say_digit(3, seed=0)  # warm
    times = []
    for k in range(repeats):
        start = time.perf_counter()
        say_digit(k % 10, seed=k)
        times.append(time.perf_counter() - start)
    clip_s = F.CLIP / F.SR
    return {"heldout_voice_accuracy": round(real_acc, 4), "heldout_clips": int(len(test)),
            "generated_accuracy": round(gen_acc, 4), "generated_clips": int(len(digits)),
            "generate_1s_median_s": round(float(np.median(times)), 4),
            "rtf_generate_vocode": round(float(np.median(times)) / clip_s, 4), "griffin_lim_iters": GL_ITERS}
