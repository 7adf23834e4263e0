"""The cues real documents use, as small recognisers over one line's text: question labels, answer and
explanation labels, correct marks, and noise. The layout analysis combines them; nothing here looks at
more than one line."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# ---- question labels --------------------------------------------------------------------------------------

GROUP, NUMBER, LETTER, ROMAN = 0, 1, 2, 3  # label ranks: a deeper rank is a sub-part of the one above it

_B = r"(?:\*\*|__)"  # bold markers around a label
# The word before a question's number, in the languages quizzes are written in (English, Spanish, French,
# Portuguese, Italian, German, Dutch, Polish, Russian, Turkish, Indonesian, Vietnamese, Korean, Japanese, Chinese)
_QWORD = (r"(?:Q|Qn|Ques|Question|Problem|Exercise|Ex|Pregunta|Ejercicio|Problema|Cuesti[oó]n|Exercice|Probl[eè]me|"
          r"Quest[aã]o|Pergunta|Domanda|Esercizio|Frage|Aufgabe|[ÜU]bung|Vraag|Opgave|Pytanie|Zadanie|Вопрос|Задание|"
          r"Задача|Soru|Soal|Pertanyaan|C[âa]u|B[àa]i|Quiz|퀴즈|문제|問題|問|问题|题|第)")
_QUESTION_WORD = (r"(?:Question|Pregunta|Frage|Quest[aã]o|Pergunta|Domanda|Vraag|Pytanie|Вопрос|Soru|Pertanyaan|"
                  r"C[âa]u\s+h[ỏo]i|질문|问题|問題)")
_POINTS = re.compile(r"\s{0,8}[(\[]\s{0,8}\d+(?:[.,]\d+)?\s{0,8}(?:points?|pts?|marks?|pont(?:ok)?|punkt(?:e|y|ów|a)?|po[äe]ng|punti|punto|"
                     r"puntos?|pontos?|bod(?:y|ů)?|poin|puan|балл(?:а|ов)?|бал(?:и|ів)?|очк(?:о|а|ов)|점|分|点)"
                     r"\s{0,8}[)\]]\s{0,8}|\s{0,8}\((?:written|coding|code)\)\s{0,8}", re.I)  # bounded: linear
ROMANS = _ROMANS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")


@dataclass(frozen=True)
class Label:
    rank: int  # GROUP, NUMBER, LETTER or ROMAN
    label: str  # as numbered: "3", "10.2.1", "a", "ii"; "" when the document gives none (`**Q:**`)
    text: str  # what follows the label on its line
    cue: str  # which cue recognised it


_LABELS: list[tuple[re.Pattern[str], int, str, bool]] = [
    # (pattern, rank, cue, allowed in running text as well as in headings); group 1 is the number (absent when
    # the document numbers nothing), the last group the text after the label
    (re.compile(rf"^{_B}?\s*(?:Task|Part)\s+(\d+)\s*[.:)．。：、）]?\s*{_B}?\s*[.:]?\s*(.*)$", re.I), GROUP, "group-label", True),
    (re.compile(rf"^{_B}\s*(?:{_QWORD}\.?\s*)?(\d+(?:\.\d+)*)\s*[.:)．。：、）]?\s*{_B}(?![_*])\s*[.:)．。：、）]?\s*(.*)$", re.I), NUMBER,
     "bold-label", True),
    (re.compile(rf"^{_B}\s*Q\s*[.:]\s*{_B}\s*(.*)$", re.I), NUMBER, "bold-label", True),
    (re.compile(rf"^{_B}\s*(?:{_QWORD}\.?\s*)?(\d+)\s*[.:)．。：、）]\s*(.+?)\s*{_B}\s*$", re.I), NUMBER, "bold-label", True),
    (re.compile(r"^(\d+)\s*[.)]\s*Question\s+\d+\s*()$", re.I), NUMBER, "export-number", True),
    (re.compile(rf"^{_QWORD}\.?\s*(\d+)\s*(?:[.:)．。：、）\-–]\s*|\s+(?=\S)|$)(.*)$", re.I), NUMBER, "question-label", True),
    (re.compile(r"^Q\s*[.:]\s+(.+)$", re.I), NUMBER, "question-label", True),
    # `**Question:** What ...?`, `Pregunta: ¿...?`: the word for a question, with no number
    (re.compile(rf"^{_B}?\s*{_QUESTION_WORD}\s*[:：]\s*{_B}?\s*(\S.*)$", re.I), NUMBER, "question-label", True),
    (re.compile(r"^\((" + "|".join(_ROMANS) + r")\)\s*(.*)$"), ROMAN, "part-label", True),
    (re.compile(r"^\(([a-z])\)\s*(.*)$"), LETTER, "part-label", True),
    # `## 10.2.1`, and a chapter's exercise `#### 01-03.` (read as 1.3)
    (re.compile(r"^(\d+(?:\.\d+)*|\d{1,2}-\d{1,3}(?=[.:)]))(?:\s*[.:)．。：、）]\s*|\s+|$)(.*)$"), NUMBER, "numbered-heading",
     False),
    (re.compile(r"^(" + "|".join(_ROMANS) + r")[.)]\s+(.*)$"), ROMAN, "part-label", True),
    (re.compile(r"^([a-z])[.)]\s+(.*)$"), LETTER, "part-label", True),
]


# Emoji and pictographs that decorate a heading before its label: `## 🎯 Question 1: ...`
_PICTOGRAPHS = re.compile(r"^(?:[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]\uFE0F?\u200d?\s*)+")


def label(text: str, heading: bool) -> Label | None:
    """The question label that opens `text` (a heading's text when `heading`), or None."""
    if heading and text[:1] > "\u25ff":
        text = _PICTOGRAPHS.sub("", text)
    for pattern, rank, cue, anywhere in _LABELS:
        if not (anywhere or heading):
            continue
        m = pattern.match(text)
        if not m:
            continue
        number = m.group(1) if pattern.groups == 2 else ""
        if "-" in number:
            number = ".".join(str(int(n)) for n in number.split("-"))
        body = m.group(pattern.groups) or ""
        if heading and cue in ("question-label", "bold-label", "export-number", "part-label"):
            cue = {"question-label": "question-heading", "part-label": "part-heading"}.get(cue, cue)
        return Label(rank, number, _tidy(body), cue)
    return None


_CLOSING_HASHES = re.compile(r"\s+#+\s*$")


def has_points(text: str) -> bool:
    """Whether text carries a points annotation (`(10 points)`, `[2 Punkte]`)."""
    return bool(_POINTS.search(text))


def _tidy(text: str) -> str:
    """Label text without points annotations (`(2 points)`), closing `###` and stray bold markers."""
    if "(" in text or "[" in text:  # every annotation is in brackets
        text = _POINTS.sub(" ", text)
    if "#" in text:
        text = _CLOSING_HASHES.sub("", text)
    if text.count("**") % 2 == 1:
        text = text.replace("**", "", 1) if text.startswith("**") else text
    return text.strip()


_EMPHASIS = re.compile(r"[*_#`]")
_SENTENCE_END = re.compile(r"[.!:。！：]\s*$")
# A blank to fill in: `（ ）`, `( )` with a space, `____`: the line asks for what goes there.
BLANK = re.compile(r"（\s*）|\(\s+\)|_{3,}|＿{2,}|\\_\\_")
_WIDE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")  # kana, CJK ideographs, Hangul: a word each, no spaces


def is_title(text: str) -> bool:
    """Text that names a section rather than asking something: short, no question mark, no sentence end."""
    s = _EMPHASIS.sub("", text).strip()
    if not s:
        return True
    return "?" not in s and "？" not in s and not _SENTENCE_END.search(s) and len(s.split()) <= 12 \
        and len(_WIDE.findall(s)) <= 24 and not _ASKS.match(s) and not BLANK.search(text)


_ASKS = re.compile(r"^(?:what|why|how|when|where|which|who|whom|whose|is|are|can|could|does|do|did|should|would|"
                   r"will|explain|describe|discuss|define|compare|contrast|state|list|name|give|write|derive|show|"
                   r"prove|calculate|compute|find|consider|suppose|assume|imagine|briefly|let|match|analy[sz]e|"
                   r"determine|evaluate|outline|summari[sz]e|classify|arrange|estimate|"
                   r"justify|predict|sketch|translate)\b", re.I)


_TASK_VERB = re.compile(r"(?:^|[.;:,]\s+|\band\s+)(?:(?:briefly|clearly|carefully|now|then|also|please)\s+)?"
                        r"(?:explain|describe|discuss|define|compare|contrast|state|list|name|give|write|derive|show|"
                        r"prove|calculate|compute|find|estimate|sketch|draw|justify|go through|consider|suppose|"
                        r"assume|determine|identify|outline|summari[sz]e|evaluate|implement|plot|predict)\b", re.I)


_LEADING_EMPHASIS = re.compile(r"^[*_\s]+")


# A question or a task without a question mark: Japanese `...はどれですか。`, `...選択してください。`, or a blank
_ASKS_WITHOUT_MARK = re.compile(r"(?:ですか|ますか|でしょうか|か)[。．]|(?:してください|しなさい|せよ)[。．]"
                      r"|（\s*）|\(\s+\)|_{4,}|＿{2,}")  # or a blank to fill: `...的是（）`, `The ____ is`


def asks_plainly(text: str) -> bool:
    """Text that asks in so many words: a question mark, or a task verb opening a sentence or clause (`...; in
    1-2 sentences, explain why`). Stricter than `asks`: an option such as `How much of the state is kept`
    does not count."""
    s = _LEADING_EMPHASIS.sub("", text).strip()
    return "?" in s or "？" in s or bool(_TASK_VERB.search(s)) or bool(_ASKS_WITHOUT_MARK.search(s))


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def long_enough(text: str, words: int) -> bool:
    """At least `words` words; in Chinese, Japanese or Korean, which put no spaces between words, as many
    characters count as one word each."""
    return len(text.split()) >= words or len(_CJK.findall(text)) >= words


# A statement to judge: `The Sun is a star. (True/False)`, `True or false: ...`, `Vrai ou faux : ...`.
_JUDGE = re.compile(r"\((?:true\s*/\s*false|t\s*/\s*f|vrai\s*/\s*faux|v\s*/\s*f|verdadero\s*/\s*falso|"
                    r"richtig\s*/\s*falsch|r\s*/\s*f)\)|^(?:true\s+or\s+false|vrai\s+ou\s+faux|"
                    r"verdadero\s+o\s+falso|richtig\s+oder\s+falsch)\b", re.I)


def judges(text: str) -> bool:
    """A statement to judge true or false: `True or false: ...`, `... (T/F)`."""
    return bool(_JUDGE.search(_LEADING_EMPHASIS.sub("", text).strip()))


# The verdicts a statement's answer opens with, each with its opposite: (true word, false word).
VERDICTS = (("True", "False"), ("Vrai", "Faux"), ("Verdadero", "Falso"), ("Verdadeiro", "Falso"),
            ("Richtig", "Falsch"), ("Vero", "Falso"))
_VERDICT = re.compile(r"^[*_\s]*(" + "|".join(sorted({w for pair in VERDICTS for w in pair}, key=len, reverse=True))
                      + r"|[TFV](?=[*_]*\s*[.!:;,—–-]*\s*$))\b[*_]*\s*[.!:;,—–-]*\s*", re.I)  # or its initial alone

# A statement with its verdict after it, in bold or after a dash: `The Sun is a star. **True**`, `... — False`
VERDICT_AFTER = re.compile(r"\s(?:\*\*|__|[-–—]\s*(?:\*\*|__)?)(" + "|".join(w for pair in VERDICTS for w in pair)
                           + r")(?:\*\*|__)?\.?\s*$", re.I)


def verdict(answer: str, stem: str) -> tuple[tuple[str, str], bool, str] | None:
    """The answer to a statement to judge -> ((true word, false word), whether it is true, what follows), or None
    when the answer does not open with a verdict. The words are the ones the stem's `True or false` uses."""
    m = _VERDICT.match(answer)
    if not m:
        return None
    word = m.group(1).lower()
    asked = stem.lower()
    pairs = [p for p in VERDICTS if word in (p[0].lower(), p[1].lower())] or [
        p for p in VERDICTS if word in (p[0][0].lower(), p[1][0].lower())]
    pair = next((p for p in pairs if p[0].lower() in asked and p[1].lower() in asked), pairs[0])
    return pair, word in (pair[0].lower(), pair[0][0].lower()), answer[m.end():].strip()


def asks(text: str) -> bool:
    """Text that reads as a question or a task (a statement to judge true or false is one)."""
    s = _LEADING_EMPHASIS.sub("", text).strip()
    return "?" in s or "？" in s or bool(_ASKS.match(s)) or bool(_JUDGE.search(s)) or bool(_ASKS_WITHOUT_MARK.search(s)) \
        or bool(BLANK.search(s))


# ---- answers, explanations, attribution ------------------------------------------------------------------

# `**Answer:** b`, `**Answer**: b`, `Answer: **b**`: bold closes after the label only when it opened before it.
# A label may wear a pictograph before it (`✅ Answer:`, `💡 Explanation:`, `:bulb: Note:`), inside its bold or not.
_DECOR = (r"(?:(?:[\u2190-\u21ff\u2300-\u23ff\u2460-\u24ff\u25a0-\u27bf\u2900-\u297f\u2b00-\u2bff"
          r"\U0001f000-\U0001faff]\ufe0f?|:[a-z_]+:)\s*)*")
_OPEN = r"^(?P<b>\*\*|__|\*(?!\s)|_(?!\s))?\s*"  # bold, or italics: `*Answer: C*`
_DECORATED = re.compile(rf"^(\*\*|__|\*(?!\s)|_(?!\s))?\s*{_DECOR}")


def _undecorated(s: str) -> str:
    """The text without a pictograph before its label, inside the label's emphasis or not."""
    k = 2 if s[:2] in ("**", "__") else 1 if s[:1] in ("*", "_") else 0
    if not s[k:k + 1] or (s[k] < "\u2190" and s[k] != ":"):
        return s  # most lines: no pictograph, nothing to do
    m = _DECORATED.match(s)
    return (m.group(1) or "") + s[m.end():] if m and m.end() > len(m.group(1) or "") else s
_CLOSE = r"\s*(?(b)(?:(?:\*\*|__|\*|_)\s*)?)"  # whitespace, and the emphasis it opened with: one \s* each (linear)
ANSWER = re.compile(
    rf"{_OPEN}(?:(?:(?:correct|right|model|suggested|short|richtige|korrekte|bonne)\s+)?(?:answers?|ans|solution|sol|"
    rf"respuestas?(?:\s+correcta)?|soluci[oó]n|r[ée]ponses?(?:\s+correcte)?|resposta(?:\s+(?:correta|certa))?|"
    rf"risposta(?:\s+(?:corretta|giusta))?|l[öo]sung(?:en)?|antwort(?:en)?|答案|正确答案|解答|正解|答え|答|"
    rf"(?:правильный\s+)?ответ|(?:правильна\s+)?відповідь|정답|답|(?:do[ğg]ru\s+)?cevap|đáp\s+án|odpowied[źz]|"
    rf"odpov[eě][dď]|(?:helyes\s+)?v[áa]lasz|megold[áa]s|svar|vastaus|r[ăa]spuns(?:ul\s+corect)?|απάντηση|"
    rf"الإجابة|الجواب|उत्तर|คำตอบ|پاسخ|תשובה|antwoord|(?:kunci\s+)?jawaban|jawapan|answered\s+correctly){_CLOSE}"
    rf"(?:[.:：]|[-–—](?=\s))|a{_CLOSE}[:：]|a\.(?=\d{{1,2}}\s*$)){_CLOSE}(.*)$", re.I)
# The answer in brackets at the end of the question's text: `What is the largest ocean? (Answer: Pacific)`
ANSWER_IN_BRACKETS = re.compile(r"\s[(\[]\s*(?:answer|ans|r[ée]ponse|respuesta|resposta|risposta|antwort|ответ|"
                                r"答案|答え|정답|đáp án|jawaban|cevap)\s*[:：]\s*([^()\[\]\n]+?)\s*[)\]]\s*$", re.I)
# A worked solution's label (as opposed to the answer's): `**Solution:**`, `Lösung:`, `Solución`, `解答`
SOLUTION_LABEL = re.compile(rf"{_OPEN}(?:solutions?|sol|soluci[oó]n|l[öo]sung(?:en)?|r[ée]solution|resolu[çc][ãa]o|"
                            rf"soluzione|解答|解法|풀이)\b", re.I)
ANSWER_ALONE = re.compile(rf"{_OPEN}(?:(?:correct|right)\s+answers?|answers?|solution|ans){_CLOSE}[.:]?{_CLOSE}$", re.I)
# The answer said in a sentence: `The correct answer is **B**.`, `La respuesta correcta es la c)`.
ANSWER_SENTENCE = re.compile(
    rf"{_OPEN}(?:the\s+(?:(?:correct|right)\s+)?(?:answer|option|choice)\s+(?:is|was)|"
    rf"la\s+respuesta\s+correcta\s+es|la\s+(?:bonne\s+r[ée]ponse|r[ée]ponse\s+correcte)\s+est|"
    rf"die\s+(?:richtige|korrekte)\s+antwort\s+ist|a\s+resposta\s+(?:correta|certa)\s+[ée]|"
    rf"la\s+risposta\s+(?:corretta|giusta)\s+[èe]|正确答案是|答案是){_CLOSE}[:：]?\s*(?P<said>\S.*)$", re.I)
# The label and the option it names with no colon between: `**Réponse 4**. Because...`, `Answer B.`
ANSWER_NAMING = re.compile(
    rf"{_OPEN}(?:(?:correct\s+)?answer|r[ée]ponse|respuesta|resposta|risposta|antwort|ответ|odpowied[źz]|cevap|"
    rf"jawaban)\s+(\d{{1,2}}|(?-i:[A-H]))(?:\s*(?:\*\*|__)\s*[.)]?|\s*[.)]|(?=\s*$))(?:\s*(\S.*))?$", re.I)
CORRECT_LABEL = re.compile(rf"{_OPEN}correct(?:\s+(?:options?|choices?))?{_CLOSE}[:：]{_CLOSE}(.+)$", re.I)
_EXPLAINS = (r"erkl[äa]rung|explicaci[oó]n|explication|explica[çc][ãa]o|spiegazione|uitleg|wyja[śs]nienie|"
             r"объяснение|пояснение|a[çc][ıi]klama|penjelasan|gi[ảa]i\s+th[íi]ch|答案解析|解析|解释|解説|해설")
EXPLANATION = re.compile(
    rf"{_OPEN}(?:explanation|reason|rationale|justification|why|feedback|because|note|{_EXPLAINS}){_CLOSE}[:：]"
    rf"{_CLOSE}(.*)$"
    rf"|^(?:\*\*|__)?\s*(?:explanation|feedback|rationale|{_EXPLAINS})\s*(?:\*\*|__)?\s*()$", re.I)  # or alone
ATTRIBUTION = re.compile(rf"{_OPEN}(?:sources?|from|reference|ref|credit){_CLOSE}:\s*(.+)$", re.I)
# Option letters of other alphabets, in order: Cyrillic а б в г д е, Greek α β γ δ ε ζ; read as a b c d e f.
OTHER_ALPHABETS = str.maketrans("абвгдежзАБВГДЕЖЗαβγδεζηθΑΒΓΔΕΖΗΘ", "abcdefghABCDEFGHabcdefghABCDEFGH")
_L = "A-Ha-hа-зА-Зα-θΑ-Θ"
# An option line lettered a) (a) A. A), in bold or not, or `A - text`
LETTERED_OPTION = re.compile(rf"^(?:\*\*|__)?(?:\(([{_L}])\)|([{_L}])(?:[.)]| \))|([A-H])\s+[-–—](?=\s))(?:\*\*|__)?\s+(\S.*)$")


def option_letter(m: re.Match[str]) -> str:
    """The Latin letter of a LETTERED_OPTION match, lower case: `б)` -> `b`."""
    return (m.group(1) or m.group(2) or m.group(3)).translate(OTHER_ALPHABETS).lower()
CONTEXT = re.compile(rf"{_OPEN}(?:context|set-?up|given){_CLOSE}:{_CLOSE}(.*)$", re.I)
# `请问以下语句的输出结果是？(D)`: the answer's letter in brackets at the end of the stem, as Chinese papers print it.
STEM_LETTER = re.compile(r"[?？:：]\s*[(（]\s*([A-H])\s*[)）][ \t]*$", re.M)  # at the end of a line
OPTIONS_INTRO = re.compile(rf"{_OPEN}(?:options|choices|alternatives|answer choices|opciones|alternativas|choix|"
                           rf"r[ée]ponses possibles|optionen|antwortm[öo]glichkeiten|op[çc][õo]es|opzioni|选项|選択肢|"
                           rf"보기|선택지|選項|варианты(?: ответов)?|pilihan|se[çc]enekler|opcje|l[ựu]a\s+ch[ọo]n){_CLOSE}[:：]?"
                           rf"{_CLOSE}$", re.I)


# Asked of every line, several times over (is this an answer line? is there one further down?): 4 in 10 of a large
# document's reading time went to it before it was remembered. Lines of one document repeat (`Answer: B`).
@lru_cache(maxsize=16384)
def answer_text(text: str) -> str | None:
    """The answer a labelled line gives (`Answer: b` -> `b`; `Answer` alone -> ``), or None."""
    s = _undecorated(text.strip())
    if s[:1] == "`" and s[-1:] == "`" and s.count("`") == 2:
        s = s[1:-1].strip()  # `答え：4` written as inline code
    if ANSWER_ALONE.match(s) or s in ("?", "??"):  # `?` alone between a card's sides (spaced-repetition notes)
        return ""
    if s.startswith("= ") and s[2:].strip() and not s.rstrip().endswith("="):  # `= Rome` under the question
        return s[2:].strip()
    m = ANSWER.match(s) or CORRECT_LABEL.match(s) or ANSWER_SENTENCE.match(s)
    if not m and len(s) < 120 and (named := ANSWER_NAMING.match(s)):
        return named.group(2) + (f" - {named.group(3)}" if named.group(3) else "")
    if not m:
        return None
    body = m.groups()[-1].strip()
    if body.endswith("**") and body.count("**") % 2 == 1:
        body = body[:-2].strip()
    elif m.group("b") in ("*", "_") and body.endswith(m.group("b")) and not body.endswith(m.group("b") * 2):
        body = body[:-1].strip()  # `*Answer: C (why)*`: the italics close after the answer
    elif m.group("b") and body.count(m.group("b")) % 2 == 1:  # `**Answer: 4** - why`: the bold closes after the answer
        k = body.index(m.group("b"))
        body = (body[:k].rstrip() + " " + body[k + 2:].lstrip()).strip()
    return body


def explanation_text(text: str) -> str | None:
    m = EXPLANATION.match(_undecorated(text.strip()))
    return (m.group(m.lastindex) or "").strip() if m else None  # the text after the label, or none when alone


# ---- correct marks on an option -----------------------------------------------------------------------------

_CHECK = r"(?:✓|✔|✅|☑|✔️|:white_check_mark:|:heavy_check_mark:|:ballot_box_with_check:|\$\\checkmark\$)"
_CROSS = r"(?:✗|✘|❌|✖|:x:|:heavy_multiplication_x:)"
CHECK_LEAD = re.compile(rf"^{_CHECK}\s*")
CHECK_TRAIL = re.compile(rf"\s{{0,8}}(?:[-–—]\s{{0,8}})?{_CHECK}\s*$")  # bounded: linear on long lines
CROSS_MARK = re.compile(rf"^{_CROSS}\s*|\s{{0,8}}{_CROSS}\s*$")
CORRECT_TRAIL = re.compile(r"\s{0,8}(?:[(\[]\s*(?:correct|right|answer|true)\s*[)\]]|(?:<-|←|⟵)\s*(?:correct|answer)\b.*"
                           r"|\*\*\s*\(correct\)\s*\*\*)\s*$", re.I)
# `**Correct Answer:** Ribosomes` as one of the options: the label marks the option it opens.
CORRECT_LEAD = re.compile(r"^(?:\*\*|__)?\s*(?:correct(?:\s+answer)?|right\s+answer|respuesta\s+correcta|"
                          r"bonne\s+r[ée]ponse|r[ée]ponse\s+correcte|richtige\s+antwort|resposta\s+correta|"
                          r"risposta\s+corretta|正确答案|正解|정답)\s*(?:\*\*|__)?\s*[:：]\s*(?:\*\*|__)?\s*(?=\S)", re.I)
TASK = re.compile(r"^\[([ xX✓✔])\]\s*(.*)$")
FEEDBACK_WORD = re.compile(r"^(?:[-*]\s+)?(?:✓|✔|✅|\$\\checkmark\$|\\checkmark)?\s*(correct|incorrect|wrong|right|"
                           r"that'?s right|not quite|yes|no)\b[!.]?(?:\s|$)", re.I)


_BOLD_WHOLE = re.compile(r"(\*\*|__)(.+?)\1")


def bold_whole(text: str) -> str | None:
    """The text inside `**...**` when the whole option is bold, else None."""
    m = _BOLD_WHOLE.fullmatch(text.strip())
    return m.group(2).strip() if m and "**" not in m.group(2) else None


def option_mark(text: str) -> tuple[str, str]:
    """Option text -> (text without its mark, the mark: "checked", "unchecked", "check", "cross", "correct",
    "bold" or "")."""
    s = text.strip()
    box = TASK.match(s)
    if box:
        return box.group(2).strip(), "unchecked" if box.group(1) == " " else "checked"
    for pattern, mark in ((CHECK_LEAD, "check"), (CHECK_TRAIL, "check"), (CROSS_MARK, "cross"),
                          (CORRECT_TRAIL, "correct"), (CORRECT_LEAD, "correct")):
        if pattern.search(s):
            return pattern.sub("", s, count=1).strip(), mark
    inner = bold_whole(s)
    if inner is not None:
        return inner, "bold"
    return s, ""


# ---- noise ----------------------------------------------------------------------------------------------

NOISE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:#+\s*)?(?:latest submission grade|grade received|your grade|grade|to pass\b.*|"
                r"congratulations!? you passed!?|you passed!?)\s*:?\s*(?:\d+(?:\.\d+)?\s*%)?$", re.I), "grade banner"),
    (re.compile(r"^\d{1,3}(?:\.\d+)?\s*%$"), "grade banner"),
    (re.compile(r"^\d+(?:\.\d+)?\s*/\s*\d+(?:\.\d+)?\s*(?:points?|pts?|marks?)$", re.I), "points widget"),
    (re.compile(r"^(?:check|submit|skip|retry|show answer|hide answer|next question|view feedback)$", re.I),
     "quiz widget"),
    (re.compile(r"^-{2,}\s*https?://\S+.*$"), "page footer"),
    (re.compile(r"^\[\W*(?:back to (?:the )?(?:top|contents|index)|to top|top|table of contents|contents|home|index|"
                r"next|previous|prev)\W*\]\([^)]*\)$", re.I), "navigation link"),
    (re.compile(r"^[_*]*\(?(?:todo|tbd|to do|coming soon|wip)\b.*$", re.I), "placeholder"),
]


