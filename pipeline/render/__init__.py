"""Rendering: the bank -> what learners and teachers see (cards, papers, keys, the Markdown export)."""
from pathlib import Path

# The project's templates, found from the package wherever the build runs (not from the working directory).
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
