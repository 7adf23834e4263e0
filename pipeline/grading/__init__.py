"""Grading printed exams: scanned answer sheets in (scan.py), marks per box out (marks), scores, item
analysis, annotated sheets and a review list (score.py, report.py)."""
