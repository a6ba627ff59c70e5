# PhatAm: two commands do all the set-up on a machine with Python 3.11+ and pip.
#   make run   create .venv, install, migrate, load the curriculum, pre-generate audio (offline),
#              serve http://127.0.0.1:8000/
#   make test  the whole test suite, one process per core (SQLite by default;
#              DATABASE_URL=postgres://... for PostgreSQL)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANAGE := cd backend && ../$(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve static worker beat bench-load test install migrate seed audio bench lint format clean

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(INSTALLED)

install: $(INSTALLED)

migrate: install
	$(MANAGE) ensure_database
	$(MANAGE) migrate --no-input

seed: migrate
	$(MANAGE) seed_curriculum

audio: seed
	$(MANAGE) generate_audio

run: audio
	@echo "PhatAm is at http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	$(MANAGE) runserver $(HOST):$(PORT)

# Production: gunicorn (backend/config/gunicorn.py reads HOST, PORT, WEB_CONCURRENCY), DEBUG
# off, static files collected for WhiteNoise. Needs SECRET_KEY; see README "Production".
# The settings are checked first (Django's deployment checks: a missing SECRET_KEY or a bad
# value stops here, before any database or audio work); audio that is still valid is kept, and
# static files are collected (and compressed, a minute of CPU) only when they changed.
serve: install
	cd backend && DEBUG=0 ../$(BIN)/python manage.py check --deploy --fail-level ERROR
	@$(MAKE) --no-print-directory audio static
	cd backend && DEBUG=0 HOST=$(HOST) PORT=$(PORT) ../$(BIN)/gunicorn config.wsgi -c config/gunicorn.py

# Collected again when a static file of the project changes or packages are installed again
# (`make install`); delete var/static to force it.
STATIC_MANIFEST := $(or $(PHATAM_VAR_DIR),var)/static/staticfiles.json
STATIC_SOURCES := $(shell find backend -path '*/static/*' -type f 2>/dev/null)

static: $(STATIC_MANIFEST)

$(STATIC_MANIFEST): $(INSTALLED) $(STATIC_SOURCES)
	cd backend && DEBUG=0 ../$(BIN)/python manage.py collectstatic --no-input -v0
	@touch $@

# Celery, with CELERY_BROKER_URL set (e.g. redis://127.0.0.1:6379/0): a worker that generates
# audio (WORKER_CONCURRENCY processes), and the scheduler that runs cleanup_audio every night.
# See README "Worker queue".
worker: install
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (a Redis URL) first."; exit 2; }
	cd backend && ../$(BIN)/celery -A config worker -l info --concurrency $${WORKER_CONCURRENCY:-2}

beat: install
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL (a Redis URL) first."; exit 2; }
	@mkdir -p var
	cd backend && ../$(BIN)/celery -A config beat -l info --schedule ../var/celerybeat-schedule

# One process per core (pytest-xdist); each test class stays in one process (its set-up, a
# browser or a worker, is made once). PYTEST_ARGS adds options, e.g. PYTEST_ARGS=--durations=40.
test: install
	$(BIN)/pytest -n auto --dist loadscope $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/audio_bench.py

# Load tests on 127.0.0.1 (gunicorn + wrk; PostgreSQL for the load test): see bench/*.py.
bench-load: install
	cd bench && ../$(BIN)/python chart_bench.py
	cd bench && ../$(BIN)/python load_bench.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd backend && ../$(BIN)/lint-imports ../pyproject.toml

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
