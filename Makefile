# The README's two commands: `make run` serves the app with the demo platform; `make test`
# runs the whole suite. Both set up everything on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
REDIS_URL_TEST ?= redis://127.0.0.1:6379/0

.PHONY: run test test-sqlite test-services lint bench check clean sysdeps mutate

$(PY):
	python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

sysdeps:
	bash .ci/sysdeps.sh run

# The demo platform's page on localhost frames the tool from 127.0.0.1: two sites, as an LMS and
# a tool are, so the browser treats the tool's cookies as third-party (docs/cookies-and-iframes.md).
run: $(STAMP) sysdeps
	DEMO_PLATFORM=1 $(FLASK) db upgrade
	DEMO_PLATFORM=1 TOOL_URL=$${TOOL_URL:-http://$(HOST):$(PORT)/} \
	  DEMO_PLATFORM_URL=$${DEMO_PLATFORM_URL-http://localhost:$(PORT)/} bash .ci/serve-dev $(HOST) $(PORT)

test: $(STAMP)
	bash .ci/sysdeps.sh test
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-services

test-sqlite: $(STAMP)
	@echo "== Test suite on SQLite with the file cache"
	$(PY) -m pytest

# The same suite on PostgreSQL and Redis, for whichever of them is reachable.
test-services: $(STAMP)
	@env_args=""; \
	if $(PY) .ci/reachable 127.0.0.1 5432; then env_args="TEST_DATABASE_URL=$(PG_URL)"; fi; \
	if $(PY) .ci/reachable 127.0.0.1 6379; then env_args="$$env_args TEST_REDIS_URL=$(REDIS_URL_TEST)"; fi; \
	if [ -z "$$env_args" ]; then echo "== PostgreSQL and Redis unreachable: skipped"; exit 0; fi; \
	echo "== Test suite with $$env_args"; \
	env $$env_args $(PY) -m pytest

check: $(STAMP)
	$(FLASK) content check

# Lint and type check (pyproject.toml's [tool.ruff] and [tool.mypy]); .ci/run runs it before the
# suite, and `make test` does not need it.
lint: $(STAMP)
	@echo "== ruff"
	$(VENV)/bin/ruff check .
	@echo "== mypy"
	$(VENV)/bin/mypy

# Mutation testing of the pure core (docs/testing.md); FILES=quizzes/grading.py limits it.
mutate: $(STAMP)
	PY=$(PY) bash .ci/mutate $(FILES)

bench: $(STAMP) sysdeps
	$(PY) -m bench

clean:
	rm -rf $(VENV) instance .pytest_cache mutants
