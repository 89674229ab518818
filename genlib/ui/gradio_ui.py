"""Gradio tabs built from the registry. A new model file shows up here with no edit."""

from __future__ import annotations

import functools
import inspect
import logging

import gradio as gr
import pandas as pd

from genlib import latent
from genlib.errors import GenLabError
from genlib.inputs import EXTENSIONS
from genlib.registry import UI_MAX_COUNT, get_spec
from genlib.restoration import MASKS as RESTORE_MASKS
from genlib.restoration import MODES as RESTORE_MODES
from genlib.ui import common, lab, opening, share
from genlib.ui import style as sty
from genlib.ui import diffusion as dif
from genlib.ui import live as lv


QUEUE_MAX = 256  # requests Gradio holds at once (running + waiting); far above what the gates let wait
MAX_THREADS = 128  # handler threads: enough that a request always reaches its gate (which answers within ~1 s)
MAX_SESSIONS = 300  # sessions whose state Gradio keeps (~3–6 MB each here); the oldest go first. 5× a class of 60
log = logging.getLogger("genlab")


def _as_sentence(e: Exception) -> gr.Error:
    if isinstance(e, gr.Error):
        return e
    if isinstance(e, GenLabError):
        return gr.Error(str(e))
    log.exception("unexpected error in a Gradio handler")
    return gr.Error(common.UNEXPECTED)


def sentences(fn):
    """``fn`` (a plain or generator event handler) with every failure turned into a sentence the user reads: a
    GenLabError's own, or — for anything unexpected, which is logged with its traceback — ``common.UNEXPECTED``;
    never Gradio's bare "Error". The signature is kept (Gradio names the API's parameters after it)."""
    if getattr(fn, "__genlab_sentences__", False):
        return fn
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001 - the user gets a sentence, the log the traceback
                raise _as_sentence(e) from None
    else:
        @functools.wraps(fn)
        def run(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001
                raise _as_sentence(e) from None
    run.__genlab_sentences__ = True
    return run


def _numeric_menus() -> None:
    """gr.Dropdown documents every menu as a string enum, and refuses "7" for a menu of integers (classes, digits, N)
    although its schema lists "7". Patched once on the class: a menu whose values are all integers is documented as
    an integer enum and takes a value in either form; other menus are untouched. (A subclass would be cleaner, but
    Gradio's component metaclass writes a .pyi copy of the defining module next to it at import time.)"""
    if getattr(gr.Dropdown, "__genlab_numeric__", False):
        return
    api_info, preprocess = gr.Dropdown.api_info, gr.Dropdown.preprocess

    def ints(menu) -> list[int] | None:
        values = [v for _, v in menu.choices]
        return values if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values) else None

    def numeric_api_info(self) -> dict:
        values = None if self.multiselect else ints(self)
        return {"type": "integer", "enum": values} if values else api_info(self)

    def numeric_preprocess(self, payload):
        values = None if self.multiselect else ints(self)
        if values and isinstance(payload, str) and payload.strip().lstrip("-").isdigit():
            payload = int(payload)
        elif values and isinstance(payload, float) and payload.is_integer():
            payload = int(payload)
        return preprocess(self, payload)

    gr.Dropdown.api_info, gr.Dropdown.preprocess = numeric_api_info, numeric_preprocess
    gr.Dropdown.__genlab_numeric__ = True


_numeric_menus()


def _widget(p, visible: bool = True, prefix: str | None = None):
    kw = {"label": p.label, "info": p.help, "visible": visible, "elem_id": f"{prefix}-{p.name}" if prefix else None}
    if p.kind == "choice":
        return gr.Dropdown(choices=list(p.choices), value=p.default, **kw)
    if p.name == "seed":
        return gr.Number(value=p.default, precision=0, minimum=p.min, maximum=p.max, **kw)
    return gr.Slider(minimum=p.min, maximum=p.slider_max, step=p.step, value=p.default, **kw)


def _upload(label: str, elem_id: str) -> gr.File:
    """Every image upload is a plain file handed to genlib.inputs (gr.Image would decode it with PIL first, before
    GenLab's checks, and show a bare "Error" for a bad file)."""
    return gr.File(label=label, file_types=list(EXTENSIONS), type="filepath", elem_id=elem_id, height=130)


SHARE_JS = """(query) => {
    if (!query) return "";
    const url = new URL(window.location.href);
    url.search = query;
    window.history.replaceState(null, "", url);
    return url.toString();
}"""


def _share_widgets(elem: str) -> tuple[gr.Button, gr.Textbox]:
    with gr.Row():
        button = gr.Button("Link to this view", size="sm", elem_id=f"{elem}-share", scale=0, min_width=160)
        link = gr.Textbox(show_label=False, placeholder="a link that reopens this view, same images",
                          buttons=["copy"], interactive=False, elem_id=f"{elem}-link", scale=4, container=False)
    return button, link


def _shared_view(request: gr.Request | None, tab: str | None = None):
    """The view a link asks for (when ``tab`` is given: asks this tab to restore), or None."""
    v = share.decode(dict(request.query_params)) if request is not None else None
    return v if v is not None and tab in (None, v.tab) else None


