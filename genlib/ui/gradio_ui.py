"""Gradio tabs built from the registry. A new model file shows up here with no edit."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from genlib.errors import GenLabError
from genlib.registry import get_spec
from genlib.ui import common


def _widget(p):
    if p.kind == "choice":
        return gr.Dropdown(choices=list(p.choices), value=p.default, label=p.label, info=p.help)
    if p.name == "seed":
        return gr.Number(value=p.default, label=p.label, precision=0, minimum=p.min, maximum=p.max, info=p.help)
    return gr.Slider(minimum=p.min, maximum=p.max, step=p.step, value=p.default, label=p.label, info=p.help)


def generate_tab() -> None:
    """Generate: dataset, model, class (conditional models), seed, count, model params → a grid of samples."""
    datasets = common.dataset_options()
    first = datasets[0][1] if datasets else None
    models = common.model_options(first) if first else []
    first_model = models[0][1] if models else None
    params = common.ui_params()

    def visibility(model_id):
        names = common.declared(model_id) if model_id else set()
        return bool(model_id) and get_spec(model_id).conditional, [gr.update(visible=p.name in names) for p in params]

    def on_dataset(dataset):
        options = common.model_options(dataset)
        model_id = options[0][1] if options else None
        conditional, shown = visibility(model_id)
        return (gr.Dropdown(choices=options, value=model_id),
                gr.Dropdown(choices=common.class_options(dataset), value=common.RANDOM_CLASS, visible=conditional),
                *shown)

    def on_model(model_id):
        conditional, shown = visibility(model_id)
        return gr.Dropdown(visible=conditional), *shown

    def on_generate(dataset, model_id, klass, *values):
        try:
            shown = common.run_generate(dataset, model_id, klass, {p.name: v for p, v in zip(params, values)})
        except GenLabError as e:
            raise gr.Error(str(e)) from None
        return shown.image, shown.caption

    with gr.Tab("Generate", id="generate"):
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                dataset = gr.Dropdown(choices=datasets, value=first, label="Dataset", elem_id="gen-dataset")
                model = gr.Dropdown(choices=models, value=first_model, label="Model", elem_id="gen-model")
                klass = gr.Dropdown(choices=common.class_options(first) if first else [], value=common.RANDOM_CLASS,
                                    label="Class", elem_id="gen-class",
                                    visible=bool(first_model) and get_spec(first_model).conditional)
                widgets = [_widget(p) for p in params]
                button = gr.Button("Generate", variant="primary", elem_id="gen-button")
            with gr.Column(scale=2):
                image = gr.Image(label="Samples", type="pil", format="png", elem_id="gen-image", interactive=False)
                caption = gr.Markdown(elem_id="gen-caption")
        dataset.change(on_dataset, dataset, [model, klass, *widgets], api_name=False)
        model.change(on_model, model, [klass, *widgets], api_name=False)
        button.click(on_generate, [dataset, model, klass, *widgets], [image, caption], api_name="generate")


def compare_tab() -> None:
    """Compare: 2–4 models on one dataset → grids side by side and a metrics table with the real-data floor."""
    datasets = common.dataset_options()
    first = datasets[0][1] if datasets else None
    models = common.model_options(first) if first else []

    def augment(dataset):
        headers, rows, text = common.augment_view(dataset) if dataset else ([], [], "")
        return pd.DataFrame(rows, columns=headers), text

    def on_dataset(dataset):
        options = common.model_options(dataset)
        return (gr.Dropdown(choices=options, value=[m for _, m in options[:2]]),
                gr.Dropdown(choices=common.class_options(dataset), value=common.RANDOM_CLASS), *augment(dataset))

    def on_compare(dataset, chosen, klass, seed, n):
        try:
            view = common.run_compare(dataset, chosen, klass, seed, n)
        except GenLabError as e:
            raise gr.Error(str(e)) from None
        return view.grids, pd.DataFrame(view.table, columns=view.headers), view.caption

    with gr.Tab("Compare", id="compare"):
        with gr.Row():
            dataset = gr.Dropdown(choices=datasets, value=first, label="Dataset", elem_id="cmp-dataset", scale=1)
            chosen = gr.Dropdown(choices=models, value=[m for _, m in models[:2]], multiselect=True, max_choices=4,
                                 label="Models (2–4)", elem_id="cmp-models", scale=3)
        with gr.Row():
            klass = gr.Dropdown(choices=common.class_options(first) if first else [], value=common.RANDOM_CLASS,
                                label="Class shown (conditional models)", elem_id="cmp-class")
            seed = gr.Number(value=0, label="Seed", precision=0, minimum=0, maximum=2**31 - 1, elem_id="cmp-seed")
            n = gr.Dropdown(choices=list(common.COMPARE_N), value=common.COMPARE_DEFAULT_N,
                            label="N samples for the metrics", elem_id="cmp-n")
            button = gr.Button("Compare", variant="primary", elem_id="cmp-button")
        gallery = gr.Gallery(label="Samples", columns=4, height="auto", object_fit="contain", elem_id="cmp-gallery")
        table = gr.Dataframe(headers=list(h for _, h, _ in common.COMPARE_COLUMNS), interactive=False,
                             wrap=True, elem_id="cmp-table")
        caption = gr.Markdown(elem_id="cmp-caption")
        gr.Markdown("**Reading the table.** Domain FID/KID, the classifier score and precision/recall use the features "
                    "of GenLab's domain classifier (fast, live); the Inception FID is the standard one, computed by "
                    "`genlib eval` and stored with the checkpoint. The *floor* row is the same metric between two "
                    "disjoint sets of real images: no model can be expected to beat it.")
        aug_table, aug_caption = augment(first)
        with gr.Accordion("Data-augmentation experiment: do generated samples help a classifier?", open=False):
            augment_table = gr.Dataframe(value=aug_table, interactive=False, wrap=True, elem_id="cmp-augment")
            augment_caption = gr.Markdown(aug_caption, elem_id="cmp-augment-caption")
        dataset.change(on_dataset, dataset, [chosen, klass, augment_table, augment_caption], api_name=False)
        button.click(on_compare, [dataset, chosen, klass, seed, n], [gallery, table, caption], api_name="compare")


def build_demo() -> gr.Blocks:
    with gr.Blocks(title="GenLab") as demo:
        gr.Markdown("# GenLab\nTrained generators you can explore. Pick a dataset and a model, then **Generate**.")
        if not common.dataset_options():
            gr.Markdown("**No trained checkpoints found.** Train one with `genlib train MODEL --dataset mnist`.")
        with gr.Tabs():
            generate_tab()
            compare_tab()
    return demo
