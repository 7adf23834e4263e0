"""A question bank kept as a table, one question per row, as a spreadsheet exports it to Markdown -> questions.

    | # | Question                        | A      | B        | C     | Answer |
    |---|---------------------------------|--------|----------|-------|--------|
    | 1 | Which gas makes up most of air? | Oxygen | Nitrogen | Argon | B      |

Columns are known by their header, in several languages: the question (`Question`, `Stem`, `Prompt`, `Term`,
`Pregunta`, `Frage`, `Câu hỏi`, `问题`...), the options (single letters `A`...`H`, or `Option 1`, `Choice B`...), the answer
(`Answer`, `Correct`, `Key`, `Definition`, `Respuesta`, `Antwort`, `Réponse`, `Trả lời`, `答案`...) and an explanation (`Explanation`,
`Why`, `Rationale`...). The answer names its options by letter, by number or by their text; a row without
options is an open question with that answer. Read only when the Markdown reader finds no question in the text.
"""
from __future__ import annotations

import re

from pipeline.files.normalize import decode, split_lines
from pipeline.formats.items import Item, document
from pipeline.model import Choice, Cue, Diagnostic, Document

QUESTION = {"question", "questions", "stem", "prompt", "question text", "term", "front", "pregunta", "frage",
            "question posée", "domanda", "pergunta", "questão", "vraag", "pytanie", "вопрос", "soru", "pertanyaan",
            "soal", "câu hỏi", "질문", "문제", "问题", "题目", "問題", "質問"}
ANSWER = {"answer", "answers", "correct", "correct answer", "correct option", "key", "solution", "definition", "back",
          "respuesta", "respuesta correcta", "antwort", "richtige antwort", "réponse", "bonne réponse", "risposta",
          "resposta", "resposta correta", "antwoord", "odpowiedź", "ответ", "cevap", "jawaban", "trả lời", "đáp án",
          "답", "정답", "答案", "正确答案", "解答", "答え", "正解"}
EXPLANATION = {"explanation", "why", "rationale", "feedback", "explicación", "explicacion", "erklärung",
               "explication", "spiegazione", "explicação", "解析", "解释", "uitleg"}
_OPTION = re.compile(r"^(?:(?:option|choice|opción|opcion|opção|antwort|réponse|选项)\s*)?([a-h]|[1-8])$")
_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
_LETTERS = re.compile(r"^[A-H](?:\s*(?:,|&|/|;|\band\b)\s*[A-H]|\s+[A-H])*$", re.I)
_NUMBERS = re.compile(r"^[1-8](?:\s*(?:,|&|/|;|\band\b)\s*[1-8]|\s+[1-8])*$")


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip() for c in re.split(r"(?<!\\)\|", body)]


def _header(cell: str) -> str:
    return " ".join(re.sub(r"[*_`:.#()\[\]]", " ", cell).lower().split())


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[*_`]", "", text).lower().strip(" .").split())


def read_table(data: bytes, path: str, slug: str) -> Document | None:
    """The questions of the first table whose header names a question column, or None when there is none."""
    text, diags = decode(data, path)
    if text is None:
        return None
    lines = split_lines(text)
    for i in range(len(lines) - 1):
        if not (lines[i].lstrip().startswith("|") and _SEPARATOR.match(lines[i + 1].strip())):
            continue
        heads = [_header(c) for c in _cells(lines[i])]
        if not any(h in QUESTION for h in heads):
            continue
        rows = []
        j = i + 2
        while j < len(lines) and lines[j].lstrip().startswith("|"):
            rows.append((j + 1, _cells(lines[j])))
            j += 1
        items = [_item(heads, no, cells, path) for no, cells in rows if any(cells)]
        title = next((ln.strip("# ").strip() for ln in lines[:i] if ln.startswith("#")), "")
        return document([it for it in items if it is not None], path, slug, "question table", title,
                        lines=tuple(lines), diagnostics=diags, looked_for="a row per question under a header "
                        "with a question column")
    return None


def _item(heads: list[str], no: int, cells: list[str], path: str) -> Item | None:
    cells = cells + [""] * (len(heads) - len(cells))
    column = {h: c for h, c in zip(heads, cells)}
    stem = next((column[h] for h in heads if h in QUESTION), "")
    if not stem:
        return None
    answer = next((column[h] for h in heads if h in ANSWER), "")
    explanation = next((column[h] for h in heads if h in EXPLANATION), "")
    options = [(c, h) for h, c in zip(heads, cells) if _OPTION.match(h) and c]
    item = Item("open", stem, no, no, answer=answer, explanation=explanation,
                cues=[Cue("start", "table-row", no)])
    if not options:
        return item
    item.kind = "single_choice"
    item.answer = ""
    item.cues.append(Cue("options", "table-columns", no))
    picks = _picks(answer, [c for c, _ in options])
    if picks is None and answer:
        item.diagnostics.append(Diagnostic(path, no, "warning", "answer-unmatched",
                                           f"the answer “{answer}” names no option of the row by letter, number "
                                           "or text"))
        item.explanation = "\n\n".join(t for t in (answer, explanation) if t)
    picks = picks or set()
    item.choices = [Choice(text, k in picks, no) for k, (text, _) in enumerate(options)]
    if len(picks) > 1:
        item.kind = "multi_choice"
    if picks:
        item.cues.append(Cue("correct", "answer-column", no))
    return item


def _picks(answer: str, options: list[str]) -> set[int] | None:
    """The options an answer cell names: letters (`B`, `A, C`), numbers (`2`) or an option's own text."""
    said = re.sub(r"[*_`]", "", answer).strip().rstrip(".")
    if not said:
        return None
    if _LETTERS.match(said):
        picks = {ord(ch) - ord("A") for ch in re.findall(r"[A-H]", said.upper())}
    elif _NUMBERS.match(said):
        picks = {int(d) - 1 for d in re.findall(r"[1-8]", said)}
    else:
        picks = {k for k, text in enumerate(options) if _plain(text) == _plain(said)}
    return picks if picks and all(k < len(options) for k in picks) else None


__all__ = ["read_table"]
