"""Live training tab: a small generator trains on the CPU while its samples and curves update; one job per server,
the others wait in line; the result joins this session's model menus."""

from __future__ import annotations

import time

import gradio as gr

from genlib.features import live as lv
from genlib.features import opening
from genlib.frontends.gradio.widgets import explained, widget


def tab(demo: gr.Blocks, live_models: gr.State) -> None:

    def on_start(model, dataset, seconds, seed, r1, diffaugment, ttur, ema, job_id):  # lv.RECIPE's names, in order
        return lv.start(model, dataset, seconds, seed, r1, diffaugment, ttur, ema, previous=job_id)

    def on_model(model):
        return gr.update(visible=lv.is_gan(model))

    def shown(v):
        losses, conf = lv.curves(v)
        caption = v.caption() if v else "Press **Start training**."
        return caption, v.grid if v else None, losses, conf

    def on_watch(job_id, mine):
        """Streams the job's view about once a second while it is waiting or training."""
        while True:
            v = lv.view(job_id)
            if v is None or not v.active:
                yield *shown(v), lv.with_result(mine, v)
                return
            yield *shown(v), gr.skip()
            time.sleep(lv.POLL_S)

    def on_control(action):
        def act(job_id):
            lv.control(job_id, action)
        return act

    with gr.Tab("Live training", id="live"):
        explained("live")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                kind = widget(lv.MODEL, "live-model", radio=True)
                dataset = widget(lv.DATASET, "live-dataset")
                seconds = widget(lv.SECONDS, "live-seconds")
                seed = widget(lv.SEED, "live-seed")
                with gr.Group(visible=lv.is_gan(lv.MODEL.default)) as recipe_box:
                    gr.Markdown("**The GAN recipe** — switch an ingredient off and watch what it was doing.")
                    switches = [widget(c, f"live-{c.name}") for c in lv.RECIPE]
                start = gr.Button("Start training", variant="primary", elem_id="live-start")
                with gr.Row():
                    pause = gr.Button("Pause", elem_id="live-pause", min_width=60)
                    resume = gr.Button("Resume", elem_id="live-resume", min_width=60)
                    stop = gr.Button("Stop", variant="stop", elem_id="live-stop", min_width=60)
            with gr.Column(scale=2):
                goal = opening.get("live")  # the finished model, until a job of this session draws its own
                status = gr.Markdown(goal.caption if goal else "Press **Start training**.", elem_id="live-status")
                grid = gr.Image(goal and goal.image, label="64 samples from the same fixed noise", type="pil",
                                format="png", interactive=False, elem_id="live-grid")
                with gr.Row():
                    losses = gr.LinePlot(x="step", y="value", color="series", title="Losses", height=260,
                                         elem_id="live-losses")
                    confidence = gr.LinePlot(x="step", y="score", title="Domain classifier's score (1–10)",
                                             y_lim=[1, 10], height=260, elem_id="live-confidence")
        job = gr.State(None)
        kind.change(on_model, kind, recipe_box, api_name=False)
        start.click(on_start, [kind, dataset, seconds, seed, *switches, job], job, api_name="live_start").success(
            on_watch, [job, live_models], [status, grid, losses, confidence, live_models], api_name="live_watch")
        for button, action in ((pause, "pause"), (resume, "resume"), (stop, "stop")):
            button.click(on_control(action), job, None, api_name=f"live_{action}")
