"""The bank and the exam definitions -> exam versions: which questions, their points, their order and the
order of their options. Pure: the same bank and definitions give the same versions."""
from __future__ import annotations

import itertools
import random
import re
import string
from dataclasses import dataclass
from typing import Sequence

from pipeline.compute import vary
from pipeline.select.definitions import Draw, ExamDefinition
from pipeline.model import Choice, Diagnostic, Document, Question, all_diagnostics

# Options that refer to their neighbours keep their place at the end when the others are shuffled.
_PINNED = re.compile(r"^\W*(all|none|both|neither) of (the )?(above|these|them)\b", re.I)
# Up to this many free options every arrangement is weighed; beyond, this many random ones are.
_ALL_ARRANGEMENTS = 6
_SAMPLED = 720


@dataclass(frozen=True)
class ExamItem:
    """One question as printed on one version."""
    number: int  # 1-based position on the paper
    question: Question
    points: float
    choices: tuple[Choice, ...]  # in printed order
    order: tuple[int, ...]  # order[k] = index in question.choices of the k-th printed option
    sizes: tuple[tuple[str, int], ...] = ()  # a numeric variant's own sizes, e.g. (("n_h", 64), ("n_x", 30))
    mistakes: tuple[str, ...] = ()  # a variant's options in printed order: the mistake each wrong one comes from
    check: str = ""  # how a variant's answer was checked


    @property
    def correct_letters(self) -> tuple[str, ...]:
        return tuple(string.ascii_uppercase[k] for k, c in enumerate(self.choices) if c.correct)


@dataclass(frozen=True)
class ExamVersion:
    exam: ExamDefinition
    letter: str  # "A", "B", ...
    items: tuple[ExamItem, ...]

    @property
    def total_points(self) -> float:
        return sum(item.points for item in self.items)

    @property
    def slug(self) -> str:
        return f"{self.exam.name}-{self.letter}"


def format_points(points: float) -> str:
    return str(int(points)) if float(points).is_integer() else f"{points:g}"


def select_versions(bank: Sequence[Document], definitions: Sequence[ExamDefinition]
                    ) -> tuple[list[ExamVersion], list[Diagnostic]]:
    """Every version of every exam, drawn from the documents without errors.

    An exam that could draw from a document with errors is left out with an `exam-kept` warning, so its
    last good PDFs stay: drawn without that document it would silently shrink (a stale fix or a broken
    file must not turn a 12-question exam into a 2-question one)."""
    failed = [doc for doc in bank if any(d.severity == "error" for d in all_diagnostics(doc))]
    failed_ids = {id(doc) for doc in failed}
    questions = [q for doc in bank if id(doc) not in failed_ids for q in doc.questions]
    versions: list[ExamVersion] = []
    diags: list[Diagnostic] = []
    for definition in definitions:
        blocked = [doc.path for doc in failed if _may_draw_from(definition, doc.slug)]
        if blocked:
            diags.append(Diagnostic(definition.file, definition.line, "warning", "exam-kept",
                                    f"exam '{definition.name}' can draw from {', '.join(blocked)}, which has "
                                    f"errors; its previous PDFs are kept"))
            continue
        selected, problems = select_questions(definition, questions)
        selected, left_out = answerable(definition, selected)
        variants, problems = _variants(definition, selected, problems + left_out)
        diags.extend(problems)
        if any(d.severity == "error" for d in problems) or not selected:
            continue
        versions.extend(shuffle_versions(definition, [(q, pts) for q, pts, _ in selected], variants))
    return versions, diags


