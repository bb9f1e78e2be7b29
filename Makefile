# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= ./data
SOAK_SECONDS ?= 600
CRASH_CYCLES ?= 1000

.PHONY: run test bench soak install clean security-scan browser screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The endpoint on 127.0.0.1:8000 with the seed's job table provisioned, data kept in ./data.
run: $(STAMP)
	$(BIN)/jobtable up --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

## The whole test suite (what CI runs).
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmarks side by side with the peers; results in bench/results/.
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## Reliability soak (docs/reliability.md): SOAK_SECONDS of mixed job traffic, then CRASH_CYCLES SIGKILL cycles.
soak: $(STAMP)
	$(BIN)/python -m tests.reliability.soak --seconds $(SOAK_SECONDS)
	$(BIN)/python -m tests.reliability.crash --cycles $(CRASH_CYCLES)

## Static security analysis: the full bandit report, then the policy check (docs/security.md).
security-scan: $(STAMP)
	-$(BIN)/bandit -r src/jobtable -q
	$(BIN)/python -m pytest -q tests/security/test_static_analysis.py

## Debian's headless Chromium for the dashboard's browser tests (idempotent; needs root).
browser:
	@test -x /usr/bin/chromium || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

## Re-take the dashboard screenshots in docs/screenshots/ (browser tests with publishing on).
screenshots: $(STAMP) browser
	JOBTABLE_UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/dashboard/test_browser_e2e.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
