"""The document's own correct mark, learned from the document: whatever sets one option (or a few) apart in most
of its option runs and never appears in its stems.

An option run is a set of sibling items in a question: list items at one indent, table rows, or the lines of one
paragraph. Every item is described by the features in `FEATURES` (one row each: a symbol before the item, a note
after it, emphasis around it, an HTML tag on it, a short mark in one table column). A feature *sets an item apart*
in a run when some but not all of the run's items carry it. The feature that sets items apart in the most runs of
the document (two at least, in at least half of the runs that have anything set apart) is the document's mark.

With it the reader marks choice questions that no other cue marked, turns open questions whose text holds a run
the mark sets apart into choice questions, and warns where the mark disagrees with another cue. A run whose items
something else sets apart stays as read, with a warning that its lines may be options the reader did not take.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.model import Choice, Cue, Diagnostic, Question, SourceSpan
from pipeline.readers import cues
from pipeline.readers.features import FEATURES, features_of, strip, unlabelled
from pipeline.readers.runs import Item, Run, item_of, item_or_row, runs_in, set_apart, unlisted
from pipeline.readers.text import clean_inline, is_multi

# ---- learning the mark ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Mark:
    key: str  # "<feature>=<value>", e.g. "note-after=(correct)"
    runs: int  # how many runs it sets apart
    of: int  # how many runs have anything set apart

    @property
    def says(self) -> str:
        name, _, value = self.key.partition("=")
        return f"{next(f.says for f in FEATURES if f.name == name)} " + ("(backticks)" if value == "`" else f"`{value}`")


def _choice_run(q: Question, raw: list[str]) -> Run | None:
    if not q.choices or any(c.line <= 0 or c.line > len(raw) for c in q.choices):
        return None
    items = []
    for c in q.choices:
        items.append(item_of(c.line, raw[c.line - 1]))
    return Run("choices", q.choices[0].line, tuple(items))


def _open_runs(q: Question, raw: list[str]) -> list[Run]:
    # the question's own first line (a heading, or the stem a card writes in bold) is never one of its options
    head = raw[q.source.line_start - 1] if 0 < q.source.line_start <= len(raw) else ""
    first = q.source.line_start + 1 if _heading(raw, q) or cues.bold_whole(head) else q.source.line_start
    runs = [r for r in runs_in(raw, first, q.source.line_end)
            if r.items and not (r.kind == "list" and r.start == q.source.line_start)]
    # `Options:` opening the lines it introduces is not one of them
    return [Run(r.kind, r.items[1].line, r.items[1:]) if len(r.items) > 2 and cues.OPTIONS_INTRO.match(r.items[0].text)
            else r for r in runs]


def _heading(raw: list[str], q: Question) -> bool:
    return raw[q.source.line_start - 1].lstrip().startswith("#") if 0 < q.source.line_start <= len(raw) else False


def pinned_key(value: str) -> tuple[str, str] | None:
    """A `[layout] correct = "..."` pin -> (feature name, value or ""), None when it names no feature:
    `emphasis`, `symbol-before 👉`, `note-after (*)`, `html-tag font color="red"`."""
    name, _, given = value.strip().partition(" ")
    if name not in {f.name for f in FEATURES}:
        return None
    given = given.strip()
    if name == "note-after":
        given = given.strip("()[] ").lower()
    elif name != "emphasis":
        given = given.lower()
    return name, given


def learn(questions: list[Question], raw: list[str], pin: tuple[str, str] | None = None) -> Mark | None:
    """The document's correct mark, or None when nothing sets options apart regularly. A pin names the feature
    (and perhaps its value) to use: the most frequent value of it that sets options apart is taken, with no
    threshold."""
    counts: dict[str, int] = {}
    shares: dict[str, float] = {}
    order = {f.name: k for k, f in enumerate(FEATURES)}
    with_any = 0
    places: dict[str, list] = {}  # a bullet key -> where it sets items apart in each run, from the start and the end
    for q in questions:
        runs = [r] if (r := _choice_run(q, raw)) else [r for r in _open_runs(q, raw) if len(r.items) >= 2]
        keys: dict[str, float] = {}
        for run in runs:
            for key, has in set_apart(run).items():
                keys[key] = min(keys.get(key, 1.0), sum(has) / len(has))
                if key.startswith("bullet="):
                    at = [j for j, h in enumerate(has) if h]
                    places.setdefault(key, []).append((tuple(at), tuple(j - len(has) for j in at)))
        if keys:
            with_any += 1
        for key, share in keys.items():
            counts[key] = counts.get(key, 0) + 1
            shares[key] = shares.get(key, 0.0) + share
    if pin is not None:
        counts = {k: v for k, v in counts.items()
                  if k.partition("=")[0] == pin[0] and (not pin[1] or k.partition("=")[2] == pin[1])}
    if not counts:
        return None
    best = max(counts, key=lambda k: (counts[k], -shares[k] / counts[k], -order[k.partition("=")[0]]))
    if pin is not None:
        return Mark(best, counts[best], with_any)
    if counts[best] < 2 or counts[best] * 2 < with_any:
        return None
    seen = places.get(best, [])
    if seen and (len({a for a, _ in seen}) == 1 or len({b for _, b in seen}) == 1):
        return None  # a bullet of its own always in the same place (`* Chapter 2` after each list) marks nothing
    in_stems = sum(1 for q in questions if any(best in features_of(ln.strip()) for ln in _asking(q.stem)))
    if in_stems * 2 > counts[best]:
        return None  # the stems use it too: it is the document's emphasis, not its mark
    return Mark(best, counts[best], with_any)


def _asking(stem: str) -> list[str]:
    """The stem's own text: its first paragraph, without list items or table rows (options may sit below it)."""
    first = stem.strip().split("\n\n", 1)[0]
    return [ln for ln in first.splitlines() if not item_or_row(ln)]


