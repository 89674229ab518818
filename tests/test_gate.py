"""Issue 9, many users: one concurrency gate (genlib.gate) bounds parallel model calls and the wait, and answers
"busy, try again" instead of stalling — in both front ends."""

import threading
import time

import pytest

from conftest import ROOT
from genlib import gate as g
from genlib.gate import Busy, Gate, gated


def test_parallel_calls_never_exceed_the_limit_and_run_in_arrival_order():
    lane = Gate("t", limit=2, max_wait=None)
    now, peak, order, lock = [0], [0], [], threading.Lock()

    @gated(lane)
    def work(i):
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.02)
        with lock:
            now[0] -= 1
            order.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
        time.sleep(0.002)
    for t in threads:
        t.join(10)
    assert peak[0] == 2 and sorted(order) == list(range(20))
    assert lane.stats().admitted == 20 and lane.busy == 0


def test_places_in_line_count_every_waiting_request():
    """Requests of the same kind are distinct places in line (1, 2, 3), and each leaves the line as itself."""
    lane = Gate("t", limit=1, max_wait=None)
    holder = lane.enter(kind="same")
    seen = {i: [] for i in range(3)}
    threads = []
    for i in range(3):
        threads.append(threading.Thread(target=lambda i=i: lane.leave(lane.enter(seen[i].append, 0.02, "same"))))
        threads[-1].start()
        time.sleep(0.1)
    assert [seen[i][-1] for i in range(3)] == [1, 2, 3]
    lane.leave(holder)
    for t in threads:
        t.join(5)
    assert lane.busy == 0 and lane.stats().admitted == 4


def test_a_full_line_is_answered_busy_at_once():
    lane = Gate("t", limit=1, max_wait=None, max_waiting=2)
    first = lane.enter()
    waiters = [threading.Thread(target=lambda: lane.leave(lane.enter())) for _ in range(2)]
    for t in waiters:
        t.start()
    deadline = time.monotonic() + 5
    while lane.busy < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    start = time.monotonic()
    with pytest.raises(Busy, match="busy.*line is full.*try again"):
        lane.enter()
    assert time.monotonic() - start < 0.1
    lane.leave(first)
    for t in waiters:
        t.join(5)
    assert lane.busy == 0 and lane.stats().rejected == 1 and lane.stats().admitted == 3


def test_an_expected_wait_over_the_bound_is_answered_busy_at_once():
    """The gate learns how long each action takes; a newcomer whose wait would exceed max_wait is turned away
    immediately, while one that fits waits and is served."""
    lane = Gate("t", limit=1, max_wait=0.5)
    for _ in range(3):  # teach it: "slow" takes ~0.3 s
        with lane.admit("slow"):
            time.sleep(0.3)
    assert lane.stats().mean_seconds["slow"] == pytest.approx(0.3, abs=0.1)
    running = lane.enter(kind="slow")
    queued = threading.Thread(target=lambda: lane.leave(lane.enter(kind="slow")))
    queued.start()  # ~0.3 s left + 0.3 s queued = 0.6 s > 0.5 s for the next one
    time.sleep(0.05)
    start = time.monotonic()
    with pytest.raises(Busy, match="the wait would exceed 0.5 s"):
        lane.enter(kind="slow")
    assert time.monotonic() - start < 0.05
    lane.leave(running)
    queued.join(5)
    assert lane.busy == 0


def test_an_admitted_request_not_served_in_time_is_answered_busy_by_its_deadline():
    lane = Gate("t", limit=1, max_wait=0.3, first_guess=0.01)  # it believes calls are quick: admits a waiter
    holder = lane.enter()
    start = time.monotonic()
    with pytest.raises(Busy, match="not done within 0.3 s"):
        lane.enter()
    assert 0.25 < time.monotonic() - start < 0.6
    assert lane.busy == 1 and lane.stats().timed_out == 1  # the line was cleaned up
    lane.leave(holder)
    with lane.admit():  # and the gate works afterwards
        pass


def test_a_stream_holds_its_slot_until_it_ends_or_is_closed():
    lane = Gate("t", limit=1, max_wait=0.0)

    @gated(lane)
    def count(n):
        yield from range(n)

    stream = count(3)
    assert next(stream) == 0 and lane.busy == 1
    with pytest.raises(Busy):
        next(count(1))
    assert list(stream) == [1, 2] and lane.busy == 0
    half = count(5)
    next(half)
    half.close()
    assert lane.busy == 0


def test_ui_actions_pass_through_the_shared_lanes():
    """What both front ends call is gated: light actions in LIGHT, slow ones in HEAVY."""
    from genlib.features import compare, generate, lab, style, text, voice

    before = g.LIGHT.stats().admitted
    generate.run_generate("mnist", "dcgan", None, {"n": 4, "seed": 1})
    assert g.LIGHT.stats().admitted == before + 1
    before = g.HEAVY.stats().admitted
    generate.run_generate("mnist", "ddpm", None, {"n": 1, "seed": 1, "steps": 2})
    assert g.HEAVY.stats().admitted == before + 1
    for lane, fns in ((g.LIGHT, (lab.frame, lab.seed_point, voice.digit, text.names)),
                      (g.HEAVY, (compare.run_compare, style.run_fast, text.write, voice.speak))):
        for fn in fns:  # the decorator's closure holds the lane
            cells = [c.cell_contents for c in fn.__closure__ or ()]
            assert lane in cells, fn.__name__


@pytest.fixture
def light_lane_full(monkeypatch):
    """Both LIGHT slots taken and no room in line: the state of a saturated classroom server."""
    tickets = [g.LIGHT.enter(kind="test:hold") for _ in range(g.LIGHT.limit)]
    monkeypatch.setattr(g.LIGHT, "max_waiting", 0)
    yield
    for t in tickets:
        g.LIGHT.leave(t)


def test_gradio_answers_busy_then_serves_again(server, monkeypatch):
    from gradio_client import Client

    client = Client(server, verbose=False)
    args = ("mnist", "dcgan", -1, 3, 4, 1.0)  # the first six: the rest keep their defaults
    tickets = [g.LIGHT.enter(kind="test:hold") for _ in range(g.LIGHT.limit)]
    monkeypatch.setattr(g.LIGHT, "max_waiting", 0)
    try:
        start = time.monotonic()
        with pytest.raises(Exception, match="GenLab is busy right now.*try again"):
            client.predict(*args, api_name="/generate")
        assert time.monotonic() - start < 2
    finally:
        for t in tickets:
            g.LIGHT.leave(t)
    _, caption = client.predict(*args, api_name="/generate")
    assert "seed 3" in caption


def test_streamlit_answers_busy(light_lane_full):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "pages" / "generate.py"), default_timeout=60).run()
    at.button(key="gen_button").click().run()
    assert not at.exception
    assert any("GenLab is busy right now" in e.value for e in at.error)


def test_gradio_queue_is_bounded_and_handed_to_the_gates():
    from genlib.frontends.gradio.app import QUEUE_MAX, build_demo

    demo = build_demo()
    assert demo._queue.max_size == QUEUE_MAX
    limits = {d.api_name: d.concurrency_limit for d in demo.fns.values()}
    assert demo._queue.default_concurrency_limit is None  # no per-event FIFO ahead of the gates
    assert limits["generate"] == limits["lab_frame"] == limits["stylize"] == "default"
    assert limits["stylize_classic"] == 1  # long jobs wait in Gradio's line, where users see their place
    demo.close()
