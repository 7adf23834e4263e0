"""A test that would hang fails instead: `with alarm(5): ...` raises Overdue after 5 seconds."""
from __future__ import annotations

import signal
from contextlib import contextmanager
from typing import Iterator


class Overdue(BaseException):
    """Not an Exception, so that no `except Exception` on the way can swallow it."""


@contextmanager
def alarm(seconds: int) -> Iterator[None]:
    def expire(signum, frame):  # noqa: ANN001
        raise Overdue(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
