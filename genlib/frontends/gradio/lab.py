"""Latent Lab tab: endpoints (seed, class, drawing), interpolation slider, walks with GIF/MP4 export, PCA and
per-dimension sliders, the 2-D latent map, StyleGAN's style mixing, breeding and class arithmetic."""

from __future__ import annotations

import gradio as gr

from genlib.errors import GenLabError
from genlib.features import lab, menus, opening, share
from genlib.frontends.gradio.widgets import SHARE_JS, explained, share_widgets, shared_view, widget
from genlib.frontends.gradio.widgets import upload as file_upload


def tab(demo: gr.Blocks) -> None:
    datasets = menus.dataset_options()
    first = datasets[0][1] if datasets else None
    models = lab.models(first) if first else []
    first_model = models[0][1] if models else None
    classes = menus.class_options(first)[1:] if first else []

    def dim_sliders(a):  # the per-dimension sliders show endpoint A's coordinates; the PCA sliders return to 0
        return ([gr.Slider(value=lab.DIRECTION.default) for _ in range(lab.DIRECTIONS)]
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
        v = shared_view(request, "lab")
        if v is None:
            return [gr.skip()] * (14 + lab.DIRECTIONS + lab.DIMS)
        x, cond = v.values, lab.is_conditional(v.model)
        cls = menus.class_options(v.dataset)[1:]
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
                gr.update(visible=lab.has_encoder(model_id)), gr.update(visible=cond),
                gr.update(visible=lab.can_mix(model_id)))

    def on_mix(dataset, model_id, mix_a, mix_b, crossover, truncation, noise):
        return lab.style_mix(dataset, model_id, mix_a, mix_b, crossover, truncation, noise)

    def on_dataset(dataset):
        opts = lab.models(dataset)
        cls = menus.class_options(dataset)[1:]
        return (gr.Dropdown(choices=opts, value=opts[0][1] if opts else None),
                *(gr.Dropdown(choices=cls, value=c.default) for c in (lab.CLASS_A, lab.CLASS_B, lab.DRAW_CLASS)),
                lab.map_view(dataset).image if dataset else None)

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
            raise GenLabError("Set the endpoints first (press Show).")
        amounts, dims = values[:lab.DIRECTIONS], values[lab.DIRECTIONS:]
        return lab.direction_edit(dataset, model_id, a, list(amounts), lab.moved_dimensions(a, dims))

    def on_pick(dataset, evt: gr.SelectData):
        z, image, caption = lab.map_pick(dataset, *evt.index)
        return lab.map_view(dataset, picked=z).image, image, caption

    def on_breed(dataset, model_id, a, b, children, mutation, breed_seed):
        if a is None or b is None:
            raise GenLabError("Set the endpoints first (press Show): they are the parents.")
        kids, shown = lab.children(dataset, model_id, a, b, children, mutation, breed_seed)
        return kids, shown

    def on_child(dataset, model_id, kids, b, t, mode, evt: gr.SelectData):
        a = kids[evt.index]
        return a, on_t(dataset, model_id, a, b, t, mode), f"Child {evt.index + 1} is now parent A."

    def on_classes(dataset, model_id, a):
        if a is None or a.classes is None:
            raise GenLabError("Class arithmetic needs a conditional model and endpoint A (press Show).")
        return lab.class_row(dataset, model_id, a)

    with gr.Tab("Latent Lab", id="lab"):
        explained("lab")
        view = opening.get("lab")  # the default endpoints, drawn: a real result before any click
        view = view if view is not None and view.model == first_model else None
        pa, pb, kids = gr.State(view and view.a), gr.State(view and view.b), gr.State([])
        with gr.Row():
            dataset = widget(menus.DATASET, "lab-dataset", choices=datasets, value=first)
            model = widget(menus.MODEL, "lab-model", choices=models, value=first_model)
            mode = widget(lab.MODE, "lab-mode", radio=True)
        with gr.Row():
            seed_a = widget(lab.SEED_A, "lab-seed-a")
            class_a = widget(lab.CLASS_A, "lab-class-a", choices=classes, visible=lab.is_conditional(first_model))
            seed_b = widget(lab.SEED_B, "lab-seed-b")
            class_b = widget(lab.CLASS_B, "lab-class-b", choices=classes, visible=lab.is_conditional(first_model))
            show = gr.Button("Show", variant="primary", elem_id="lab-show")
        share_button, link = share_widgets("lab")
        with gr.Row():
            with gr.Column(scale=1):
                t = widget(lab.T, "lab-t")
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
                upload = file_upload("Upload", "lab-upload")
                with gr.Column():
                    draw_class = widget(lab.DRAW_CLASS, "lab-draw-class", choices=classes,
                                        visible=lab.is_conditional(first_model))
                    which = widget(lab.WHICH, "lab-which", radio=True)
                    encode = gr.Button("Encode drawing", elem_id="lab-encode")
                    encode_upload = gr.Button("Encode upload", elem_id="lab-encode-upload")
            encoded = gr.Gallery(label="What the model saw → its reconstruction", columns=2, height=200)
            encoded_caption = gr.Markdown(elem_id="lab-encoded-caption")
        with gr.Accordion("Walk through keyframes → GIF / MP4", open=False):
            with gr.Row():
                walk_seeds = widget(lab.SEEDS, "lab-walk-seeds")
                walk_classes = widget(lab.CLASSES, "lab-walk-classes")
                walk_frames = widget(lab.FRAMES, "lab-frames")
                walk_fps = widget(lab.FPS, "lab-fps")
                walk_size = widget(lab.SIZE, "lab-size")
                walk_loop = widget(lab.LOOP, "lab-loop")
                walk_fmt = widget(lab.FORMAT, "lab-format", radio=True)
                walk_button = gr.Button("Make walk", elem_id="lab-walk")
            with gr.Row():
                walk_file = gr.File(label="Download", elem_id="lab-walk-file")
                walk_preview = gr.Image(label="Preview (GIF)", type="filepath", interactive=False)
            walk_caption = gr.Markdown(elem_id="lab-walk-caption")
        with gr.Accordion("Semantic directions (PCA, GANSpace) and latent dimensions", open=False):
            with gr.Row():
                with gr.Column():
                    pcs = [widget(lab.DIRECTION, f"lab-direction-{i}", label=f"{lab.DIRECTION.label} {i + 1}")
                           for i in range(lab.DIRECTIONS)]
                with gr.Column():
                    dims = [widget(lab.DIMENSION, f"lab-dimension-{i}", label=f"{lab.DIMENSION.label}[{i}]")
                            for i in range(lab.DIMS)]
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
        with gr.Accordion("Style mixing (StyleGAN): coarse styles from A, fine from B", open=True,
                          visible=lab.can_mix(first_model)) as mix_box:
            with gr.Row():
                mix_a = widget(lab.MIX_A, "lab-mix-a")
                mix_b = widget(lab.MIX_B, "lab-mix-b")
                crossover = widget(lab.CROSSOVER, "lab-crossover")
                truncation = widget(lab.TRUNCATION, "lab-truncation")
                noise = widget(lab.NOISE, "lab-noise")
                mix_button = gr.Button("Mix", elem_id="lab-mix")
            mix_image = gr.Image(label="Style-mixing grid", type="pil", format="png", interactive=False,
                                 elem_id="lab-mix-image")
            mix_caption = gr.Markdown(elem_id="lab-mix-caption")
        with gr.Accordion("Breeding and class arithmetic", open=False):
            with gr.Row():
                n_children = widget(lab.CHILDREN, "lab-children")
                mutation = widget(lab.MUTATION, "lab-mutation")
                breed_seed = widget(lab.BREED_SEED, "lab-breed-seed")
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
        model.change(on_model, [dataset, model], [class_a, class_b, draw_class, draw_box, class_button, mix_box],
                     api_name=False)
        mixing = [dataset, model, mix_a, mix_b, crossover, truncation, noise]
        mix_button.click(on_mix, mixing, [mix_image, mix_caption], api_name="lab_mix")
        for control in (crossover, truncation):  # a slider redraws the grid as it is released
            control.release(on_mix, mixing, [mix_image, mix_caption], api_name=False, show_progress="hidden")
        noise.submit(on_mix, mixing, [mix_image, mix_caption], api_name=False)
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
