"""Torch's grad and inference modes are thread-local switches; a generator must never yield while holding one.

A ``with torch.inference_mode():`` block around a ``yield`` leaves the mode switched on in whatever thread ran the
step, while the generator is suspended — in a server that is a worker thread that goes on to serve other requests
(which then create inference tensors they later fail to update: "Inplace update to inference tensor outside
InferenceMode"), and the block's exit later runs on yet another thread. :func:`stepwise` is the safe form: each step
is computed inside a fresh context and handed out after the context has closed. (``@torch.no_grad()`` as a decorator
on a generator function is safe too: torch re-enters it around each step.) ``tests/test_static.py`` finds any
``yield`` inside such a ``with`` block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import TypeVar

import torch

T = TypeVar("T")


def stepwise(steps: Iterable[T], mode: Callable[[], AbstractContextManager] = torch.inference_mode) -> Iterator[T]:
    """Iterate ``steps``, computing each item inside a fresh ``mode()`` and yielding it outside."""
    it = iter(steps)
    try:
        while True:
            with mode():
                try:
                    item = next(it)
                except StopIteration:
                    return
            yield item
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            with mode():
                close()
