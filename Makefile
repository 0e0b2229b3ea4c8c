# The README's two commands: `make lab` and `make test`.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed-from-pyproject

NOTEBOOKS  := $(wildcard notebooks/*.ipynb)
LINT_PATHS := $(wildcard iamlab tests benchmarks classroom)
BENCHES    := $(wildcard benchmarks/bench_*.py)

.PHONY: setup lab test lint bench clean student classroom classroom-setup book

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

# The classroom hub's Python package (the `classroom` extra) and its proxy (npm, installed
# into classroom/node_modules from classroom/package-lock.json; never globally).
CLASSROOM_STAMP := $(VENV)/.installed-classroom
CHP := classroom/node_modules/.bin/configurable-http-proxy
classroom-setup: $(CLASSROOM_STAMP) $(CHP)
$(CLASSROOM_STAMP): pyproject.toml | $(STAMP)
	$(PY) -m pip install --quiet -e '.[classroom]'
	touch $@
$(CHP): classroom/package-lock.json
	bash scripts/setup-system.sh classroom
	cd classroom && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# A JupyterHub for a class on this machine (docs/teaching.md): http://127.0.0.1:8000,
# learners log in with any name and the shared password IAMLAB_CLASS_PASSWORD.
classroom: setup classroom-setup
	@test -n "$$IAMLAB_CLASS_PASSWORD" || { echo >&2 "make classroom: set the class's shared \
	password first, e.g. IAMLAB_CLASS_PASSWORD=choose-one make classroom"; exit 2; }
	mkdir -p build/classroom
	cd build/classroom && $(CURDIR)/$(VENV)/bin/jupyterhub -f $(CURDIR)/classroom/jupyterhub_config.py

test: setup classroom-setup
	bash scripts/setup-system.sh test
	$(PY) -m pytest tests --durations=15 $(if $(NOTEBOOKS),--nbval-lax --nbval-sanitize-with tests/nbval-sanitize.cfg notebooks)
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

# The course as a static book in build/book (open build/book/index.html): every notebook
# run, with its outputs and diagrams; no network at build or read time.
book: setup
	$(PY) scripts/build_book.py build/book

bench: setup
	@set -e; for f in $(BENCHES); do echo "== $$f"; $(PY) $$f; done

# Removes caches and build outputs; keeps .venv (delete it by hand to rebuild).
clean:
	rm -rf build dist *.egg-info benchmarks/out .pytest_cache .mypy_cache .ruff_cache
	find . -path ./.venv -prune -o -type d \( -name __pycache__ -o -name .ipynb_checkpoints \) \
		-exec rm -rf {} +