def _variants(definition: ExamDefinition, selected: Sequence[tuple[Question, float, Draw | None]],
              diags: list[Diagnostic]) -> tuple[dict[str, list[vary.Varied]], list[Diagnostic]]:
    """Per question drawn by a `vary = true` rule: one variant per version, with its own sizes, answer and
    options. With more versions than the ranges give different answers, the variants are used in turn (no
    two neighbouring versions alike). A question that cannot vary is printed as the document states it."""
    diags = list(diags)
    found: dict[str, list[vary.Varied]] = {}
    for q, _, draw in selected:
        if draw is None or not q.vary:
            continue
        seed, problem = f"{definition.seed}:{definition.name}:{q.id}", None
        for count in range(definition.versions, 1 if definition.versions > 1 else 0, -1):
            try:
                drawn = vary.variants(q, seed, count, draw.options)
            except ValueError as err:
                problem = problem or err
                continue
            found[q.id] = [drawn[k % count] for k in range(definition.versions)]
            if count < definition.versions:
                diags.append(Diagnostic(definition.file, draw.line_of("vary"), "warning", "exam-vary-reused",
                                        f"exam '{definition.name}': {q.id}'s ranges give {count} variants with "
                                        f"different answers for {definition.versions} versions; they are used "
                                        f"in turn, so no two neighbouring versions share one"))
            break
        else:
            diags.append(Diagnostic(definition.file, draw.line_of("vary"), "warning", "exam-vary-failed",
                                    f"exam '{definition.name}': {problem}; it is printed with the document's "
                                    f"own numbers"))
    for draw in {id(d): d for _, _, d in selected if d is not None}.values():
        if not any(d is draw and q.vary for q, _, d in selected):
            diags.append(Diagnostic(definition.file, draw.line_of("vary"), "warning", "exam-vary-none",
                                    f"exam '{definition.name}': no question this rule draws declares sizes that "
                                    f"may vary; give one a `vary` table in its document's overlay"))
    return found, diags


def _may_draw_from(definition: ExamDefinition, document: str) -> bool:
    """Whether any rule of the exam could pick a question of `document`, whatever that document holds."""
    return any((not draw.documents or document in draw.documents)
               and (not draw.ids or any(i.startswith(f"{document}/") for i in draw.ids))
               for draw in definition.draws)


def _matches(draw: Draw, q: Question) -> bool:
    if draw.ids and q.id not in draw.ids:
        return False
    if draw.documents and q.document not in draw.documents:
        return False
    if draw.kinds and q.kind not in draw.kinds:
        return False
    if draw.sections and not any(s.casefold() in q.section.casefold() for s in draw.sections):
        return False
    if draw.tags and not set(draw.tags) & set(q.tags):
        return False
    if draw.answered is not None and q.answered != draw.answered:
        return False
    return True


def answerable(definition: ExamDefinition, selected: Sequence[tuple[Question, float, Draw | None]]
               ) -> tuple[list[tuple[Question, float, Draw | None]], list[Diagnostic]]:
    """The selected questions a student can answer on paper: one whose stem shows a figure the document
    lacks and no overlay supplies would be scored but unanswerable, so it is left out and reported."""
    kept = [pick for pick in selected if not pick[0].stem_figure_missing]
    diags = [Diagnostic(definition.file, definition.line, "warning", "exam-figure-missing",
                        f"exam '{definition.name}' leaves out {q.id} ({q.source.file}:{q.source.line_start}): it "
                        f"shows a figure the document lacks; supply it in the document's overlay")
             for q, _, _ in selected if q.stem_figure_missing]
    return kept, diags


def select_questions(definition: ExamDefinition, questions: Sequence[Question]
                     ) -> tuple[list[tuple[Question, float, Draw | None]], list[Diagnostic]]:
    """The exam's questions with their points and, for those a `vary = true` rule drew, that rule; in bank
    order, the same for every version."""
    diags: list[Diagnostic] = []
    known_ids = {q.id for q in questions}
    known_docs = {q.document for q in questions}
    chosen: dict[str, tuple[float, Draw | None]] = {}
    for d_index, draw in enumerate(definition.draws):
        line = draw.line_of
        for qid in draw.ids:
            if qid not in known_ids:
                diags.append(Diagnostic(definition.file, line("id"), "error", "exam-unknown-question",
                                        f"key 'id': exam '{definition.name}' asks for question '{qid}', "
                                        f"which no document holds"))
        for doc in draw.documents:
            if doc not in known_docs:
                diags.append(Diagnostic(definition.file, line("document"), "error", "exam-unknown-question",
                                        f"key 'document': exam '{definition.name}' draws from document "
                                        f"'{doc}', which has no questions"))
        pool = [q for q in questions if q.id not in chosen and _matches(draw, q)]
        if draw.count is not None and draw.count > len(pool):
            diags.append(Diagnostic(definition.file, line("count"), "error", "exam-pool-too-small",
                                    f"key 'count': exam '{definition.name}' asks for {draw.count} questions "
                                    f"but its pool holds only {len(pool)}"))
            continue
        if draw.count is not None:
            rng = random.Random(f"{definition.seed}:{definition.name}:draw{d_index}")
            picked = set(id(q) for q in rng.sample(pool, draw.count))
            pool = [q for q in pool if id(q) in picked]
        for q in pool:
            if draw.points is not None:
                pts = draw.points
            else:
                pts = definition.points_by_kind.get(q.kind, definition.points)
            chosen[q.id] = (pts, draw if draw.vary else None)
    if not chosen and not diags:
        diags.append(Diagnostic(definition.file, definition.line, "error", "exam-empty",
                                f"exam '{definition.name}' draws no questions"))
    by_id = {q.id: q for q in questions}
    order = {q.id: i for i, q in enumerate(questions)}
    selected = [(by_id[qid], pts, draw) for qid, (pts, draw) in sorted(chosen.items(), key=lambda kv: order[kv[0]])]
    return selected, diags


