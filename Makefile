# The README's commands. Needs only Python 3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app actieoverleg
HOST ?= 127.0.0.1
PORT ?= 5000
# The address in the links of mails and calendar items: where `make run` serves, unless given
# (`make run BASE_URL=https://…` behind a tunnel or proxy).
BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: run test test-clock lint bench reset install install-test clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/activate
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'

instance/config.py:
	mkdir -p instance/mail
	$(BIN)/python -c "import secrets; print('SECRET_KEY = ' + repr(secrets.token_hex(32)))" > $@

## make run: install, create the database, load the demo once, print the accounts, serve.
run: install instance/config.py
	$(FLASK) init-db
	@if [ ! -s instance/demo-accounts.tsv ]; then \
		ACTIEOVERLEG_BASE_URL=$(BASE_URL) $(FLASK) demo > instance/demo-accounts.tsv.tmp && mv instance/demo-accounts.tsv.tmp instance/demo-accounts.tsv; \
	fi
	$(FLASK) meetings plan
	@echo; echo "Demo accounts (role, organisation, regions, e-mail, password, totp):"; cat instance/demo-accounts.tsv; echo
	ACTIEOVERLEG_BASE_URL=$(BASE_URL) ACTIEOVERLEG_SESSION_COOKIE_SECURE=false $(FLASK) run --host $(HOST) --port $(PORT)

## make test: install the test extras and run the whole suite, browser tests included.
test: install-test lint
	$(BIN)/python -m pytest

## make lint: ruff's checks and its format check (configured in pyproject.toml).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The instants make test-clock runs at (Amsterdam): a Tuesday 13:01, just after that day's
# meeting began; New Year's Eve 23:59; the spring-forward and fall-back nights of 2027 (in the
# repeated hour); a leap day.
CLOCK_INSTANTS ?= 2026-12-01T13:01:00+01:00 2026-12-31T23:59:00+01:00 \
	2027-03-28T03:30:00+02:00 2027-10-31T02:30:00+01:00 2028-02-29T12:00:00+01:00

## make test-clock: every test marked `clock` (dates, planning, reminders, agenda automation,
## statistics periods, outbox back-off) at each of CLOCK_INSTANTS.
test-clock: install-test
	@for now in $(CLOCK_INSTANTS); do \
		echo "== clock at $$now"; \
		ACTIEOVERLEG_TEST_NOW=$$now $(BIN)/python -m pytest -q -m clock -n 2 || exit 1; \
	done

## make bench: server time and queries per page on five years of national data (builds it once).
bench: install-test
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## make reset: start over with an empty database and a fresh demo.
reset:
	rm -f instance/actieoverleg.sqlite instance/actieoverleg.sqlite-wal instance/actieoverleg.sqlite-shm instance/demo-accounts.tsv
	rm -rf instance/mail

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