def generate_tab(demo: gr.Blocks, live_models: gr.State) -> None:
    """Generate: dataset, model, class (conditional models), seed, count, model params → a grid of samples.
    The model menu also lists the models this session trained in the Live training tab."""
    datasets = common.dataset_options()
    first = datasets[0][1] if datasets else None
    models = common.model_options(first) if first else []
    first_model = models[0][1] if models else None
    params = common.ui_params()

    def visibility(model_id):
        names = common.declared(model_id) if model_id else set()
        return bool(model_id) and get_spec(model_id).conditional, [gr.update(visible=p.name in names) for p in params]

    def on_dataset(dataset, mine):
        options = common.model_options(dataset) + lv.menu(mine, dataset)
        model_id = options[0][1] if options else None
        conditional, shown = visibility(model_id)
        return (gr.Dropdown(choices=options, value=model_id),
                gr.Dropdown(choices=common.class_options(dataset), value=common.RANDOM_CLASS, visible=conditional),
                *shown)

    def on_live(dataset, model_id, mine):
        ours = lv.menu(mine, dataset)
        chosen = ours[0][1] if ours else model_id  # a model just trained live is picked, ready to sample
        return gr.Dropdown(choices=common.model_options(dataset) + ours, value=chosen), *on_model(chosen)

    def on_model(model_id):
        conditional, shown = visibility(model_id)
        return gr.Dropdown(visible=conditional), *shown

    def on_generate(dataset, model, klass, **values):
        """Samples from ``model`` trained on ``dataset``; ``klass`` is a class id (-1: random, balanced) for
        conditional models; the other parameters are the model's sampling controls (those it does not declare are
        ignored)."""
        shown = common.run_generate(dataset, model, klass, values)
        return shown.image, shown.caption

    def on_share(dataset, model_id, klass, **values):
        names = common.declared(model_id) if model_id else set()
        kept = {k: v for k, v in values.items() if k in names}
        if model_id and get_spec(model_id).conditional:
            kept["class"] = klass
        return share.encode("generate", dataset, model_id, kept)

    def on_open(request: gr.Request):
        """A shared link: restore the settings and draw the same images."""
        v = _shared_view(request, "generate")
        if v is None:
            return [gr.skip()] * (5 + len(params))
        conditional, shown = visibility(v.model)
        klass = v.values.get("class", common.RANDOM_CLASS)
        values = [v.values.get(p.name, p.default) for p in params]
        try:
            image, caption = on_generate(v.dataset, v.model, klass, **{p.name: x for p, x in zip(params, values)})
        except GenLabError as e:
            image, caption = None, str(e)
        return (v.dataset, gr.Dropdown(choices=common.model_options(v.dataset), value=v.model),
                gr.Dropdown(choices=common.class_options(v.dataset), value=klass, visible=conditional),
                *[gr.update(value=x, visible=u["visible"]) for x, u in zip(values, shown)], image, caption)

    with gr.Tab("Generate", id="generate"):
        _explain("generate")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                dataset = gr.Dropdown(choices=datasets, value=first, label="Dataset", elem_id="gen-dataset")
                model = gr.Dropdown(choices=models, value=first_model, label="Model", elem_id="gen-model")
                klass = gr.Dropdown(choices=common.class_options(first) if first else [], value=common.RANDOM_CLASS,
                                    label="Class", elem_id="gen-class",
                                    visible=bool(first_model) and get_spec(first_model).conditional)
                shown = common.declared(first_model) if first_model else set()  # the first paint is already right
                widgets = [_widget(p, p.name in shown, "gen") for p in params]
                button = gr.Button("Generate", variant="primary", elem_id="gen-button")
            with gr.Column(scale=2):
                view = opening.get("generate")  # what the defaults give: a real result before any click
                image = gr.Image(view.image if view else None, label="Samples", type="pil", format="png",
                                 elem_id="gen-image", interactive=False)
                caption = gr.Markdown(view.caption if view else "", elem_id="gen-caption")
        dataset.input(on_dataset, [dataset, live_models], [model, klass, *widgets], api_name=False)
        model.change(on_model, model, [klass, *widgets], api_name=False)
        share_button, link = _share_widgets("gen")
        controls = dict(zip((p.name for p in params), widgets))
        share_button.click(on_share, [dataset, model, klass], link, inputs_kwargs=controls, api_name=False).then(
            None, link, link, js=SHARE_JS)
        demo.load(on_open, None, [dataset, model, klass, *widgets, image, caption], api_name=False)
        live_models.change(on_live, [dataset, model, live_models], [model, klass, *widgets], api_name=False)
        button.click(on_generate, [dataset, model, klass], [image, caption], inputs_kwargs=controls,
                     api_name="generate")


def compare_tab(demo: gr.Blocks) -> None:
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

    def on_compare(dataset, models, klass, seed, n):
        view = common.run_compare(dataset, models, klass, seed, n)
        return view.grids, pd.DataFrame(view.table, columns=view.headers), view.caption

    with gr.Tab("Compare", id="compare"):
        _explain("compare")
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

        def on_open():
            view = opening.get("compare")
            if view is None:
                return gr.skip(), gr.skip(), gr.skip()
            return view.grids, pd.DataFrame(view.table, columns=view.headers), view.caption
        demo.load(on_open, None, [gallery, table, caption], api_name=False)