def noise_reason(text: str) -> str | None:
    s = text.strip().strip("*_").strip()
    if len(s) > 160:
        return None  # noise is a short line
    for pattern, reason in NOISE:
        if pattern.match(s):
            return reason
    return None


LINK_ONLY = re.compile(r"^\s*(?:[-*+]\s+)?\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))*)\)\s*$")
PAGE_NUMBER_ENTRY = re.compile(r"^(.*\S)\s+(\d{1,4})$")
CONTENTS_TITLE = re.compile(r"^(?:table of )?contents$|^toc$", re.I)
# The title of an answer-key section. Words that also label one question's answer (`Solution`, `解答`, `Đáp án`)
# are left out: under the last question they would take its worked steps for a key.
KEY_TITLE = re.compile(r"^(?:answer\s*keys?|answers|solutions|key|answer sheet|correct answers|respuestas|soluciones|"
                       r"clave de respuestas|r[ée]ponses|corrig[ée]s?|l[öo]sungen|antworten|risposte|"
                       r"soluzioni|respostas|gabarito|ответы|odpowiedzi|klucz odpowiedzi|cevaplar|cevap anahtar[ıi]|"
                       r"kunci jawaban|antwoorden|参考答案|答案汇总|正解一覧|정답표|megold[óo]kulcs|megold[áa]sok|"
                       r"v[áa]laszok|odpov[eě]di|kl[íi][čc] odpov[eě]d[íi]|відповіді|ключ відповідей|"
                       r"facit|vastaukset|r[ăa]spunsuri|απαντήσεις|الإجابات|उत्तर कुंजी|پاسخ‌?ها|"
                       r"đáp án các câu|正解一覧)\s*[:：]?$", re.I)


def bare_title(text: str) -> str:
    """A heading's or bold line's words without `#`, bold, a colon or pictographs: `## ✅ Answer Key:` -> `Answer Key`."""
    return _PICTOGRAPHS.sub("", text.strip("#*_: ").strip()).strip("#*_: ").strip()
