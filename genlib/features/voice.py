"""What the Voice tab (Gradio) and page (Streamlit) show: text to speech, "say a digit", the voice morph and digit
recognition — audio saved as WAV files, pictures of the sound, captions — computed once here."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from genlib.audio import features, tts, voice
from genlib.controls import Control, menu, seed
from genlib.errors import GenLabError
from genlib.features.menus import download_path
from genlib.gate import HEAVY, LIGHT, gated

DIGITS = tuple((f"{k} — {w}", k) for k, w in enumerate(voice.WORDS))
EXAMPLE = "Welcome to GenLab. This voice is a neural network, and it is reading what you typed."

# text to speech (/say, `genlib say`)
TEXT = Control("text", "text", EXAMPLE, f"Text (English, ≤ {tts.MAX_CHARS:,} characters)")
SPEED = Control("speed", "float", 1.0, "Speed", *tts.SPEED, 0.05)
NOISE_SCALE = Control("noise_scale", "float", 0.667, "Expressiveness (noise scale)", *tts.NOISE, 0.01)
NOISE_W = Control("noise_w", "float", 0.8, "Rhythm variation (noise w)", *tts.NOISE, 0.01)
SEED = seed()
SPEECH = (SPEED, NOISE_SCALE, NOISE_W, SEED)
# a spoken digit (/voice_digit, `genlib voice digit`)
DIGIT = menu("digit", "Digit", 7, DIGITS)
VOICE_SEED = seed("Voice seed")
TEMPERATURE = Control("temperature", "float", 1.0, "Voice temperature", 0.0, 2.0, 0.05)
SAY_DIGIT = (DIGIT, VOICE_SEED, TEMPERATURE)
# a morph between two utterances (/voice_morph, `genlib voice morph`)
A_DIGIT, B_DIGIT = DIGIT.but(name="a_digit", label="A: digit", default=3), DIGIT.but(name="b_digit", label="B: digit",
                                                                                     default=8)
A_SEED, B_SEED = seed("A: voice seed", "a_seed", 1), seed("B: voice seed", "b_seed", 2)
MORPH_T = Control("t", "float", 0.5, "Morph A → B", 0.0, 1.0, 0.05)
MORPH = (A_DIGIT, A_SEED, B_DIGIT, B_SEED, MORPH_T)
CONTROLS = (TEXT, *SPEECH, *SAY_DIGIT, *MORPH)


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
