# thiduakt — the two commands that matter: `make run` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
RUN_ENV := DEBUG=true SECURE_HTTPS=false
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/thiduakt
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/thiduakt_bench

.PHONY: run test lint bench messages install

install: .venv/.synced

.venv/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv sync --frozen
	@touch $@

run: install
	@mkdir -p var
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo --if-empty
	$(RUN_ENV) $(PY) manage.py send_reminders
	$(RUN_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: install
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest -n 2 --create-db $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

bench: install
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.run $(BENCH_ARGS)

messages: install
	$(RUN_ENV) $(PY) manage.py makemessages -l vi --no-obsolete --no-location -i ".venv/*" -i "var/*"
	$(RUN_ENV) $(PY) manage.py compilemessages -l vi -i ".venv/*"
