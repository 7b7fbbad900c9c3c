# Two commands on a fresh machine:  make demo  and  make test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint format bench clean help

help:
	@echo "make demo   set up .venv, build, validate, analyse the seeds and write build/graph.html"
	@echo "make test   set up .venv and run every test"
	@echo "make lint   ruff check and format check"
	@echo "make bench  run the benchmarks (see benchmarks/README.md)"
	@echo "make clean  remove build outputs"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kg build
	$(BIN)/kg stats
	$(BIN)/kg claims --min-articles 3
	$(BIN)/kg analyze balance
	$(BIN)/kg viz timeline
	$(BIN)/kg viz

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check kg tests benchmarks
	$(BIN)/ruff format --check kg tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format kg tests benchmarks
	$(BIN)/ruff check --fix kg tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --sizes 1000,10000,100000 --repeats 3 --build-repeats 3 \
		--query-budget 30 --baseline-budget 1200 --analytics-budget 180
	$(BIN)/python benchmarks/probe.py --build benchmarks/out/work/build-100000

clean:
	rm -rf build
