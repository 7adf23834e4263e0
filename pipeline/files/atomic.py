"""Atomic file output: write to a temporary file beside the target, then rename into place."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Mapping

from pipeline.model import Diagnostic


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace `path` with `data` so that readers see either the old file or the new one, never half."""
    atomic_write_all({Path(path): data})


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_all(files: Mapping[Path, bytes]) -> None:
    """Replace several files as one: each is written to a temporary file beside it first, and only when
    all are written (a full disk fails here) are they renamed into place. On failure no file has changed;
    the OSError raised names the file that could not be written.

    Several files in one folder (an exam's papers and keys) are a unit: a journal listing the renames is
    written before the first one and removed after the last, so a build killed in between leaves a journal
    that the next writer to the folder (`settle`) finishes; a paper never stays beside another build's key."""
    staged: list[tuple[str, Path]] = []
    folders = {Path(path).parent for path in files}
    unit = len(files) > 1 and len(folders) == 1
    try:
        for path, data in files.items():
            staged.append((_stage(Path(path), data), Path(path)))
        journal = _journal(next(iter(folders)), staged) if unit else None
        for tmp, target in staged:
            os.replace(tmp, target)
        if journal is not None:
            journal.unlink(missing_ok=True)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise


JOURNAL = ".unit-{}.journal"
STALE_SECONDS = 600  # a temporary file this old belongs to no running build (writing one takes milliseconds)


def settle(folder: Path) -> None:
    """Finish the renames of any unit a killed build left half done in `folder` (its journal names them),
    and remove the temporary files such a build left behind."""
    import json
    import time

    try:
        journals = sorted(folder.glob(JOURNAL.format("*")))
        leftovers = list(folder.glob(".*.tmp"))
    except OSError:
        return
    for journal in journals:
        try:
            renames = json.loads(journal.read_text(encoding="utf-8"))
            for tmp, target in renames:
                if (folder / tmp).exists() and Path(target).name == target:
                    os.replace(folder / tmp, folder / target)
            journal.unlink(missing_ok=True)
        except (OSError, ValueError, TypeError):
            continue  # unreadable: the next build rewrites any file that differs anyway
    now = time.time()
    for tmp in leftovers:
        try:
            if tmp.exists() and now - tmp.stat().st_mtime > STALE_SECONDS:
                tmp.unlink()
        except OSError:
            pass


def _journal(folder: Path, staged: list[tuple[str, Path]]) -> Path:
    import hashlib
    import json

    names = [[Path(tmp).name, target.name] for tmp, target in staged]
    text = json.dumps(names)
    path = folder / JOURNAL.format(hashlib.sha256(text.encode()).hexdigest()[:12])
    atomic_write_bytes(path, text.encode("utf-8"))
    return path


def _stage(target: Path, data: bytes) -> str:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(target)) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp creates 0600; outputs and the committed lock are ordinary files.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, str(target)) from exc
        raise
    return tmp


def write_changed(files: Mapping[Path, bytes]) -> None:
    """`atomic_write_all` of those files whose bytes differ from what is there: an unchanged file is not
    touched (its time stays, so tools that watch it see no edit)."""
    atomic_write_all({path: data for path, data in files.items() if read_or_none(path) != data})


def read_or_none(path: Path) -> bytes | None:
    """A file's bytes as they are now; None when there is none (or it cannot be read)."""
    try:
        return path.read_bytes()
    except OSError:
        return None


def write_output(path: Path, text: str) -> list[Diagnostic]:
    """Write `path` unless it already holds `text`; a failure is a `write-failed` error, the old file kept."""
    try:
        if path.read_bytes() == text.encode("utf-8"):
            return []
    except OSError:
        pass
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        return [Diagnostic(path.as_posix(), 0, "error", "write-failed",
                           f"cannot write it ({exc.strerror or exc}); the previous file is kept")]
    return []
