"""Raw bytes -> clean lines: encodings, CRLF, NBSP and zero-width spaces, tabs (shared by every reader)."""
from __future__ import annotations

import codecs
import re

from pipeline.model import Diagnostic

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2002\u2003\u2009\u202f"), " ")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Text-direction embeddings, overrides and isolates: U+202E turns "gnp.exe" into what reads "exe.png".
BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_LINE_END = re.compile(r"\r\n|\r|\n")  # CR, CRLF and LF all end a line
_STRAY = re.compile(r"[\udc80-\udcff]+")  # bytes that are not UTF-8, as the surrogateescape handler keeps them
_MULTIBYTE = re.compile(r"[^\x00-\x7f\udc80-\udcff]")  # a character that took valid multi-byte UTF-8


def decode(data: bytes, path: str) -> tuple[str | None, list[Diagnostic]]:
    """Bytes -> text. None (with an error) for empty or binary input. A file with no valid multi-byte UTF-8
    is read as Windows-1252; in one with some, each invalid byte is read as Windows-1252. Both with a warning."""
    if not data.strip():
        return None, [Diagnostic(path, 0, "error", "empty-file", "the file is empty")]
    if b"\x00" in data[:8192]:
        return None, [Diagnostic(path, 0, "error", "binary-file", "the file is binary (it contains NUL bytes), not a text document")]
    try:
        text = data.decode("utf-8-sig")
        diags: list[Diagnostic] = []
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8-sig", errors="surrogateescape")  # each invalid byte kept as U+DC80..U+DCFF
        if data.startswith(codecs.BOM_UTF8) or _MULTIBYTE.search(text):
            # UTF-8 with a few stray bytes (a paste from a Windows program): one byte must not turn every
            # other non-ASCII character of the document into mojibake.
            text, diags = _mend_stray_bytes(text, path)
        else:
            line = len(re.split(rb"\r\n|\r|\n", data[: exc.start]))  # counted as split_lines counts: CR ends a line too
            text = data.decode("cp1252", errors="replace")
            diags = [Diagnostic(path, line, "warning", "encoding-fallback",
                                f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); read as Windows-1252")]
    controls = len(_CONTROL.findall(text))
    if controls > max(8, len(text) // 100):
        return None, [Diagnostic(path, 0, "error", "binary-file",
                                 f"the file looks binary ({controls} control characters), not a text document")]
    if m := BIDI.search(text):
        line = len(_LINE_END.split(text[: m.start()]))
        text = BIDI.sub("", text)
        diags.append(Diagnostic(path, line, "warning", "bidi-control",
                                f"invisible text-direction controls (U+{ord(m.group(0)):04X}) removed: they can make "
                                "a title or an answer read differently from what it says"))
    return text, diags


def controls_removed(text: str) -> str:
    """A one-line value (a title, a deck name) without control or text-direction characters."""
    return BIDI.sub("", _CONTROL.sub("", text.replace("\t", " ").replace("\r", " ").replace("\n", " ")))


def _mend_stray_bytes(text: str, path: str) -> tuple[str, list[Diagnostic]]:
    """Each stray byte (a surrogate escape) -> its Windows-1252 character, or U+FFFD where that has none;
    one warning per line that had any."""
    found: dict[int, list[tuple[int, str]]] = {}
    line, counted = 1, 0

    def mend(m: re.Match[str]) -> str:
        nonlocal line, counted
        # A stray byte is never CR or LF, so no line end is split between two counts.
        line += len(_LINE_END.findall(text, counted, m.start()))
        counted = m.start()
        chars = [(ord(c) - 0xDC00, bytes([ord(c) - 0xDC00]).decode("cp1252", errors="replace")) for c in m.group()]
        found.setdefault(line, []).extend(chars)
        return "".join(char for _, char in chars)

    mended = _STRAY.sub(mend, text)
    diags = []
    for n, chars in found.items():
        hexes = " ".join(f"0x{b:02x}" for b, _ in chars)
        shown = " ".join(char for _, char in chars)
        lacking = " (\ufffd where Windows-1252 has no character)" if "\ufffd" in shown else ""
        diags.append(Diagnostic(path, n, "warning", "encoding-stray-bytes",
                                f"not valid UTF-8 here: {hexes}, read as Windows-1252 {shown}{lacking}; "
                                f"the rest of the document is UTF-8"))
    return mended, diags


def normalize_line(line: str) -> str:
    """One line with invisible characters removed, odd spaces made plain, tabs expanded, right side trimmed."""
    if line.isascii() and line.isprintable():
        return line.rstrip()  # most lines: nothing to remove or expand
    line = line.translate(_ZERO_WIDTH).translate(_SPACES)
    line = _CONTROL.sub("", line)
    # A leading tab is indentation (the quiz export indents options with one); inner tabs separate columns.
    stripped = line.lstrip("\t")
    line = "    " * (len(line) - len(stripped)) + stripped.replace("\t", " ")
    return line.rstrip()


def split_lines(text: str) -> list[str]:
    """Text -> normalized lines; line i of the result is line i+1 of the file (CR, CRLF and LF all end a line)."""
    return [normalize_line(line) for line in _LINE_END.split(text)]