def shuffle_versions(definition: ExamDefinition, selected: Sequence[tuple[Question, float]],
                     variants: dict[str, list[vary.Varied]] | None = None) -> list[ExamVersion]:
    """Every version: its own question order, its own variant of each varied question, and option orders
    chosen across the versions so that a student who copies a neighbour's letters gains nothing.
    Reproducible from seed, exam name and letter."""
    variants = variants or {}
    orders = {q.id: option_orders(definition, variants[q.id][0].question if q.id in variants else q)
              for q, _ in selected}
    versions = []
    for index, letter in enumerate(definition.letters):
        rng = random.Random(f"{definition.seed}:{definition.name}:{letter}")
        picked = list(selected)
        if definition.shuffle_questions:
            rng.shuffle(picked)
        items = []
        for number, (q, pts) in enumerate(picked, start=1):
            order = orders[q.id][index]
            v = variants[q.id][index] if q.id in variants else None
            q = v.question if v else q
            items.append(ExamItem(number=number, question=q, points=pts,
                                  choices=tuple(q.choices[i] for i in order), order=order,
                                  sizes=v.sizes if v else (), check=v.check if v else "",
                                  mistakes=tuple(v.mistakes[i] for i in order) if v else ()))
        versions.append(ExamVersion(exam=definition, letter=letter, items=tuple(items)))
    return versions


def shuffle_version(definition: ExamDefinition, selected: Sequence[tuple[Question, float]],
                    letter: str) -> ExamVersion:
    """The version lettered `letter` of `shuffle_versions`."""
    return shuffle_versions(definition, selected)[definition.letters.index(letter)]


def option_orders(definition: ExamDefinition, q: Question) -> list[tuple[int, ...]]:
    """The order of q's options in each version (order[k] = index of the k-th printed option).

    Each version takes an arrangement no earlier version used, with correct letters no earlier version
    had; where the options allow no such arrangement (a pinned correct "None of the above", more versions
    than letters), it keeps as much as it can: a new arrangement whose letters differ from the previous
    version's, then any new arrangement, then one that differs from the previous version's."""
    n = len(q.choices)
    if not definition.shuffle_choices or n < 2:
        return [tuple(range(n))] * definition.versions
    pinned = tuple(i for i in range(n) if _PINNED.match(q.choices[i].text))
    free = [i for i in range(n) if i not in pinned]
    rng = random.Random(f"{definition.seed}:{definition.name}:{q.id}:options")
    if len(free) <= _ALL_ARRANGEMENTS:
        candidates = list(itertools.permutations(free))
        rng.shuffle(candidates)
    else:
        candidates = [tuple(rng.sample(free, len(free))) for _ in range(_SAMPLED)]
    orders: list[tuple[int, ...]] = []
    letters: list[frozenset[int]] = []
    for _ in range(definition.versions):
        best, best_rank = None, None
        for arrangement in candidates:
            order = arrangement + pinned
            correct = frozenset(k for k, i in enumerate(order) if q.choices[i].correct)
            new_order = order not in orders
            rank = (new_order and correct not in letters,
                    new_order and (not letters or correct != letters[-1]),
                    new_order,
                    not orders or order != orders[-1])
            if best_rank is None or rank > best_rank:
                best, best_rank = (order, correct), rank
                if all(rank):
                    break
        orders.append(best[0])
        letters.append(best[1])
    return orders


__all__ = ["ExamItem", "ExamVersion", "answerable", "format_points", "select_questions", "option_orders",
           "select_versions", "shuffle_version", "shuffle_versions"]
