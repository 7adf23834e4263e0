"""One document, one overlay or one settings file never stops the build, hangs it or reaches the network:
a fault inside a stage is that document's error, TOML is read within a nesting bound, the lock and cache
entries are regular files of bounded size, cards show no remote image or linking formula, formulas and SVG
figures are drawn within bounds, and an exam's papers and keys are replaced as one unit."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from pipeline import build
from pipeline.render import anki
from pipeline.select.definitions import read_definitions
from pipeline.files import atomic, tomlfile
from pipeline.select import identity
from pipeline.files.assets import svg_problem
from pipeline.build import load_bank, load_document
from pipeline.files.cache import Store
from pipeline.select.decktree import parse_deck_tree
from pipeline.select.definitions import parse_definitions
from pipeline.model import MAX_MESSAGE, Choice, Diagnostic, Document, Question, SourceSpan, all_diagnostics, has_errors
from pipeline.curate.overlay import load_overlay
from pipeline.readers import read_bytes
from pipeline.render.anki.fields import note_fields, note_media, refused_content
from pipeline.render.exam.mathsvg import math_error

QUIZ = """# Quiz

### Question 1

What is one plus one?

A. two
B. three

Answer: A
"""

DEEP = "zz = " + "[" * 500 + "]" * 500 + "\n"


def _codes(diags: list[Diagnostic]) -> list[str]:
    return [d.code for d in diags]


# --- a safety net per document and stage -----------------------------------------------------------------

def test_a_fault_in_one_documents_stage_is_its_error_and_the_other_documents_still_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good, bad = tmp_path / "good.md", tmp_path / "bad.md"
    good.write_text(QUIZ, encoding="utf-8")
    bad.write_text(QUIZ.replace("one plus one", "two plus two"), encoding="utf-8")
    real = build._recompute

    def recompute(doc: Document) -> Document:
        if doc.path.endswith("bad.md"):
            raise ZeroDivisionError("a bug met by this document")
        return real(doc)

    monkeypatch.setattr(build, "_recompute", recompute)
    first, second = load_bank([good, bad])
    assert [c.text for c in first.questions[0].choices if c.correct] == ["two"]
    assert not has_errors(first)
    errors = [d for d in all_diagnostics(second) if d.severity == "error"]
    assert _codes(errors) == ["recompute-failed"]
    assert errors[0].line == 1 and "ZeroDivisionError" in errors[0].message
    assert len(second.questions) == 1  # kept as the reader left it, not lost


def test_a_fault_inside_the_reader_is_reader_failed_at_the_document(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "quiz.md"
    path.write_text(QUIZ, encoding="utf-8")

    def broken(*_args, **_kw):  # noqa: ANN002, ANN003
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(build, "read_document_bytes", broken)
    doc = load_document(path)
    assert _codes(list(doc.diagnostics)) == ["reader-failed"]
    assert str(doc.diagnostics[0]).startswith(f"{path}:1: error[reader-failed]: the reader stage failed")


# --- TOML nesting, the lock, regular files -----------------------------------------------------------------

def test_toml_nested_500_deep_is_an_error_at_its_line_in_every_settings_file(tmp_path: Path) -> None:
    text = "# settings\n" + DEEP
    with pytest.raises(Exception) as raised:
        tomlfile.loads(text)
    assert "at line 2" in str(raised.value)
    lock, found = identity.parse_lock("version = 1\n" + DEEP, "seeds/identity.lock")
    assert lock is None and [(d.code, d.line) for d in found] == [("identity-lock-unreadable", 2)]
    assert "seeds/identity.lock" in found[0].message
    assert [(d.code, d.line) for d in parse_definitions(text, "seeds/exams.toml")[1]] == [("exam-syntax", 2)]
    assert [(d.code, d.line) for d in parse_deck_tree(text, "seeds/decks.toml")[1]] == [("deck-settings-invalid", 2)]
    overlay = tmp_path / "quiz.fixes.toml"
    overlay.write_text(text, encoding="utf-8")
    assert [(d.code, d.line) for d in load_overlay(overlay).diagnostics] == [("fix-invalid", 2)]


def test_brackets_inside_strings_and_comments_do_not_count_as_nesting() -> None:
    text = 'a = "' + "[" * 100 + '"\n# ' + "{" * 100 + "\nb = '''\n" + "[" * 100 + "\n'''\n"
    assert tomlfile.loads(text)["a"] == "[" * 100


@pytest.mark.parametrize("mtime", ["inf", "99999999999999999999", "-5", '"soon"'])
def test_a_lock_time_that_is_no_time_is_an_error_naming_the_lock_at_its_entry(mtime: str) -> None:
    text = (f'version = 1\n\n[[note]]\nid = "q1"\ndocument = "quiz"\nguid = "abc"\nmtime = {mtime}\n'
            'content = "c"\nstem = "s"\n')
    lock, found = identity.parse_lock(text, "seeds/identity.lock")
    assert lock is None
    assert [(d.file, d.line, d.code) for d in found] == [("seeds/identity.lock", 3, "identity-lock-unreadable")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_lock_that_is_a_named_pipe_or_a_device_is_refused_without_waiting(tmp_path: Path) -> None:
    pipe = tmp_path / "identity.lock"
    os.mkfifo(pipe)
    lock, found = anki._identity_lock(pipe, None)  # would wait for a writer forever if opened
    assert lock is None and _codes(found) == ["identity-lock-unreadable"]
    assert "named pipe" in found[0].message
    device = tmp_path / "device.lock"
    device.symlink_to("/dev/zero")
    lock, found = anki._identity_lock(device, None)  # would read until memory runs out
    assert lock is None and "character device" in found[0].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_cache_entry_that_is_a_named_pipe_is_a_miss(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    store.put("docs", "k" * 64, b"payload")
    entry = tmp_path / "cache" / "docs" / ("k" * 64)
    entry.unlink()
    os.mkfifo(entry)
    assert store.get("docs", "k" * 64) is None


def test_exams_toml_that_is_a_folder_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "exams.toml").mkdir()
    definitions, found = read_definitions(tmp_path / "exams.toml")
    assert definitions == [] and _codes(found) == ["exam-unreadable"]


# --- cards: no remote content ------------------------------------------------------------------------------

def _question(stem: str, file: str = "docs/quiz.md") -> Question:
    return Question(id="quiz/q1", document="quiz", number="1", kind="single_choice", stem=stem,
                    source=SourceSpan(file, 3, 9), choices=(Choice("two", True), Choice("three", False)),
                    answer="A")


def _doc(q: Question) -> Document:
    return Document(q.source.file, "quiz", "markdown", "Quiz", questions=(q,))


def test_a_remote_image_on_a_card_is_its_description_with_a_warning_and_a_project_image_is_media() -> None:
    q = _question("Which? ![remote plot](http://127.0.0.1:9/q.svg) ![the card](card.png)")
    stem = note_fields(q, _doc(q))["Stem"]
    assert "127.0.0.1" not in stem and "[image: remote plot]" in stem
    media = dict(note_media(q))
    assert len(media) == 1
    name = next(iter(media))
    assert name.startswith("card-") and media[name] == Path("docs/card.png").read_bytes()
    assert f'<img src="{name}"' in stem
    found = refused_content(q)
    assert [(d.code, d.line) for d in found] == [("anki-image-refused", 3)]
    assert "http://127.0.0.1:9/q.svg" in found[0].message


def test_an_image_outside_the_project_is_not_read_onto_a_card(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(Path("docs/card.png").read_bytes())
    q = _question(f"Which? ![leak]({secret})")
    assert note_media(q) == () and "[image: leak]" in note_fields(q, _doc(q))["Stem"]
    assert _codes(refused_content(q)) == ["anki-image-refused"]


@pytest.mark.parametrize("latex", [r"\href{javascript:alert(1)}{x}", r"\require{html}", r"\style{background:url(http://h/)}{x}",
                                   r"\class{a}{x}", r"\cssId{a}{x}", r"\unicode[some-font]{x41}"])
def test_a_formula_that_links_or_loads_reaches_no_card_as_math(latex: str) -> None:
    q = _question(f"What is ${latex}$ here?")
    stem = note_fields(q, _doc(q))["Stem"]
    assert "\\(" not in stem  # not handed to MathJax
    command = latex.split("{")[0].split("[")[0]
    assert command not in stem  # disarmed: the backslash is no longer followed by the command
    assert [d.code for d in refused_content(q)] == ["anki-math-refused"]
    assert math_error(latex, False) is not None  # and the papers print it as source


def test_a_linking_command_outside_dollars_is_disarmed_too() -> None:
    q = _question(r"Escaped \\(\href{http://127.0.0.1:9/}{click}\\) text")
    assert "\\href" not in note_fields(q, _doc(q))["Stem"]


def test_an_ordinary_formula_still_reaches_mathjax() -> None:
    q = _question(r"What is $\frac{a}{b} + x^{(t)}$?")
    assert r"\(\frac{a}{b} + x^{(t)}\)" in note_fields(q, _doc(q))["Stem"]
    assert refused_content(q) == []


# --- formulas and figures drawn within bounds --------------------------------------------------------------

def test_a_formula_nested_past_the_bound_prints_as_source_without_being_typeset() -> None:
    latex = "1"
    for _ in range(16):
        latex = rf"\frac{{{latex}}}{{2}}"
    error = math_error(latex, False)  # typesetting it would take minutes (exponential in the depth)
    assert error is not None and "nested more than" in error
    assert math_error(r"\frac{\frac{1}{2}}{\frac{3}{4}}", False) is None


def test_an_svg_whose_use_references_expand_to_a_billion_shapes_is_refused(tmp_path: Path) -> None:
    levels = ['<g id="a0"><rect width="1" height="1"/></g>']
    levels += [f'<g id="a{k}">' + f'<use href="#a{k - 1}"/>' * 10 + "</g>" for k in range(1, 10)]
    bomb = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs>' + "".join(levels)
            + '</defs><use href="#a9"/></svg>').encode()
    assert "more than" in (svg_problem(bomb) or "")
    assert svg_problem(b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><rect/></g><use href="#a"/></svg>') is None
    cycle = b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>'
    assert svg_problem(cycle) is not None
    laughs = b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]><svg>&a;</svg>'
    assert "entities" in (svg_problem(laughs) or "")


def test_an_overlay_figure_that_is_an_svg_bomb_is_an_error_at_its_line(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the project: figures must be its files
    levels = ['<g id="a0"><rect width="1" height="1"/></g>']
    levels += [f'<g id="a{k}">' + f'<use href="#a{k - 1}"/>' * 10 + "</g>" for k in range(1, 8)]
    (tmp_path / "bomb.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><defs>' + "".join(levels)
                                       + '</defs><use href="#a7"/></svg>', encoding="utf-8")
    overlay = tmp_path / "quiz.fixes.toml"
    overlay.write_text('[[fix]]\nquestion = "one plus one"\nwhy = "the figure"\n\n[[fix.figure]]\nwhere = "stem"\n'
                       'file = "bomb.svg"\n',
                       encoding="utf-8")
    found = load_overlay(overlay).diagnostics
    assert [(d.code, d.line) for d in found] == [("fix-invalid", 7)]
    assert "shapes" in found[0].message


# --- settings: names, titles, control characters -----------------------------------------------------------

EXAM = '[[exam]]\nname = "{name}"\ntitle = "{title}"\n\n[[exam.draw]]\nkind = "single_choice"\n'


def test_an_exam_name_or_title_too_long_is_an_error_at_its_line_when_defined() -> None:
    definitions, found = parse_definitions(EXAM.format(name="a" * 250, title="T"), "seeds/exams.toml")
    assert definitions == [] and [(d.code, d.line) for d in found] == [("exam-bad-value", 2)]
    definitions, found = parse_definitions(EXAM.format(name="x", title=" ".join(["word"] * 500)), "seeds/exams.toml")
    assert definitions == [] and [(d.code, d.line) for d in found] == [("exam-bad-value", 3)]


def test_control_and_direction_characters_leave_an_exam_title_with_a_warning() -> None:
    definitions, found = parse_definitions(EXAM.format(name="x", title="Final\u202eTest\\u0007"), "seeds/exams.toml")
    assert definitions[0].title == "FinalTest"
    assert [(d.code, d.severity, d.line) for d in found] == [("exam-control-characters", "warning", 3)]


@pytest.mark.parametrize("name", ["Unanswered questions", "unanswered  QUESTIONS::Mine", "Questions missing a figure"])
def test_a_parent_deck_named_like_the_builds_own_decks_is_an_error(name: str) -> None:
    tree, found = parse_deck_tree(f'[deck]\nname = "{name}"\n', "seeds/decks.toml")
    assert tree is None and [(d.code, d.line) for d in found] == [("deck-settings-invalid", 2)]


def test_direction_controls_are_taken_out_of_a_document_with_a_warning() -> None:
    doc = read_bytes(QUIZ.replace("one plus one", "one \u202eplus one").encode(), "quiz.md")
    assert doc.questions[0].stem == "What is one plus one?"
    assert [(d.code, d.line) for d in doc.diagnostics if d.code == "bidi-control"] == [("bidi-control", 5)]


def test_a_triple_quoted_string_holding_a_fix_header_does_not_shift_later_error_lines(tmp_path: Path) -> None:
    overlay = tmp_path / "quiz.fixes.toml"
    overlay.write_text('[[fix]]\nquestion = "one plus one"\nwhy = "w"\nnote = """\n[[fix]]\n"""\n\n[[fix]]\nwhy = "w"\n'
                       'question = 5\n',
                       encoding="utf-8")
    found = load_overlay(overlay).diagnostics
    assert [(d.code, d.line) for d in found] == [("fix-invalid", 10)]


def test_a_diagnostic_never_carries_a_whole_data_uri() -> None:
    d = Diagnostic("quiz.md", 3, "warning", "x", "image 'data:image/png;base64," + "A" * 2_000_000 + "'")
    assert len(d.message) <= MAX_MESSAGE and d.message.endswith("…")


# --- reading in linear time --------------------------------------------------------------------------------

def test_a_long_table_under_a_question_is_read_in_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.readers import cues

    calls = 0
    real = cues.answer_text

    def counted(text: str):  # noqa: ANN202
        nonlocal calls
        calls += 1
        return real(text)

    monkeypatch.setattr(cues, "answer_text", counted)
    rows = "\n".join("|" + "c|" * 8 for _ in range(3000))
    text = ("# T\n\n### Question 1\n\nWhat is in the table?\n\n|" + "h|" * 8 + "\n|" + "-|" * 8 + "\n" + rows
            + "\n\nAnswer: the cells\n")
    doc = read_bytes(text.encode(), "table.md")
    assert doc.questions[0].answer == "the cells"
    assert calls < 20 * 3000  # a rescan of the rest at every line made it about 4.5 million


# --- outputs as units --------------------------------------------------------------------------------------

def test_a_unit_killed_between_its_renames_is_finished_by_the_next_writer(tmp_path: Path) -> None:
    paper, key = tmp_path / "choice-A.pdf", tmp_path / "choice-A-key.pdf"
    paper.write_bytes(b"old paper")
    key.write_bytes(b"old key")
    staged = [(atomic._stage(paper, b"new paper"), paper), (atomic._stage(key, b"new key"), key)]
    atomic._journal(tmp_path, staged)
    os.replace(*staged[0])  # killed here: the paper is new, the key is still the old build's
    assert (paper.read_bytes(), key.read_bytes()) == (b"new paper", b"old key")
    atomic.settle(tmp_path)
    assert (paper.read_bytes(), key.read_bytes()) == (b"new paper", b"new key")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["choice-A-key.pdf", "choice-A.pdf"]


def test_temporary_files_a_killed_build_left_are_removed_and_a_fresh_one_is_kept(tmp_path: Path) -> None:
    old = tmp_path / ".choice-A.pdf.abc123.tmp"
    old.write_bytes(b"half")
    long_ago = time.time() - 3600
    os.utime(old, (long_ago, long_ago))
    fresh = tmp_path / ".choice-B.pdf.def456.tmp"  # a build writing right now
    fresh.write_bytes(b"half")
    atomic.settle(tmp_path)
    assert not old.exists() and fresh.exists()


def test_several_files_in_one_folder_are_written_with_no_journal_left(tmp_path: Path) -> None:
    files = {tmp_path / "a.pdf": b"a", tmp_path / "b.pdf": b"b"}
    atomic.atomic_write_all(files)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "b.pdf"]


def test_a_claim_beyond_the_bounds_is_said_to_be_unchecked_never_evaluated() -> None:
    from pipeline.compute.claims import arithmetic_claims

    q = _question("How much?").with_(kind="open", choices=(), answer="$2 * " + "1" * 5000 + " = 3$ and $2 * 3 = 007$")
    found = arithmetic_claims(q, lambda raw: 4)
    assert [(d.code, d.severity) for d in found] == [("claim-unchecked", "info"), ("claim-false", "error")]
    assert "200 digits" in found[0].message and "not 007" in found[1].message
