"""What the Voice tab (Gradio) and page (Streamlit) show: text to speech, "say a digit", the voice morph and digit
recognition — audio saved as WAV files, pictures of the sound, captions — computed once here."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from genlib.audio import features, tts, voice
from genlib.errors import GenLabError
from genlib.ui.common import download_path
from genlib.gate import HEAVY, LIGHT, gated

DIGITS = tuple((f"{k} — {w}", k) for k, w in enumerate(voice.WORDS))
EXAMPLE = "Welcome to GenLab. This voice is a neural network, and it is reading what you typed."


@dataclass
class Heard:
    wav: str  # path of a WAV file (for gr.Audio and downloads)
    picture: Image.Image  # waveform + mel spectrogram
    caption: str
    wav_bytes: bytes


def _saved(audio, sr: int, prefix: str) -> tuple[str, bytes]:
    data = features.wav_bytes(audio, sr)
    path = download_path("voice", ".wav", prefix=prefix)
    path.write_bytes(data)
    return str(path), data


@gated(HEAVY)
def speak(text, speed, noise_scale, noise_w, seed) -> Heard:
    s = tts.say(text, speed=speed, noise_scale=noise_scale, noise_w=noise_w, seed=seed)
    path, data = _saved(s.audio, s.sample_rate, "speech-")
    caption = (f"{s.duration:.2f} s of speech in {s.seconds:.2f} s (real-time factor {s.rtf:.3f}) · speed "
               f"{s.settings['speed']:g} · expressiveness {s.settings['noise_scale']:g} · rhythm variation "
               f"{s.settings['noise_w']:g} · seed {s.settings['seed']} · voice {tts.VOICE}")
    return Heard(path, features.spectrogram_picture(s.audio, s.sample_rate), caption, data)


@gated(LIGHT)
def digit(k, seed, temperature) -> Heard:
    u = voice.say_digit(k, seed=seed, temperature=temperature)
    path, data = _saved(u.audio, u.sample_rate, f"digit-{u.digit}-")
    heard = voice.classify(data)
    caption = (f"{u.caption} · generated + vocoded in {u.seconds * 1000:.0f} ms · the classifier hears "
               f"“{voice.WORDS[heard.digit]}” ({heard.probabilities[heard.digit]:.0%})")
    return Heard(path, features.spectrogram_picture(u.audio, u.sample_rate), caption, data)


def _end(kind: str, digit_value, seed, upload):
    if kind == "upload":
        if upload is None:
            raise GenLabError("Upload a WAV recording for this end of the morph (or choose a digit and seed).")
        return upload
    return (digit_value, seed)


@gated(LIGHT)
def morph(a_digit, a_seed, b_digit, b_seed, t, a_upload=None, b_upload=None) -> Heard:
    a = _end("upload" if a_upload is not None else "seed", a_digit, a_seed, a_upload)
    b = _end("upload" if b_upload is not None else "seed", b_digit, b_seed, b_upload)
    u = voice.morph(a, b, t)
    path, data = _saved(u.audio, u.sample_rate, "morph-")
    return Heard(path, features.spectrogram_picture(u.audio, u.sample_rate),
                 f"{u.caption} · {u.seconds * 1000:.0f} ms", data)


@gated(LIGHT)
def recognise(upload) -> tuple[str, list[list]]:
    if upload is None:
        raise GenLabError("Upload a WAV recording of one spoken digit.")
    r = voice.classify(upload)
    rows = [[f"{k} — {w}", f"{p:.1%}"] for k, (w, p) in enumerate(zip(voice.WORDS, r.probabilities))]
    return (f"{r.caption()} · {r.seconds_of_audio:.2f} s at {r.sample_rate} Hz", rows)
