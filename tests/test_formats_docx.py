"""Word files, written here with python-docx, read question by question: automatic numbering, emphasis that
marks the correct option, equations, images, and positions as paragraph numbers."""
from __future__ import annotations

from pathlib import Path

import pytest

from docx_fixtures import (continued, equation, item, math_run, new_document, numbering, paragraph, png_bytes,
                           restarted, save)
from pipeline.build import load_document
from pipeline.formats import read_document


def _marked(q) -> list[str]:
    return [c.text for c in q.choices if c.correct]


def _codes(doc) -> set[str]:
    return {d.code for d in doc.diagnostics} | {d.code for q in doc.questions for d in q.diagnostics}


@pytest.fixture
def gates(tmp_path: Path) -> Path:
    """Three questions in one automatic list with lettered sub-levels; each marks its answer another way."""
    d = new_document()
    d.add_heading("Gates quiz", 0)
    qs = numbering(d, ("decimal", "%1."), ("lowerLetter", "%2)"))
    item(d, "Which gate decides what the cell state forgets?", qs)
    for i, t in enumerate(["The input gate", "The forget gate", "The output gate"]):
        item(d, t, qs, 1, highlight=i == 1)
    item(d, "How many gates does a GRU have?", qs)
    for i, t in enumerate(["One", "Two", "Three"]):
        item(d, t, qs, 1, underline=i == 1)
    d.add_paragraph("Remember: the reset gate counts too.")
    item(d, "Which activation bounds the candidate value between -1 and 1?", qs)
    for i, t in enumerate(["ReLU", "tanh", "Softmax"]):
        item(d, t, qs, 1, colour="C00000" if i == 1 else "")
    return save(d, tmp_path / "gates quiz.docx")


def test_automatic_numbers_and_run_formatting_mark_the_correct_options(gates: Path) -> None:
    doc = load_document(gates)
    assert doc.title == "Gates quiz" and doc.slug == "gates-quiz"
    assert [q.number for q in doc.questions] == ["1", "2", "3"]
    assert [q.stem for q in doc.questions] == ["Which gate decides what the cell state forgets?",
                                              "How many gates does a GRU have?",
                                              "Which activation bounds the candidate value between -1 and 1?"]
    assert [_marked(q) for q in doc.questions] == [["The forget gate"], ["Two"], ["tanh"]]
    assert [len(q.choices) for q in doc.questions] == [3, 3, 3]
    cues = [{c.name for c in q.cues if c.role == "correct"} for q in doc.questions]
    assert "word-highlight" in cues[0] and "word-underline" in cues[1] and "word-colour" in cues[2]
    assert not [d for d in _codes(doc) if d in ("choice-unmarked", "line-lost", "choice-ambiguous")]


def test_positions_are_paragraph_numbers(gates: Path) -> None:
    doc = read_document(gates)
    first = doc.questions[0]
    # paragraph 1 is the title, 2 the first question, 3 to 5 its options
    assert (first.source.line_start, first.source.line_end) == (2, 5)
    assert [c.line for c in first.choices] == [3, 4, 5]
    assert doc.lines[1] == "1. Which gate decides what the cell state forgets?"


def test_numbering_restarts_with_a_start_override_and_continues_without(tmp_path: Path) -> None:
    d = new_document()
    qs = numbering(d, ("decimal", "%1)"))
    item(d, "What does BPTT stand for? Answer: backpropagation through time", qs)
    item(d, "What does LSTM stand for? Answer: long short-term memory", qs)
    d.add_paragraph("Some words between the lists.")
    more = continued(d, qs)  # a second list on the same definition continues at 3
    item(d, "What does GRU stand for? Answer: gated recurrent unit", more)
    d.add_heading("Part two", 1)
    again = restarted(d, qs)  # "Restart at 1"
    item(d, "What does RNN stand for? Answer: recurrent neural network", again)
    doc = read_document(save(d, tmp_path / "names.docx"))
    numbers = [(q.section, q.stem.split("?")[0]) for q in doc.questions]
    assert numbers == [("", "What does BPTT stand for"), ("", "What does LSTM stand for"),
                       ("", "What does GRU stand for"), ("Part two", "What does RNN stand for")]
    assert [q.number for q in doc.questions][:3] == ["1", "2", "3"]
    assert doc.questions[3].number.endswith("1")  # counted again from 1 under its own section
    assert doc.lines[0].startswith("1) ") and doc.lines[3].startswith("3) ")


