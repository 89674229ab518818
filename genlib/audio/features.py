"""Audio basics for GenLab: log-mel features, the Griffin-Lim vocoder, WAV in and out, and pictures of sound.

Everything runs on ``torch.stft``/``torch.istft`` and a mel filterbank computed here (Slaney's mel scale and area
normalisation, as librosa's default), so nothing JIT-compiles on first use and no audio library beyond the standard
``wave`` module is needed.

The spoken-digit models see a clip as a 64×64 picture: 16 kHz audio, 1.008 s (16,128 samples), STFT with a 1024-sample
Hann window and hop 256 (64 frames, centred), 64 mel bands from 0 to 8 kHz, power in dB clipped to the 80 dB below
``TOP_DB`` and stored as uint8 (0 = -80 dB, 255 = 0 dB relative to ``TOP_DB``: 0.31 dB steps).
"""

from __future__ import annotations

import io
import wave
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from genlib.errors import GenLabError

SR = 16_000
N_FFT = 1024
HOP = 256
N_MELS = 64
FRAMES = 64
CLIP = HOP * (FRAMES - 1)  # 16,128 samples: centred STFT gives exactly 64 frames
DB_RANGE = 80.0
TOP_DB = 20.0  # dB of mel power mapped to 255 (clips are peak-normalised to 0.9 first)

MAX_AUDIO_BYTES = 20 * 1024 * 1024
MAX_SECONDS = 30.0
RATES = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000)


# ---------------------------------------------------------------- mel features

def _hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    lin = f / (200.0 / 3)
    log = 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(f >= 1000.0, log, lin)


def _mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    lin = m * (200.0 / 3)
    log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (m - 15.0))
    return np.where(m >= 15.0, log, lin)


@lru_cache(maxsize=8)
def mel_filterbank(sr: int = SR, n_fft: int = N_FFT, n_mels: int = N_MELS, fmin: float = 0.0,
                   fmax: float | None = None) -> torch.Tensor:
    """(n_mels, n_fft // 2 + 1) triangular filters on Slaney's mel scale, area-normalised (librosa's default)."""
    fmax = fmax or sr / 2
    freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2))
    fb = np.zeros((n_mels, len(freqs)))
    for i in range(n_mels):
        lo, mid, hi = edges[i], edges[i + 1], edges[i + 2]
        fb[i] = np.maximum(0, np.minimum((freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid)))
        fb[i] *= 2.0 / (hi - lo)
    return torch.tensor(fb, dtype=torch.float32)


def _window() -> torch.Tensor:
    return torch.hann_window(N_FFT)


def power_spectrogram(audio: torch.Tensor) -> torch.Tensor:
    """(..., samples) → (..., n_fft/2+1, frames) power, centred frames (reflect padding)."""
    spec = torch.stft(audio, N_FFT, HOP, window=_window(), center=True, pad_mode="reflect", return_complex=True)
    return spec.abs().pow(2)


def fit_clip(audio: np.ndarray, threshold: float = 0.02) -> np.ndarray:
    """A mono clip at 16 kHz → exactly ``CLIP`` samples: peak-normalised to 0.9, silence trimmed, centred (longer
    speech is cut evenly at both ends)."""
    a = np.asarray(audio, dtype=np.float32)
    peak = float(np.abs(a).max()) if a.size else 0.0
    if peak <= 0:
        return np.zeros(CLIP, np.float32)
    a = a / peak * 0.9
    loud = np.flatnonzero(np.abs(a) > threshold)
    a = a[loud[0]:loud[-1] + 1]
    if len(a) >= CLIP:
        start = (len(a) - CLIP) // 2
        return a[start:start + CLIP].copy()
    out = np.zeros(CLIP, np.float32)
    start = (CLIP - len(a)) // 2
    out[start:start + len(a)] = a
    return out


def log_mel(audio: np.ndarray | torch.Tensor) -> np.ndarray:
    """Clips (N, CLIP) or (CLIP,) at 16 kHz → uint8 log-mel pictures (N, 64, 64); row 0 is the lowest band."""
    x = torch.as_tensor(np.asarray(audio, dtype=np.float32))
    single = x.ndim == 1
    x = x[None] if single else x
    mel = mel_filterbank() @ power_spectrogram(x)  # (N, 64, 64)
    db = 10 * torch.log10(mel.clamp_min(1e-10))
    u8 = ((db - (TOP_DB - DB_RANGE)) / DB_RANGE * 255).clamp(0, 255).round().to(torch.uint8).numpy()
    return u8[0] if single else u8


