"""Style transfer: content (preset or upload), style (built-in, picture or upload), blend, strength, size; fast
result with readouts and a download; the classic optimisation streamed, one run at a time on the server."""

from pathlib import Path

import streamlit as st

from genlib import style as transfer
from genlib.features import opening
from genlib.features import style as sty
from genlib.frontends.streamlit.widgets import UPLOAD_TYPES, explained, sentences, widget


def _show_style(view, key: str) -> None:
    if view is None:
        st.info("Choose a content picture and a style in the sidebar, then press the button.")
        return
    before, after = st.columns(2)
    before.image(view.before, caption="Before (content)")
    after.image(view.after, caption="After")
    st.markdown(view.caption)
    st.dataframe([dict(zip(["Readout", "Value", "Meaning"], row)) for row in view.rows], hide_index=True)
    if view.download:
        st.download_button("Download (PNG)", Path(view.download).read_bytes(), file_name="stylized.png",
                           mime="image/png", key=key)


def main() -> None:
    side = st.sidebar
    preset = widget(sty.CONTENT, "sty", choices=sty.content_options())
    upload = side.file_uploader(sty.CONTENT_UPLOAD.label, type=list(UPLOAD_TYPES), key="sty_content_upload")
    choice = widget(sty.STYLE, "sty", choices=sty.style_options())
    style_upload = side.file_uploader(sty.STYLE_UPLOAD.label, type=list(UPLOAD_TYPES), key="sty_style_upload")
    blend = widget(sty.BLEND, "sty", choices=sty.style_options(blend=True))
    ratio = widget(sty.RATIO, "sty")
    strength = widget(sty.STRENGTH, "sty")
    size = widget(sty.SIZE, "sty")
    content = upload.getvalue() if upload is not None else None
    style_file = style_upload.getvalue() if style_upload is not None else None

    fast_tab, classic_tab, gallery_tab = st.tabs(["Fast", "Classic (Gatys)", "Built-in styles"])
    with fast_tab:
        if st.button("Stylize (fast)", type="primary", key="sty_fast"):
            with sentences(forget="sty_view"), st.spinner("Stylising…"):
                st.session_state.sty_view = sty.run_fast(preset, content, choice, style_file, blend, ratio, strength,
                                                         size)
        if "sty_view" not in st.session_state:
            st.session_state.sty_view = opening.get("style")
        _show_style(st.session_state.get("sty_view"), "sty_download")
    with classic_tab:
        left, right = st.columns([1, 2])
        with left:
            c_size, steps, style_weight, content_weight, tv_weight = (widget(c, "sty_c", st) for c in sty.CLASSIC)
            go = st.button("Run classic (waits its turn)", key="sty_classic")
        with right:
            if go:
                bar, shown, note = st.progress(0.0), st.empty(), st.empty()
                with sentences(forget="sty_classic_view"):
                    def waiting(position: int) -> None:
                        note.info(f"Another classic run is in progress; you are number {position} in the queue.")

                    for view in sty.run_classic(preset, content, choice, style_file, c_size, steps, style_weight,
                                                content_weight, tv_weight, on_wait=waiting):
                        note.empty()
                        bar.progress(view.progress, text=view.caption)
                        shown.image(view.after, caption=view.caption)
                    st.session_state.sty_classic_view = view
                    shown.empty()
            _show_style(st.session_state.get("sty_classic_view"), "sty_classic_download")
    with gallery_tab:
        st.caption("The 26 built-in styles on one picture; pick one by number in the sidebar's Style menu.")
        with sentences():
            cols = st.columns(7)
            for k, (img, caption) in enumerate(transfer.gallery()):
                cols[k % 7].image(img, caption=caption)


st.title("Style transfer")
explained("style")
main()
