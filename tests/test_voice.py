"""Voice (issue 7): features and vocoder, WAV in/out, the dataset builder, Piper TTS with seeds, the shipped spoken-digit
models and their floors, CLI, both front ends and a real browser."""

import io
import json
import subprocess
import wave

import numpy as np
import pytest
import torch

from conftest import ROOT, genlib_cmd
from genlib.audio import digits, features, tts, voice
from genlib.errors import GenLabError


def _wav(audio: np.ndarray, rate: int, channels: int = 1, width: int = 2) -> bytes:
    buf = io.BytesIO()
    a = np.repeat(audio[:, None], channels, 1) if channels > 1 else audio[:, None]
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        if width == 1:
            w.writeframes((np.clip(a, -1, 1) * 127 + 128).astype(np.uint8).tobytes())
        elif width == 3:
            v = (np.clip(a, -1, 1) * (2**23 - 1)).astype(np.int32).reshape(-1)
            w.writeframes(np.stack([v & 255, (v >> 8) & 255, (v >> 16) & 255], 1).astype(np.uint8).tobytes())
        else:
            w.writeframes((np.clip(a, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def _float_wav(audio: np.ndarray, rate: int) -> bytes:
    data = audio.astype("<f4").tobytes()
    fmt = (3).to_bytes(2, "little") + (1).to_bytes(2, "little") + rate.to_bytes(4, "little") + \
        (rate * 4).to_bytes(4, "little") + (4).to_bytes(2, "little") + (32).to_bytes(2, "little")
    body = b"WAVE" + b"fmt " + len(fmt).to_bytes(4, "little") + fmt + b"data" + len(data).to_bytes(4, "little") + data
    return b"RIFF" + len(body).to_bytes(4, "little") + body


# ---------------------------------------------------------------- features, vocoder, WAV

def test_mel_filterbank_follows_slaney():
    fb = features.mel_filterbank().numpy()
    assert fb.shape == (64, 513) and (fb >= 0).all()
    assert features._hz_to_mel(1000.0) == pytest.approx(15.0) and features._mel_to_hz(15.0) == pytest.approx(1000)
    peaks = fb.argmax(1)
    assert (np.diff(peaks) >= 0).all() and peaks[-1] > 480  # increasing centres up to Nyquist
    # area normalisation: each triangle integrates (in Hz) to about 1
    hz = 16000 / 1024
    assert np.allclose(fb.sum(1)[8:] * hz, 1.0, atol=0.05)


def test_log_mel_and_griffin_lim_round_trip():
    es = digits.ESpeak.get()
    clip = features.fit_clip(features.resample(es.say("seven", "en-us+f2"), es.sample_rate))
    assert clip.shape == (features.CLIP,) and abs(np.abs(clip).max() - 0.9) < 1e-3
    pic = features.log_mel(clip)
    assert pic.shape == (64, 64) and pic.dtype == np.uint8 and pic.max() > 200
    audio = features.griffin_lim(pic[None], seed=0)
    assert audio.shape == (1, features.CLIP)
    assert np.array_equal(audio, features.griffin_lim(pic[None], seed=0))  # seeded phases
    back = features.log_mel(audio[0])
    assert np.abs(back.astype(int) - pic.astype(int)).mean() < 12  # the vocoder keeps the spectrogram


@pytest.mark.parametrize("rate,channels,width", [(16000, 1, 2), (44100, 2, 2), (48000, 1, 3), (8000, 1, 1)])
def test_wav_round_trip_any_common_format(rate, channels, width):
    t = np.arange(int(rate * 0.5)) / rate
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    audio, sr = features.read_wav(_wav(tone, rate, channels, width))
    assert sr == rate and audio.shape == tone.shape
    assert np.abs(audio - tone).max() < (0.02 if width == 1 else 1e-3)  # 8 bits: steps of 1/128
    ours, sr2 = features.read_wav(features.wav_bytes(tone, rate))
    assert sr2 == rate and np.abs(ours - tone).max() < 1e-4
    f, _ = features.read_wav(_float_wav(tone, rate))
    assert np.abs(f - tone).max() < 1e-6


def test_bad_audio_gets_clear_messages(tmp_path):
    tone = np.zeros(1600, np.float32)
    cases = {b"": "empty", b"ID3\x04\x00 an mp3": "not a WAV", _wav(tone, 3000): "sample rate is 3000",
             _wav(np.zeros(16000 * 31, np.float32), 16000): "limit is 30 s",
             _wav(tone, 16000)[:44]: "no audio samples", b"RIFF\x10\x00\x00\x00WAVEjunk": "damaged"}
    for data, message in cases.items():
        with pytest.raises(GenLabError, match=message):
            features.read_wav(data)
    with pytest.raises(GenLabError, match="No such audio file"):
        features.read_wav(tmp_path / "missing.wav")
    with pytest.raises(GenLabError, match="silent"):
        voice.classify(_wav(tone, 16000))


# ---------------------------------------------------------------- dataset builder

def test_dataset_builder_splits_by_voice_on_a_few_clips():
    assert digits.test_variant("m2") and not digits.test_variant("m1")
    data = digits.build(takes=1, piper_takes=1, variants=["m1", "m2"], accents=("en-us", "en-gb-x-rp"))
    train, test = data["train"], data["test"]
    assert train[0].shape == (2 * 10 + 10, 64, 64) and test[0].shape == (20, 64, 64)
    assert sorted(set(train[1].tolist())) == list(range(10)) and sorted(set(test[1].tolist())) == list(range(10))
    names = data["voices"]
    heard_in_train = {names[v] for v in train[2]}
    assert not heard_in_train & {names[v] for v in test[2]}  # no voice in both splits
    assert "piper:en_US-joe-medium" in heard_in_train and all("+m2" in names[v] for v in test[2])
    assert train[0].std() > 30  # real speech, not silence


# ---------------------------------------------------------------- text to speech

def test_tts_is_seeded_and_controllable():
    a = tts.say("Seeds make speech repeatable.", seed=4)
    assert a.sample_rate == 22050 and 1.0 < a.duration < 4.0 and np.abs(a.audio).max() <= 1.0
    assert np.array_equal(a.audio, tts.say("Seeds make speech repeatable.", seed=4).audio)
    b = tts.say("Seeds make speech repeatable.", seed=5)
    assert len(b.audio) != len(a.audio) or not np.array_equal(a.audio, b.audio)
    slow = tts.say("Seeds make speech repeatable.", speed=0.6, seed=4)
    assert slow.duration > a.duration * 1.4
    flat = [tts.say("Same every time.", noise_scale=0, noise_w=0, seed=s).audio for s in (1, 2)]
    assert np.array_equal(*flat)  # no noise: the seed has nothing to change
    two = tts.say("One sentence. And another one.", seed=0)
    assert two.duration > tts.say("One sentence.", seed=0).duration + 0.5


@pytest.mark.parametrize("text,message", [("", "empty"), ("   ", "empty"), ("a" * 1001, "limit is 1,000"),
                                          ("hello 😀", "unsupported characters"), ("日本語", "unsupported"),
                                          ("...", "no letters"), (None, "Type some text")])
def test_tts_bad_text(text, message):
    with pytest.raises(GenLabError, match=message):
        tts.say(text)


def test_tts_bad_parameters():
    for kw, message in (({"speed": 0}, "Speed must be between"), ({"noise_scale": 3}, "Expressiveness"),
                        ({"noise_w": -1}, "Rhythm variation"), ({"seed": -2}, "Seed"), ({"speed": "fast"}, "number")):
        with pytest.raises(GenLabError, match=message):
            tts.say("hello", **kw)


# ---------------------------------------------------------------- the shipped spoken-digit models

def test_classifier_recognises_held_out_voices():
    from genlib.data import load_dataset

    test = load_dataset("speech", "test")
    acc = float((voice.predict_pictures(np.asarray(test.images)) == test.labels).mean())
    assert acc >= 0.95, acc


def test_generated_digits_are_intelligible_and_seeded():
    audio, pics = voice.say_digits(list(range(10)) * 10, seed=11)
    heard = voice.predict_pictures(features.log_mel(audio))  # through the vocoder and back
    assert (heard == np.tile(np.arange(10), 10)).mean() >= 0.9
    again, _ = voice.say_digits(list(range(10)) * 10, seed=11)
    assert np.array_equal(audio, again)
    u = voice.say_digit(4, seed=2)
    assert u.audio.shape == (features.CLIP,) and u.digit == 4 and u.picture.shape == (64, 64)
    with pytest.raises(GenLabError, match="0 to 9"):
        voice.say_digit(10)
    with pytest.raises(GenLabError, match="Temperature"):
        voice.say_digit(3, temperature=5)


def test_morph_moves_from_a_to_b():
    a = voice.morph((3, 1), (8, 2), 0.0)
    b = voice.morph((3, 1), (8, 2), 1.0)
    mid = voice.morph((3, 1), (8, 2), 0.5)
    assert np.array_equal(a.audio, voice.morph((3, 1), (8, 2), 0.0).audio)
    heard = voice.predict_pictures(features.log_mel(np.stack([a.audio, b.audio])))
    assert heard.tolist() == [3, 8]
    d = [np.abs(features.log_mel(mid.audio).astype(int) - features.log_mel(x.audio).astype(int)).mean()
         for x in (a, b)]
    assert all(v > 2 for v in d)  # the middle is neither end
    with pytest.raises(GenLabError, match="between 0 and 1"):
        voice.morph((3, 1), (8, 2), 1.5)


def test_classify_a_held_out_voice_at_any_rate_and_in_stereo():
    es = digits.ESpeak.get()
    variant = next(v for v in es.variants() if digits.test_variant(v))
    right = 0
    for k, word in enumerate(digits.WORDS):
        raw = es.say(word, f"en-us+{variant}", rate=160, pitch=45)
        at44 = features.resample(raw, es.sample_rate, 44100)
        r = voice.classify(_wav(np.pad(at44, (4410, 8820)), 44100, channels=2))
        right += r.digit == k
        assert abs(sum(r.probabilities) - 1) < 1e-3 and r.sample_rate == 44100
    assert right >= 9


# ---------------------------------------------------------------- CLI and front ends

def test_cli_say_digit_classify_morph(tmp_path):
    def run(*args):
        return subprocess.run(genlib_cmd(*args), capture_output=True, text=True, cwd=ROOT, timeout=300)

    res = run("say", "Hello class.", "--out", str(tmp_path / "s.wav"), "--json", "--picture", str(tmp_path / "s.png"))
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    assert info["sample_rate"] == 22050 and info["seconds_of_audio"] > 0.5
    assert features.read_wav(tmp_path / "s.wav")[1] == 22050 and (tmp_path / "s.png").stat().st_size > 1000
    res = run("voice", "digit", "6", "--seed", "3", "--out", str(tmp_path / "six.wav"))
    assert res.returncode == 0 and "six" in res.stdout, res.stderr
    res = run("voice", "classify", str(tmp_path / "six.wav"), "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["digit"] == 6, res.stdout + res.stderr
    res = run("voice", "morph", "--a", "1:0", "--b", "7:0", "--t", "0.3", "--out", str(tmp_path / "m.wav"))
    assert res.returncode == 0 and "t = 0.30" in res.stdout, res.stderr
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio")
    for args in (("say", "", "--out", str(tmp_path / "x.wav")), ("say", "hi", "--out", str(tmp_path / "x.mp3")),
                 ("say", "hi 😀", "--out", str(tmp_path / "x.wav")), ("voice", "classify", str(bad)),
                 ("voice", "digit", "12", "--out", str(tmp_path / "x.wav")), ("voice", "classify")):
        res = run(*args)
        assert res.returncode == 2 and res.stderr.startswith("genlib: ") and "Traceback" not in res.stderr, args


def test_gradio_voice_api(server, tmp_path):
    from gradio_client import Client, handle_file

    client = Client(server, verbose=False)
    wav, picture, caption = client.predict("Testing one two three.", 1.0, 0.667, 0.8, 0, api_name="/say")
    audio, sr = features.read_wav(wav)
    assert sr == 22050 and len(audio) > sr * 0.8 and "real-time factor" in caption
    wav, _, caption = client.predict(2, 5, 1.0, api_name="/voice_digit")
    assert "two" in caption and features.read_wav(wav)[1] == 16000
    caption, table = client.predict(handle_file(wav), api_name="/voice_classify")
    assert "Heard “two”" in caption and len(table["data"]) == 10
    bad = tmp_path / "fake.wav"
    bad.write_bytes(b"<html>no</html>")
    with pytest.raises(Exception, match="not a WAV"):
        client.predict(handle_file(str(bad)), api_name="/voice_classify")
    with pytest.raises(Exception, match="unsupported characters"):
        client.predict("emoji 😀", 1.0, 0.667, 0.8, 0, api_name="/say")


@pytest.mark.browser
def test_real_browser_speak_and_get_a_valid_wav(server, chromium_page):
    from playwright.sync_api import expect

    page = chromium_page
    page.goto(server, wait_until="load")
    page.get_by_role("tab", name="Voice").click()
    page.locator("#tts-text textarea").fill("The browser asked for this sentence.")
    page.locator("#tts-button").click()
    expect(page.locator("#tts-caption")).to_contain_text("real-time factor", timeout=60_000)
    audio = page.locator("#tts-audio audio[src]").first  # Gradio's player may hold more than one <audio>
    expect(audio).to_be_attached(timeout=30_000)
    src = audio.get_attribute("src")
    head = page.evaluate("""async (src) => {
        const r = await fetch(src); const b = new Uint8Array(await r.arrayBuffer());
        return [String.fromCharCode(...b.slice(0, 4)), String.fromCharCode(...b.slice(8, 12)), b.length];
    }""", src)
    assert head[0] == "RIFF" and head[1] == "WAVE" and head[2] > 22050
    # say a digit, too
    page.get_by_role("tab", name="Say a digit").click()
    page.locator("#vd-button").click()
    expect(page.locator("#vd-caption")).to_contain_text("the classifier hears", timeout=60_000)
    expect(page.locator("#vd-audio audio[src]").first).to_be_attached()


def test_streamlit_voice_page():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "voice.py"), default_timeout=120).run()
    assert not at.exception and not at.error  # the morph renders at once
    at.text_area(key="tts_text").input("Streamlit speaks too.").run()
    at.button(key="tts_button").click().run()
    assert not at.exception and not at.error
    at.button(key="vd_button").click().run()
    assert not at.exception and not at.error
    at.text_area(key="tts_text").input("").run()
    at.button(key="tts_button").click().run()
    assert "empty" in at.error[0].value


def test_voice_model_trains_on_spoken_digits(tmp_path):
    """A tiny spoken-digit CVAE trains through the real trainer on the built dataset and lowers its loss."""
    from genlib.training import TrainConfig, train

    meta = train(TrainConfig(model="voice", dataset="speech", preset="tiny", steps=30, batch_size=32,
                             out=str(tmp_path / "v"), progress=False, limit_train=512))
    assert meta["steps"] == 30 and meta["dataset"] == "speech"
    from genlib.models.base import GenerativeModel

    m, _ = GenerativeModel.from_pretrained(tmp_path / "v")
    x = m.sample(2, seed=0, labels=torch.tensor([1, 2]))
    assert x.shape == (2, 1, 64, 64)
