"""Each tab's opening view, computed once per process and then shared: what the default controls produce.

Every visitor sees a real result the moment a tab opens (the same one a press of its button with the default settings
gives), at the cost of one computation per server, not one per visitor. Views are immutable once made (images are
only read), so sharing them reveals nothing about anyone: they depend on the defaults alone. :func:`warm` computes
them all in a background thread when a server starts, so the first visitor rarely waits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

_done: dict[str, Any] = {}
_locks: dict[str, threading.RLock] = {}
_guard = threading.Lock()
log = logging.getLogger("genlab")


def once(key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``'s value, computed the first time ``key`` is asked for (callers of the same key wait for it); an
    exception is raised to the caller and nothing is kept, so a later call tries again."""
    if key in _done:
        return _done[key]
    with _guard:
        lock = _locks.setdefault(key, threading.RLock())
    with lock:
        if key not in _done:
            _done[key] = compute()
        return _done[key]


def warm(views: dict[str, Callable[[], Any]]) -> threading.Thread:
    """Call every view function (each keeps its own result through :func:`once`) in a background thread; failures
    are logged, and retried on first use."""
    from genlib.gate import ungated

    def run():
        for key, view in views.items():
            try:
                with ungated():
                    view()
            except Exception:  # noqa: BLE001 - an opening view is a convenience; its tab computes it on demand
                log.warning("opening view %s failed; it will be computed on first use", key, exc_info=True)

    # not a daemon: a daemon thread killed inside torch at interpreter exit aborts the process; this one ends in seconds
    thread = threading.Thread(target=run, name="genlab-openings")
    thread.start()
    return thread