def lab_tab(demo: gr.Blocks) -> None:
    """Latent Lab: endpoints (seed, class, drawing), interpolation slider, walks with GIF/MP4 export, PCA and
    per-dimension sliders, the 2-D latent map, breeding and class arithmetic."""
    datasets = common.dataset_options()
    first = datasets[0][1] if datasets else None
    models = lab.models(first) if first else []
    first_model = models[0][1] if models else None
    classes = common.class_options(first)[1:] if first else []

    def dim_sliders(a):  # the per-dimension sliders show endpoint A's coordinates; the PCA sliders return to 0
        return ([gr.Slider(value=0) for _ in range(lab.DIRECTIONS)]
                + [gr.Slider(value=round(float(a.z[i]), 2), visible=True) if i < len(a.z)
                   else gr.Slider(visible=False) for i in range(lab.DIMS)])

    def endpoints(dataset, model, seed_a, class_a, seed_b, class_b, t, mode):
        a = lab.seed_point(dataset, model, seed_a, class_a)
        b = lab.seed_point(dataset, model, seed_b, class_b)
        return (a, b, lab.frame(dataset, model, a, b, t, mode), lab.strip(dataset, model, a, b, mode),
                lab.frame(dataset, model, a, b, 0.0, mode), *dim_sliders(a))

    def on_share(dataset, model_id, seed_a, class_a, seed_b, class_b, t, mode):
        cond = lab.is_conditional(model_id) if model_id else False
        values = {"seed_a": seed_a, "class_a": class_a if cond else None, "seed_b": seed_b,
                  "class_b": class_b if cond else None, "t": t, "mode": mode}
        return share.encode("lab", dataset, model_id, values)

    def on_open(request: gr.Request):
        """A shared link: restore both endpoints, the slider and the mode, and draw them."""
        v = _shared_view(request, "lab")
        if v is None:
            return [gr.skip()] * (14 + lab.DIRECTIONS + lab.DIMS)
        x, cond = v.values, lab.is_conditional(v.model)
        cls = common.class_options(v.dataset)[1:]
        drawn = endpoints(v.dataset, v.model, x["seed_a"], x["class_a"], x["seed_b"], x["class_b"], x["t"],
                          x["mode"])
        return (v.dataset, gr.Dropdown(choices=lab.models(v.dataset), value=v.model), x["seed_a"],
                gr.Dropdown(choices=cls, value=x["class_a"], visible=cond), x["seed_b"],
                gr.Dropdown(choices=cls, value=x["class_b"], visible=cond), x["t"], x["mode"], *drawn,
                lab.map_view(v.dataset).image)

    def on_t(dataset, model, a, b, t, mode):
        if a is None or b is None:
            return None
        return lab.frame(dataset, model, a, b, t, mode)

    def on_mode(dataset, model_id, a, b, t, mode):
        return on_t(dataset, model_id, a, b, t, mode), lab.strip(dataset, model_id, a, b, mode) if a else None

    def on_model(dataset, model_id):
        cond = lab.is_conditional(model_id)
        return (gr.update(visible=cond), gr.update(visible=cond), gr.update(visible=cond),
                gr.update(visible=lab.has_encoder(model_id)), gr.update(visible=cond))

    def on_dataset(dataset):
        opts = lab.models(dataset)
        cls = common.class_options(dataset)[1:]
        return (gr.Dropdown(choices=opts, value=opts[0][1] if opts else None),
                gr.Dropdown(choices=cls, value=0), gr.Dropdown(choices=cls, value=0),
                gr.Dropdown(choices=cls, value=0), lab.map_view(dataset).image if dataset else None)

    def on_encode(dataset, model, drawing, klass, which, a, b, t, mode):
        enc = lab.encode_drawing(dataset, model, drawing, klass)
        a, b = (enc.point, b) if which == "A" else (a, enc.point)
        shown = [lab.big(enc.digit, 4), lab.big(enc.reconstruction, 4)]
        try:
            frame = on_t(dataset, model, a, b, t, mode) if a is not None and b is not None else None
        except GenLabError:  # the other endpoint came from another model: shown after the next Show
            frame = None
        return a, b, shown, enc.caption, frame

    def on_export(dataset, model, seeds, classes, frames, fps, size, loop, mode, format):  # noqa: A002
        path, caption = lab.export_walk(dataset, model, seeds, classes, frames, fps, size, loop, mode, format)
        return path, (path if format == "gif" else None), caption

    def on_edit(dataset, model_id, a, *values):
        if a is None:
            raise gr.Error("Set the endpoints first (press Show).")
        amounts, dims = values[:lab.DIRECTIONS], values[lab.DIRECTIONS:]
        # a slider counts as moved when it is off A's coordinate by more than its rounding (step 0.05)
        dim_values = {i: v for i, v in enumerate(dims) if i < len(a.z) and v is not None
                      and abs(v - float(a.z[i])) > 0.026}
        return lab.direction_edit(dataset, model_id, a, list(amounts), dim_values)

    def on_pick(dataset, evt: gr.SelectData):
        z, image, caption = lab.map_pick(dataset, *evt.index)
        return lab.map_view(dataset, picked=z).image, image, caption

    def on_breed(dataset, model_id, a, b, n, mutation, seed):
        if a is None or b is None:
            raise gr.Error("Set the endpoints first (press Show): they are the parents.")
        kids, shown = lab.children(dataset, model_id, a, b, n, mutation, seed)
        return kids, shown

    def on_child(dataset, model_id, kids, b, t, mode, evt: gr.SelectData):
        a = kids[evt.index]
        return a, on_t(dataset, model_id, a, b, t, mode), f"Child {evt.index + 1} is now parent A."

    def on_classes(dataset, model_id, a):
        if a is None or a.classes is None:
            raise gr.Error("Class arithmetic needs a conditional model and endpoint A (press Show).")
        return lab.class_row(dataset, model_id, a)

    with gr.Tab("Latent Lab", id="lab"):
        _explain("lab")
        view = opening.get("lab")  # the default endpoints, drawn: a real result before any click
        view = view if view is not None and view.model == first_model else None
        pa, pb, kids = gr.State(view and view.a), gr.State(view and view.b), gr.State([])
        with gr.Row():
            dataset = gr.Dropdown(choices=datasets, value=first, label="Dataset", elem_id="lab-dataset")
            model = gr.Dropdown(choices=models, value=first_model, label="Model", elem_id="lab-model")
            mode = gr.Radio(list(latent.MODES), value=opening.LAB["mode"], label="Interpolation", elem_id="lab-mode")
        with gr.Row():
            seed_a = gr.Number(value=opening.LAB["seed_a"], label="Seed A", precision=0, minimum=0, maximum=2**31 - 1,
                               elem_id="lab-seed-a")
            class_a = gr.Dropdown(choices=classes, value=opening.LAB["class_a"], label="Class A", elem_id="lab-class-a",
                                  visible=lab.is_conditional(first_model))
            seed_b = gr.Number(value=opening.LAB["seed_b"], label="Seed B", precision=0, minimum=0, maximum=2**31 - 1,
                               elem_id="lab-seed-b")
            class_b = gr.Dropdown(choices=classes, value=opening.LAB["class_b"], label="Class B", elem_id="lab-class-b",
                                  visible=lab.is_conditional(first_model))
            show = gr.Button("Show", variant="primary", elem_id="lab-show")
        share_button, link = _share_widgets("lab")
        with gr.Row():
            with gr.Column(scale=1):
                t = gr.Slider(0, 1, value=opening.LAB["t"], step=0.01, label="t (A → B)", elem_id="lab-t")
                image = gr.Image(view and view.frame, label="Point at t", type="pil", format="png",
                                 interactive=False, height=240, elem_id="lab-image")
            with gr.Column(scale=2):
                strip_image = gr.Image(view and view.strip, label="Strip A → B", type="pil", format="png",
                                       interactive=False, elem_id="lab-strip")
        with gr.Accordion("Draw or upload (encoder models)", open=False, visible=lab.has_encoder(first_model)) \
                as draw_box:
            with gr.Row():
                drawing = gr.Sketchpad(label="Draw (or upload below)", type="numpy", image_mode="L",
                                       canvas_size=(280, 280), elem_id="lab-sketch")
                upload = _upload("Upload", "lab-upload")
                with gr.Column():
                    draw_class = gr.Dropdown(choices=classes, value=0, label="Its class (conditional VAE)",
                                             visible=lab.is_conditional(first_model))
                    which = gr.Radio(["A", "B"], value="A", label="Use as endpoint")
                    encode = gr.Button("Encode drawing", elem_id="lab-encode")
                    encode_upload = gr.Button("Encode upload", elem_id="lab-encode-upload")
            encoded = gr.Gallery(label="What the model saw → its reconstruction", columns=2, height=200)
            encoded_caption = gr.Markdown(elem_id="lab-encoded-caption")
        with gr.Accordion("Walk through keyframes → GIF / MP4", open=False):
            with gr.Row():
                walk_seeds = gr.Textbox(value="1,2,3", label="Keyframe seeds", elem_id="lab-walk-seeds")
                walk_classes = gr.Textbox(value="", label="Classes (conditional: one, or one per seed)")
                walk_frames = gr.Slider(2, latent.MAX_FRAMES, value=60, step=1, label="Frames", elem_id="lab-frames")
                walk_fps = gr.Slider(1, 60, value=20, step=1, label="fps")
                walk_size = gr.Slider(28, latent.MAX_EXPORT_SIZE, value=112, step=4, label="Size (px)")
                walk_loop = gr.Checkbox(value=True, label="Loop")
                walk_fmt = gr.Radio(["gif", "mp4"], value="gif", label="Format", elem_id="lab-format")
                walk_button = gr.Button("Make walk", elem_id="lab-walk")
            with gr.Row():
                walk_file = gr.File(label="Download", elem_id="lab-walk-file")
                walk_preview = gr.Image(label="Preview (GIF)", type="filepath", interactive=False)
            walk_caption = gr.Markdown(elem_id="lab-walk-caption")
        with gr.Accordion("Semantic directions (PCA, GANSpace) and latent dimensions", open=False):
            with gr.Row():
                with gr.Column():
                    pcs = [gr.Slider(-3, 3, value=0, step=0.1, label=f"Direction {i + 1}")
                           for i in range(lab.DIRECTIONS)]
                with gr.Column():
                    dims = [gr.Slider(-4, 4, value=0, step=0.05, label=f"z[{i}]") for i in range(lab.DIMS)]
                with gr.Column():
                    edited = gr.Image(view and view.edited, label="Endpoint A, edited", type="pil", format="png",
                                      interactive=False)
                    edited_caption = gr.Markdown()
        with gr.Accordion("2-D latent map (VAE with a 2-D latent)", open=False):
            with gr.Row():
                the_map = gr.Image(value=lab.map_view(first).image if first else None, label="Latent plane",
                                   type="pil", interactive=False, elem_id="lab-map")
                picked = gr.Image(label="Decoded at the click", type="pil", interactive=False, elem_id="lab-picked")
            picked_caption = gr.Markdown(lab.map_view(first).caption if first else "", elem_id="lab-map-caption")
        with gr.Accordion("Breeding and class arithmetic", open=False):
            with gr.Row():
                n_children = gr.Slider(2, 16, value=8, step=1, label="Children")
                mutation = gr.Slider(0, 2, value=0.3, step=0.05, label="Mutation strength")
                breed_seed = gr.Number(value=0, label="Breeding seed", precision=0, minimum=0)
                breed = gr.Button("Breed A × B", elem_id="lab-breed")
                class_button = gr.Button("A as every class", visible=lab.is_conditional(first_model))
            brood = gr.Gallery(label="Children (click one to make it parent A)", columns=8, height=160,
                               elem_id="lab-brood")
            brood_caption = gr.Markdown()
            class_image = gr.Image(label="Same latent, every class", type="pil", interactive=False)

        ends = [dataset, model, seed_a, class_a, seed_b, class_b, t, mode]
        show.click(endpoints, ends, [pa, pb, image, strip_image, edited, *pcs, *dims], api_name="lab_show")
        # one handler per value change (a drag fires it as the thumb moves; "always_last" drops stale steps);
        # user moves only (.input): a restored link sets t, mode and the model at once, and a .change fired by the
        # restore could read the model menu before its new value lands
        t.input(on_t, [dataset, model, pa, pb, t, mode], image, api_name="lab_frame", show_progress="hidden",
                trigger_mode="always_last")
        mode.input(on_mode, [dataset, model, pa, pb, t, mode], [image, strip_image], api_name=False)
        dataset.input(on_dataset, dataset, [model, class_a, class_b, draw_class, the_map], api_name=False)
        model.change(on_model, [dataset, model], [class_a, class_b, draw_class, draw_box, class_button],
                     api_name=False)
        share_button.click(on_share, ends, link, api_name=False).then(None, link, link, js=SHARE_JS)
        demo.load(on_open, None, [*ends, pa, pb, image, strip_image, edited, *pcs, *dims, the_map], api_name=False)
        encode.click(on_encode, [dataset, model, drawing, draw_class, which, pa, pb, t, mode],
                     [pa, pb, encoded, encoded_caption, image], api_name="lab_encode")
        encode_upload.click(on_encode, [dataset, model, upload, draw_class, which, pa, pb, t, mode],
                            [pa, pb, encoded, encoded_caption, image], api_name=False)
        walk_button.click(on_export, [dataset, model, walk_seeds, walk_classes, walk_frames, walk_fps, walk_size,
                                      walk_loop, mode, walk_fmt], [walk_file, walk_preview, walk_caption],
                          api_name="lab_walk")
        for control in (*pcs, *dims):
            control.release(on_edit, [dataset, model, pa, *pcs, *dims], [edited, edited_caption], api_name=False)
        the_map.select(on_pick, dataset, [the_map, picked, picked_caption], api_name=False)
        breed.click(on_breed, [dataset, model, pa, pb, n_children, mutation, breed_seed], [kids, brood],
                    api_name=False)
        brood.select(on_child, [dataset, model, kids, pb, t, mode], [pa, image, brood_caption], api_name=False)
        class_button.click(on_classes, [dataset, model, pa], class_image, api_name=False)


