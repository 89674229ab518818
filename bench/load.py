"""A classroom on one laptop: N students (gradio_client sessions) use the Gradio app at once, then 3× as many.

    python bench/load.py [--students 60] [--minutes 10] [--overload 3] [--overload-seconds 60]
                         [--recovery-seconds 90] [--processes 4] [--mix ...] [--json FILE]

The app is started as its own process (`python app.py`, shipped checkpoints) and warmed with one call of each
action. Each student is a separate gradio_client ``Client`` (its own session; all of them, the overload's too, join before
the clock starts with one untimed call — what a browser's page load does through the app's load events, and what
makes Gradio build the session's state) that thinks for a random 4–16 s (mean 10 s), then does
one of the real actions:

- ``slider``   (55 %): moves the Latent Lab's interpolation slider (``/lab_frame``; the first time, ``/lab_show``
  opens two seeded endpoints) — light;
- ``samples``  (30 %): a 16-image grid of one class from the conditional GAN or VAE (``/generate``) — light;
- ``stylize``  (10 %): a built-in style on a preset picture at the default 512 px (``/stylize``) — heavy;
- ``metrics``   (5 %): the Compare readout of two models at the default N = 500 (``/compare``) — heavy.

Phases: normal load for ``--minutes``; then ``--overload`` × as many students for ``--overload-seconds``; then the
extra students leave and the original ones carry on for ``--recovery-seconds``. Every answer is classed ``ok``,
``busy`` (GenLab's "busy, try again", or Gradio's own "queue is full") or ``error`` (anything else). Recovery is the
time from the end of the overload to the first 10-s window after which every window has light p95 ≤ 1 s, no light
request answered busy and no error (heavy requests may be answered busy under normal load too: that is the gate
doing its job). Server memory is its RSS (/proc). The students are split over ``--processes`` load-generator processes (one
Python process would serialise 180 clients on its own GIL and report its own delays as the server's) that run at
lower CPU priority (nice 10) than the server, since in a classroom the students' browsers run on their own machines;
they still share this machine's two cores, and the CPU they use is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import cpu_seconds, machine, table  # noqa: E402

MIX = (("slider", 0.55), ("samples", 0.30), ("stylize", 0.10), ("metrics", 0.05))
# --mix streams: what crashed streamed text (issue 17): streamed diffusion and text, speech, digits, grids and frames
MIXES = {"classroom": MIX, "streams": (("diffusion", 0.2), ("text", 0.2), ("tts", 0.15), ("digit", 0.15),
                                       ("samples", 0.15), ("slider", 0.15))}
LIGHT = ("slider", "samples", "digit")
BARE_ERRORS = ("", "Error")  # gradio_client's message for a handler that failed without a sentence
UPSTREAM = "has raised an exception"  # … and its wording when the app hides the error
LAB_MODELS = ("dcgan", "vae", "cdcgan", "cvae")
COND_MODELS = ("cdcgan", "cvae")
COMPARE_MODELS = ("gan", "dcgan", "vae", "cvae", "cdcgan")
EXTRA_SEED = 10_000  # students with seeds from here on join for the overload only
BUSY_MARKERS = ("GenLab is busy", "queue is full", "Queue is full")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
    return kb / 1024


class Recorder:
    def __init__(self):
        self.rows: list[tuple[float, str, float, str, str]] = []  # (t_end, action, seconds, outcome, message)
        self.lock = threading.Lock()

    def add(self, *row):
        with self.lock:
            self.rows.append(row)


class Student:
    def __init__(self, url: str, seed: int, rec: Recorder, t0: float, join: bool = True):
        from gradio_client import Client

        self.seed, self.rng = seed, random.Random(seed)
        self.rec, self.t0 = rec, t0
        # The answer's files are fetched the way a browser fetches them (one GET each on a kept-alive connection)
        # rather than by gradio_client's downloader, which costs the load generator more CPU than the server.
        self.client = Client(url, verbose=False, download_files=False, analytics_enabled=False, max_workers=2)
        self.http = httpx.Client(timeout=120)
        self.dataset = self.rng.choice(("mnist", "fashion"))
        self.lab_model = self.rng.choice(LAB_MODELS)
        self.lab_open = False
        if join:  # a browser's page load fires the app's load events, which open the session; this call does
            self.act("slider")  # (opens the Latent Lab's endpoints), before any timing

    def act(self, action: str) -> None:
        self._fetch(self._call(action))

    def _fetch(self, answer) -> None:
        """GET every file an answer points to (images, galleries, downloads), as the page would."""
        if isinstance(answer, dict):
            if isinstance(answer.get("url"), str):
                self.http.get(answer["url"]).raise_for_status()
            for v in answer.values():
                if isinstance(v, (dict, list, tuple)):
                    self._fetch(v)
        elif isinstance(answer, (list, tuple)):
            for v in answer:
                self._fetch(v)

    def _call(self, action: str):
        r, d = self.rng, self.dataset
        if action == "slider":
            if not self.lab_open:
                self.lab_open = True
                return self.client.predict(d, self.lab_model, r.randrange(1000), 0, r.randrange(1000), 1, 0.5,
                                           "slerp", api_name="/lab_show")
            return self.client.predict(d, self.lab_model, round(r.random(), 2), "slerp", api_name="/lab_frame")
        elif action == "samples":
            return self.client.predict(d, r.choice(COND_MODELS), r.randrange(10), r.randrange(10_000), 16,
                                       api_name="/generate")
        elif action == "stylize":
            return self.client.predict(r.choice(("astronaut", "chelsea", "coffee", "rocket")), None,
                                       f"b:{r.randrange(26)}", None, "none", 0.5, 1.0, 512, api_name="/stylize")
        elif action == "metrics":
            return self.client.predict(d, r.sample(COMPARE_MODELS, 2), -1, r.randrange(1000), 500,
                                       api_name="/compare")
        elif action == "diffusion":  # streamed: every frame is received, the last one returned
            return self.client.predict(dataset=d, model="ddpm", klass=r.randrange(-1, 10), seed=r.randrange(10_000),
                                       n=16, every=2, api_name="/diffusion_sample")
        elif action == "text":  # streamed writing (builds a key/value cache: what failed in issue 17)
            return self.client.predict(model=r.choice(("gpt-fortunes", "lstm-fortunes", "gpt-names")),
                                       prompt=r.choice(("The secret of ", "A ", "Love is ", "")),
                                       length=r.choice((80, 200)), seed=r.randrange(10_000), api_name="/text_write")
        elif action == "tts":
            return self.client.predict(text=r.choice(("Hello class.", "Seeds make speech repeatable.",
                                                      "A neural network is reading this sentence aloud.")),
                                       seed=r.randrange(10_000), api_name="/say")
        elif action == "digit":
            return self.client.predict(digit=r.randrange(10), seed=r.randrange(10_000), api_name="/voice_digit")
        elif action == "bad":  # a student who sends what the API refuses: every answer must be a sentence
            bad = r.randrange(6)
            if bad == 0:
                return self.client.predict(d, "cdcgan", 12, api_name="/generate")
            if bad == 1:
                return self.client.predict(text="", api_name="/say")
            if bad == 2:
                return self.client.predict(d, self.lab_model, 5.0, "slerp", api_name="/lab_frame")
            if bad == 3:
                return self.client.predict(model="gpt-fortunes", prompt="x", length=99_999, api_name="/text_write")
            if bad == 4:
                return self.client.predict(dataset=d, model="ddpm", steps=0, api_name="/diffusion_sample")
            return self.client.predict(d, "vae", -1, 0, 10_000, api_name="/generate")
        raise ValueError(action)

    def timed(self, action: str) -> None:
        start = time.monotonic()
        try:
            self.act(action)
            outcome, message = ("error", "a bad value was accepted") if action == "bad" else ("ok", "")
        except Exception as e:  # noqa: BLE001 — every failure is recorded and classed
            message = str(e)[:300]
            outcome = "busy" if any(m in message for m in BUSY_MARKERS) else "error"
            if action == "bad" and outcome == "error" and message.strip() not in BARE_ERRORS and UPSTREAM not in message:
                outcome = "refused"  # the right answer to a bad value: GenLab's sentence
        end = time.monotonic()
        self.rec.add(time.time() - self.t0, action, end - start, outcome, message)

    def run(self, start: float, stop: float) -> None:
        """Act from wall-clock time ``start`` (after a first think) until ``stop``."""
        names, weights = zip(*MIX)
        time.sleep(max(0.0, start - time.time()))
        while True:
            think = self.rng.uniform(4, 16)
            if time.time() + think > stop:
                return
            time.sleep(think)
            self.timed(self.rng.choices(names, weights)[0])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def summarise(rows, start: float, end: float) -> list[list]:
    out = []
    for action, _ in (*MIX, ("bad", 0)):
        got = [r for r in rows if start <= r[0] < end and r[1] == action]
        ok = [r[2] for r in got if r[3] == "ok"]
        busy = [r[2] for r in got if r[3] == "busy"]
        errors = [r for r in got if r[3] == "error"]
        if not got:
            continue
        refused = sum(r[3] == "refused" for r in got)
        out.append([action + (f" ({refused} refused with a sentence)" if refused else ""), len(got), len(ok),
                    len(busy), len(errors),
                    f"{percentile(ok, 50):.3f}", f"{percentile(ok, 95):.3f}", f"{max(ok, default=float('nan')):.3f}",
                    f"{percentile(busy, 95):.3f}" if busy else "—", f"{max(busy):.3f}" if busy else "—"])
    return out


HEADERS = ["action", "requests", "ok", "busy", "errors", "p50 s", "p95 s", "max s", "busy answer p95 s",
           "busy answer max s"]


def worker(args) -> None:
    """One load-generator process: its share of the students, each in its own thread."""
    os.nice(10)  # the server keeps normal priority
    rec = Recorder()
    students = [Student(args.url, seed, rec, 0.0) for seed in map(int, args.seeds.split(","))]
    print("ready", flush=True)
    t0, normal_end, overload_end, end = map(float, sys.stdin.readline().split())
    for s in students:
        s.t0 = t0
    threads = []
    for s in students:
        extra = s.seed >= EXTRA_SEED
        first = (normal_end - 10 if extra else t0) + s.rng.uniform(0, 10)  # arrivals spread over 10 s
        threads.append(threading.Thread(target=s.run, args=(first, overload_end if extra else end), daemon=True))
    for t in threads:
        t.start()
    time.sleep(max(0.0, t0 - time.time()))
    cpu_start = sum(os.times()[:2])
    time.sleep(max(0.0, normal_end - time.time()))
    cpu_normal = sum(os.times()[:2]) - cpu_start
    for t in threads:
        t.join()
    json.dump({"rows": rec.rows, "cpu_at_normal_end": cpu_normal}, sys.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=60)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--overload", type=float, default=3)
    ap.add_argument("--overload-seconds", type=float, default=60)
    ap.add_argument("--recovery-seconds", type=float, default=90)
    ap.add_argument("--processes", type=int, default=8, help="load-generator processes (students split evenly)")
    ap.add_argument("--mix", help="a named mix (classroom: the default; streams: streamed diffusion and text, speech, "
                    "digits, grids, frames) or weights, e.g. slider=0.55,samples=0.3,stylize=0.1,metrics=0.05")
    ap.add_argument("--bad-client", action="store_true", help="one more student who sends bad values every 3 s")
    ap.add_argument("--json")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--url", help=argparse.SUPPRESS)
    ap.add_argument("--seeds", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.mix:
        global MIX
        MIX = MIXES[args.mix] if args.mix in MIXES else tuple(
            (k, float(v)) for k, v in (kv.split("=") for kv in args.mix.split(",")))
    if args.worker:
        return worker(args)

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, GRADIO_SERVER_PORT=str(port))
    server = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=open("/tmp/genlab-load-server.log", "w"))
    workers = []
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(url, timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        warm = Student(url, 0, Recorder(), time.time())
        for action, _ in MIX:  # load every model once, so the run measures serving, not first loads
            warm.act(action)
            warm.act(action)
        memory = {"after warm-up": rss_mib(server.pid)}
        # Everyone joins first (a session each); the timed phases measure actions, not page loads.
        n_extra = int(args.students * (args.overload - 1))
        seeds = [i + 1 for i in range(args.students)] + [EXTRA_SEED + i for i in range(n_extra)]
        for k in range(args.processes):
            mine = seeds[k::args.processes]
            cmd = [sys.executable, __file__, "--worker", "--url", url, "--seeds", ",".join(map(str, mine))]
            if args.mix:
                cmd += ["--mix", args.mix]
            workers.append(subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
        for w in workers:
            if w.stdout.readline().strip() != "ready":
                raise SystemExit("a load-generator process failed to start")
        memory["all students joined"] = rss_mib(server.pid)
        t0 = time.time() + 1
        normal_end = t0 + args.minutes * 60
        overload_end = normal_end + args.overload_seconds
        end = overload_end + args.recovery_seconds
        for w in workers:
            w.stdin.write(f"{t0} {normal_end} {overload_end} {end}\n")
            w.stdin.flush()
        print(f"normal load: {args.students} students for {args.minutes:g} min, then {len(seeds)} for "
              f"{args.overload_seconds:g} s, then {args.students} for {args.recovery_seconds:g} s", flush=True)
        bad_rec = Recorder()
        if args.bad_client:
            def heckle(student=Student(url, 99_999, bad_rec, t0)):
                while time.time() < normal_end - 3:
                    time.sleep(3)
                    student.timed("bad")
            threading.Thread(target=heckle, daemon=True).start()
        time.sleep(max(0.0, t0 - time.time()))
        cpu0 = cpu_seconds(server.pid)
        time.sleep(max(0.0, normal_end - time.time()))
        memory["end of normal load"] = rss_mib(server.pid)
        cpu_server = (cpu_seconds(server.pid) - cpu0) / (normal_end - t0)
        cpu1 = cpu_seconds(server.pid)
        time.sleep(max(0.0, overload_end - time.time()))
        memory["end of overload"] = rss_mib(server.pid)
        cpu_overload = (cpu_seconds(server.pid) - cpu1) / max(args.overload_seconds, 1e-9)
        results = [json.loads(w.communicate(timeout=end - time.time() + 300)[0]) for w in workers]
        memory["end"] = rss_mib(server.pid)
        alive = server.poll() is None
    finally:
        for w in workers:
            w.kill()
        server.terminate()
        server.wait(30)

    rows = [tuple(r) for res in results for r in res["rows"]] + bad_rec.rows
    cpu = {"server": round(cpu_server, 2), "server during overload": round(cpu_overload, 2),
           "load generator": round(sum(r["cpu_at_normal_end"] for r in results) / (normal_end - t0), 2)}
    normal_start = 15.0  # everyone is acting
    phases = {"normal": (normal_start, normal_end - t0), "overload": (normal_end - t0, overload_end - t0),
              "recovery": (overload_end - t0, end - t0)}
    # recovery: 10-s windows after the overload
    windows = []
    w = phases["recovery"][0]
    while w < phases["recovery"][1]:
        got = [r for r in rows if w <= r[0] < w + 10]
        light = [r[2] for r in got if r[1] in LIGHT and r[3] == "ok"]
        windows.append((w, percentile(light, 95) if light else 0.0,
                        sum(r[3] != "ok" and (r[1] in LIGHT or r[3] == "error") for r in got)))
        w += 10
    recovered = None
    for k in range(len(windows)):
        if all(p95 <= 1.0 and bad == 0 for _, p95, bad in windows[k:]):  # light p95 ≤ 1 s, no light busy/error
            recovered = windows[k][0] - phases["recovery"][0]
            break
    report = {"command": "python bench/load.py " + " ".join(sys.argv[1:]), "machine": machine(),
              "cpu_cores_busy_normal_load": cpu,
              "students": args.students, "overload_students": len(seeds), "processes": args.processes,
              "server_alive": alive, "memory_mib": {k: round(v, 1) for k, v in memory.items()},
              "phases": {name: summarise(rows, a, b) for name, (a, b) in phases.items()},
              "recovery_windows": [[round(a, 1), round(p, 3), bad] for a, p, bad in windows],
              "recovered_after_s": recovered,
              "error_messages": sorted({r[4] for r in rows if r[3] == "error"})[:20]}
    print(f"\n{report['command']}\n{report['machine']}\n")
    for name, (a, b) in phases.items():
        print(f"### {name} ({b - a:.0f} s)\n\n{table(HEADERS, report['phases'][name])}\n")
    light_ok = [r[2] for r in rows if phases["normal"][0] <= r[0] < phases["normal"][1] and r[1] in LIGHT
                and r[3] == "ok"]
    print(f"normal load, light actions: p95 {percentile(light_ok, 95):.3f} s over {len(light_ok)} answers")
    print(f"server alive: {alive}; memory MiB: {report['memory_mib']}")
    print(f"CPU cores busy during normal load (of {os.cpu_count()}): {cpu}")
    print(f"recovery windows (start s after overload, light p95 s, non-ok answers): {report['recovery_windows']}")
    if args.recovery_seconds > 0:
        print(f"back to normal {recovered} s after the overload ended" if recovered is not None
              else "NOT back to normal within the recovery period")
    normal = [r for r in rows if phases["normal"][0] <= r[0] < phases["normal"][1]]
    print(f"normal load: {len(normal)} answers, {sum(r[3] == 'error' for r in normal)} errors, busy share "
          f"{sum(r[3] == 'busy' for r in normal) / max(1, len(normal)):.1%}")
    if report["error_messages"]:
        print("errors:", *report["error_messages"], sep="\n  ")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
