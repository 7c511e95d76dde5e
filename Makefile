# newskit: `make reports` and `make test` set everything up on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CORPUS ?= seeds
OUT    ?= reports

.PHONY: reports test lab lint format bench bench-large clean

# The virtual environment is (re)built whenever pyproject.toml is newer than it, and newskit
# reinstalled (its C speed-ups recompiled) whenever setup.py or a C source is.
$(VENV)/.installed: pyproject.toml setup.py newskit/_plainyaml.c newskit/_scan.c newskit/_keys.c newskit/_lists.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

reports: $(VENV)/.installed
	$(BIN)/newskit report "$(CORPUS)" --out "$(OUT)"

test: $(VENV)/.installed
	$(BIN)/python -m pytest

# JupyterLab on a working copy in lab/ (git-ignored), made by `newskit init`: outputs saved
# while exploring stay out of the tracked notebooks/. Files already in lab/ are kept.
lab: $(VENV)/.installed
	$(BIN)/newskit init lab
	$(BIN)/jupyter lab --notebook-dir=lab/notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Load speed and memory against the naive frontmatter loop, on corpora generated into
# tests/bench/out/ (a few minutes; psutil comes with jupyterlab), then the stories' grouping
# precision and recall and their cost, then every report of 100,000 records opened in Chromium
# (size, requests, tables that sort and download), then a report of 100,000 records against one
# of the seed corpus, side by side (target: within 1.5x). Not a test: it prints figures.
bench: $(VENV)/.installed
	$(BIN)/python tests/bench/run.py
	$(BIN)/python tests/bench/stories.py
	$(BIN)/python tests/bench/reports.py
	$(BIN)/python tests/bench/report_speed.py

# The large run (about 10 minutes, ~6 GB of generated records and caches in tests/bench/out/):
# processes loading 300,000 records after 1% changed against nothing changed, and at 1,000,000
# records a warm load against its folder scan and the memory each kind of load holds.
bench-large: $(VENV)/.installed
	$(BIN)/python tests/bench/run.py --large

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build newskit/*.so
