"""Formulas and claims in a document are read by a grammar that cannot call anything, within bounds."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from pipeline.compute import expression

ROOT = Path(__file__).resolve().parent.parent

PAYLOADS = [
    '__import__("os").system("touch CANARY")',
    "__import__('os').system('touch CANARY')",
    "().__class__.__base__.__subclasses__()",
    "exec('open(\"CANARY\",\"w\")')",
    "eval('1')",
    "lambda: 1",
    "Symbol('x').__class__",
]


@pytest.mark.parametrize("text, value", [
    ("20 * 128 + 128", 2688), ("4 * (20 + 128 + 1) * 128", 76288), ("2^10", 1024), ("2 ** 3 ** 2", 512),
    ("1.5 * 2", 3), ("-3 + 5", 2), ("(((7)))", 7), ("10 / 4", sp.Rational(5, 2)),
])
def test_arithmetic_is_read_exactly(text: str, value: object) -> None:
    assert expression.parse(text) == value


def test_names_are_symbols_and_implicit_products() -> None:
    alpha, u, v = sp.symbols("alpha u_1 v_0")
    assert expression.parse("alpha u_1 + (1 - alpha) v_0") == alpha * u + (1 - alpha) * v


@pytest.mark.parametrize("text", PAYLOADS + [
    "9**9**9**9", "10^(10^(10^10))", "1/0", "(" * 60 + "1" + ")" * 60, "1" * 300, "+".join(["1"] * 500), "(1 + 2",
])
def test_code_and_unbounded_work_are_unreadable(text: str) -> None:
    with pytest.raises(expression.Unreadable):
        expression.parse(text)


def _parse(tmp_path: Path, *files: Path) -> tuple[list[dict], str]:
    run = subprocess.run([sys.executable, "-m", "pipeline", "parse", *map(str, files), "--json"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "Traceback" not in run.stderr, run.stderr
    return json.loads(run.stdout), run.stderr


@pytest.mark.parametrize("payload", PAYLOADS[:2])
def test_no_field_of_a_document_or_an_overlay_runs_code(tmp_path: Path, payload: str) -> None:
    formula = f"$u^{{(t)}} = {payload} + u^{{(t-1)}}$"
    doc = tmp_path / "quiz.md"
    doc.write_text(
        "# Quiz\n\n### Question 1\n\n"
        f"Context: A leaky unit updates {formula} at each step.\n\n"
        f"Consider the leaky unit {formula}. What is the derivative of $u^{{(t)}}$ with respect to "
        "$u^{(t-1)}$?\n\n"
        f"A. {formula}\nB. $1 = 1$\n\nAnswer: A\n\n"
        f"Explanation: $2 * 3 = {payload}$ and {payload} = 6.\n\n"
        "### Question 2\n\nConsider the leaky unit $u^{(t)} \\leftarrow \\alpha u^{(t-1)}$. What is the "
        "derivative with respect to $u^{(t-3)}$?\n\n"
        f"Answer: $4 * 5 = 20 + {payload}$\n", encoding="utf-8")
    (tmp_path / "quiz.fixes.toml").write_text(
        '[[fix]]\nquestion = "Question 2"\nwhy = "a typo"\n[[fix.replace]]\nfield = "stem"\n'
        f'find = "\\\\leftarrow \\\\alpha"\nwith = "\\\\leftarrow {payload.replace(chr(34), chr(39))} + \\\\alpha"\n',
        encoding="utf-8")
    questions, _ = _parse(tmp_path, doc)
    assert len(questions) == 2
    assert not (tmp_path / "CANARY").exists()


def test_a_power_tower_claim_is_left_unchecked_at_once(tmp_path: Path) -> None:
    doc = tmp_path / "quiz.md"
    doc.write_text("### Question 1\n\nWhat is it?\n\nAnswer: $9**9**9**9 = 3$ and $10^{10^{10^{10}}} = 1$, "
                   "but $2 * 3 = 7$.\n", encoding="utf-8")
    questions, _ = _parse(tmp_path, doc)
    claims = [d for d in questions[0]["diagnostics"] if "claim-false" in d]
    assert len(claims) == 1 and "2 * 3 = 6, not 7" in claims[0]


def test_a_leaky_unit_many_steps_back_is_alpha_to_that_power(tmp_path: Path) -> None:
    doc = tmp_path / "quiz.md"
    doc.write_text("### Question 1\n\nConsider the leaky unit $\\boldsymbol{u}^{(t)} \\leftarrow \\alpha "
                   "\\boldsymbol{u}^{(t-1)} + (1-\\alpha)\\boldsymbol{v}^{(t)}$. What is the derivative of the loss "
                   "with respect to $\\boldsymbol{u}^{(t-60)}$?\n", encoding="utf-8")
    questions, _ = _parse(tmp_path, doc)
    assert [c["value"] for c in questions[0]["computed"]] == ["$\\alpha^{60}$"]
