"""The build cache: one content-addressed store for documents, formulas, math fonts and PDFs.

One rule for keys: `key(...)` hashes every input that changes an entry (its content, a fingerprint of the
code that makes it, the versions of the libraries that code uses), so an entry is never found under inputs
it was not made from. One rule for failure: an entry is a file whose first line holds its key and a hash
of its payload, and both are checked on every read, so a missing, truncated, flipped or swapped entry is a
miss and is made again, never an error and never a wrong result. Entries are data (JSON or raw bytes),
never code, so a crafted entry cannot run anything. A cache that cannot be written only makes builds slower.
"""
from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Callable, Iterator, TypeVar

from pipeline.files.atomic import atomic_write_bytes
from pipeline.files.source import read_source

try:
    import fcntl
except ImportError:  # not POSIX: builds run without the lock, which only repeats work
    fcntl = None  # type: ignore[assignment]

T = TypeVar("T")

_MAGIC = b"rnn-decks-cache/1"
# Kinds that are kept small: beyond this many entries the least recently used go. Formulas are a few KB
# each and are all kept.
LIMITS = {"docs": 64, "pdf": 64, "fonts": 8}
MAX_ENTRY = 512 * 2**20  # far above any entry (a 20,000-question document is about 30 MB), below exhausting memory
_PACKAGE = Path(__file__).resolve().parent.parent  # the pipeline package


def key(*parts: str | bytes) -> str:
    """The hash of every part, each hashed on its own so that no two lists of parts run together."""
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part.encode("utf-8") if isinstance(part, str) else part).digest())
    return h.hexdigest()


@lru_cache(maxsize=32)  # a build asks for a handful of distinct code paths and library sets
def code_fingerprint(*paths: str, exclude: tuple[str, ...] = ()) -> str:
    """Hash of the pipeline's source files under `paths` (relative to the package; none: all of it),
    leaving out those under `exclude`."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        name = path.relative_to(_PACKAGE).as_posix()
        if paths and not any(name == p or name.startswith(p.rstrip("/") + "/") for p in paths):
            continue
        if any(name == p or name.startswith(p.rstrip("/") + "/") for p in exclude):
            continue
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=32)  # a build asks for a handful of distinct code paths and library sets
def versions(*distributions: str) -> str:
    """The installed versions of these distributions, e.g. "numpy=2.1.0;sympy=1.13.2"."""
    from importlib.metadata import version

    return ";".join(f"{name}={version(name)}" for name in distributions)


@dataclass(frozen=True)
class Store:
    """Entries under `folder/<kind>/<key>`; a store without a folder keeps nothing."""

    folder: Path | None

    def get(self, kind: str, entry_key: str) -> bytes | None:
        """The payload filed under `entry_key`, or None when it is missing or fails its checks."""
        if self.folder is None:
            return None
        path = self.folder / kind / entry_key
        data, _ = read_source(path, limit=MAX_ENTRY)  # a named pipe or a device here must not hang the build
        if data is None:
            return None
        header, _, payload = data.partition(b"\n")
        if header != _header(entry_key, payload):
            return None
        if kind in LIMITS:
            try:
                os.utime(path)  # recently used, for pruning
            except OSError:
                pass
        return payload

    def get_or_make(self, kind: str, entry_key: str, make: Callable[[], T], *,
                    dump: Callable[[T], bytes] = bytes, load: Callable[[bytes], T | None] = bytes,
                    keep: Callable[[T], bool] = lambda value: True) -> T:
        """The value filed under `entry_key` (read back by `load`; None from it is a miss), else `make()`,
        filed (written by `dump`) when `keep` says it may be."""
        data = self.get(kind, entry_key)
        value = load(data) if data is not None else None
        if value is not None:
            return value
        value = make()
        if keep(value):
            self.put(kind, entry_key, dump(value))
        return value

    def put(self, kind: str, entry_key: str, payload: bytes) -> None:
        if self.folder is None:
            return
        folder = self.folder / kind
        try:
            atomic_write_bytes(folder / entry_key, _header(entry_key, payload) + b"\n" + payload)
            if kind in LIMITS:
                entries = sorted((p for p in folder.iterdir() if not p.name.startswith(".")),
                                 key=lambda p: p.stat().st_mtime, reverse=True)
                for old in entries[LIMITS[kind]:]:
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # read-only or full: the next build makes the entry again

    @contextmanager
    def exclusive(self, kind: str) -> Iterator[None]:
        """Hold `kind` alone while filling it (POSIX). `make decks exams` runs two builds side by side: the
        second to get here waits and reads what the first made instead of doing the same work at once."""
        handle = self._lock_file(kind)
        if handle is None:
            yield  # no lock: both builds may do the work, which is only slower
            return
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX)
            except OSError:
                pass
            yield
        finally:
            handle.close()  # releases the lock

    def _lock_file(self, kind: str) -> IO[str] | None:
        if self.folder is None or fcntl is None:
            return None
        try:
            (self.folder / kind).mkdir(parents=True, exist_ok=True)
            return open(self.folder / kind / ".lock", "a")  # noqa: SIM115 - the caller closes it
        except OSError:
            return None


def _header(entry_key: str, payload: bytes) -> bytes:
    return b"%s %s %s" % (_MAGIC, entry_key.encode("ascii"), hashlib.sha256(payload).hexdigest().encode("ascii"))


# Where a caller without a store keeps its entries: nowhere (every `get` misses, every `put` is dropped).
NOWHERE = Store(None)

__all__ = ["LIMITS", "NOWHERE", "Store", "code_fingerprint", "key", "versions"]