def test_emphasis_on_every_option_marks_none(tmp_path: Path) -> None:
    d = new_document()
    qs = numbering(d, ("decimal", "%1."), ("upperLetter", "%2."))
    item(d, "Which network has a memory of earlier steps?", qs)
    for t in ("A recurrent network", "A feed-forward network"):
        item(d, t, qs, 1, bold=True)
    item(d, "Which network reads a sequence in both directions?", qs)
    for t in ("A bidirectional RNN", "A deep RNN"):
        item(d, t, qs, 1, bold=True)
    doc = read_document(save(d, tmp_path / "styled.docx"))
    first, second = doc.questions
    assert [c.text for c in first.choices] == ["A recurrent network", "A feed-forward network"]
    assert not any(c.correct for q in doc.questions for c in q.choices)
    assert "choice-unmarked" in _codes(doc)


def test_hand_written_labels_with_one_bold_option(tmp_path: Path) -> None:
    d = new_document()
    d.add_paragraph("1. Which layer keeps a hidden state?")
    for i, t in enumerate(["Dense", "SimpleRNN", "Dropout"]):
        paragraph(d, t, label=f"{'abc'[i]}) ", bold=i == 1)
    d.add_paragraph("2. Which gate does a GRU lack?")
    for i, t in enumerate(["The update gate", "The output gate"]):
        paragraph(d, t, label=f"{'AB'[i]}. ", highlight=i == 1)
    doc = read_document(save(d, tmp_path / "hand.docx"))
    assert [_marked(q) for q in doc.questions] == [["SimpleRNN"], ["The output gate"]]


def test_equations_become_tex_and_images_figures(tmp_path: Path) -> None:
    d = new_document()
    p = d.add_paragraph("1. What is ")
    equation(p, "<m:sSub><m:e>" + math_run("h") + "</m:e><m:sub>" + math_run("t") + "</m:sub></m:sSub>"
             + math_run("=tanh(") + "<m:f><m:num>" + math_run("a") + "</m:num><m:den>" + math_run("b")
             + "</m:den></m:f>" + math_run(")"))
    p.add_run(" for a = b?")
    d.add_paragraph("Answer: tanh(1)")
    image = tmp_path / "dot.png"
    image.write_bytes(png_bytes())
    d.add_paragraph("2. What does the picture show?")
    d.add_picture(str(image))
    d.add_paragraph("Answer: a dot")
    doc = load_document(save(d, tmp_path / "maths.docx"))
    first, second = doc.questions
    assert first.stem == r"What is $h_{t}=tanh(\frac{a}{b})$ for a = b?"
    assert first.answer == "tanh(1)"
    assert second.stem.startswith("What does the picture show?")
    (figure,) = second.figures
    assert (figure.where, figure.line, figure.supplied) == ("stem", 4, True)
    assert figure.file.startswith(str(tmp_path / "maths.docx") + "#word/media/")
    assert not second.stem_figure_missing


def test_an_embedded_image_reaches_the_card_and_the_paper(tmp_path: Path, monkeypatch) -> None:
    from pipeline.render.figures import picture

    d = new_document()
    image = tmp_path / "dot.png"
    image.write_bytes(png_bytes())
    d.add_paragraph("1. What does the picture show?")
    d.add_picture(str(image))
    d.add_paragraph("Answer: a dot")
    d.add_paragraph("2. What colour is the dot?")
    d.add_paragraph("Answer: green")
    save(d, tmp_path / "pictures.docx")
    monkeypatch.chdir(tmp_path)  # the project: figures are read from inside it only
    q, _ = load_document("pictures.docx").questions
    (figure,) = q.figures
    found = picture(figure)
    assert found is not None and found.data == png_bytes() and found.kind == "image/png"


def test_a_table_becomes_an_answer_key(tmp_path: Path) -> None:
    d = new_document()
    qs = numbering(d, ("decimal", "%1."), ("lowerLetter", "%2)"))
    item(d, "Which cell has a separate memory cell?", qs)
    for t in ("GRU", "LSTM"):
        item(d, t, qs, 1)
    item(d, "Which cell merges the forget and input gates?", qs)
    for t in ("GRU", "LSTM"):
        item(d, t, qs, 1)
    d.add_heading("Answer key", 1)
    table = d.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Question", "Answer"), ("1", "b"), ("2", "a")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    doc = read_document(save(d, tmp_path / "keyed.docx"))
    assert [_marked(q) for q in doc.questions] == [["LSTM"], ["GRU"]]


