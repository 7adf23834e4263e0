"""The build's outputs as rows of one table: each is a module with `write(bank, out)`, switched on by its name
from the command line (`build --NAME`) and from Make (`make NAME`)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline import __main__ as cli
from pipeline import build as driver
from pipeline.build import OUTPUTS, Output, load_document, seed_paths
from pipeline.readers import read_bytes

ROOT = Path(__file__).resolve().parent.parent


def test_build_markdown_writes_each_document_in_the_layout_it_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "build"
    assert cli.main(["build", "--markdown", "--out", str(out)]) == 0
    written = sorted(p.name for p in (out / "markdown").iterdir())
    assert written == sorted(f"{p.stem}.md" for p in seed_paths())
    assert not (out / "decks").exists() and not (out / "exams").exists()  # only what was named, and the bank
    assert (out / "questions.json").is_file()
    quiz = load_document("seeds/rnn-quiz.md")
    back = read_bytes((out / "markdown" / "rnn-quiz.md").read_bytes(), "rnn-quiz.md")
    assert [q.stem for q in back.questions] == [q.stem for q in quiz.questions]
    assert [[c.correct for c in q.choices] for q in back.questions] == [[c.correct for c in q.choices]
                                                                         for q in quiz.questions]


def test_a_plain_build_does_not_write_an_output_that_must_be_named(tmp_path: Path) -> None:
    diags = driver.build([Path("seeds/rnn-quiz.md")], tmp_path / "build", outputs=None)
    assert not any(d.severity == "error" for d in diags)
    assert (tmp_path / "build" / "decks").is_dir() and not (tmp_path / "build" / "markdown").exists()


def test_a_new_writer_is_one_module_and_one_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = OUTPUTS + (Output("probe", "outputs_probe", "a test output", default=False),)
    monkeypatch.setattr(driver, "OUTPUTS", rows)
    monkeypatch.setattr(cli, "OUTPUTS", rows)
    out = tmp_path / "build"
    assert cli.main(["build", "--probe", "--out", str(out), "seeds/rnn-quiz.md", "seeds/rnn-interview.md"]) == 0
    counts = [f"{slug}\t{len(load_document(f'seeds/{slug}.md').questions)}" for slug in ("rnn-quiz", "rnn-interview")]
    assert (out / "probe.tsv").read_text(encoding="utf-8").split("\n")[:2] == counts
    assert not (out / "decks").exists()


def test_an_unknown_output_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="no output named moodle; outputs: questions, decks, exams, markdown"):
        driver.build([], Path("unused"), outputs=["moodle"])


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU Make")
def test_make_finds_every_named_output_in_the_table() -> None:
    for row in OUTPUTS:
        if row.always or row.name in ("decks", "exams"):  # these have their own rules (their own templates)
            continue
        plan = subprocess.run(["make", "-n", "-B", "-o", ".venv/.installed", row.name], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout
        assert f"-m pipeline build --{row.name}" in plan
