"""Computed values are presented once: cards and answer keys say the same, with every formula typeset."""
from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from exam_fixtures import versions_of
from pypdf import PdfReader

from pipeline.model import Computed
from pipeline.render.present import present
from pipeline.files.cache import Store
from pipeline.render.exam.page import key_html
from pipeline.render.exam.pdf import html_to_pdf
from pipeline.render.anki.fields import computed_fields, note_fields
from pipeline.render.anki.notetypes import note_type_key

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def computed(bank):
    """Every question of the five documents that has computed values, with its document."""
    return [(doc, q) for doc in bank for q in doc.questions if q.computed]


def _text(fragment: str) -> str:
    """What a reader sees of HTML, formulas left out: tags and the formulas' alt text removed."""
    return html.unescape(re.sub(r"<[^>]*>", " ", fragment))


def test_the_bank_computes_values_with_math_in_them(computed):
    values = [c for _, q in computed for c in q.computed]
    assert len(values) >= 5
    # The test below means something only if there is math to lose: in a value, a quantity, a label.
    assert any("$" in c.value for c in values)
    assert any("$" in c.quantity for c in values)
    assert any("$" in b.label for c in values for b in c.breakdown)


def test_every_computed_value_reaches_the_card_typeset(computed):
    for doc, q in computed:
        for c in q.computed:
            for field in computed_fields(c):
                assert "$" not in field, (q.id, field)
        if note_type_key(q) == "numeric":
            fields = note_fields(q, doc)
            for name in ("Value", "Breakdown", "Check"):
                assert "$" not in fields[name], (q.id, name)
            for c in q.computed:
                assert c.method in fields["Breakdown"] + fields["Check"]
                assert ("Agrees" in present(c).check) == bool(c.agrees)  # the maintainer's check, if any ...
                assert "Agrees" not in fields["Check"]  # ... stays off the card
    book = {q.id: (doc, q) for doc, q in computed}["dl-book-ch10/10.9.1"]
    value = note_fields(book[1], book[0])["Value"]
    assert r"\(\partial u^{(t)} / \partial u^{(t-3)}\):" in value and r"\(\alpha^{3}\)" in value


@pytest.fixture(scope="module")
def key(computed, bank, tmp_path_factory) -> tuple[str, str]:
    """The answer key of an exam of every computed question: its HTML and the text of its PDF."""
    folder = tmp_path_factory.mktemp("key")
    ids = ", ".join(f'"{q.id}"' for _, q in computed)
    definitions = ('[[exam]]\nname = "computed"\ntitle = "Every computed value"\nversions = 1\nseed = 1\n'
                   f'points = 1\n\n[[exam.draw]]\nid = [{ids}]\n')
    (version,) = versions_of(definitions, [q for doc in bank for q in doc.questions])
    page = key_html(version, Store(folder / "cache"), templates_dir=ROOT / "templates")
    pdf, _ = html_to_pdf(page)
    return page, "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_every_computed_value_reaches_the_key_typeset(computed, key):
    page, pdf_text = key
    sections = re.findall(r'<div class="computed">(.*?)</div>', page, flags=re.S)
    assert len(sections) == sum(len(q.computed) for _, q in computed)
    for section in sections:
        assert "$" not in _text(section), section
        assert "\\" not in _text(section), section  # no TeX command outside a typeset formula
    assert "$" not in pdf_text
    assert 'alt="\\alpha^{3}"' in page and 'alt="W_{xh}"' in page and 'alt="\\Gamma_u"' in page


def test_the_card_and_the_key_say_the_same_about_a_computed_value(computed, key):
    page, pdf_text = key
    for _, q in computed:
        for c in q.computed:
            p = present(c)
            assert p.method, q.id
            for sentence in filter(None, (p.headline, p.example, p.method)):
                assert _text(sentence) in " ".join(_text(page).split()), (q.id, sentence)
    assert "Agrees with the document's value" not in pdf_text


def test_a_disagreeing_document_value_is_said_the_same_way_in_both():
    c = Computed(quantity="parameter total", value="20362", method="reference RNN (NumPy)",
                 document_value="20352", agrees=False, line=52)
    p = present(c)
    assert p.check == "The document states 20352 (line 52), which differs from the computed value 20362."
    assert f'<p class="disagree">{p.check}</p>' in computed_fields(c)[2]


def test_a_shape_is_answered_by_what_its_dimensions_hold_on_the_card_and_in_the_key(computed, key):
    """The interview asks how many dimensions an RNN layer's inputs and outputs have and what each holds: the
    headline says so, and the computed shape is the worked example."""
    page, pdf_text = key
    doc, q = {q.id: (doc, q) for doc, q in computed}["rnn-interview/q04"]
    value = " ".join(_text(note_fields(q, doc)["Value"]).split())
    assert "Input shape: 3 dimensions: batch size, time steps, features per time step" in value
    assert "Output shape: 3 dimensions: batch size, time steps, number of units" in value
    assert "With the document's sizes: [5, 10, 2]." in value and "With the document's sizes: [5, 10, 32]." in value
    key_text = " ".join(_text(page).split())
    assert "Computed input shape 3 dimensions: batch size, time steps, features per time step" in key_text
    assert "With the document's sizes: [5, 10, 32]." in " ".join(pdf_text.split())


def test_a_total_that_holds_for_every_unrolled_length_says_so_in_its_headline():
    # The document as written asks for 5 and for 10 steps (its overlay asks for 5 only, for the exam's sake).
    from pipeline.build import load_document

    doc = load_document("seeds/rnn-exercises.md", curate=False)
    (q,) = [q for q in doc.questions if q.id == "rnn-exercises/task1-q1"]
    value = " ".join(_text(note_fields(q, doc)["Value"]).split())
    assert value == "Parameter total, the same for 5 and 10 time steps: 20362"
    assert "does not depend on how many steps the RNN is unrolled for" in _text(note_fields(q, doc)["Check"])