# ---- applying it ------------------------------------------------------------------------------------------

def apply(questions: list[Question], raw: list[str], path: str, pin: tuple[str, str] | None = None
          ) -> tuple[list[Question], Mark | None]:
    """Questions with the document's learned mark applied, and the mark. An open question whose text holds
    several runs the mark sets apart is several questions: each run's options and the text just above it."""
    mark = learn(questions, raw, pin)
    out: list[Question] = []
    for q in questions:
        try:
            parts = _split(q, raw, mark) if mark is not None and not q.choices else [q]
            out += [_apply_one(part, raw, path, mark) for part in parts]
        except Exception as exc:  # a bug here must not lose the question
            out.append(q.with_(diagnostics=q.diagnostics + (Diagnostic(
                path, q.source.line_start, "error", "reader-failed", f"the reader failed: {exc!r}"),)))
    return (_rejoin(out, mark) if mark is not None else out), mark


def _rejoin(questions: list[Question], mark: Mark) -> list[Question]:
    """A "question" whose text is one line carrying the document's mark, right after a choice question, is that
    question's last option (and what follows it explains it)."""
    out: list[Question] = []
    for q in questions:
        head, _, rest = q.stem.strip().partition("\n\n")
        prev = out[-1] if out else None
        if prev is not None and prev.choices and not q.choices and "\n" not in head \
                and mark.key in features_of(head) and prev.source.line_end < q.source.line_start:
            choices = prev.choices + (Choice(clean_inline(strip(head, mark.key)), True, q.source.line_start),)
            explanation = "\n\n".join(t for t in (prev.explanation, rest.strip(), q.explanation) if t.strip())
            kind = "multi_choice" if sum(c.correct for c in choices) > 1 or is_multi(prev.stem) else "single_choice"
            out[-1] = prev.with_(choices=choices, kind=kind, explanation=explanation,
                                 source=SourceSpan(prev.source.file, prev.source.line_start, q.source.line_end),
                                 cues=prev.cues + (Cue("options", "marked-line-after-options", q.source.line_start),))
            continue
        out.append(q)
    return out


def _split(q: Question, raw: list[str], mark: Mark) -> list[Question]:
    marked = [r for r in _open_runs(q, raw) if any(mark.key in it.features for it in r.items)]
    if len(marked) < 2:
        return [q]
    out = []
    bounds = [q.source.line_start] + [r.end + 1 for r in marked[:-1]]
    ends = [r.start - 1 for r in marked[1:]] + [q.source.line_end]
    for k, (a, b, run) in enumerate(zip(bounds, ends, marked)):
        if k == 0:
            out.append(q.with_(source=SourceSpan(q.source.file, a, run.end)))
            continue
        text = [raw[n - 1] for n in range(a, run.start) if raw[n - 1].strip() and not raw[n - 1].lstrip().startswith(">")]
        quoted = [n for n in range(a, run.start) if raw[n - 1].lstrip().startswith(">")]
        if not text:
            return [q]
        first = next(n for n in range(a, run.start) if raw[n - 1].strip() and not raw[n - 1].lstrip().startswith(">"))
        if quoted and out:  # the previous question's explanation
            prev = out[-1]
            out[-1] = prev.with_(source=SourceSpan(prev.source.file, prev.source.line_start, max(quoted)))
        stem = " ".join(ln.strip() for ln in text)
        out.append(q.with_(id=f"{q.id}-{k + 1}", number=f"{q.number}.{k + 1}" if q.number else "", stem=stem,
                           answer="", explanation="", source=SourceSpan(q.source.file, first, b),
                           cues=tuple(c for c in q.cues if c.role == "start") + (Cue("start", "text-before-options",
                                                                                    first),)))
    return out


