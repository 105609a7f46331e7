# Regiokaart: two commands.
#   make app    install everything the app needs, fetch the data on a first start (into the user
#               cache, checksums verified) and start it on http://localhost:8501
#   make test   install everything the tests need and run the full test suite
# Both are idempotent: a second run only checks what is there.

SHELL := /bin/bash
UV_VERSION := 0.13.9
LEAFLET_VERSION := 1.9.4
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
# How project commands run (a test overrides it to use an existing interpreter).
PY_RUN ?= $(UV) run --frozen

.PHONY: app test install install-dev assets browser lint data

app: install assets data
	$(UV) run --frozen streamlit run app.py

# First start: when no data directory holds the files of data/boundaries/sources.toml, fetch them
# into the user cache and verify their checksums (a mirror: REGIOKAART_DATA_BASE_URL). Quick when
# the data is there.
data:
	$(PY_RUN) python -m geo.firststart

test: install-dev assets browser
	$(UV) run --frozen --extra dev pytest

lint: install-dev
	$(UV) run --frozen --extra dev ruff check .
	$(UV) run --frozen --extra dev ruff format --check .
	$(UV) run --frozen --extra dev mypy

uv-bootstrap:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet "uv==$(UV_VERSION)"

install: uv-bootstrap
	$(UV) sync --frozen --inexact

install-dev: uv-bootstrap
	$(UV) sync --frozen --extra dev

# Leaflet and the other map assets, served by Streamlit from static/vendor (not committed).
assets:
	@bash scripts/fetch_assets.sh

# Debian's Chromium for the real-browser test (root only; others: apt-get install chromium).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Install Debian's chromium (sudo apt-get install chromium) for the browser test"; exit 1; fi; }
