"""What learners and teachers read holds none of the phrases the pipeline writes for maintainers, and the
practice backs fit a phone screen."""
from __future__ import annotations

import re

import pytest

import maintainer
from pipeline.compute.practice import with_practice
from pipeline.render.exam.page import exam_html, key_html
from pipeline.render.anki.fields import note_fields

TEMPLATES = "templates"


@pytest.fixture(scope="module")
def cards(bank):
    """(question id, field name, HTML) of every note the shipped decks hold, practice notes included."""
    out = []
    for doc in bank:
        practised, _ = with_practice(doc, 3)
        for q in practised.questions:
            out += [(q.id, name, html) for name, html in note_fields(q, practised).items()]
    return out


def test_no_card_field_holds_a_maintainer_note(cards) -> None:
    assert len({qid for qid, _, _ in cards}) == 85 + 9  # three practice notes for each of three questions
    found = [(qid, name, maintainer.found(html)) for qid, name, html in cards if maintainer.found(html)]
    assert found == []


def test_no_paper_or_key_holds_a_maintainer_note(versions) -> None:
    for slug, version in versions.items():
        for page in (exam_html(version, None, TEMPLATES), key_html(version, None, TEMPLATES)):
            text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|svg)\b.*?</\1>", "", page, flags=re.S))
            assert maintainer.found(text) == [], slug


def test_the_phrases_are_the_ones_the_pipeline_writes(bank) -> None:
    """The list is not made up: the maintainer's reports hold its phrases, so the tests above can fail."""
    reports = " ".join(str(d) for doc in bank for q in doc.questions for d in q.diagnostics)
    assert "is described as" in reports  # label-mismatch: the learner sees only the corrected description
    assert maintainer.found("W_hh was described as 'x'; corrected to 'y'.") == ["was described as", "corrected to"]


def test_a_practice_back_folds_its_working(cards) -> None:
    backs = {qid: {n: h for i, n, h in cards if i == qid} for qid, _, _ in cards if "/practice-" in qid}
    assert backs
    for qid, fields in backs.items():
        if fields["Breakdown"]:
            assert fields["Breakdown"].startswith('<details class="how">'), qid
        # What stays open: the value, the convention and the common wrong answers, a few lines.
        shown = re.sub(r"<details.*?</details>", "", fields["Value"] + fields["Breakdown"] + fields["Check"], flags=re.S)
        assert shown.count("<tr") == 0 and shown.count("<p") <= 3, qid


def test_the_cards_of_a_question_agree_with_each_other(questions, cards) -> None:
    values = {qid: h for qid, n, h in cards if n == "Value"}
    # A GRU's single-bias form is Keras's reset_after=False, not its default: stem and back say the same.
    for qid, fields in {i: {n: h for j, n, h in cards if j == i} for i, _, _ in cards}.items():
        if "/practice-" in qid and "GRU" in fields["Stem"]:
            assert "Keras convention" not in fields["Check"], qid
    # The interview's "3 dimensions" says which layer it means, as its practice card's [32, 64] does.
    assert "only the last step gives 2" in values["rnn-interview/q04"]
    assert any("[32, 64]" in values[q] or "last time step" in q for q in values if q.startswith("rnn-interview/q04/"))
