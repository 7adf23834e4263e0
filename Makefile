# Study documents -> Anki decks and PDF exams. `make decks` and `make test` do all the set-up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

# Make splits a list of names at spaces: each space in a name is escaped (`seeds/my\ quiz.md`), which Make reads
# as part of the name, so a document whose name has a space is a prerequisite like any other.
escaped = $(shell find seeds -maxdepth 1 -name '$(1)' 2>/dev/null | sed 's/ /\\ /g')
# Every document format the pipeline reads (pipeline/formats); a file of another kind is named as skipped.
SEEDS := $(foreach ext,md markdown txt docx html htm xhtml apkg colpkg gift,$(call escaped,*.$(ext)))
OVERLAYS := $(call escaped,*.fixes.toml)
FIGURES := $(call escaped,*.svg) $(call escaped,*.png)
LOCK := seeds/identity.lock
EXAMDEFS := $(wildcard seeds/exams.toml)
DECKTREE := $(wildcard seeds/decks.toml)
CODE := $(shell find pipeline -name '*.py' 2>/dev/null)
# Each output depends only on its own templates: editing print.css does not rebuild the decks.
DECK_TEMPLATES := $(wildcard templates/anki*)
EXAM_TEMPLATES := $(filter-out $(DECK_TEMPLATES),$(wildcard templates/*))

.PHONY: all venv decks exams check test test-fast bench grade clean

# Decks and exams are independent: `make decks exams` builds them side by side.
MAKEFLAGS += --jobs=2 --output-sync=target

all: decks exams

venv: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# The stamp files let Make skip every Python start-up when nothing changed. A stamp carries the time its build
# started, so a document saved while the build read it is newer than the stamp and is built again next time;
# the lock the deck build itself rewrote is given that time too, so that it does not count as an edit.
build/.decks.stamp: $(INSTALLED) $(SEEDS) $(OVERLAYS) $(FIGURES) $(LOCK) $(DECKTREE) $(CODE) $(DECK_TEMPLATES)
	@mkdir -p build && touch $@.started
	$(PY) -m pipeline build --decks
	@if [ -f $(LOCK) ] && [ $(LOCK) -nt $@.started ]; then touch -r $@.started $(LOCK); fi
	@mv $@.started $@

build/.exams.stamp: $(INSTALLED) $(SEEDS) $(OVERLAYS) $(FIGURES) $(EXAMDEFS) $(CODE) $(EXAM_TEMPLATES)
	@mkdir -p build && touch $@.started
	$(PY) -m pipeline build --exams
	@mv $@.started $@

decks: build/.decks.stamp

# A deleted lock must rebuild the decks (the build recovers it from build/identity.lock and says so), not
# drop out of the prerequisites: a missing file whose rule is empty counts as just remade.
$(LOCK):

exams: build/.exams.stamp

# Every other output of the driver's table (`OUTPUTS` in pipeline/build.py, one `Output("name", ...)` row each)
# is a target of its own name: `make markdown` runs `python -m pipeline build --markdown` when an input changed.
OUTPUT_NAMES := $(filter-out questions decks exams,$(shell sed -n -E 's/^    Output."([a-z]+)".*/\1/p' pipeline/build.py))
.PHONY: $(OUTPUT_NAMES)
$(OUTPUT_NAMES): %: build/.%.stamp

build/.%.stamp: $(INSTALLED) $(SEEDS) $(OVERLAYS) $(FIGURES) $(LOCK) $(DECKTREE) $(EXAMDEFS) $(CODE) $(wildcard templates/*)
	@mkdir -p build && touch $@.started
	$(PY) -m pipeline build --$*
	@mv $@.started $@

# Without arguments the pipeline checks every document in seeds/ itself: no file name passes through the shell.
check: $(INSTALLED)
	$(PY) -m pipeline check

# The tests run on every core (pytest-xdist): each test works in its own temporary folder.
test: $(INSTALLED)
	$(PY) -m pytest -q -n auto

# The pure stages only (reading, curation, recomputation, selection): a quick check while editing them.
test-fast: $(INSTALLED)
	$(PY) -m pytest -q -n 2 -m 'not builds and not hypothesis' tests

bench: $(INSTALLED) build/.exams.stamp
	$(PY) bench/bench.py
	$(PY) bench/grading.py

# `make grade SCANS=scan.pdf` (several files: SCANS="a.pdf b.pdf"; RESOLVE=decisions.toml to apply decisions).
grade: build/.exams.stamp
	$(PY) -m pipeline grade $(SCANS) $(if $(RESOLVE),--resolve $(RESOLVE))

clean:
	rm -rf build