def diffusion_tab(demo: gr.Blocks) -> None:
    """Diffusion: sample with class, guidance, sampler, steps, seed and count while watching x_t and x̂_0 stream in;
    Restoration: corrupt a test image or an upload (noise, or a painted mask), restore it, read PSNR/SSIM."""
    datasets = [(t, d) for t, d in common.dataset_options() if dif.models(d)]
    first = datasets[0][1] if datasets else None
    models = dif.models(first) if first else []
    first_model = models[0][1] if models else None
    params = dif.params(first_model) if first_model else []

    def on_dataset(dataset):
        options = dif.models(dataset)
        return (gr.Dropdown(choices=options, value=options[0][1] if options else None),
                gr.Dropdown(choices=common.class_options(dataset), value=common.RANDOM_CLASS),
                gr.Dropdown(choices=dif.hint_options(dataset), value=common.RANDOM_CLASS))

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
        if mode == "inpaint" and mask == "painted":
            layers = (painted or {}).get("layers") or []
            if not layers:
                raise GenLabError("Paint over the part of the image to fill in (or pick a ready-made mask).")
            mask = layers[0]
        view = dif.restore(dataset, model, upload, index, mode, sigma, mask, klass, steps, seed)
        return view.images, pd.DataFrame(view.table, columns=view.headers), view.caption

    with gr.Tab("Diffusion", id="diffusion"):
        _explain("diffusion")
        if not first_model:
            gr.Markdown("No diffusion checkpoint yet: `genlib train ddpm --dataset mnist`.")
            return
        with gr.Row():
            dataset = gr.Dropdown(choices=datasets, value=first, label="Dataset", elem_id="dif-dataset")
            model = gr.Dropdown(choices=models, value=first_model, label="Model", elem_id="dif-model")
        with gr.Tab("Sample", id="dif-sample-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    klass = gr.Dropdown(choices=common.class_options(first), value=opening.DIFFUSION["klass"],
                                   label="Class", elem_id="dif-class")
                    seed = gr.Number(value=opening.DIFFUSION["seed"], label="Seed", precision=0, minimum=0,
                                     maximum=2**31 - 1, elem_id="dif-seed")
                    n = gr.Slider(1, UI_MAX_COUNT, value=opening.DIFFUSION["n"], step=1, label="Count",
                                  elem_id="dif-n")
                    widgets = [_widget(p) for p in params]
                    every = gr.Slider(1, 50, value=opening.DIFFUSION["every"], step=1, label="Show every k-th step",
                                      elem_id="dif-every")
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
                    mode = gr.Radio(list(RESTORE_MODES), value="denoise", label="Task", elem_id="res-mode")
                    index = gr.Number(value=0, label="Test image number", precision=0, minimum=0,
                                      elem_id="res-index")
                    upload = _upload("…or upload your own (optional)", "res-upload")
                    sigma = gr.Slider(0.05, 1.0, value=0.3, step=0.05, label="Noise level σ (denoise)",
                                      elem_id="res-sigma")
                    mask_kind = gr.Dropdown(["painted", *RESTORE_MASKS], value="center",
                                            label="Mask (inpaint): paint it, or pick one", elem_id="res-mask")
                    res_class = gr.Dropdown(choices=dif.hint_options(first), value=common.RANDOM_CLASS,
                                            label="Class hint", elem_id="res-class")
                    res_steps = gr.Slider(10, 200, value=50, step=10, label="DDIM steps", elem_id="res-steps")
                    res_seed = gr.Number(value=0, label="Seed", precision=0, minimum=0, maximum=2**31 - 1,
                                         elem_id="res-seed")
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


