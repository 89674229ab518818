"""Latent Lab latency: server time of one slider step (the handler: interpolate, decode, upscale), the browser round
trip of a slider step in Debian's Chromium through the Gradio app and through the Streamlit app (`streamlit run`,
the frames pre-decoded and swapped in the browser), StyleGAN's style-mixing grid, and the time to make a 60-frame GIF.

    python bench/lab_latency.py [--steps 200] [--browser-steps 40] [--only-browsers]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, table  # noqa: E402

from genlib import latent  # noqa: E402
from genlib.features import lab  # noqa: E402


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * (len(values) - 1) + 0.5))]


def server_steps(steps):
    rows = []
    for model_id, label in (("cdcgan", 3), ("dcgan", None), ("stylegan", None), ("cvae", 3), ("vae", None),
                            ("gan", None)):
        a = lab.seed_point("mnist", model_id, 1, label)
        b = lab.seed_point("mnist", model_id, 2, label)
        lab.frame("mnist", model_id, a, b, 0.5, "slerp")  # warm-up
        times = []
        for i in range(steps):
            t0 = time.perf_counter()
            lab.frame("mnist", model_id, a, b, (i % 101) / 100, "slerp")
            times.append((time.perf_counter() - t0) * 1000)
        rows.append([model_id, steps, f"{statistics.median(times):.2f}", f"{pct(times, 0.95):.2f}"])
    return rows


def mix_times(repeats):
    """StyleGAN's style-mixing grid (3 A × 2 B sources, the Lab's default), redrawn as the crossover moves."""
    lab.style_mix("mnist", "stylegan", "1,2,3", "4,5", 2, 1.0, 0)
    out = []
    for i in range(repeats):
        t0 = time.perf_counter()
        lab.style_mix("mnist", "stylegan", "1,2,3", "4,5", i % 7, 1.0, 0)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def gif_times(repeats):
    points = [latent.point_from_seed("dcgan", "mnist", s) for s in (1, 2, 3)]
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        frames = latent.walk("dcgan", "mnist", points, 60, loop=True)
        latent.export_gif(frames, fps=20, size=112)
        out.append(time.perf_counter() - t0)
    return out


def browser_steps(steps):
    import socket

    from playwright.sync_api import sync_playwright

    from genlib.frontends.gradio.app import build_demo

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo = build_demo()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    from genlib.features import opening

    opening.warm().join()  # the opening views the server computes as it starts: measured idle, like a classroom
    times = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
            page.get_by_role("tab", name="Latent Lab").click(timeout=30_000)
            page.locator("#lab-show").click()
            page.locator("#lab-image img").wait_for(timeout=30_000)
            track = page.locator("#lab-t input[type=range]")
            for i in range(steps + 3):
                old = page.locator("#lab-image img").get_attribute("src")
                value = f"{0.05 + (i % 18) * 0.05:.2f}"
                t0 = time.perf_counter()
                track.fill(value)
                page.wait_for_function("([s, o]) => { const i = document.querySelector(s); "
                                       "return i && i.src !== o && i.complete; }", arg=["#lab-image img", old],
                                       timeout=10_000)
                if i >= 3:  # the first steps warm up the page
                    times.append((time.perf_counter() - t0) * 1000)
            browser.close()
    finally:
        demo.close()
    return times


def wait_idle(pid: int, quiet_s: float = 2.0, timeout: float = 180.0) -> None:
    """Wait until process ``pid`` uses under 5 % of a core for ``quiet_s`` (its opening views are computed)."""
    from common import cpu_seconds

    end = time.time() + timeout
    while time.time() < end:
        before = cpu_seconds(pid)
        time.sleep(quiet_s)
        if cpu_seconds(pid) - before < 0.05 * quiet_s:
            return


def streamlit_steps(steps):
    """Slider step → new frame loaded, in Chromium through a real `streamlit run` server: the slider is focused and
    moved one step (0.01) with the arrow keys, as a student would, and the clock stops when the frame's new image has
    loaded."""
    import os
    import socket
    import subprocess
    import urllib.request

    from playwright.sync_api import sync_playwright

    root = Path(__file__).resolve().parent.parent
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(root / "streamlit_app.py"),
                               "--server.port", str(port), "--server.headless", "true"], cwd=root,
                              env={**os.environ, "PYTHONPATH": str(root)}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    times = []
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "_stcore/health", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url + "lab", wait_until="load")
            frame = page.locator("img.genlab-frame")  # inside the scrubber component (a shadow root)
            frame.wait_for(timeout=60_000)
            wait_idle(server.pid)  # the server's opening views are computed in the background as it starts
            page.locator("input.genlab-t").focus()
            img = frame.element_handle()
            for i in range(steps + 3):
                old = img.get_attribute("src")
                t0 = time.perf_counter()
                page.keyboard.press("ArrowRight" if (i // 20) % 2 == 0 else "ArrowLeft")
                page.wait_for_function("([i, o]) => i.src !== o && i.complete && i.naturalWidth > 0",
                                       arg=[img, old], timeout=10_000)
                if i >= 3:
                    times.append((time.perf_counter() - t0) * 1000)
            browser.close()
    finally:
        server.terminate()
        server.wait(20)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--browser-steps", type=int, default=40)
    ap.add_argument("--only-browsers", action="store_true")
    args = ap.parse_args()
    print(f"Machine: {machine()}\n")
    if not args.only_browsers:
        print("Server time of one slider step (ms):\n")
        print(table(["model (mnist)", "steps", "median ms", "p95 ms"], server_steps(args.steps)))
        mixes = mix_times(50)
        print(f"\nStyle-mixing grid (StyleGAN, 3 × 2 sources + 6 cells, upscaled): median "
              f"{statistics.median(mixes):.1f} ms, p95 {pct(mixes, 0.95):.1f} ms over 50")
        gifs = gif_times(10)
        print(f"\n60-frame GIF (walk through 3 seeds + encode, 112 px): median {statistics.median(gifs):.3f} s, "
              f"max {max(gifs):.3f} s over 10")
    rt = browser_steps(args.browser_steps)
    print(f"\nBrowser round trip of a slider step (Chromium → Gradio → new image loaded), {len(rt)} steps: "
          f"median {statistics.median(rt):.0f} ms, p95 {pct(rt, 0.95):.0f} ms")
    st_rt = streamlit_steps(args.browser_steps)
    print(f"Browser round trip of a slider step (Chromium → Streamlit frame scrubber → new image loaded), {len(st_rt)} "
          f"steps: median {statistics.median(st_rt):.0f} ms, p95 {pct(st_rt, 0.95):.0f} ms")


if __name__ == "__main__":
    main()