def mel_power(pictures: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 pictures (or floats in [-1, 1], the models' range) → mel power (N, 64, frames)."""
    x = torch.as_tensor(pictures)
    x = x.float() / 255 if x.dtype == torch.uint8 else (x.float().clamp(-1, 1) + 1) / 2
    if x.ndim == 4:
        x = x[:, 0]
    db = x * DB_RANGE + (TOP_DB - DB_RANGE)
    return torch.pow(10.0, db / 10)


# ---------------------------------------------------------------- vocoder

@lru_cache(maxsize=2)
def _mel_pinv() -> torch.Tensor:
    return torch.linalg.pinv(mel_filterbank())


def griffin_lim(pictures, iters: int = 32, momentum: float = 0.99, seed: int = 0) -> np.ndarray:
    """Log-mel pictures (N, 64, 64) → audio (N, CLIP) float32: magnitudes from the mel bands (pseudo-inverse, floored
    at 0), then fast Griffin-Lim (Perraudin et al. 2013, momentum 0.99) with seeded random initial phases."""
    power = mel_power(pictures)
    mag = (_mel_pinv() @ power).clamp_min(0).sqrt()  # (N, 513, 64)
    g = torch.Generator().manual_seed(int(seed))
    angles = torch.exp(2j * torch.pi * torch.rand(mag.shape, generator=g))
    prev = torch.zeros_like(angles)
    win = _window()
    for _ in range(iters):
        audio = torch.istft(mag * angles, N_FFT, HOP, window=win, center=True, length=CLIP)
        rebuilt = torch.stft(audio, N_FFT, HOP, window=win, center=True, pad_mode="reflect", return_complex=True)
        accel = rebuilt - (momentum / (1 + momentum)) * prev
        angles = accel / accel.abs().clamp_min(1e-8)
        prev = rebuilt
    audio = torch.istft(mag * angles, N_FFT, HOP, window=win, center=True, length=CLIP).numpy()
    peak = np.abs(audio).max(axis=-1, keepdims=True)
    return (audio / np.maximum(peak, 1e-8) * 0.9).astype(np.float32)


# ---------------------------------------------------------------- WAV in and out

def wav_bytes(audio: np.ndarray, sr: int) -> bytes:
    """Mono float audio in [-1, 1] → a 16-bit PCM WAV file."""
    a = np.clip(np.asarray(audio, dtype=np.float64).reshape(-1), -1, 1)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(sr))
        w.writeframes((a * 32767).round().astype("<i2").tobytes())
    return buf.getvalue()


def write_wav(path, audio: np.ndarray, sr: int) -> Path:
    path = Path(path)
    path.write_bytes(wav_bytes(audio, sr))
    return path


def read_wav(source) -> tuple[np.ndarray, int]:
    """A user's WAV file (path or bytes) → (mono float32 in [-1, 1], sample rate), checked: at most 20 MB and 30 s,
    PCM 8/16/24/32-bit or IEEE float, 1–8 channels (averaged to mono), a common sample rate (8–96 kHz)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise GenLabError(f"No such audio file: {path.name}.")
        if path.stat().st_size > MAX_AUDIO_BYTES:
            raise GenLabError(f"The audio file is {path.stat().st_size / 2**20:.1f} MB; the limit is "
                              f"{MAX_AUDIO_BYTES // 2**20} MB.")
        source = path.read_bytes()
    if not isinstance(source, (bytes, bytearray)):
        raise GenLabError(f"Expected a WAV file (path or bytes); got {type(source).__name__}.")
    data = bytes(source)
    if not data:
        raise GenLabError("The audio file is empty (0 bytes).")
    if len(data) > MAX_AUDIO_BYTES:
        raise GenLabError(f"The audio file is {len(data) / 2**20:.1f} MB; the limit is {MAX_AUDIO_BYTES // 2**20} MB.")
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise GenLabError("That file is not a WAV file (RIFF/WAVE); save the recording as .wav.")
    fmt, payload = _riff_chunks(data)
    if fmt is None or payload is None:
        raise GenLabError("The WAV file is damaged: it has no 'fmt ' or no 'data' chunk.")
    if len(fmt) < 16:
        raise GenLabError("The WAV file is damaged: its 'fmt ' chunk is too short.")
    tag, channels, rate = int.from_bytes(fmt[0:2], "little"), int.from_bytes(fmt[2:4], "little"), \
        int.from_bytes(fmt[4:8], "little")
    bits = int.from_bytes(fmt[14:16], "little")
    if tag == 0xFFFE and len(fmt) >= 26:  # WAVE_FORMAT_EXTENSIBLE: the real format is in the sub-format GUID
        tag = int.from_bytes(fmt[24:26], "little")
    if not 1 <= channels <= 8:
        raise GenLabError(f"The WAV file has {channels} channels; 1 to 8 are accepted.")
    if rate not in RATES:
        raise GenLabError(f"The sample rate is {rate} Hz; use one of {', '.join(str(r) for r in RATES)} Hz.")
    kinds = {(1, 8): "u1", (1, 16): "<i2", (1, 24): "i3", (1, 32): "<i4", (3, 32): "<f4", (3, 64): "<f8"}
    if (tag, bits) not in kinds:
        raise GenLabError(f"Unsupported WAV encoding (format {tag}, {bits} bits); use PCM 8/16/24/32-bit or float.")
    width = bits // 8 * channels
    usable = len(payload) // width * width
    if usable == 0:
        raise GenLabError("The WAV file holds no audio samples.")
    if usable // width / rate > MAX_SECONDS:
        raise GenLabError(f"The recording is {usable // width / rate:.1f} s long; the limit is {MAX_SECONDS:.0f} s.")
    raw = payload[:usable]
    kind = kinds[(tag, bits)]
    if kind == "u1":
        a = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
    elif kind == "i3":
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        a = ((b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8 >> 8).astype(np.float32) / 2**23
    elif kind.startswith("<f"):
        a = np.nan_to_num(np.frombuffer(raw, kind).astype(np.float32))
    else:
        a = np.frombuffer(raw, kind).astype(np.float32) / float(2 ** (bits - 1))
    a = a.reshape(-1, channels).mean(axis=1)
    return np.clip(a, -1, 1).astype(np.float32), rate


def _riff_chunks(data: bytes) -> tuple[bytes | None, bytes | None]:
    fmt = payload = None
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        body = data[pos + 8:pos + 8 + size]
        if cid == b"fmt ":
            fmt = body
        elif cid == b"data":
            payload = body  # a truncated data chunk keeps what is there
            break
        pos += 8 + size + (size & 1)
    return fmt, payload


def resample(audio: np.ndarray, rate: int, target: int = SR) -> np.ndarray:
    """Band-limited resampling (scipy's polyphase filter)."""
    if rate == target:
        return np.asarray(audio, np.float32)
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(int(rate), int(target))
    return resample_poly(np.asarray(audio, np.float64), target // g, rate // g).astype(np.float32)


# ---------------------------------------------------------------- pictures of sound

_MAGMA = np.array([[0, 0, 4], [28, 16, 68], [79, 18, 123], [129, 37, 129], [181, 54, 122], [229, 80, 100],
                   [251, 135, 97], [254, 194, 135], [252, 253, 191]], dtype=np.float64)


def colourise(u8: np.ndarray) -> np.ndarray:
    """uint8 values → RGB through a magma-like ramp (9 anchors, linear in between)."""
    pos = u8.astype(np.float64) / 255 * (len(_MAGMA) - 1)
    lo = np.floor(pos).astype(int).clip(0, len(_MAGMA) - 2)
    frac = (pos - lo)[..., None]
    return (_MAGMA[lo] * (1 - frac) + _MAGMA[lo + 1] * frac).round().astype(np.uint8)


def spectrogram_picture(audio: np.ndarray, sr: int, width: int = 640, height: int = 200) -> Image.Image:
    """Waveform (top) and log-mel spectrogram (bottom, low frequencies at the bottom) of any clip, as one image."""
    a = np.asarray(audio, np.float32)
    x = torch.as_tensor(resample(a, sr) if sr != SR else a)
    if len(x) < N_FFT:
        x = torch.nn.functional.pad(x, (0, N_FFT - len(x)))
    mel = mel_filterbank() @ power_spectrogram(x)
    db = 10 * torch.log10(mel.clamp_min(1e-10))
    u8 = ((db - (db.max() - DB_RANGE)) / DB_RANGE * 255).clamp(0, 255).to(torch.uint8).numpy()[::-1]
    spec = Image.fromarray(colourise(u8)).resize((width, height), Image.BILINEAR)
    wave_h = height // 2
    canvas = Image.new("RGB", (width, wave_h + height + 4), "white")
    draw = ImageDraw.Draw(canvas)
    if len(a):
        cols = np.array_split(a, width)
        mid = wave_h / 2
        for i, c in enumerate(cols):
            if len(c):
                draw.line([(i, mid - float(c.max()) * mid * 0.95), (i, mid - float(c.min()) * mid * 0.95)],
                          fill=(40, 90, 160))
    canvas.paste(spec, (0, wave_h + 4))
    return canvas