def style_tab(demo: gr.Blocks) -> None:
    """Style: a content picture (preset or upload), a style (built-in gallery, preset picture or upload), an optional
    second style blended in, strength and size → fast result with a before/after slider and readouts; or the classic
    optimisation, streamed, one run at a time on the server."""
    from genlib import style

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
        _explain("style")
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                content = gr.Dropdown(sty.content_options(), value="astronaut", label="Content picture",
                                      elem_id="sty-content")
                content_upload = _upload("…or upload your own content image", "sty-content-upload")
                choice = gr.Dropdown(sty.style_options(), value="b:19", label="Style", elem_id="sty-style",
                                     info="a built-in style (or click one in the gallery), a picture, or your upload")
                style_upload = _upload("Style image (for 'My style image')", "sty-style-upload")
                blend = gr.Dropdown(sty.style_options(blend=True), value="none", label="Blend with a second style",
                                    elem_id="sty-blend")
                ratio = gr.Slider(0, 1, value=0.5, step=0.05, label="Blend ratio (share of the second style)",
                                  elem_id="sty-ratio")
                strength = gr.Slider(0, 1, value=1.0, step=0.05, label="Style strength", elem_id="sty-strength")
                size = gr.Slider(64, style.MAX_SIZE, value=style.DEFAULT_SIZE, step=32,
                                 label="Output size (longest side, px)", elem_id="sty-size")
                fast_button = gr.Button("Stylize (fast)", variant="primary", elem_id="sty-fast")
                with gr.Accordion("Classic (Gatys optimisation, Inception features)", open=False):
                    c_size = gr.Slider(64, 512, value=style.CLASSIC_SIZE, step=32, label="Size (px)",
                                       elem_id="sty-c-size")
                    steps = gr.Slider(10, 500, value=100, step=10, label="Steps", elem_id="sty-c-steps")
                    style_weight = gr.Slider(1, 1000, value=100, step=1, label="Style weight",
                                             elem_id="sty-c-style-weight")
                    content_weight = gr.Slider(0, 10, value=1, step=0.1, label="Content weight",
                                               elem_id="sty-c-content-weight")
                    tv_weight = gr.Slider(0, 5, value=0.5, step=0.1, label="Smoothness (total variation)",
                                          elem_id="sty-c-tv")
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


