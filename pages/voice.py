"""Voice: text to speech, say a digit, morph two voices, recognise a spoken digit — the Voice tab's features."""

import streamlit as st

from genlib.features import opening
from genlib.features import voice as vo
from genlib.frontends.streamlit.widgets import explained, sentences, widget


def main() -> None:

    def show(heard, key: str) -> None:
        st.audio(heard.wav_bytes, format="audio/wav")
        st.image(heard.picture, caption="Waveform and mel spectrogram")
        st.caption(heard.caption)
        st.download_button("Download (WAV)", heard.wav_bytes, file_name=f"{key}.wav", mime="audio/wav", key=key)

    speak_tab, digit_tab, morph_tab, rec_tab = st.tabs(["Text to speech", "Say a digit", "Morph", "Recognise"])
    with speak_tab:
        text = widget(vo.TEXT, "tts", st, area=True)
        speed, noise_scale, noise_w, seed = (widget(c, "tts", col) for c, col in zip(vo.SPEECH, st.columns(4)))
        if st.button("Speak", type="primary", key="tts_button"):
            with sentences(forget="tts_heard"), st.spinner("Speaking…"):
                st.session_state.tts_heard = vo.speak(text, speed, noise_scale, noise_w, seed)
        if "tts_heard" not in st.session_state:
            st.session_state.tts_heard = opening.get("speech")
        if st.session_state.get("tts_heard"):
            show(st.session_state.tts_heard, "tts_download")
    with digit_tab:
        k, d_seed, temperature = (widget(c, "vd", col) for c, col in zip(vo.SAY_DIGIT, st.columns(3)))
        if st.button("Say it", type="primary", key="vd_button"):
            with sentences(forget="vd_heard"):
                st.session_state.vd_heard = vo.digit(k, d_seed, temperature)
        if "vd_heard" not in st.session_state:
            st.session_state.vd_heard = opening.get("digit")
        if st.session_state.get("vd_heard"):
            show(st.session_state.vd_heard, "vd_download")
    with morph_tab:
        a_digit, a_seed, b_digit, b_seed = (widget(c, "vm", col) for c, col in zip(vo.MORPH, st.columns(4)))
        u1, u2 = st.columns(2)
        a_up = u1.file_uploader("…or A from a recording (WAV)", type=["wav"], key="vm_a_upload")
        b_up = u2.file_uploader("…or B from a recording (WAV)", type=["wav"], key="vm_b_upload")
        t = widget(vo.MORPH_T, "vm", st)
        with sentences():
            heard = vo.morph(a_digit, a_seed, b_digit, b_seed, t, a_up.getvalue() if a_up else None,
                             b_up.getvalue() if b_up else None)
            show(heard, "vm_download")
    with rec_tab:
        up = st.file_uploader("A recording of one spoken digit (WAV, ≤ 30 s)", type=["wav"], key="vr_upload")
        if up is not None:
            with sentences():
                caption, rows = vo.recognise(up.getvalue())
                st.markdown(caption)
                st.dataframe([{"Digit": d, "Probability": p} for d, p in rows], hide_index=True)


st.title("Voice")
explained("voice")
main()
