# PhatAm: two commands do all the set-up on a machine with Python 3.11+ and pip.
#   make run   create .venv, install, migrate, load the curriculum, pre-generate audio (offline),
#              serve http://127.0.0.1:8000/
#   make test  the whole test suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANAGE := cd backend && ../$(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate seed audio bench lint format clean

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(INSTALLED)

install: $(INSTALLED)

migrate: install
	$(MANAGE) migrate --no-input

seed: migrate
	$(MANAGE) seed_curriculum

audio: seed
	$(MANAGE) generate_audio

run: audio
	@echo "PhatAm is at http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	$(MANAGE) runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest

bench: install
	$(BIN)/python bench/audio_bench.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
