# The README's two commands: `make lab` and `make test`.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-from-pyproject

NOTEBOOKS  := $(wildcard notebooks/*.ipynb)
LINT_PATHS := $(wildcard iamlab tests benchmarks)
BENCHES    := $(wildcard benchmarks/bench_*.py)

.PHONY: setup lab test lint bench clean student

setup: $(STAMP)
	bash scripts/setup-system.sh

# Re-installs only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[lab,test]'
	touch $@

# Jupyter refuses to start as root without --allow-root (dev machines run as root).
# No network: JupyterLab neither checks for updates nor fetches its news feed.
LAB_OFFLINE := --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	--LabApp.news_url=None
lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(LAB_OFFLINE) \
		$(if $(filter 0,$(shell id -u)),--allow-root)

test: setup
	$(PY) -m pytest tests $(if $(NOTEBOOKS),--nbval-lax --nbval-sanitize-with notebooks/sanitize.cfg notebooks)
	$(PY) scripts/course_nav.py --check
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/mypy

lint: setup
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/mypy

# The student edition: solutions and hidden tests removed, in build/student. Notebooks already
# there hold a learner's work and are kept; FORCE=1 writes them all again.
student: setup
	$(PY) scripts/student_edition.py notebooks build/student $(if $(FORCE),--force)

bench: setup
	@set -e; for f in $(BENCHES); do echo "== $$f"; $(PY) $$f; done

# Removes caches and build outputs; keeps .venv (delete it by hand to rebuild).
clean:
	rm -rf build dist *.egg-info benchmarks/out .pytest_cache .mypy_cache .ruff_cache
	find . -path ./.venv -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints \) \
		-exec rm -rf {} +
