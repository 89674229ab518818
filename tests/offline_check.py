"""Run inside a network namespace with only loopback (`unshare -n`, see tests/test_classroom.py): start both front
ends as users start them, drive them in Chromium, and print a JSON report — what rendered, what worked, and every
request the pages made to anything but the local server (there must be none: no CDN fonts or scripts)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url: str, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not come up")


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    gport, sport = free_port(), free_port()
    gradio = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**env, "GRADIO_SERVER_PORT": str(gport)})
    streamlit = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.port",
                                  str(sport), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                                 cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    report = {"external_requests": [], "network_interfaces": sorted(name for _, name in socket.if_nameindex())}
    try:
        wait(f"http://127.0.0.1:{gport}/")
        wait(f"http://127.0.0.1:{sport}/_stcore/health")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page()
            page.on("request", lambda r: report["external_requests"].append(r.url)
                    if not r.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")) else None)
            page.goto(f"http://127.0.0.1:{gport}/", wait_until="load")
            page.locator("#gen-button").click()
            expect(page.locator("#gen-image img")).to_be_visible(timeout=60_000)
            report["gradio_generated"] = True
            page.get_by_role("tab", name="Text").click()
            expect(page.locator("#tx-button")).to_be_visible(timeout=30_000)
            report["gradio_tabs"] = page.get_by_role("tab").all_inner_texts()
            page.goto(f"http://127.0.0.1:{sport}/", wait_until="load")
            expect(page.get_by_role("heading", name="Generate")).to_be_visible(timeout=60_000)
            page.get_by_role("button", name="Generate").first.click()
            expect(page.locator("[data-testid='stImage'] img").first).to_be_visible(timeout=60_000)
            report["streamlit_generated"] = True
            fonts = page.evaluate("() => [...document.fonts].filter(f => f.status === 'error').map(f => f.family)")
            report["streamlit_failed_fonts"] = fonts
            browser.close()
    finally:
        for proc in (gradio, streamlit):
            proc.terminate()
            proc.wait(timeout=20)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
