"""Style tab: a content picture (preset or upload), a style (built-in gallery, preset picture or upload), an
optional second style blended in, strength and size → fast result with a before/after slider and readouts; or the
classic optimisation, streamed, one run at a time on the server."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from genlib.errors import GenLabError
from genlib.features import opening
from genlib.features import style as sty
from genlib.frontends.gradio.widgets import explained, upload, widget


def tab(demo: gr.Blocks) -> gr.Gallery:

    def on_preview(preset, upload):
        try:
            return sty.preview(preset, upload)
        except GenLabError as e:
            gr.Warning(str(e))
            return None

    def on_pick(evt: gr.SelectData):
        return f"b:{evt.index}"

    def on_fast(content, content_upload, style, style_upload, blend, ratio, strength, size):
        view = sty.run_fast(content, content_upload, style, style_upload, blend, ratio, strength, size)
        return (view.before, view.after), pd.DataFrame(view.rows, columns=ROWS), view.caption, view.download

    def on_classic(content, content_upload, style, style_upload, size, steps, style_weight, content_weight,
                   tv_weight, progress=gr.Progress()):
        for view in sty.run_classic(content, content_upload, style, style_upload, size, steps, style_weight,
                                    content_weight, tv_weight):
            progress(view.progress, desc="Optimising")
            table = pd.DataFrame(view.rows, columns=ROWS) if view.rows else None
            yield (view.before, view.after), table, view.caption, view.download

    ROWS = ["Readout", "Value", "Meaning"]
    with gr.Tab("Style", id="style"):
        explained("style")
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                content = widget(sty.CONTENT, "sty-content", choices=sty.content_options())
                content_upload = upload(sty.CONTENT_UPLOAD.label, "sty-content-upload")
                choice = widget(sty.STYLE, "sty-style", choices=sty.style_options())
                style_upload = upload(sty.STYLE_UPLOAD.label, "sty-style-upload")
                blend = widget(sty.BLEND, "sty-blend", choices=sty.style_options(blend=True))
                ratio = widget(sty.RATIO, "sty-ratio")
                strength = widget(sty.STRENGTH, "sty-strength")
                size = widget(sty.SIZE, "sty-size")
                fast_button = gr.Button("Stylize (fast)", variant="primary", elem_id="sty-fast")
                with gr.Accordion("Classic (Gatys optimisation, Inception features)", open=False):
                    c_size = widget(sty.CLASSIC_SIZE, "sty-c-size")
                    steps = widget(sty.STEPS, "sty-c-steps")
                    style_weight = widget(sty.STYLE_WEIGHT, "sty-c-style-weight")
                    content_weight = widget(sty.CONTENT_WEIGHT, "sty-c-content-weight")
                    tv_weight = widget(sty.TV_WEIGHT, "sty-c-tv")
                    classic_button = gr.Button("Run classic (waits its turn)", elem_id="sty-classic")
            with gr.Column(scale=2):
                compare = gr.ImageSlider(label="Before / after (drag the divider)", type="pil", format="jpeg",
                                         elem_id="sty-compare", max_height=640)
                caption = gr.Markdown(elem_id="sty-caption")
                table = gr.Dataframe(headers=ROWS, interactive=False, elem_id="sty-table")
                download = gr.File(label="Download (PNG)", elem_id="sty-download", interactive=False)
                before = gr.Image(label="Content as GenLab reads it", type="pil", interactive=False, height=200,
                                  elem_id="sty-before")
                gallery = gr.Gallery(label="Built-in styles (click to choose)", columns=7, height=360,
                                     allow_preview=False, elem_id="sty-gallery")
        inputs_fast = [content, content_upload, choice, style_upload, blend, ratio, strength, size]
        fast_button.click(on_fast, inputs_fast, [compare, table, caption, download], api_name="stylize")

        def on_open():
            view = opening.get("style")
            if view is None:
                return gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return (view.before, view.after), pd.DataFrame(view.rows, columns=ROWS), view.caption, view.download
        demo.load(on_open, None, [compare, table, caption, download], api_name=False)
        classic_button.click(on_classic, [content, content_upload, choice, style_upload, c_size, steps,
                                          style_weight, content_weight, tv_weight],
                             [compare, table, caption, download], api_name="stylize_classic",
                             concurrency_limit=1, concurrency_id="style-classic")
        for source in (content, content_upload):
            source.change(on_preview, [content, content_upload], before, api_name=False)
        gallery.select(on_pick, None, choice, api_name=False)
        return gallery
