# Publisher: `make run` serves the demo site, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
# Debian packages the tests need: ffmpeg makes the audio fixtures, chromium runs the
# browser tests (driven by Playwright with executable_path=/usr/bin/chromium), wrk loads,
# redis-server the job queue's Redis backend (tests use its databases 10 and 11).
TEST_DEBS := ffmpeg chromium wrk curl jq nodejs redis-server

.PHONY: run test install install-test system-deps test-node-deps lint format bench clean vendor test-tools vendor-peaks

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/.installed

install-test: $(BIN)/.installed-test

system-deps:
	@missing=""; for deb in $(TEST_DEBS); do \
	  dpkg-query -W -f='$${Status}' $$deb 2>/dev/null | grep -q "ok installed" || missing="$$missing $$deb"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# The job tests need Redis at 127.0.0.1:6379 (they fail without it): start one if none answers.
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

# The web app and a job consumer (Procfile, run by honcho); Ctrl-C stops both.
run: install
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi demo load --if-empty
	$(BIN)/honcho start -f Procfile -p 5000

# On SQLite; in CI (CI=true) a second time on the PostgreSQL server at 127.0.0.1:5432,
# which must be reachable (the run fails otherwise). Locally, set
# PUBLISHER_TEST_DATABASE_URL to run on PostgreSQL instead.
test: install-test system-deps test-node-deps test-tools
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/bandit -q -c pyproject.toml -r publisher wsgi.py
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ "$$CI" = "true" ]; then \
	  echo "== The same suite on PostgreSQL ($(PG_TEST_URL))"; \
	  PUBLISHER_TEST_DATABASE_URL="$(PG_TEST_URL)" $(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

# Node test tools, pinned, in the git-ignored tests/.node/: the Podcast Index's feed
# parser (tests/feeds/partytime.py runs it from pytest).
PARTYTIME_VERSION := 5.0.0
TEST_NODE_STAMP := tests/.node/node_modules/podcast-partytime/.installed-$(PARTYTIME_VERSION)

$(TEST_NODE_STAMP):
	@# Debian's nodejs comes without npm (NodeSource's includes it).
	@command -v npm >/dev/null || { if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends npm; }
	npm install --silent --no-audit --no-fund --prefix tests/.node podcast-partytime@$(PARTYTIME_VERSION)
	touch $@

test-node-deps: system-deps $(TEST_NODE_STAMP)

# bandit reads the code (offline, a few seconds: make test runs it too); pip-audit asks
# PyPI's vulnerability database about every installed package, so it needs the network
# and runs here only (in CI, --strict also fails on a package it could not check).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/bandit -q -c pyproject.toml -r publisher wsgi.py
	$(BIN)/pip-audit --skip-editable --progress-spinner off $(if $(filter true,$(CI)),--strict,)

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The media benchmark runs against s3rver (Node, disk-backed S3) when npm is present,
# installed into the git-ignored bench/.node/; without it, against moto's server.
S3RVER_VERSION := 3.7.1
bench: install-test system-deps
	@if command -v npm >/dev/null && [ ! -x bench/.node/node_modules/.bin/s3rver ]; then \
	  npm install --silent --no-audit --no-fund --prefix bench/.node s3rver@$(S3RVER_VERSION); \
	fi
	$(BIN)/python -m bench

# Front-end libraries vendored into publisher/static/vendor/ (pinned; no build step):
# `make vendor` downloads the pinned packages from npm and refreshes the copies.
UPPY_VERSION := 5.2.4
vendor:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent uppy@$(UPPY_VERSION) >/dev/null && \
	  tar xzf uppy-$(UPPY_VERSION).tgz && cd - >/dev/null && \
	  mkdir -p publisher/static/vendor/uppy && \
	  sed '/sourceMappingURL/d' $$tmp/package/dist/uppy.min.js > publisher/static/vendor/uppy/uppy.min.js && \
	  cp $$tmp/package/LICENSE publisher/static/vendor/uppy/LICENSE && \
	  echo "uppy@$(UPPY_VERSION) (npm), files from dist/; refreshed by \`make vendor\`" > publisher/static/vendor/uppy/VERSION && \
	  rm -rf $$tmp && echo "Vendored uppy $(UPPY_VERSION)"

# npm test tools (pinned) in a git-ignored folder: axe-core for the studio's browser tests.
AXE_VERSION := 4.14.1
tests/.node/node_modules/axe-core/axe.min.js:
	npm install --silent --no-audit --no-fund --prefix tests/.node axe-core@$(AXE_VERSION)

test-tools: tests/.node/node_modules/axe-core/axe.min.js

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# BBC R&D's peaks.js (waveform view for the studio's chapter and soundbite editing),
# vendored with its licence: the standalone build (it bundles Konva and waveform-data,
# whose licences are copied beside it). Refresh from npm with `make vendor-peaks`.
PEAKS_VERSION := 4.0.0
KONVA_VERSION := 9.3.10
WAVEFORM_DATA_VERSION := 4.5.2
PEAKS_DIR := publisher/static/vendor/peaks
vendor-peaks:
	@tmp=$$(mktemp -d) && cd $$tmp && \
	  npm pack --silent peaks.js@$(PEAKS_VERSION) konva@$(KONVA_VERSION) \
	    waveform-data@$(WAVEFORM_DATA_VERSION) >/dev/null && \
	  for f in *.tgz; do mkdir -p "$${f%.tgz}" && tar xzf "$$f" -C "$${f%.tgz}"; done && \
	  cd - >/dev/null && mkdir -p $(PEAKS_DIR) && \
	  cp $$tmp/peaks.js-$(PEAKS_VERSION)/package/dist/peaks.min.js $(PEAKS_DIR)/peaks.min.js && \
	  cp $$tmp/peaks.js-$(PEAKS_VERSION)/package/COPYING $(PEAKS_DIR)/LICENSE && \
	  cp $$tmp/konva-$(KONVA_VERSION)/package/LICENSE $(PEAKS_DIR)/LICENSE.konva && \
	  cp $$tmp/waveform-data-$(WAVEFORM_DATA_VERSION)/package/LICENSE $(PEAKS_DIR)/LICENSE.waveform-data && \
	  printf 'peaks.js %s (npm: peaks.js@%s, dist/peaks.min.js; LGPL-3.0: LICENSE)\nbundling Konva (MIT: LICENSE.konva) and waveform-data (LGPL-3.0: LICENSE.waveform-data)\nRefresh: make vendor-peaks (versions in the Makefile).\n' \
	    $(PEAKS_VERSION) $(PEAKS_VERSION) > $(PEAKS_DIR)/VERSION && \
	  rm -rf $$tmp && echo "Vendored peaks.js $(PEAKS_VERSION) into $(PEAKS_DIR)"
