"""Curation overlays (`seeds/<document>.fixes.toml`) -> corrected Questions, with stale fixes reported.

A fix finds its question by text the question's stem contains (case and spacing ignored), so it survives
renumbering and reordering. Every fix says why. A fix that matches nothing, or whose `find` text is no longer
there, is reported as `fix-stale` rather than silently ignored. The overlay format, and the checks of its keys
and types (`fix-invalid` at the key's line), are in overlay.py.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from pipeline.curate import mathmark, typography
from pipeline.model import Choice, Cue, Diagnostic, Document, Figure, Question
from pipeline.curate.overlay import FIGURE_PLACES, RESOLVED_BY_CORRECT, Overlay, load_overlay, overlay_path, vary_of

__all__ = ["Overlay", "apply", "explanations_checked", "load_overlay", "overlay_path"]  # the stage's inputs too


def _figures(q: Question, entries: list[dict[str, Any]], path: str, line: int
             ) -> tuple[tuple[Figure, ...], list[Diagnostic]]:
    """The question's figures with the overlay's supplied. An entry fills the missing figure `fills` names
    or is added to the text `where` names; in each text the overlay's figures come in its order, then the
    notes of figures nobody supplied. Stem figures come before answer figures."""
    figures = list(q.figures)
    supplied: list[Figure] = []
    taken: set[int] = set()
    diags: list[Diagnostic] = []
    for entry in entries:
        supply = {"diagram": entry.get("diagram", ""), "file": entry.get("file", ""),
                  "equation": entry.get("equation", ""), "caption": entry.get("caption", "")}
        if "fills" not in entry:
            supplied.append(Figure(entry["where"], "", 0, **supply))
            continue
        k = entry["fills"] - 1
        if k >= len(figures) or figures[k].supplied or k in taken:
            diags.append(Diagnostic(path, line, "error", "fix-stale",
                                    f"{q.id} has {sum(not f.supplied for f in q.figures)} missing figures; "
                                    f"`fills = {entry['fills']}` does not fit"))
            continue
        if entry.get("where", figures[k].where) != figures[k].where:
            diags.append(Diagnostic(path, line, "error", "fix-stale",
                                    f"{q.id}'s missing figure {entry['fills']} belongs to its {figures[k].where}, "
                                    f"not its {entry['where']}"))
            continue
        taken.add(k)
        supplied.append(replace(figures[k], **supply))
    rest = [f for k, f in enumerate(figures) if k not in taken]
    ordered = [f for place in FIGURE_PLACES
               for f in [f for f in rest if f.where == place and f.supplied]
               + [f for f in supplied if f.where == place] + [f for f in rest if f.where == place and not f.supplied]]
    return tuple(ordered), diags


def _supplied_lines(q: Question, figures: tuple[Figure, ...]) -> set[int]:
    """Source lines of the missing figures that `figures` supplies."""
    return {f.line for f in q.figures if not f.supplied} - {f.line for f in figures if not f.supplied}


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def apply(doc: Document, overlay: Overlay | None) -> Document:
    """Document -> Document with every fix of the overlay applied (or reported)."""
    if overlay is None:
        return typography.document_alike(mathmark.marked(explanations_checked(doc)))
    diags = list(doc.diagnostics) + list(overlay.diagnostics)
    questions = list(doc.questions)
    originals = [_folded(q.stem) for q in questions]
    for line, fix in overlay.fixes:
        needle = _folded(fix["question"])
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
    curated = Document(doc.path, doc.slug, doc.dialect, overlay.title or doc.title,
                       tuple(questions), doc.skipped, tuple(diags), doc.lines)
    return typography.document_alike(mathmark.marked(explanations_checked(curated)))


_STEP_ANGLE = re.compile(r"\^\{\s*<")  # x^{<t>}, x^{< t>}
_STEP_ROUND = re.compile(r"\^\{?\s*\(\s*(?:t|\d|\\tau)")  # y^{(t)}, y^{(1)}
_OWN_OUTPUTS = re.compile(r"P\}?\s*\(\s*\\?\w*\{?y[^$|]*?(?:\\mid|\|)\s*\\?\w*\{?y")  # P(y<t> | y<1>, ...)
_FED_BACK = ("language-model", "sampling")


def figures_checked(q: Question) -> Question:
    """The question with a `figure-disagrees` warning for each diagram an overlay supplies that does not show
    what the question says: its time steps written x<t> where the text writes x(t) (or the other way round),
    or a network fed inputs x where the text conditions each output on the earlier outputs (a language
    model: the diagram must feed them back)."""
    diagrams = [f for f in q.figures if f.diagram]
    if not diagrams:
        return q
    text = "\n".join([q.context, q.stem, q.answer, q.explanation] + [c.text for c in q.choices])
    angle, round_ = bool(_STEP_ANGLE.search(text)), bool(_STEP_ROUND.search(text))
    found = []
    for f in diagrams:
        words = f.diagram.split()
        if words[0].lower().startswith("recurrent-neuron"):
            continue  # the neuron's own x(t), y(t) subscripts
        drawn_round = words[-1] == "(t)"
        if round_ and not angle and not drawn_round:
            found.append(f"the diagram “{f.diagram}” writes its steps x<t> where the question writes x(t); "
                         "end its description with `(t)`")
        elif angle and not round_ and drawn_round:
            found.append(f"the diagram “{f.diagram}” writes its steps x(t) where the question writes x<t>")
        if _OWN_OUTPUTS.search(text) and words[0].lower() not in _FED_BACK:
            found.append(f"the question conditions each output on the earlier outputs (a language model), but "
                         f"the diagram “{f.diagram}” is fed inputs x: draw `language-model T=N`")
    if not found:
        return q
    return q.with_(diagnostics=q.diagnostics + tuple(
        Diagnostic(q.source.file, q.source.line_start, "warning", "figure-disagrees", f"{q.id}: {m}") for m in found))


def explanations_checked(doc: Document) -> Document:
    """The document with an `explanation-missing` note on each choice question that says which option is
    right but not why: the card's back would only mark it. Its overlay fix can say why, for learners."""
    overlay = overlay_path(doc.path).as_posix()
    questions = []
    for q in map(figures_checked, doc.questions):
        if q.kind in ("single_choice", "multi_choice") and not (q.explanation.strip() or q.answer.strip()):
            q = q.with_(diagnostics=q.diagnostics + (Diagnostic(
                q.source.file, q.source.line_start, "info", "explanation-missing",
                f"{q.id} says which option is right but not why; give its fix in {overlay} an `explanation` "
                "written for learners"),))
        questions.append(q)
    return replace(doc, questions=tuple(questions))


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
        else:  # stem, answer, explanation or context: load_overlay let no other field through
            current = changes.get(field, getattr(q, field))
            if find not in current:
                diags.append(Diagnostic(path, line, "error", "fix-stale", f"{q.id} {field} no longer contains “{find}”"))
                continue
            changes[field] = current.replace(find, new)
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
    if "rubric" in fix:
        changes["rubric"] = tuple(fix["rubric"])
    if "vary" in fix:
        changes["vary"] = vary_of(fix["vary"])
    if "sizes" in fix:
        changes["sizes"] = tuple(sorted(fix["sizes"].items()))
    if fix.get("figure"):
        changes["figures"], problems = _figures(q, fix["figure"], path, line)
        diags += problems
    supplied = _supplied_lines(q, changes.get("figures", q.figures))
    kept = []
    for d in q.diagnostics:
        if d.code == "figure-missing" and d.line in supplied:
            kept.append(Diagnostic(d.file, d.line, "info", d.code,
                                   f"the document lacks this figure; {where} supplies it"))
        elif d.code in resolved:
            kept.append(Diagnostic(d.file, d.line, "info", d.code, f"{d.message} — resolved by {where}: {fix['why']}"))
        else:
            kept.append(d)
    kept.append(Diagnostic(q.source.file, q.source.line_start, "info", "fix-applied", f"{where}: {fix['why']}"))
    cues = q.cues + ((Cue("correct", f"overlay {where}", q.source.line_start),) if resolved else ())
    return q.with_(choices=tuple(choices), diagnostics=tuple(kept), cues=cues, **changes), diags
