# The README's two commands: `make lab` and `make test`.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-from-pyproject

NOTEBOOKS  := $(wildcard notebooks/*.ipynb)
LINT_PATHS := $(wildcard iamlab tests benchmarks)
BENCHES    := $(wildcard benchmarks/bench_*.py)

.PHONY: setup lab test lint bench clean student

# What the course needs (graphviz); `make test` adds what only the tests need (chromium).
setup: $(STAMP)
	bash scripts/setup-system.sh lab

# Re-installs only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[lab,test]'
	touch $@

# Jupyter refuses to start as root without --allow-root (dev machines run as root).
# etc/jupyter: opens 00-start-here, no news pop-up, no update check, no nbgrader menus (see
# its README). The course opens in the student edition (build/student: exercises without
# their solutions); notebooks/ holds the instructor edition.
lab: student
	JUPYTER_CONFIG_PATH=$(CURDIR)/etc/jupyter $(VENV)/bin/jupyter lab --notebook-dir=build/student \
		$(if $(filter 0,$(shell id -u)),--allow-root)

test: setup
	bash scripts/setup-system.sh test
	$(PY) -m pytest tests $(if $(NOTEBOOKS),--nbval-lax --nbval-sanitize-with tests/nbval-sanitize.cfg notebooks)
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
