"""Lines -> the same lines with container syntax out of the way of the Markdown inside it.

Documentation sites wrap Markdown in containers that CommonMark does not know: a Python-Markdown or MkDocs
admonition (`!!! note`, `??? question "Show answer"`, `???+ tip`) indents its body by four spaces, which
CommonMark reads as code; an HTML block tag alone on its line (`<div class="choices" markdown>`, `</div>`)
turns the list under it into raw HTML. Each body is read as the Markdown it is: dedented, with the wrapping
tag lines left blank. Line numbers do not change.
"""
from __future__ import annotations

import re

ADMONITION = re.compile(r"^(?P<indent> *)(?:!!!|\?\?\?\+?)\s+[\w-]+(?:\s+\"[^\"]*\")?\s*$")
_WRAPPER = re.compile(r"^\s*</?(?:div|section|article|center|aside|main)\b[^<>]*>\s*$", re.I)


def unwrap(raw: list[str]) -> list[str]:
    """The lines with admonition bodies dedented and lone wrapping HTML tags blanked."""
    if not any("<" in t or "!!!" in t or "???" in t for t in raw):
        return raw  # most documents: nothing to unwrap
    out = list(raw)
    i = 0
    while i < len(out):
        text = out[i]
        if _WRAPPER.match(text):
            out[i] = ""
        m = ADMONITION.match(text)
        if m:
            body = " " * (len(m.group("indent")) + 4)
            k = i + 1
            while k < len(out) and (not out[k].strip() or out[k].startswith(body)):
                k += 1
            while k > i + 1 and not out[k - 1].strip():
                k -= 1  # trailing blank lines belong to what follows
            for j in range(i + 1, k):
                out[j] = out[j][4:] if out[j].strip() else ""
                if _WRAPPER.match(out[j]):
                    out[j] = ""
            i = k
            continue
        i += 1
    return out