def test_a_damaged_word_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    import zipfile

    bad = tmp_path / "broken.docx"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("word/document.xml", "<not xml")
        z.writestr("[Content_Types].xml", "<Types/>")
    doc = read_document(bad)
    assert not doc.questions
    assert [d.code for d in doc.diagnostics] == ["unreadable"] and doc.diagnostics[0].file == str(bad)


def test_an_archive_that_unpacks_to_too_much_is_refused_unopened(tmp_path: Path, monkeypatch) -> None:
    import zipfile

    import pipeline.formats

    monkeypatch.setattr(pipeline.formats, "MAX_UNPACKED", 8 * 2**20)  # the same check, at a size quick to write
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * 2**20
            for _ in range(10):  # 10 MiB of spaces, a few KB packed
                member.write(block)
    assert bomb.stat().st_size < 2**20
    doc = read_document(bomb)
    assert [d.code for d in doc.diagnostics] == ["file-too-large"] and not doc.questions


def test_a_character_style_that_makes_bold_marks_like_bold(tmp_path: Path) -> None:
    d = new_document()
    for n, (stem, options, right) in enumerate([("Which layer is recurrent?", ["Dense", "LSTM"], 1),
                                                ("Which cell has two gates?", ["GRU", "LSTM"], 0)]):
        d.add_paragraph(f"{n + 1}. {stem}")
        for k, text in enumerate(options):
            p = d.add_paragraph()
            p.add_run("ab"[k] + ") ")
            run = p.add_run(text)
            if k == right:
                run.style = "Strong"  # bold through the style, not the run's own properties
    doc = read_document(save(d, tmp_path / "strong.docx"))
    assert [_marked(q) for q in doc.questions] == [["LSTM"], ["GRU"]]


def test_a_wingdings_check_mark_inside_a_content_control_marks_its_option(tmp_path: Path) -> None:
    from docx.oxml import parse_xml

    from docx_fixtures import W_NS

    d = new_document()
    for n, (stem, options, right) in enumerate([("Which layer is recurrent?", ["Dense", "LSTM"], 1),
                                                ("Which cell has two gates?", ["GRU", "LSTM"], 0)]):
        d.add_paragraph(f"{n + 1}. {stem}")
        for k, text in enumerate(options):
            p = paragraph(d, text, label="ab"[k] + ") ")
            if k == right:
                p._p.append(parse_xml(f'<w:r xmlns:w="{W_NS}"><w:t xml:space="preserve"> </w:t>'
                                      '<w:sym w:font="Wingdings" w:char="F0FC"/></w:r>'))
    body = d.element.body
    sdt = parse_xml(f'<w:sdt xmlns:w="{W_NS}"><w:sdtContent/></w:sdt>')
    content = sdt[0]
    for p in list(body.iterchildren(f"{{{W_NS}}}p")):
        content.append(p)  # every paragraph inside one content control, as templates do
    body.insert(0, sdt)
    doc = read_document(save(d, tmp_path / "checks.docx"))
    assert [_marked(q) for q in doc.questions] == [["LSTM"], ["GRU"]]


def test_options_typed_in_one_paragraph_with_line_breaks(tmp_path: Path) -> None:
    from docx.enum.text import WD_BREAK, WD_COLOR_INDEX

    d = new_document()
    for n, (stem, options, right) in enumerate([("Which layer is recurrent?", ["Dense", "LSTM", "Conv1D"], 1),
                                                ("Which cell has two gates?", ["GRU", "LSTM"], 0)]):
        p = d.add_paragraph(f"{n + 1}. {stem}")
        for k, text in enumerate(options):
            p.add_run().add_break(WD_BREAK.LINE)  # Shift+Enter: one paragraph, one line per option
            run = p.add_run(f"{'ABC'[k]}. {text}")
            if k == right:
                run.font.highlight_color = WD_COLOR_INDEX.BRIGHT_GREEN
    doc = read_document(save(d, tmp_path / "breaks.docx"))
    assert [_marked(q) for q in doc.questions] == [["LSTM"], ["GRU"]]
    assert [c.line for c in doc.questions[0].choices] == [1, 1, 1]  # all in paragraph 1