def _apply_one(q: Question, raw: list[str], path: str, mark: Mark | None) -> Question:
    if q.choices:
        run = _choice_run(q, raw)
        if mark is None or run is None:
            return q
        has = [mark.key in it.features for it in run.items]
        if not any(has) or all(has):
            return q
        if not any(c.correct for c in q.choices):
            choices = tuple(Choice(strip(c.text, mark.key), h, c.line) for c, h in zip(q.choices, has))
            diags = tuple(d for d in q.diagnostics if d.code != "choice-unmarked")
            kind = "multi_choice" if sum(has) > 1 or is_multi(q.stem) else "single_choice"
            return q.with_(choices=choices, kind=kind, diagnostics=diags,
                           cues=q.cues + (Cue("correct", f"learned-mark:{mark.says}", run.items[has.index(True)].line),))
        if [c.correct for c in q.choices] != has:
            took = _letters([c.correct for c in q.choices])
            return q.with_(diagnostics=q.diagnostics + (Diagnostic(
                path, q.source.line_start, "warning", "choice-ambiguous",
                f"the document's mark ({mark.says}) sets apart option {_letters(has)} but another cue marks option "
                f"{took}; took {took}"),))
        return q
    runs = [r for r in _open_runs(q, raw) if not _labelled(r)]
    if mark is not None:
        for run in runs:
            has = [mark.key in it.features for it in run.items]
            if any(has) and (not all(has) or len(has) == 1):
                recast = _recast(q, raw, run, has, mark)
                if recast is not q:
                    return recast
    for run in runs:
        apart = set_apart(run) if len(run.items) >= 2 else {}
        if apart and (mark is not None or _mark_like(apart)):
            first = run.items[0].line
            return q.with_(diagnostics=q.diagnostics + (Diagnostic(
                path, first, "warning", "options-unread",
                f"lines {first}-{run.end} look like options set apart by {_describe(next(iter(sorted(apart))))}, "
                "but the reader took them as text"),))
    return q


def _labelled(run: Run) -> bool:
    """A run that opens with an answer, solution or explanation label alone (`**Solution:**` over its working):
    an answer or a note, not options. (`Options:` over its options is not one.)"""
    first = run.items[0].text
    return cues.answer_text(first) == "" or cues.explanation_text(first) == "" or \
        bool(cues.SOLUTION_LABEL.match(first))


def _mark_like(apart: dict[str, list[bool]]) -> bool:
    """Something sets items apart the way marks do: a symbol, emphasis, a tag or a table column (a parenthesised
    note after one item is often just a remark)."""
    return any(not k.startswith("note-after=") or k.split("=", 1)[1] in ("correct", "right", "answer", "true", "x")
               for k in apart)


def _describe(key: str) -> str:
    return Mark(key, 0, 0).says


def _option_text(item: Item, mark: Mark, kind: str) -> str:
    if kind == "table":
        cells = [c for c in item.cells if c and not (len(c) <= 2 and not c.isalnum())]
        text = " ".join(cells[1:] if len(cells) > 1 else cells)
    else:
        text = item.text
    text = strip(text, mark.key)
    text = re.sub(r"<(?:/?(?:font|b|strong|mark|span|em|u|i)\b[^>]*)>", "", text)
    text = unlabelled(text)
    return clean_inline(text)


def _recast(q: Question, raw: list[str], run: Run, has: list[bool], mark: Mark) -> Question:
    """An open question whose text holds options the document's mark sets apart: a choice question."""
    stem = _stem_before(q, raw, run)
    if not stem.strip():
        return q
    after = [re.sub(r"^\s*>\s?", "", raw[k]) for k in range(run.end, min(q.source.line_end, len(raw)))]
    explanation = "\n".join(ln for ln in after).strip()
    explanation = re.sub(r"\n{3,}", "\n\n", explanation)
    choices = tuple(Choice(_option_text(it, mark, run.kind), h, it.line) for it, h in zip(run.items, has))
    kind = "multi_choice" if sum(has) > 1 or is_multi(stem) else "single_choice"
    diags = tuple(d for d in q.diagnostics if d.code not in ("answer-missing",))
    cues = tuple(c for c in q.cues if c.role != "answer") + (
        Cue("options", f"{run.kind}-run", run.start), Cue("correct", f"learned-mark:{mark.says}", run.items[has.index(True)].line))
    return q.with_(stem=stem, answer="", explanation=(explanation + ("\n\n" + q.explanation if q.explanation else
                                                                     "")).strip(),
                   choices=choices, kind=kind, diagnostics=diags, cues=cues)


def _stem_before(q: Question, raw: list[str], run: Run) -> str:
    """The question's text up to the run: its stem, and what its answer says before the run."""
    first = raw[run.start - 1].strip()
    for field in (q.stem, q.stem + "\n\n" + q.answer):
        cut = _find(field, first)
        if cut is not None:
            return field[:cut].strip()
    return q.stem


def _find(text: str, line: str) -> int | None:
    """Where a source line starts in Markdown made from it (the Markdown may have dropped its list marker)."""
    for probe in (line, unlisted(line), line[:40], unlisted(line)[:40]):
        probe = probe.strip()
        if len(probe) >= 2:
            k = text.find(probe)
            if k >= 0:
                return k
    return None


def _letters(picks: list[bool]) -> str:
    return ", ".join(chr(65 + i) for i, v in enumerate(picks) if v) or "none"
