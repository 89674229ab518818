"""The Gradio app: the tabs of this package assembled, the queue and error wrapping set for a classroom."""

from __future__ import annotations

import gradio as gr

from genlib.errors import GenLabError
from genlib.features import menus, opening
from genlib.frontends.gradio import compare, diffusion, generate, lab, live, style, text, voice
from genlib.frontends.gradio.widgets import numeric_menus, sentences, shared_view

QUEUE_MAX = 256  # requests Gradio holds at once (running + waiting); far above what the gates let wait
MAX_THREADS = 128  # handler threads: enough that a request always reaches its gate (which answers within ~1 s)
MAX_SESSIONS = 300  # sessions whose state Gradio keeps (~3–6 MB each here); the oldest go first. 5× a class of 60

numeric_menus()


def build_demo() -> gr.Blocks:
    with gr.Blocks(title="GenLab") as demo:
        gr.Markdown("# GenLab\nTrained generators you can explore. Pick a dataset and a model, then **Generate**.")
        if not menus.dataset_options():
            gr.Markdown("**No trained checkpoints found.** Train one with `genlib train MODEL --dataset mnist`.")
        if notice := menus.unavailable_notice():
            gr.Markdown(notice, elem_id="unavailable-models")
        live_models = gr.State([])  # ids of the models this session trained live
        with gr.Tabs() as tabs:
            generate.tab(demo, live_models)
            compare.tab(demo)
            lab.tab(demo)
            diffusion.tab(demo)
            style_gallery = style.tab(demo)
            voice.tab(demo)
            text.tab(demo)
            live.tab(demo, live_models)
        if line := menus.credits():
            gr.Markdown(line, elem_id="credits")
        opening.warm()  # every tab's opening view, computed in the background as the server starts
        # the 26 swatches render in ~1 s: filled when a page loads, not while the app builds
        demo.load(_swatches, None, style_gallery, api_name=False)
        demo.load(_open_tab, None, tabs, api_name=False)  # a shared link opens on its tab
        for block in demo.blocks.values():  # a slider in whole steps takes (and documents) an integer
            if isinstance(block, gr.Slider) and float(block.step).is_integer() and float(block.minimum).is_integer():
                block.precision = 0
    # Gradio's own queue would serve each event one at a time and let the rest wait without bound. Every event is
    # instead handed straight to its handler, where genlib.gate bounds the parallel model calls and answers "busy"
    # within its bound; the Gradio queue is only capped as a last line of defence (its own "queue is full").
    demo.queue(default_concurrency_limit=None, max_size=QUEUE_MAX)
    for block_fn in demo.fns.values():  # every handler, present and future: failures reach the user as a sentence
        if block_fn.fn is not None:
            block_fn.fn = sentences(block_fn.fn)
    return demo


def _open_tab(request: gr.Request):
    v = shared_view(request)
    if v is None:
        return gr.skip()
    for problem in v.problems:
        gr.Warning(problem)
    return gr.Tabs(selected=v.tab)


def _swatches():
    from genlib import style as transfer

    try:
        return transfer.gallery()
    except GenLabError as e:
        gr.Warning(str(e))
        return []
