"""`genlib voice digit|morph|classify|eval`: GenLab's spoken-digit models; the flags are the Voice tab's
controls."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from genlib.cli import flags
from genlib.features import voice as vo


def cmd_voice(args) -> int:
    from genlib.audio import features, voice
    from genlib.errors import GenLabError

    if args.action == "classify":
        if not (args.file or args.value):
            raise GenLabError("Name the WAV file to classify: genlib voice classify FILE.wav")
        r = voice.classify(args.file or args.value)
        if args.json:
            print(json.dumps({"digit": r.digit, "probabilities": r.probabilities,
                              "seconds": round(r.seconds_of_audio, 3), "sample_rate": r.sample_rate}))
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


def add(sub) -> None:
    s = sub.add_parser("voice", help="GenLab's spoken-digit models: say a digit, morph voices, recognise a digit")
    s.add_argument("action", choices=["digit", "morph", "classify", "eval"])
    s.add_argument("value", nargs="?", help="digit: the digit 0–9; classify: the WAV file")
    s.add_argument("file", nargs="?", help=argparse.SUPPRESS)
    s.add_argument("--a", help="morph: start, DIGIT:SEED or a WAV file")
    s.add_argument("--b", help="morph: end, DIGIT:SEED or a WAV file")
    flags.add(s, vo.MORPH_T, help="morph: position A → B")
    flags.add(s, vo.VOICE_SEED)
    flags.add(s, vo.TEMPERATURE)
    s.add_argument("--out", help="output .wav (digit, morph)")
    s.add_argument("--picture", help="also write the waveform and mel spectrogram as a PNG")
    s.add_argument("--n", type=int, default=100, help="eval: generated clips per digit")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_voice)
