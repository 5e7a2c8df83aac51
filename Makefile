# The two commands: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2
# Extras installed by `make test`; CI adds `boundaries` so the district build is tested too.
TEST_EXTRAS ?= test

.PHONY: run curate test bench build validate preview layers clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.stamp-install: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-test: pyproject.toml $(VENV)/.stamp-install
	$(PY) -m pip install --quiet -e '.[$(TEST_EXTRAS)]'
	touch $@

## Build layers/ only when its inputs (articles, gazetteer, code) changed.
layers: $(VENV)/.stamp-install
	$(PY) -m geo build --if-stale

run: layers
	@echo "Jinan Zones: serving the map on http://$(HOST):$(PORT)/"
	$(VENV)/bin/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) 'webmap:create_app()'

## The local curation editor (writes geo/gazetteer/shapes and rebuilds layers/); loopback only.
curate: layers
	$(PY) -m geo curate --host $(HOST) --port $(PORT)

test: $(VENV)/.stamp-test
	$(PY) -m pytest -q --ignore=tests/bench

bench: $(VENV)/.stamp-test
	$(PY) -m pytest -q -s tests/bench

build: $(VENV)/.stamp-install
	$(PY) -m geo build

validate: $(VENV)/.stamp-install
	$(PY) -m geo validate

preview: $(VENV)/.stamp-install
	$(PY) -m geo preview

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
