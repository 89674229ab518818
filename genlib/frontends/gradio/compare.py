"""Compare tab: 2–4 models on one dataset → grids side by side and a metrics table with the real-data floor; the
collapse explainer; the data-augmentation experiment."""

from __future__ import annotations

import gradio as gr
import pandas as pd

from genlib.features import compare as cmp
from genlib.features import menus, opening
from genlib.frontends.gradio.widgets import explained, widget


def tab(demo: gr.Blocks) -> None:
    datasets = menus.dataset_options()
    first = datasets[0][1] if datasets else None
    models = menus.model_options(first) if first else []

    def augment(dataset):
        headers, rows, text = cmp.augment_view(dataset) if dataset else ([], [], "")
        return pd.DataFrame(rows, columns=headers), text

    def on_dataset(dataset):
        options = menus.model_options(dataset)
        return (gr.Dropdown(choices=options, value=[m for _, m in options[:2]]),
                gr.Dropdown(choices=menus.class_options(dataset), value=menus.RANDOM_CLASS), *augment(dataset),
                gr.Dropdown(choices=options, value=options[0][1] if options else None))

    def on_compare(dataset, models, klass, seed, n):
        view = cmp.run_compare(dataset, models, klass, seed, n)
        return view.grids, pd.DataFrame(view.table, columns=view.headers), view.caption

    def on_collapse(dataset, model, seed, n):
        view = cmp.explain_collapse(dataset, model, seed, n)
        bars = pd.DataFrame(view.histogram, columns=["class", "samples"])
        return (gr.BarPlot(bars, x="class", y="samples", sort=[c for c, _ in view.histogram]),
                pd.DataFrame(view.table, columns=cmp.COLLAPSE_HEADERS), view.pairs, view.caption)

    def on_open():
        view = opening.get("compare")
        if view is None:
            return gr.skip(), gr.skip(), gr.skip()
        return view.grids, pd.DataFrame(view.table, columns=view.headers), view.caption

    with gr.Tab("Compare", id="compare"):
        explained("compare")
        with gr.Row():
            dataset = widget(menus.DATASET, "cmp-dataset", choices=datasets, value=first, scale=1)
            chosen = widget(cmp.MODELS, "cmp-models", choices=models, value=[m for _, m in models[:2]],
                            multiselect=True, max_choices=4, scale=3)
        with gr.Row():
            klass = widget(cmp.CLASS_SHOWN, "cmp-class", choices=menus.class_options(first) if first else [])
            seed = widget(cmp.SEED, "cmp-seed")
            n = widget(cmp.N, "cmp-n")
            button = gr.Button("Compare", variant="primary", elem_id="cmp-button")
        gallery = gr.Gallery(label="Samples", columns=4, height="auto", object_fit="contain", elem_id="cmp-gallery")
        table = gr.Dataframe(headers=list(h for _, h, _ in cmp.COMPARE_COLUMNS), interactive=False,
                             wrap=True, elem_id="cmp-table")
        caption = gr.Markdown(elem_id="cmp-caption")
        gr.Markdown("**Reading the table.** Domain FID/KID, the classifier score and precision/recall use the features "
                    "of GenLab's domain classifier (fast, live); the Inception FID is the standard one, computed by "
                    "`genlib eval` and stored with the checkpoint. The *floor* row is the same metric between two "
                    "disjoint sets of real images: no model can be expected to beat it.")
        with gr.Accordion("Mode collapse and memorisation: which classes, how much variety, any copies?",
                          open=False):
            with gr.Row():
                collapse_model = widget(cmp.COLLAPSE_MODEL, "collapse-model", choices=models,
                                        value=models[0][1] if models else None)
                collapse_seed = widget(cmp.SEED, "collapse-seed")
                collapse_n = widget(cmp.COLLAPSE_N, "collapse-n")
                collapse_button = gr.Button("Examine", elem_id="collapse-button")
            with gr.Row():
                histogram = gr.BarPlot(x="class", y="samples", label="Samples read as each class",
                                       elem_id="collapse-histogram")
                collapse_table = gr.Dataframe(headers=list(cmp.COLLAPSE_HEADERS), interactive=False, wrap=True,
                                              elem_id="collapse-table")
            pairs = gr.Gallery(label="Sample | its nearest training image", columns=8, height="auto",
                               object_fit="contain", elem_id="collapse-pairs")
            collapse_caption = gr.Markdown(elem_id="collapse-caption")
        aug_table, aug_caption = augment(first)
        with gr.Accordion("Data-augmentation experiment: do generated samples help a classifier?", open=False):
            augment_table = gr.Dataframe(value=aug_table, interactive=False, wrap=True, elem_id="cmp-augment")
            augment_caption = gr.Markdown(aug_caption, elem_id="cmp-augment-caption")
        dataset.change(on_dataset, dataset, [chosen, klass, augment_table, augment_caption, collapse_model],
                       api_name=False)
        collapse_button.click(on_collapse, [dataset, collapse_model, collapse_seed, collapse_n],
                              [histogram, collapse_table, pairs, collapse_caption], api_name="collapse")
        button.click(on_compare, [dataset, chosen, klass, seed, n], [gallery, table, caption], api_name="compare")
        demo.load(on_open, None, [gallery, table, caption], api_name=False)
