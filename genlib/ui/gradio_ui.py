"""Gradio tabs built from the registry. A new model file shows up here with no edit."""

from __future__ import annotations

import gradio as gr

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


def build_demo() -> gr.Blocks:
    with gr.Blocks(title="GenLab") as demo:
        gr.Markdown("# GenLab\nTrained generators you can explore. Pick a dataset and a model, then **Generate**.")
        if not common.dataset_options():
            gr.Markdown("**No trained checkpoints found.** Train one with `genlib train MODEL --dataset mnist`.")
        with gr.Tabs():
            generate_tab()
    return demo
