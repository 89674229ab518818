"""Diffusion tab. Sample: class, guidance, sampler, steps, seed and count while watching x_t and x̂_0 stream in.
Restoration: corrupt a test image or an upload (noise, or a painted mask), restore it, read PSNR/SSIM."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from genlib.features import diffusion as dif
from genlib.features import menus, opening
from genlib.frontends.gradio.widgets import explained, widget
from genlib.frontends.gradio.widgets import upload as file_upload


def tab(demo: gr.Blocks) -> None:
    datasets = [(t, d) for t, d in menus.dataset_options() if dif.models(d)]
    first = datasets[0][1] if datasets else None
    models = dif.models(first) if first else []
    first_model = models[0][1] if models else None
    params = dif.params(first_model) if first_model else []

    def on_dataset(dataset):
        options = dif.models(dataset)
        return (gr.Dropdown(choices=options, value=options[0][1] if options else None),
                gr.Dropdown(choices=menus.class_options(dataset), value=menus.RANDOM_CLASS),
                gr.Dropdown(choices=dif.hint_options(dataset), value=menus.RANDOM_CLASS))

    def on_sample(dataset, model, klass, seed, n, every, **values):
        """Streams the denoising: x_t next to the predicted clean x̂₀, every ``every`` sampler steps."""
        for view in dif.stream(dataset, model, klass, seed, n, every, values):
            yield view.image, view.caption

    def on_open():
        view = opening.get("diffusion")
        return (view.image, view.caption) if view else (gr.skip(), gr.skip())

    def on_source(dataset, upload, index):
        return dif.canvas_background(dataset, upload, index)

    def on_restore(dataset, model, upload, index, mode, sigma, mask, painted, klass, steps, seed):
        view = dif.restore(dataset, model, upload, index, mode, sigma, dif.chosen_mask(mode, mask, painted), klass,
                           steps, seed)
        return view.images, pd.DataFrame(view.table, columns=view.headers), view.caption

    with gr.Tab("Diffusion", id="diffusion"):
        explained("diffusion")
        if not first_model:
            gr.Markdown("No diffusion checkpoint yet: `genlib train ddpm --dataset mnist`.")
            return
        with gr.Row():
            dataset = widget(menus.DATASET, "dif-dataset", choices=datasets, value=first)
            model = widget(menus.MODEL, "dif-model", choices=models, value=first_model)
        with gr.Tab("Sample", id="dif-sample-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    klass = widget(menus.KLASS, "dif-class", choices=menus.class_options(first))
                    seed = widget(dif.SEED, "dif-seed")
                    n = widget(dif.N, "dif-n")
                    widgets = [widget(p, f"dif-{p.name}") for p in params]
                    every = widget(dif.EVERY, "dif-every")
                    button = gr.Button("Sample", variant="primary", elem_id="dif-button")
                with gr.Column(scale=2):
                    image = gr.Image(label="Denoising: x_t (left) and predicted x̂₀ (right)", type="pil",
                                     format="png", elem_id="dif-image", interactive=False)
                    caption = gr.Markdown(elem_id="dif-caption")
            button.click(on_sample, [dataset, model, klass, seed, n, every], [image, caption],
                         inputs_kwargs=dict(zip((p.name for p in params), widgets)), api_name="diffusion_sample")
            demo.load(on_open, None, [image, caption], api_name=False)
        with gr.Tab("Restoration", id="dif-restore-tab") as restore_tab:
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    mode = widget(dif.TASK, "res-mode", radio=True)
                    index = widget(dif.INDEX, "res-index")
                    upload = file_upload("…or upload your own (optional)", "res-upload")
                    sigma = widget(dif.SIGMA, "res-sigma")
                    mask_kind = widget(dif.MASK, "res-mask")
                    res_class = widget(dif.HINT, "res-class", choices=dif.hint_options(first))
                    res_steps = widget(dif.STEPS, "res-steps")
                    res_seed = widget(dif.SEED, "res-seed")
                    restore_button = gr.Button("Corrupt and restore", variant="primary", elem_id="res-button")
                with gr.Column(scale=2):
                    # filled when the sub-tab opens, not at start-up (reading a test set can take seconds)
                    painted = gr.ImageEditor(value=None, type="numpy",
                                             image_mode="RGBA", label="Paint the mask here (inpaint, 'painted')",
                                             brush=gr.Brush(colors=["#ff3030"], color_mode="fixed", default_size=24),
                                             sources=[], transforms=[], layers=False, elem_id="res-canvas")
                    gallery = gr.Gallery(label="Clean · corrupted · restored", columns=3, height="auto",
                                         object_fit="contain", elem_id="res-gallery")
                    table = gr.Dataframe(headers=["Metric", "Before", "After", "Change"], interactive=False,
                                         elem_id="res-table")
                    res_caption = gr.Markdown(elem_id="res-caption")
            restore_tab.select(on_source, [dataset, upload, index], painted, api_name=False)
            for source in (index, upload):
                source.change(on_source, [dataset, upload, index], painted, api_name=False)
            restore_button.click(on_restore, [dataset, model, upload, index, mode, sigma, mask_kind, painted,
                                              res_class, res_steps, res_seed], [gallery, table, res_caption],
                                 api_name="restore")
        dataset.change(on_dataset, dataset, [model, klass, res_class], api_name=False)
        dataset.change(on_source, [dataset, upload, index], painted, api_name=False)
