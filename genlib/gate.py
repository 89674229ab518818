"""One concurrency gate for both front ends (and the CLI): bounded parallel model calls, bounded waits, and an
explicit "busy, try again" instead of a stall.

A laptop serving a classroom has two cores. Left alone, 60 students pressing buttons pile work onto them until every
answer takes minutes. Every model-calling action of the UI layer (``genlib.features.*``, which both Gradio and Streamlit
call) therefore passes through one of a few named lanes:

- ``light``: the interactive calls (a grid of samples, a slider frame, a voice digit, a few names), at most two at
  a time — one per core;
- ``heavy``: the calls that take up to seconds (metric readouts, stylisation, speech, diffusion, streamed writing),
  also at most two at a time but in their own lane, so a queue of them never delays a slider;
- ``style-classic`` and ``training``: long jobs that wait in line however long it takes and are told their place.

A lane with a bounded wait (``max_wait``) admits a request only when its expected wait fits: it keeps a running mean
of each action's service time, adds up what runs and what waits ahead, and answers :class:`Busy` at once when the
sum exceeds the bound or the line is full; a request that was admitted but not served by its deadline is answered
:class:`Busy` then. A request is thus served, or told to try again within ``max_wait`` seconds — never left hanging.
"""

from __future__ import annotations

import functools
import inspect
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from genlib.errors import GenLabError


class Busy(GenLabError):
    """The server is at capacity; the request was not run. Trying again in a few seconds is the remedy."""


@dataclass(eq=False)  # tickets are compared by identity: two waiting requests of one kind are still two
class _Ticket:
    kind: str
    started: float = 0.0
    expected: float = 0.0


@dataclass
class Stats:
    admitted: int = 0
    rejected: int = 0
    timed_out: int = 0
    running: int = 0
    waiting: int = 0
    mean_seconds: dict[str, float] = field(default_factory=dict)


class Gate:
    """At most ``limit`` holders at a time, first come first served.

    ``max_wait`` (seconds) bounds how long a request may wait; ``None`` waits as long as it takes (long jobs, whose
    users are shown their place through ``on_wait``). ``max_waiting`` bounds the line itself.
    """

    def __init__(self, name: str = "gate", limit: int = 1, max_wait: float | None = None,
                 max_waiting: int | None = None, first_guess: float = 0.1):
        if limit < 1:
            raise ValueError("limit must be ≥ 1")
        self.name, self.limit, self.max_wait, self.max_waiting = name, limit, max_wait, max_waiting
        self.first_guess = first_guess
        self._cond = threading.Condition()
        self._running: list[_Ticket] = []
        self._waiting: list[_Ticket] = []
        self._mean: dict[str, float] = {}
        self._stats = Stats()

    # -------------------------------------------------------------- estimates
    def _expected(self, kind: str) -> float:
        return self._mean.get(kind, self.first_guess)

    def _expected_wait(self, kind_ahead: list[str], now: float) -> float:
        """Seconds until a newcomer would start: the work still running and queued ahead, spread over the slots."""
        left = sum(max(t.expected - (now - t.started), 0.0) for t in self._running)
        return (left + sum(self._expected(k) for k in kind_ahead)) / self.limit

    def _busy(self, ahead: int, why: str) -> Busy:
        self._stats.rejected += 1
        return Busy(f"GenLab is busy right now: {ahead} request{'s are' if ahead != 1 else ' is'} ahead of yours "
                    f"and {why}. Nothing was run; please try again in a few seconds.")

    # -------------------------------------------------------------- entering and leaving
    def enter(self, on_wait: Callable[[int], None] | None = None, poll: float = 0.5, kind: str = "call") -> _Ticket:
        """Block until admitted (``on_wait(position)`` is called while waiting) and return the ticket for
        :meth:`leave`; raise :class:`Busy` when the lane is bounded and the wait would exceed its bound."""
        ticket = _Ticket(kind)
        with self._cond:
            now = time.monotonic()
            if self._waiting or len(self._running) >= self.limit:
                ahead = len(self._running) + len(self._waiting)
                if self.max_waiting is not None and len(self._waiting) >= self.max_waiting:
                    raise self._busy(ahead, "the line is full")
                if self.max_wait is not None and \
                        self._expected_wait([t.kind for t in self._waiting], now) > self.max_wait:
                    raise self._busy(ahead, f"the wait would exceed {self.max_wait:g} s")
            deadline = None if self.max_wait is None else now + self.max_wait
            self._waiting.append(ticket)
            try:
                while len(self._running) >= self.limit or self._waiting[0] is not ticket:
                    if on_wait:
                        on_wait(self._waiting.index(ticket) + 1)
                    timeout = poll if deadline is None else min(poll, deadline - time.monotonic())
                    if timeout <= 0:
                        self._stats.timed_out += 1
                        raise self._busy(self._waiting.index(ticket) + len(self._running),
                                         f"they were not done within {self.max_wait:g} s")
                    self._cond.wait(timeout)
            except BaseException:
                self._waiting.remove(ticket)
                self._cond.notify_all()
                raise
            self._waiting.pop(0)
            ticket.started, ticket.expected = time.monotonic(), self._expected(kind)
            self._running.append(ticket)
            self._stats.admitted += 1
            self._cond.notify_all()
        return ticket

    def leave(self, ticket: _Ticket) -> None:
        with self._cond:
            self._running.remove(ticket)
            took = time.monotonic() - ticket.started
            old = self._mean.get(ticket.kind)
            self._mean[ticket.kind] = took if old is None else 0.8 * old + 0.2 * took
            self._cond.notify_all()

    @contextmanager
    def admit(self, kind: str = "call", on_wait: Callable[[int], None] | None = None) -> Iterator[None]:
        if getattr(_outside, "active", False):  # server-side work that is nobody's request (see ungated)
            yield
            return
        ticket = self.enter(on_wait, kind=kind)
        try:
            yield
        finally:
            self.leave(ticket)

    # -------------------------------------------------------------- readouts
    @property
    def busy(self) -> int:
        """Requests running plus waiting."""
        with self._cond:
            return len(self._running) + len(self._waiting)

    def stats(self) -> Stats:
        with self._cond:
            return Stats(self._stats.admitted, self._stats.rejected, self._stats.timed_out, len(self._running),
                         len(self._waiting), dict(self._mean))


# One gate per lane, shared by every session of the process (a classroom server is one process).
LIGHT = Gate("light", limit=2, max_wait=0.75, max_waiting=8, first_guess=0.05)
HEAVY = Gate("heavy", limit=1, max_wait=0.75, max_waiting=2, first_guess=0.5)
STYLE_CLASSIC = Gate("style-classic", limit=1)
TRAINING = Gate("training", limit=1)


_outside = threading.local()


@contextmanager
def ungated() -> Iterator[None]:
    """Run UI actions in this thread without taking a place in any lane: for the server's own one-off work (the
    opening views computed as it starts), which must never make a student's request look "busy"."""
    before = getattr(_outside, "active", False)
    _outside.active = True
    try:
        yield
    finally:
        _outside.active = before


def gated(lane: Gate) -> Callable:
    """Run the decorated UI action inside ``lane``; a generator holds its slot until it is exhausted or closed."""
    def wrap(fn):
        kind = f"{fn.__module__}.{fn.__qualname__}"
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def stream(*args, **kwargs):
                with lane.admit(kind):
                    yield from fn(*args, **kwargs)
            return stream

        @functools.wraps(fn)
        def call(*args, **kwargs):
            with lane.admit(kind):
                return fn(*args, **kwargs)
        return call
    return wrap
