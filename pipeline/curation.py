"""Curation overlays (`seeds/<document>.fixes.toml`) -> corrected Questions, with stale fixes reported.

A fix finds its question by text the question's stem contains (case and spacing ignored), so it survives
renumbering and reordering. Every fix says why. A fix that matches nothing, or whose `find` text is no longer
there, is reported as `fix-stale` rather than silently ignored.

    [document]
    title = "RNN Quiz"                      # optional: the document's title in decks and exams

    [[fix]]
    question = "refers to the j"            # text the stem contains
    why = "the export's radio markers contradict its own explanation"
    correct = [1]                           # option numbers (1-based) that are correct; the rest are not
    kind = "multi_choice"                   # optional: override the kind
    choices = ["$x^{(i)<j>}$", "..."]       # optional: replace every option's text (same count)
    answer = "..."                          # optional: supply or replace the reference answer
    note = "..."                            # optional: a note shown to the learner
    [[fix.replace]]                         # optional, repeatable: targeted text repair
    field = "stem"                          # stem, answer, explanation, context or "option 2"
    find = "\\Gamma_{\\rm M}"
    with = "\\Gamma_u"
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Choice, Diagnostic, Document, KINDS, Question
from .source import read_source

FIX_KEYS = {"question", "why", "correct", "kind", "choices", "answer", "note", "replace", "explanation"}
REPLACE_KEYS = {"field", "find", "with"}
RESOLVED_BY_CORRECT = {"choice-unmarked", "choice-ambiguous"}


@dataclass(frozen=True)
class Overlay:
    path: str
    title: str | None
    fixes: tuple[tuple[int, dict[str, Any]], ...]  # (line of the [[fix]] header, the fix)
    diagnostics: tuple[Diagnostic, ...]


def overlay_path(document_path: str) -> Path:
    p = Path(document_path)
    return p.with_name(p.name.rsplit(".", 1)[0] + ".fixes.toml")


def load_overlay(path: Path, shown: str | None = None) -> Overlay | None:
    """Parse an overlay file; None when there is none. Syntax errors become diagnostics, never exceptions."""
    shown = shown or str(path)
    if not os.path.lexists(path):
        return None
    raw, problems = read_source(path, shown)
    if raw is None:
        return Overlay(shown, None, (), tuple(problems))
    text = raw.decode("utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
        return Overlay(shown, None, (), (Diagnostic(shown, line, "error", "fix-invalid", f"not valid TOML: {exc}"),))
    header_lines = [i + 1 for i, l in enumerate(text.splitlines()) if l.strip() == "[[fix]]"]
    diags: list[Diagnostic] = []
    fixes = []
    for n, fix in enumerate(data.get("fix", [])):
        line = header_lines[n] if n < len(header_lines) else 1
        problem = _validate(fix)
        if problem:
            diags.append(Diagnostic(shown, line, "error", "fix-invalid", problem))
            continue
        fixes.append((line, fix))
    for key in data:
        if key not in ("fix", "document"):
            diags.append(Diagnostic(shown, 1, "error", "fix-invalid", f"unknown table `{key}`"))
    title = data.get("document", {}).get("title")
    return Overlay(shown, title, tuple(fixes), tuple(diags))


def _validate(fix: dict[str, Any]) -> str | None:
    unknown = set(fix) - FIX_KEYS
    if unknown:
        return f"unknown key `{sorted(unknown)[0]}` (known: {', '.join(sorted(FIX_KEYS))})"
    if not isinstance(fix.get("question"), str) or not fix["question"].strip():
        return "a fix needs `question`: text that the question's stem contains"
    if not isinstance(fix.get("why"), str) or not fix["why"].strip():
        return "a fix needs `why`: the reason for the correction"
    if "kind" in fix and fix["kind"] not in KINDS:
        return f"`kind` must be one of {', '.join(KINDS)}"
    if "correct" in fix and not (isinstance(fix["correct"], list) and all(isinstance(i, int) for i in fix["correct"])):
        return "`correct` must be a list of option numbers, e.g. [1, 3]"
    for rep in fix.get("replace", []):
        if set(rep) != REPLACE_KEYS:
            return "each [[fix.replace]] needs exactly `field`, `find` and `with`"
    return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def apply(doc: Document, overlay: Overlay | None) -> Document:
    """Document -> Document with every fix of the overlay applied (or reported)."""
    if overlay is None:
        return doc
    diags = list(doc.diagnostics) + list(overlay.diagnostics)
    questions = list(doc.questions)
    originals = [_squash(q.stem) for q in questions]
    for line, fix in overlay.fixes:
        needle = _squash(fix["question"])
        hits = [i for i, stem in enumerate(originals) if needle in stem]
        if not hits:
            diags.append(Diagnostic(overlay.path, line, "error", "fix-stale",
                                    f"no question of {doc.path} contains “{fix['question']}”; the fix no longer applies"))
            continue
        if len(hits) > 1:
            ids = ", ".join(questions[i].id for i in hits)
            diags.append(Diagnostic(overlay.path, line, "error", "fix-ambiguous",
                                    f"“{fix['question']}” matches {len(hits)} questions ({ids}); quote more of the stem"))
            continue
        i = hits[0]
        questions[i], fix_diags = _apply_one(questions[i], fix, overlay.path, line)
        diags += fix_diags
    return Document(doc.path, doc.slug, doc.dialect, overlay.title or doc.title, tuple(questions), doc.skipped,
                    tuple(diags), doc.lines)


def _apply_one(q: Question, fix: dict[str, Any], path: str, line: int) -> tuple[Question, list[Diagnostic]]:
    diags: list[Diagnostic] = []
    where = f"{path}:{line}"
    changes: dict[str, Any] = {}
    choices = list(q.choices)
    if "choices" in fix:
        if len(fix["choices"]) != len(choices):
            diags.append(Diagnostic(path, line, "error", "fix-stale",
                                    f"{q.id} has {len(choices)} options but the fix gives {len(fix['choices'])}"))
        else:
            choices = [Choice(t, c.correct, c.line) for t, c in zip(fix["choices"], choices)]
    for rep in fix.get("replace", []):
        field, find, new = rep["field"], rep["find"], rep["with"]
        m = re.fullmatch(r"option (\d+)", field)
        if m:
            k = int(m.group(1)) - 1
            if not 0 <= k < len(choices) or find not in choices[k].text:
                diags.append(Diagnostic(path, line, "error", "fix-stale", f"{q.id} {field} no longer contains “{find}”"))
                continue
            choices[k] = Choice(choices[k].text.replace(find, new), choices[k].correct, choices[k].line)
        elif field in ("stem", "answer", "explanation", "context"):
            current = changes.get(field, getattr(q, field))
            if find not in current:
                diags.append(Diagnostic(path, line, "error", "fix-stale", f"{q.id} {field} no longer contains “{find}”"))
                continue
            changes[field] = current.replace(find, new)
        else:
            diags.append(Diagnostic(path, line, "error", "fix-invalid", f"unknown field `{field}` in [[fix.replace]]"))
    resolved: set[str] = set()
    if "correct" in fix:
        picks = fix["correct"]
        if not choices or any(not 1 <= k <= len(choices) for k in picks):
            diags.append(Diagnostic(path, line, "error", "fix-stale",
                                    f"{q.id} has {len(choices)} options; `correct = {picks}` does not fit"))
        else:
            choices = [Choice(c.text, (k + 1) in picks, c.line) for k, c in enumerate(choices)]
            resolved = RESOLVED_BY_CORRECT
            if "kind" not in fix and q.kind in ("single_choice", "multi_choice"):
                changes["kind"] = "multi_choice" if len(picks) > 1 or q.kind == "multi_choice" else "single_choice"
    if "kind" in fix:
        changes["kind"] = fix["kind"]
    if "answer" in fix:
        changes["answer"] = fix["answer"]
    if "explanation" in fix:
        changes["explanation"] = fix["explanation"]
    if "note" in fix:
        changes["notes"] = q.notes + (fix["note"],)
    kept = []
    for d in q.diagnostics:
        if d.code in resolved:
            kept.append(Diagnostic(d.file, d.line, "info", d.code, f"{d.message} — resolved by {where}: {fix['why']}"))
        else:
            kept.append(d)
    kept.append(Diagnostic(q.source.file, q.source.line_start, "info", "fix-applied", f"{where}: {fix['why']}"))
    return q.with_(choices=tuple(choices), diagnostics=tuple(kept), **changes), diags
