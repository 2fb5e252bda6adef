# crm_mining: two commands on a fresh machine.
#   make build   creates .venv, installs the pinned dependencies, runs `dbt build` on the sample
#   make test    sets up whatever is missing, then every test: pytest (its first shared build is the
#                sample's whole `dbt build`, models and data/unit tests) and the linters
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DBT := $(BIN)/dbt
export CRM_DUCKDB_PATH ?= $(CURDIR)/.data/crm_mining.duckdb
export DBT_PROFILES_DIR := $(CURDIR)
# No telemetry, no version check: nothing leaves the machine at run time.
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DBT_VERSION_CHECK := False
# sqlfluff's dbt templater compiles the project: on a scratch database, never the built one.
SQLFLUFF_PROCESSES ?= 2
# scripts/sqlfluff_cli.py: sqlfluff's command line, without the DuckDB leak report at exit.
SQLFLUFF := CRM_DUCKDB_PATH=$(CURDIR)/.data/lint.duckdb DBT_TARGET_PATH=$(CURDIR)/.data/lint_target \
	$(BIN)/python scripts/sqlfluff_cli.py

.PHONY: setup build test dbt-build pytest lint format docs report bench seeds lock clean

# pip --no-compile: Python compiles a module when it is first imported; compiling every file
# of every package at install (most are never imported) took 20 of the install's 36 s.
# That needs Python to keep what it compiled: container images often set
# PYTHONDONTWRITEBYTECODE, and every dbt, pytest and sqlfluff process then compiled dbt,
# pandas and scikit-learn again (4 s of CPU each). The venv is the project's own: keep them.
unexport PYTHONDONTWRITEBYTECODE
$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: set PYTHON=python3"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet --no-compile -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-compile --no-deps -e .
	@mkdir -p .data
	@touch $(STAMP)

setup: $(STAMP)

build: setup dbt-build

dbt-build: setup
	@mkdir -p $(dir $(CRM_DUCKDB_PATH))
	$(DBT) build

# pytest and the linters side by side: the linters fill the cores that the suite's last
# module leaves idle. Each one's output is printed whole when it ends.
# Beside pytest, sqlfluff runs in one process: its second one only re-imports dbt (4 s of CPU
# that pytest would otherwise use), and the linters still end long before pytest.
test: setup
	@$(MAKE) --no-print-directory -j2 --output-sync=target pytest lint SQLFLUFF_PROCESSES=1

# Whole modules per worker (a module's shared builds stay on one worker), in the order
# conftest.py gives them (the slowest first), not xdist's own by number of tests.
pytest: setup
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

lint: setup
	$(BIN)/ruff check src tests scripts python_models
	$(BIN)/ruff format --check src tests scripts python_models
	$(SQLFLUFF) lint models --processes $(SQLFLUFF_PROCESSES)

format: setup
	$(BIN)/ruff format src tests scripts python_models
	$(BIN)/ruff check --fix src tests scripts python_models
	$(SQLFLUFF) fix models --processes $(SQLFLUFF_PROCESSES)

docs: setup
	$(DBT) docs generate

# The marts of the last build as one self-contained HTML file (opens offline, prints).
REPORT ?= $(CURDIR)/.data/report.html
report: setup
	$(BIN)/python -m crm_mining.report --out $(REPORT)

bench: setup
	$(BIN)/python -m crm_mining.bench

# Regenerate the bundled sample in seeds/ from the data generator.
seeds: setup
	$(BIN)/python -m crm_mining.datagen --sample-seeds seeds

lock:
	rm -rf /tmp/crm_mining_lock && $(PYTHON) -m venv /tmp/crm_mining_lock
	/tmp/crm_mining_lock/bin/pip install --quiet -r requirements.in
	(head -2 requirements.txt; /tmp/crm_mining_lock/bin/pip freeze) > requirements.txt.new
	mv requirements.txt.new requirements.txt

clean:
	rm -rf target logs .data dbt_packages
	rm -rf integration_tests/target integration_tests/logs integration_tests/.data \
		integration_tests/dbt_packages integration_tests/package-lock.yml
