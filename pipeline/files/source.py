"""Reading one input file's bytes: regular files only, up to MAX_BYTES, without ever blocking."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.model import Diagnostic

# Far above any study document (20,000 questions take about 6 MB), far below what exhausts memory.
MAX_BYTES = 32 * 2**20

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def read_source(path: str | Path, shown: str | None = None, *, limit: int = MAX_BYTES,
                ) -> tuple[bytes | None, list[Diagnostic]]:
    """The file's bytes, or None with an error (`unreadable`, `not-a-file`, `file-too-large`) for the file
    as `shown`. Symlinks are followed; anything but a regular file is refused before it is opened, since
    reading a named pipe waits for a writer and a device such as /dev/zero never ends."""
    shown = str(path) if shown is None else shown

    def error(code: str, message: str) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(shown, 0, "error", code, message)]

    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return error("not-a-file", _not_a_file(info.st_mode))
        if info.st_size > limit:
            return error("file-too-large", _too_large(info.st_size, limit))
        # O_NONBLOCK: should the file be swapped for a named pipe after the check, opening it does not wait.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                return error("not-a-file", _not_a_file(info.st_mode))
            data = f.read(limit + 1)  # the file may have grown since it was measured
    except OSError as exc:
        return error("unreadable", exc.strerror or str(exc))
    if len(data) > limit:
        return error("file-too-large", _too_large(len(data), limit))
    return data, []


def _not_a_file(mode: int) -> str:
    kind = next((name for test, name in _KINDS if test(mode)), "something other than a file")
    return f"this is {kind}, not a regular file; only regular files are read"


def _too_large(size: int, limit: int) -> str:
    most = f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit:,} bytes"
    return f"the file has {size:,} bytes, more than the {most} a file may have"
