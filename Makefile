# The front door: `make report` and `make test` on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUARTER ?= latest
PERIOD ?= $(QUARTER)
EDITION ?= internal
# Options passed on to `jupyter lab`, e.g. LAB_ARGS="--no-browser --port=8890".
LAB_ARGS ?=

.PHONY: report test lint format ingest sample clean lab

$(BIN)/activate: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(BIN)/activate

report: $(BIN)/activate
	$(BIN)/python -m analysis run --period $(PERIOD) --edition $(EDITION)

ingest: $(BIN)/activate
	$(BIN)/python -m analysis ingest

# JupyterLab on notebooks/, with the venv registered as the kernel the notebooks name.
lab: $(BIN)/activate
	$(BIN)/python -m ipykernel install --sys-prefix --name tenplans --display-name "tenplans (.venv)"
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# Two workers (the machine's cores), a test file to a worker so each module's fixtures are
# built once, in the order tests/conftest.py gives (the long modules first); the shared
# report of tests/conftest.py is built once for both. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
test: $(BIN)/activate
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

lint: $(BIN)/activate
	$(BIN)/ruff check src tests notebooks benchmarks
	$(BIN)/ruff format --check src tests notebooks benchmarks

format: $(BIN)/activate
	$(BIN)/ruff check --fix src tests notebooks benchmarks
	$(BIN)/ruff format src tests notebooks benchmarks

# Regenerates the bundled sample city in data/raw (the committed files come from this).
sample: $(BIN)/activate
	rm -rf data/raw/统计局 data/raw/税务局 data/raw/项目办 data/raw/科技局 data/raw/金融办 data/raw/部门报表 data/raw/经信局
	$(BIN)/python -m analysis sample --out data/raw --firms 400 --seed 2026 --month 10 --jan-feb

clean:
	rm -rf $(VENV) reports data/processed/*.parquet data/processed/cache
