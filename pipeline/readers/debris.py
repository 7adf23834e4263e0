"""What a web page leaves in a document it was copied from, taken out before reading: form controls
(`<input type="radio">`, show/hide buttons) have no text a learner reads, a hidden element holds text the
page reveals on a click (an answer), an element named for the answer (`<solution>2,5</solution>`) is the
question's answer line, and a `<script>` block is code for the page, not content."""
from __future__ import annotations

import re

_CONTROL = re.compile(r"<(?:input|button)\b[^>]*/?>(?:\s*</(?:input|button)>)?", re.I)
_HIDDEN = re.compile(r"<(span|p|div|solution|answer)\b[^>]*display\s*:\s*none[^>]*>(.*?)(?:</\1>?|$)", re.I)
# An element that holds the answer by its name: `<solution>2,5</solution>`, `<answer>B</answer>`.
_ANSWER_ELEMENT = re.compile(r"^<(solution|answer)\b[^>]*>(.*?)(?:</\1>?|$)", re.I)
_SCRIPT_OPEN = re.compile(r"^\s*<script\b", re.I)
_SCRIPT_CLOSE = re.compile(r"</script>\s*$", re.I)


def clean(raw: list[str]) -> list[str]:
    """The lines with page debris taken out; a line that held only debris becomes blank. Lines keep their
    numbers. Most documents have none, and are returned as they are."""
    if not any("<" in line for line in raw):
        return raw
    out = []
    script = False
    for line in raw:
        if script or _SCRIPT_OPEN.match(line):
            script = not _SCRIPT_CLOSE.search(line)
            out.append("")
            continue
        if "<" in line:
            lead = line[: len(line) - len(line.lstrip())]
            named = _ANSWER_ELEMENT.match(line.strip())
            if named and named.group(2).strip():
                out.append(f"{lead}Answer: {named.group(2).strip()}")
                continue
            text = _HIDDEN.sub(r"\2", _CONTROL.sub("", line)).strip()
            line = lead + text if text else ""
        out.append(line)
    return out