def voice_tab(demo: gr.Blocks) -> None:
    """Voice: Piper text to speech with speed/expressiveness/rhythm controls; GenLab's spoken-digit CVAE saying a
    digit in a seeded voice; a morph slider between two utterances; and the spoken-digit recogniser."""
    from genlib.audio import tts
    from genlib.ui import voice as vo

    def on_speak(text, speed, noise_scale, noise_w, seed):
        h = vo.speak(text, speed, noise_scale, noise_w, seed)
        return h.wav, h.picture, h.caption

    def on_digit(digit, seed, temperature):
        h = vo.digit(digit, seed, temperature)
        return h.wav, h.picture, h.caption

    def on_morph(a_digit, a_seed, b_digit, b_seed, t, a_upload, b_upload):
        h = vo.morph(a_digit, a_seed, b_digit, b_seed, t, a_upload, b_upload)
        return h.wav, h.picture, h.caption

    def on_recognise(upload):
        caption, rows = vo.recognise(upload)
        return caption, pd.DataFrame(rows, columns=["Digit", "Probability"])

    def _wav_upload(label, elem_id):
        return gr.File(label=label, file_types=[".wav"], type="filepath", elem_id=elem_id, height=130)

    with gr.Tab("Voice", id="voice"):
        _explain("voice")
        with gr.Tab("Text to speech", id="tts-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    text = gr.Textbox(vo.EXAMPLE, lines=4, max_lines=12, label="Text (English, ≤ 1,000 characters)",
                                      elem_id="tts-text")
                    speed = gr.Slider(*tts.SPEED, value=1.0, step=0.05, label="Speed", elem_id="tts-speed")
                    noise_scale = gr.Slider(*tts.NOISE, value=0.667, step=0.01, label="Expressiveness (noise scale)",
                                            elem_id="tts-noise")
                    noise_w = gr.Slider(*tts.NOISE, value=0.8, step=0.01, label="Rhythm variation (noise w)",
                                        elem_id="tts-noise-w")
                    tts_seed = gr.Number(value=0, label="Seed", precision=0, minimum=0, maximum=2**31 - 1,
                                         elem_id="tts-seed")
                    speak_button = gr.Button("Speak", variant="primary", elem_id="tts-button")
                with gr.Column(scale=2):
                    tts_audio = gr.Audio(label="Speech (WAV)", type="filepath", format="wav", interactive=False,
                                         elem_id="tts-audio")
                    tts_picture = gr.Image(label="Waveform and mel spectrogram", type="pil", interactive=False,
                                           elem_id="tts-picture")
                    tts_caption = gr.Markdown(elem_id="tts-caption")
            speak_button.click(on_speak, [text, speed, noise_scale, noise_w, tts_seed],
                               [tts_audio, tts_picture, tts_caption], api_name="say")
            demo.load(lambda: _heard("speech"), None, [tts_audio, tts_picture, tts_caption], api_name=False)
        with gr.Tab("Say a digit", id="digit-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    digit = gr.Dropdown(list(vo.DIGITS), value=7, label="Digit", elem_id="vd-digit")
                    d_seed = gr.Number(value=0, label="Voice seed", precision=0, minimum=0, maximum=2**31 - 1,
                                       elem_id="vd-seed")
                    temperature = gr.Slider(0, 2, value=1.0, step=0.05, label="Voice temperature",
                                            elem_id="vd-temperature")
                    digit_button = gr.Button("Say it", variant="primary", elem_id="vd-button")
                with gr.Column(scale=2):
                    d_audio = gr.Audio(label="GenLab's voice (WAV)", type="filepath", format="wav",
                                       interactive=False, elem_id="vd-audio")
                    d_picture = gr.Image(label="Waveform and mel spectrogram", type="pil", interactive=False,
                                         elem_id="vd-picture")
                    d_caption = gr.Markdown(elem_id="vd-caption")
            digit_button.click(on_digit, [digit, d_seed, temperature], [d_audio, d_picture, d_caption],
                               api_name="voice_digit")
            demo.load(lambda: _heard("digit"), None, [d_audio, d_picture, d_caption], api_name=False)
        with gr.Tab("Morph", id="morph-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    with gr.Row():
                        a_digit = gr.Dropdown(list(vo.DIGITS), value=3, label="A: digit", elem_id="vm-a-digit")
                        a_seed = gr.Number(value=1, label="A: voice seed", precision=0, minimum=0,
                                           maximum=2**31 - 1, elem_id="vm-a-seed")
                    with gr.Row():
                        b_digit = gr.Dropdown(list(vo.DIGITS), value=8, label="B: digit", elem_id="vm-b-digit")
                        b_seed = gr.Number(value=2, label="B: voice seed", precision=0, minimum=0,
                                           maximum=2**31 - 1, elem_id="vm-b-seed")
                    a_upload = _wav_upload("…or A from a recording (WAV)", "vm-a-upload")
                    b_upload = _wav_upload("…or B from a recording (WAV)", "vm-b-upload")
                    t = gr.Slider(0, 1, value=0.5, step=0.05, label="Morph A → B", elem_id="vm-t")
                    morph_button = gr.Button("Morph", variant="primary", elem_id="vm-button")
                with gr.Column(scale=2):
                    m_audio = gr.Audio(label="Morph (WAV)", type="filepath", format="wav", interactive=False,
                                       elem_id="vm-audio")
                    m_picture = gr.Image(label="Waveform and mel spectrogram", type="pil", interactive=False,
                                         elem_id="vm-picture")
                    m_caption = gr.Markdown(elem_id="vm-caption")
            ins = [a_digit, a_seed, b_digit, b_seed, t, a_upload, b_upload]
            morph_button.click(on_morph, ins, [m_audio, m_picture, m_caption], api_name="voice_morph")
            t.release(on_morph, ins, [m_audio, m_picture, m_caption], api_name=False)
        with gr.Tab("Recognise", id="recognise-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    rec_upload = _wav_upload("A recording of one spoken digit (WAV, ≤ 30 s)", "vr-upload")
                    rec_button = gr.Button("Which digit?", variant="primary", elem_id="vr-button")
                with gr.Column(scale=2):
                    rec_caption = gr.Markdown(elem_id="vr-caption")
                    rec_table = gr.Dataframe(headers=["Digit", "Probability"], interactive=False, elem_id="vr-table")
            rec_button.click(on_recognise, rec_upload, [rec_caption, rec_table], api_name="voice_classify")


def text_tab(demo: gr.Blocks) -> None:
    """Text: character-level Transformer and LSTM models — a streamed continuation with sampling controls and the
    next-character view (top-10 probabilities at every step), names by gender, a chatbot, and the bits/char table."""
    from genlib.ui import text as tx

    def on_write(model, prompt, length, temperature, top_k, top_p, seed, stop_at_end):
        written = None
        for written in tx.write(model, prompt, length, temperature, top_k, top_p, seed, stop_at_end):
            top = tx.top_dict(written.steps[-1]) if written.steps else {}
            yield (written.shown, top, written.caption(model, False), gr.update(), None)
        if written is None:
            return
        n = max(1, len(written.steps))
        yield (written.shown, tx.top_dict(written.steps[-1]) if written.steps else {}, written.caption(model, True),
               gr.update(maximum=n, value=n, interactive=n > 1), written)

    def on_step(written, index):
        return tx.step_view(written, index)

    def on_names(model, gender, prefix, count, temperature, seed):
        yield tx.names_markdown(tx.names(model, gender, prefix, count, temperature, seed))

    def on_ask(model, question, history, temperature, seed):
        history = [*(history or []), {"role": "user", "content": question}]
        answer = ""
        for answer in tx.reply(model, question, temperature, seed):
            yield [*history, {"role": "assistant", "content": answer}], ""
        yield [*history, {"role": "assistant", "content": answer or "…"}], ""

    options = tx.model_options()
    with gr.Tab("Text", id="text"):
        _explain("text")
        if not options:
            gr.Markdown("**No text models found.** Train one with `genlib text-train gpt --corpus names`.")
        with gr.Tab("Write", id="text-write-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    model = gr.Dropdown(options, value=tx.default_model(), label="Model", elem_id="tx-model")
                    prompt = gr.Textbox(tx.example_prompt(tx.default_model()), lines=3, max_lines=8, label="Prompt",
                                        info="Control tokens work too: <female>, <male>, <last>, <q>…<a>",
                                        elem_id="tx-prompt")
                    temperature = gr.Slider(0, 2, value=0.8, step=0.05, label="Temperature (0 = always the likeliest)",
                                            elem_id="tx-temperature")
                    top_k = gr.Slider(0, 60, value=0, step=1, label="Top-k (0 = off)", elem_id="tx-top-k")
                    top_p = gr.Slider(0.05, 1, value=1.0, step=0.05, label="Top-p (1 = off)", elem_id="tx-top-p")
                    with gr.Row():
                        seed = gr.Number(value=0, label="Seed", precision=0, minimum=0, maximum=2**31 - 1,
                                         elem_id="tx-seed")
                        length = gr.Number(value=300, label="Length (characters)", precision=0, minimum=1,
                                           maximum=5000, elem_id="tx-length")
                    stop_at_end = gr.Checkbox(True, label="Stop where the model ends the example (a fortune, a "
                                              "name, a reply)", elem_id="tx-stop")
                    write_button = gr.Button("Write", variant="primary", elem_id="tx-button")
                with gr.Column(scale=2):
                    out = gr.Textbox(label="Prompt + generated text (streamed)", lines=8, max_lines=20,
                                     interactive=False,
                                     elem_id="tx-out")
                    caption = gr.Markdown(elem_id="tx-caption")
                    top = gr.Label(num_top_classes=10, label="Next-character view: the model's top 10 at this step",
                                   elem_id="tx-top")
                    with gr.Accordion("Step through the text", open=False):
                        step = gr.Slider(1, 2, value=1, step=1, label="Step", interactive=False, elem_id="tx-step")
                        step_text = gr.Textbox(label="Text so far [drawn character]", interactive=False, lines=3,
                                               elem_id="tx-step-text")
                        step_top = gr.Label(num_top_classes=10, label="Top 10 at that step", elem_id="tx-step-top")
                        step_caption = gr.Markdown(elem_id="tx-step-caption")
            written = gr.State(None)
            headers, rows = tx.metrics_rows()
            gr.Dataframe(value=rows, headers=headers, interactive=False, label="Held-out bits per character "
                         "(lower is better; the bigram is the reference)", elem_id="tx-metrics")
            write_button.click(on_write,
                               [model, prompt, length, temperature, top_k, top_p, seed, stop_at_end],
                               [out, top, caption, step, written], api_name="text_write")
            step.change(on_step, [written, step], [step_text, step_top, step_caption], api_name=False)

            def on_open():
                w = opening.get("write")
                if w is None:
                    return gr.skip(), gr.skip(), gr.skip()
                return w.shown, tx.top_dict(w.steps[-1]) if w.steps else {}, w.caption(tx.default_model(), True)
            demo.load(on_open, None, [out, top, caption], api_name=False)
            model.change(tx.example_prompt, model, prompt, api_name=False)
        with gr.Tab("Names", id="text-names-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    n_model = gr.Dropdown(tx.model_options("names"), value=tx.default_model("names"), label="Model",
                                          elem_id="tn-model")
                    gender = gr.Radio([("Female first name", "female"), ("Male first name", "male"),
                                       ("Surname", "surname")], value="female", label="Kind", elem_id="tn-gender")
                    prefix = gr.Textbox("", label="Starts with (optional)", max_lines=1, elem_id="tn-prefix")
                    count = gr.Slider(1, 30, value=10, step=1, label="How many", elem_id="tn-count")
                    n_temperature = gr.Slider(0.1, 2, value=0.8, step=0.05, label="Temperature",
                                              elem_id="tn-temperature")
                    n_seed = gr.Number(value=0, label="Seed", precision=0, minimum=0, maximum=2**31 - 1,
                                       elem_id="tn-seed")
                    names_button = gr.Button("Invent names", variant="primary", elem_id="tn-button")
                with gr.Column(scale=2):
                    names_out = gr.Markdown(elem_id="tn-out")
            names_button.click(on_names, [n_model, gender, prefix, count, n_temperature, n_seed], names_out,
                               api_name="text_names")
            demo.load(lambda: opening.get("names") or gr.skip(), None, names_out, api_name=False)
        with gr.Tab("Chatbot", id="text-chat-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    c_model = gr.Dropdown(tx.model_options("chatbot"), value=tx.default_model("chatbot"),
                                          label="Model", elem_id="tc-model")
                    c_temperature = gr.Slider(0, 2, value=0.6, step=0.05, label="Temperature",
                                              elem_id="tc-temperature")
                    c_seed = gr.Number(value=0, label="Seed", precision=0, minimum=0, maximum=2**31 - 1,
                                       elem_id="tc-seed")
                    gr.Markdown("A character model trained on chatterbot-corpus' English dialogues: it answers "
                                "one question at a time (it does not remember the conversation).")
                with gr.Column(scale=2):
                    chat = gr.Chatbot(label="Chat", height=360, elem_id="tc-chat")
                    question = gr.Textbox(placeholder="Ask something, e.g. What is your name?", label="Question",
                                          max_lines=2, elem_id="tc-question")
                    ask_button = gr.Button("Ask", variant="primary", elem_id="tc-button")
            for trigger in (ask_button.click, question.submit):
                trigger(on_ask, [c_model, question, chat, c_temperature, c_seed], [chat, question],
                        api_name="text_reply" if trigger == ask_button.click else False)


def live_tab(demo: gr.Blocks, live_models: gr.State) -> None:
    """Live training: a small generator trains on the CPU while its samples and curves update; one job per server,
    the others wait in line; the result joins this session's model menus."""

    def on_start(model, dataset, seconds, seed, job_id):
        return lv.start(model, dataset, seconds, seed, previous=job_id)

    def shown(v):
        losses, conf = lv.curves(v)
        caption = v.caption() if v else "Press **Start training**."
        return caption, v.grid if v else None, losses, conf

    def on_watch(job_id, mine):
        """Streams the job's view about once a second while it is waiting or training."""
        import time

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
        _explain("live")
        with gr.Row():
            with gr.Column(scale=1, min_width=260):
                kind = gr.Radio(choices=list(lv.MODEL_OPTIONS), value=lv.MODEL_OPTIONS[0][1], label="Model",
                                elem_id="live-model")
                dataset = gr.Dropdown(choices=list(lv.DATASET_OPTIONS), value="mnist", label="Dataset",
                                      elem_id="live-dataset")
                seconds = gr.Slider(lv.SECONDS["min"], lv.SECONDS["max"], value=lv.SECONDS["default"],
                                    step=lv.SECONDS["step"], label="Train for (seconds)", elem_id="live-seconds")
                seed = gr.Number(value=0, precision=0, minimum=0, label="Seed", elem_id="live-seed")
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
        start.click(on_start, [kind, dataset, seconds, seed, job], job, api_name="live_start").success(
            on_watch, [job, live_models], [status, grid, losses, confidence, live_models], api_name="live_watch")
        for button, action in ((pause, "pause"), (resume, "resume"), (stop, "stop")):
            button.click(on_control(action), job, None, api_name=f"live_{action}")


def _heard(key: str):
    """An opening voice view as (audio, picture, caption), or skips when it cannot be made here."""
    h = opening.get(key)
    return (h.wav, h.picture, h.caption) if h else (gr.skip(), gr.skip(), gr.skip())


def _explain(key: str) -> None:
    """The tab's "what you are seeing" text, folded (for use in class)."""
    from genlib.ui import explain

    with gr.Accordion("What you are seeing", open=False, elem_id=f"explain-{key}"):
        gr.Markdown(explain.text(key))


def build_demo() -> gr.Blocks:
    with gr.Blocks(title="GenLab") as demo:
        gr.Markdown("# GenLab\nTrained generators you can explore. Pick a dataset and a model, then **Generate**.")
        if not common.dataset_options():
            gr.Markdown("**No trained checkpoints found.** Train one with `genlib train MODEL --dataset mnist`.")
        if notice := common.unavailable_notice():
            gr.Markdown(notice, elem_id="unavailable-models")
        live_models = gr.State([])  # ids of the models this session trained live
        with gr.Tabs() as tabs:
            generate_tab(demo, live_models)
            compare_tab(demo)
            lab_tab(demo)
            diffusion_tab(demo)
            style_gallery = style_tab(demo)
            voice_tab(demo)
            text_tab(demo)
            live_tab(demo, live_models)
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
    v = _shared_view(request)
    if v is None:
        return gr.skip()
    for problem in v.problems:
        gr.Warning(problem)
    return gr.Tabs(selected=v.tab)


def _swatches():
    from genlib import style

    try:
        return style.gallery()
    except GenLabError as e:
        gr.Warning(str(e))
        return []
