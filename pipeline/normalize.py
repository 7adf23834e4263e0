"""Raw bytes -> clean lines: encodings, CRLF, NBSP and zero-width spaces, tabs (shared by every reader)."""
from __future__ import annotations

import re

from .model import Diagnostic

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2002\u2003\u2009\u202f"), " ")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes -> text. None (with an error) for empty or binary input; Windows-1252 is read with a warning."""
    if not data.strip():
        return None, [Diagnostic(path, 0, "error", "empty-file", "the file is empty")]
    if b"\x00" in data[:8192]:
        return None, [Diagnostic(path, 0, "error", "binary-file", "the file is binary (it contains NUL bytes), not a text document")]
    try:
        text = data.decode("utf-8-sig")
        diags: list[Diagnostic] = []
    except UnicodeDecodeError as exc:
        line = len(re.split(rb"\r\n|\r|\n", data[: exc.start]))  # counted as split_lines counts: CR ends a line too
        text = data.decode("cp1252", errors="replace")
        diags = [Diagnostic(path, line, "warning", "encoding-fallback",
                            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); read as Windows-1252")]
    controls = len(_CONTROL.findall(text))
    if controls > max(8, len(text) // 100):
        return None, [Diagnostic(path, 0, "error", "binary-file",
                                 f"the file looks binary ({controls} control characters), not a text document")]
    return text, diags


def normalize_line(line: str) -> str:
    """One line with invisible characters removed, odd spaces made plain, tabs expanded, right side trimmed."""
    line = line.translate(_ZERO_WIDTH).translate(_SPACES)
    line = _CONTROL.sub("", line)
    # A leading tab is indentation (the quiz export indents options with one); inner tabs separate columns.
    stripped = line.lstrip("\t")
    line = "    " * (len(line) - len(stripped)) + stripped.replace("\t", " ")
    return line.rstrip()


def split_lines(text: str) -> list[str]:
    """Text -> normalized lines; line i of the result is line i+1 of the file (CR, CRLF and LF all end a line)."""
    return [normalize_line(line) for line in re.split(r"\r\n|\r|\n", text)]
