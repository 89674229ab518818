"""Voice: text-to-speech real-time factor (Piper, en_US-joe-medium), GenLab's spoken-digit generator + Griffin-Lim
vocoder for 1 s of audio, and the recognition figures of the shipped spoken-digit models.

    python bench/voice_latency.py [--repeats 10] [--n 100] [--processes 5]

RTF = synthesis time / audio duration, median over the texts × repeats, warm (the voice loaded once before). The
TTS figure varies by ±10 % from one process to the next on this VM (where its threads land), so it is measured in
``--processes`` fresh processes and reported as the median of their medians, with the range.
"""

import argparse
import json
import os
import subprocess
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, table  # noqa: E402

TEXTS = [
    "Welcome to GenLab.",
    "Today we will listen to a neural network read this sentence aloud, and then we will change how it speaks.",
    "The quick brown fox jumps over the lazy dog. Then it rests in the shade of an old oak tree, and sleeps "
    "until the evening comes and the stars begin to shine over the quiet fields.",
]


def tts_child(repeats: int) -> None:
    from genlib.audio import tts

    t = time.perf_counter()
    v = tts.voice()
    load_s = time.perf_counter() - t
    tts.say("Warm up.")
    rows, all_rtf = [], []
    for text in TEXTS:
        rtfs, secs, dur = [], [], 0.0
        for k in range(repeats):
            s = tts.say(text, seed=k)
            rtfs.append(s.rtf)
            secs.append(s.seconds)
            dur = s.duration
        all_rtf += rtfs
        rows.append({"audio_s": dur, "synth_s": statistics.median(secs), "rtf": statistics.median(rtfs)})
    print(json.dumps({"load_s": load_s, "rows": rows, "all_rtf": statistics.median(all_rtf),
                      "threads": v.session.get_session_options().intra_op_num_threads}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--n", type=int, default=100, help="generated clips per digit for the intelligibility figure")
    ap.add_argument("--processes", type=int, default=5)
    ap.add_argument("--tts-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.tts_child:
        return tts_child(args.repeats)
    runs = [json.loads(subprocess.run([sys.executable, __file__, "--tts-child", "--repeats", str(args.repeats)],
                                      capture_output=True, text=True, check=True).stdout.splitlines()[-1])
            for _ in range(args.processes)]
    print(f"## Text to speech ({machine()}, onnxruntime {runs[0]['threads']} threads)\n")
    load = statistics.median(r["load_s"] for r in runs)
    print(f"Voice load (phonemiser + ONNX session with seeded noise): {load:.2f} s\n")
    rows = []
    for i, text in enumerate(TEXTS):
        rtfs = [r["rows"][i]["rtf"] for r in runs]
        rows.append([f"{len(text)} chars", f"{runs[0]['rows'][i]['audio_s']:.2f}",
                     f"{statistics.median(r['rows'][i]['synth_s'] for r in runs):.3f}",
                     f"{statistics.median(rtfs):.4f}", f"{min(rtfs):.4f}–{max(rtfs):.4f}"])
    print(table(["text", "audio s", "median synth s", "median RTF", "range over processes"], rows))
    per_process = [r["all_rtf"] for r in runs]
    print(f"\nAll texts, median of {len(runs)} processes' medians: RTF {statistics.median(per_process):.4f} "
          f"(processes: {', '.join(f'{x:.4f}' for x in per_process)})")

    from genlib.audio import features, voice

    voice.say_digit(0, seed=0)
    gen = []
    for k in range(args.repeats * 2):
        start = time.perf_counter()
        voice.say_digit(k % 10, seed=k)
        gen.append(time.perf_counter() - start)
    clip = features.CLIP / features.SR
    print(f"\n## Spoken-digit generator + Griffin-Lim ({voice.GL_ITERS} iterations), 1 clip of {clip:.3f} s\n")
    print(table(["median s", "min s", "max s", "RTF"], [[f"{statistics.median(gen):.4f}", f"{min(gen):.4f}",
                                                         f"{max(gen):.4f}",
                                                         f"{statistics.median(gen) / clip:.3f}"]]))
    fig = voice.evaluate(n_per_digit=args.n)
    print("\n## Recognition (shipped classifier, trained on the training voices only)\n")
    print(table(["what", "clips", "accuracy"], [
        ["held-out voices (real eSpeak NG speech never heard in training)", fig["heldout_clips"],
         f"{fig['heldout_voice_accuracy']:.2%}"],
        ["generated digits (CVAE → Griffin-Lim → log-mel → classifier)", fig["generated_clips"],
         f"{fig['generated_accuracy']:.2%}"]]))
    print(f"\nthreads: torch {os.environ.get('OMP_NUM_THREADS', 'default')}")


if __name__ == "__main__":
    main()
