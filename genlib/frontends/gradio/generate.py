"""Generate tab: dataset, model, class (conditional models) and the model's sampling controls → a grid of samples.
The model menu also lists the models this session trained in the Live training tab."""

from __future__ import annotations

import gradio as gr

from genlib.errors import GenLabError
from genlib.features import generate as gen
from genlib.features import live as lv
from genlib.features import menus, opening, share
from genlib.frontends.gradio.widgets import SHARE_JS, explained, share_widgets, shared_view, widget
from genlib.registry import get_spec


def tab(demo: gr.Blocks, live_models: gr.State) -> None:
    datasets = menus.dataset_options()
    first = datasets[0][1] if datasets else None
    models = menus.model_options(first) if first else []
    first_model = models[0][1] if models else None
    params = gen.ui_params()

    def visibility(model_id):
        names = gen.declared(model_id) if model_id else set()
        return bool(model_id) and get_spec(model_id).conditional, [gr.update(visible=p.name in names) for p in params]

    def on_dataset(dataset, mine):
        options = menus.model_options(dataset) + lv.menu(mine, dataset)
        model_id = options[0][1] if options else None
        conditional, shown = visibility(model_id)
        return (gr.Dropdown(choices=options, value=model_id),
                gr.Dropdown(choices=menus.class_options(dataset), value=menus.RANDOM_CLASS, visible=conditional),
                *shown)

    def on_live(dataset, model_id, mine):
        ours = lv.menu(mine, dataset)
        chosen = ours[0][1] if ours else model_id  # a model just trained live is picked, ready to sample
        return gr.Dropdown(choices=menus.model_options(dataset) + ours, value=chosen), *on_model(chosen)

    def on_model(model_id):
        conditional, shown = visibility(model_id)
        return gr.Dropdown(visible=conditional), *shown

    def on_generate(dataset, model, klass, **values):
        """Samples from ``model`` trained on ``dataset``; ``klass`` is a class id (-1: random, balanced) for
        conditional models; the other parameters are the model's sampling controls (those it does not declare are
        ignored)."""
        shown = gen.run_generate(dataset, model, klass, values)
        return shown.image, shown.caption

    def on_share(dataset, model_id, klass, **values):
        names = gen.declared(model_id) if model_id else set()
        kept = {k: v for k, v in values.items() if k in names}
        if model_id and get_spec(model_id).conditional:
            kept["class"] = klass
        return share.encode("generate", dataset, model_id, kept)

    def on_open(request: gr.Request):
        """A shared link: restore the settings and draw the same images."""
        v = shared_view(request, "generate")
        if v is None:
            return [gr.skip()] * (5 + len(params))
        conditional, shown = visibility(v.model)
        klass = v.values.get("class", menus.RANDOM_CLASS)
        values = [v.values.get(p.name, p.default) for p in params]
        try:
            image, caption = on_generate(v.dataset, v.model, klass, **{p.name: x for p, x in zip(params, values)})
        except GenLabError as e:
            image, caption = None, str(e)
        return (v.dataset, gr.Dropdown(choices=menus.model_options(v.dataset), value=v.model),
                gr.Dropdown(choices=menus.class_options(v.dataset), value=klass, visible=conditional),
                *[gr.update(value=x, visible=u["visible"]) for x, u in zip(values, shown)], image, caption)

    with gr.Tab("Generate", id="generate"):
        explained("generate")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                dataset = widget(menus.DATASET, "gen-dataset", choices=datasets, value=first)
                model = widget(menus.MODEL, "gen-model", choices=models, value=first_model)
                klass = widget(menus.KLASS, "gen-class", choices=menus.class_options(first) if first else [],
                               visible=bool(first_model) and get_spec(first_model).conditional)
                shown = gen.declared(first_model) if first_model else set()  # the first paint is already right
                widgets = [widget(p, f"gen-{p.name}", visible=p.name in shown) for p in params]
                button = gr.Button("Generate", variant="primary", elem_id="gen-button")
            with gr.Column(scale=2):
                view = opening.get("generate")  # what the defaults give: a real result before any click
                image = gr.Image(view.image if view else None, label="Samples", type="pil", format="png",
                                 elem_id="gen-image", interactive=False)
                caption = gr.Markdown(view.caption if view else "", elem_id="gen-caption")
        dataset.input(on_dataset, [dataset, live_models], [model, klass, *widgets], api_name=False)
        model.change(on_model, model, [klass, *widgets], api_name=False)
        share_button, link = share_widgets("gen")
        controls = dict(zip((p.name for p in params), widgets))
        share_button.click(on_share, [dataset, model, klass], link, inputs_kwargs=controls, api_name=False).then(
            None, link, link, js=SHARE_JS)
        demo.load(on_open, None, [dataset, model, klass, *widgets, image, caption], api_name=False)
        live_models.change(on_live, [dataset, model, live_models], [model, klass, *widgets], api_name=False)
        button.click(on_generate, [dataset, model, klass], [image, caption], inputs_kwargs=controls,
                     api_name="generate")
