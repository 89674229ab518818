"""`genlib say TEXT --out x.wav`: Piper text to speech; the flags are the Voice tab's speech controls."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from genlib.cli import flags
from genlib.features import voice as vo


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


def add(sub) -> None:
    s = sub.add_parser("say", help="text to speech (Piper, en_US-joe-medium) → a WAV file")
    s.add_argument("text", help="what to say (or - to read stdin); English, at most 1,000 characters")
    s.add_argument("--out", required=True, help="output .wav")
    for c in vo.SPEECH:
        flags.add(s, c)
    s.add_argument("--picture", help="also write the waveform and mel spectrogram as a PNG")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_say)
