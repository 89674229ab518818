"""Voice tab: Piper text to speech with speed/expressiveness/rhythm controls; GenLab's spoken-digit CVAE saying a
digit in a seeded voice; a morph slider between two utterances; and the spoken-digit recogniser."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from genlib.features import opening
from genlib.features import voice as vo
from genlib.frontends.gradio.widgets import explained, wav_upload, widget


def _sound(label: str, prefix: str):
    """What a voice sub-tab shows: the WAV, its waveform and mel spectrogram, and a caption."""
    return (gr.Audio(label=label, type="filepath", format="wav", interactive=False, elem_id=f"{prefix}-audio"),
            gr.Image(label="Waveform and mel spectrogram", type="pil", interactive=False, elem_id=f"{prefix}-picture"),
            gr.Markdown(elem_id=f"{prefix}-caption"))


def _heard(key: str):
    """An opening voice view as (audio, picture, caption), or skips when it cannot be made here."""
    h = opening.get(key)
    return (h.wav, h.picture, h.caption) if h else (gr.skip(), gr.skip(), gr.skip())


def tab(demo: gr.Blocks) -> None:

    def on_speak(text, speed, noise_scale, noise_w, seed):
        h = vo.speak(text, speed, noise_scale, noise_w, seed)
        return h.wav, h.picture, h.caption

    def on_digit(digit, seed, temperature):
        h = vo.digit(digit, seed, temperature)
        return h.wav, h.picture, h.caption

    def on_morph(a_digit, a_seed, b_digit, b_seed, t, a_upload, b_upload):
        h = vo.morph(a_digit, a_seed, b_digit, b_seed, t, a_upload, b_upload)
        return h.wav, h.picture, h.caption

    def on_recognise(upload):
        caption, rows = vo.recognise(upload)
        return caption, pd.DataFrame(rows, columns=["Digit", "Probability"])

    with gr.Tab("Voice", id="voice"):
        explained("voice")
        with gr.Tab("Text to speech", id="tts-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    text = widget(vo.TEXT, "tts-text", lines=4, max_lines=12)
                    speed = widget(vo.SPEED, "tts-speed")
                    noise_scale = widget(vo.NOISE_SCALE, "tts-noise")
                    noise_w = widget(vo.NOISE_W, "tts-noise-w")
                    tts_seed = widget(vo.SEED, "tts-seed")
                    speak_button = gr.Button("Speak", variant="primary", elem_id="tts-button")
                with gr.Column(scale=2):
                    tts_audio, tts_picture, tts_caption = _sound("Speech (WAV)", "tts")
            speak_button.click(on_speak, [text, speed, noise_scale, noise_w, tts_seed],
                               [tts_audio, tts_picture, tts_caption], api_name="say")
            demo.load(lambda: _heard("speech"), None, [tts_audio, tts_picture, tts_caption], api_name=False)
        with gr.Tab("Say a digit", id="digit-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    digit = widget(vo.DIGIT, "vd-digit")
                    d_seed = widget(vo.VOICE_SEED, "vd-seed")
                    temperature = widget(vo.TEMPERATURE, "vd-temperature")
                    digit_button = gr.Button("Say it", variant="primary", elem_id="vd-button")
                with gr.Column(scale=2):
                    d_audio, d_picture, d_caption = _sound("GenLab's voice (WAV)", "vd")
            digit_button.click(on_digit, [digit, d_seed, temperature], [d_audio, d_picture, d_caption],
                               api_name="voice_digit")
            demo.load(lambda: _heard("digit"), None, [d_audio, d_picture, d_caption], api_name=False)
        with gr.Tab("Morph", id="morph-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    with gr.Row():
                        a_digit = widget(vo.A_DIGIT, "vm-a-digit")
                        a_seed = widget(vo.A_SEED, "vm-a-seed")
                    with gr.Row():
                        b_digit = widget(vo.B_DIGIT, "vm-b-digit")
                        b_seed = widget(vo.B_SEED, "vm-b-seed")
                    a_upload = wav_upload("…or A from a recording (WAV)", "vm-a-upload")
                    b_upload = wav_upload("…or B from a recording (WAV)", "vm-b-upload")
                    t = widget(vo.MORPH_T, "vm-t")
                    morph_button = gr.Button("Morph", variant="primary", elem_id="vm-button")
                with gr.Column(scale=2):
                    m_audio, m_picture, m_caption = _sound("Morph (WAV)", "vm")
            ins = [a_digit, a_seed, b_digit, b_seed, t, a_upload, b_upload]
            morph_button.click(on_morph, ins, [m_audio, m_picture, m_caption], api_name="voice_morph")
            t.release(on_morph, ins, [m_audio, m_picture, m_caption], api_name=False)
        with gr.Tab("Recognise", id="recognise-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    rec_upload = wav_upload("A recording of one spoken digit (WAV, ≤ 30 s)", "vr-upload")
                    rec_button = gr.Button("Which digit?", variant="primary", elem_id="vr-button")
                with gr.Column(scale=2):
                    rec_caption = gr.Markdown(elem_id="vr-caption")
                    rec_table = gr.Dataframe(headers=["Digit", "Probability"], interactive=False, elem_id="vr-table")
            rec_button.click(on_recognise, rec_upload, [rec_caption, rec_table], api_name="voice_classify")
