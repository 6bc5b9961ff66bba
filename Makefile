# amoCRM webhook server: build, run, test and poke at it. `make` lists the targets.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

# A setting from .env (the last KEY=value line), so the targets talk to the server the way it is configured.
dotenv = $(shell [ -f .env ] && sed -n 's/^[[:space:]]*$(1)[[:space:]]*=[[:space:]]*//p' .env | tail -n 1 | tr -d '\r')

# Overridable: make run PORT=9000, make webhook-health HOST=10.0.0.5, make run JAVA_OPTS='-Xmx1g'.
# Precedence: command line, then environment, then .env, then the default.
PORT             ?= $(or $(call dotenv,PORT),8000)
HOST             ?= localhost
EMBEDDED_PG_PORT ?= $(or $(call dotenv,EMBEDDED_PG_PORT),54329)
JAVA_OPTS        ?= -Xms256m -Xmx256m -Xmn96m -XX:MaxMetaspaceSize=192m -XX:+UseSerialGC -Xss512k
MVN              ?= mvn -B
FILE             ?= samples/leads-add.form
# make start / stop / status: where the pid, log and info files live; webhook-simulate: COUNT requests at RATE per
# second (defaults: one story of every entity and action, 20/s), SEED fixes the ids, AUTH=signature|token|none.
RUN_DIR          ?= run
COUNT            ?=
RATE             ?=
SEED             ?=
AUTH             ?=

BASE_URL := http://$(HOST):$(PORT)/api/webhooks/amo
JAR      := target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar
SOURCES  := pom.xml $(shell find src/main routes -type f 2>/dev/null)
# Pretty-print JSON answers when jq is installed.
JSON     := $(if $(shell command -v jq 2>/dev/null),jq .,cat)
# The background server, with the settings this Makefile resolved (the server reads the rest from the environment/.env).
SERVER   := PORT=$(PORT) HOST=$(HOST) EMBEDDED_PG_PORT=$(EMBEDDED_PG_PORT) JAR=$(JAR) JAVA_OPTS='$(JAVA_OPTS)' \
            RUN_DIR=$(RUN_DIR) scripts/server.sh

.PHONY: help run test package migrate env webhook-health webhook-ping webhook-send clean db-shell
.PHONY: start stop status webhook-status webhook-test webhook-simulate webhook-logs up down logs

help: ## List the targets
	@echo "Usage: make <target> [PORT=$(PORT)] [HOST=$(HOST)] [FILE=$(FILE)]"
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# ---- build and run -----------------------------------------------------------------------------------

$(JAR): $(SOURCES)
	$(MVN) -DskipTests package

run: $(JAR) ## Build the jar if sources changed, create .env if missing, run the server in the foreground
	@scripts/ensure-env.sh
	PORT=$(PORT) exec java $(JAVA_OPTS) $$(scripts/prepare-app.sh $(JAR))

start: $(JAR) ## Build the jar if needed, start the server in the background (pid and log in run/), wait until healthy
	@if [[ -z "$${AMOCRM_CLIENT_SECRET:-}$${AMOCRM_WEBHOOK_TOKEN:-}" ]]; then scripts/ensure-env.sh; fi
	@$(SERVER) start

stop: ## Stop the background server: SIGTERM, requests in flight finish; SIGKILL after 30 s
	@$(SERVER) stop

status: ## Background server: process, port, database and route state (exit 1 when not running, 2 when unhealthy)
	@$(SERVER) status

test: ## Run the whole test suite (unit, route and end-to-end tests on an embedded PostgreSQL)
	$(MVN) verify

package: ## Build the jar (tests skipped)
	$(MVN) -DskipTests package

migrate: $(JAR) ## Apply the Flyway migrations to the database and exit (stop a running server on the embedded DB first)
	java $(JAVA_OPTS) -jar $(JAR) --spring.profiles.active=migrate

env: ## Create .env from .env.example with a random AMOCRM_CLIENT_SECRET (never overwrites)
	@scripts/ensure-env.sh

clean: ## Remove build output (mvn clean); the database in data/ is kept
	$(MVN) clean

# ---- measure -----------------------------------------------------------------------------------------------------

.PHONY: bench
bench: $(JAR) ## Benchmark vs the database limit (BENCH_SECONDS=30 CONNECTIONS=16 THREADS=2 BENCH_SMOKE=1), docs/performance.md
	JAVA_OPTS='$(JAVA_OPTS)' BENCH_JAR='$(JAR)' scripts/bench/bench.sh

.PHONY: bench-ab
bench-ab: $(JAR) ## Two builds side by side, CPU ms per request (BENCH_JAR_A=old.jar, B = this build), docs/performance.md
	@if [[ -z "$(BENCH_JAR_A)" ]]; then echo "bench-ab: set BENCH_JAR_A to the jar to compare with" >&2; exit 2; fi
	JAVA_OPTS='$(JAVA_OPTS)' scripts/bench/side-by-side.py --jar-a '$(BENCH_JAR_A)' --jar-b '$(or $(BENCH_JAR_B),$(JAR))'

.PHONY: reliability
reliability: ## Fault scenarios, a table each: DB outage, kill -9, two instances, soak, SIGTERM (SCENARIOS= SOAK_SECONDS=600 RATE=50)
	@JAVA_OPTS='$(JAVA_OPTS)' RELIABILITY_JAR='$(JAR)' SCENARIOS='$(SCENARIOS)' SOAK_SECONDS='$(SOAK_SECONDS)' \
		RATE='$(RATE)' python3 -B scripts/reliability/reliability.py

# ---- talk to a running server ------------------------------------------------------------------------

webhook-health: ## GET /api/webhooks/amo/health: database and route status (fails when DOWN)
	@curl -sS --max-time 5 --fail-with-body $(BASE_URL)/health | $(JSON)

webhook-ping: ## GET /api/webhooks/amo/test: is the server answering?
	@curl -sS --max-time 5 --fail-with-body $(BASE_URL)/test | $(JSON)

webhook-send: ## POST a signed sample webhook: make webhook-send FILE=samples/leads-add.form
	@scripts/send-webhook.sh $(FILE) $(BASE_URL)

webhook-status: ## GET the health and test endpoints and print both answers
	@scripts/webhook-status.sh $(BASE_URL)

webhook-test: ## Smoke test a running server: health, test endpoint, a signed webhook stored, a bad signature refused
	@python3 -B scripts/webhook-test.py --url $(BASE_URL)

webhook-simulate: ## Send realistic amoCRM traffic (every entity and action, batches, duplicates, out of order): COUNT=, RATE=
	@python3 -B scripts/webhook-simulate.py --url $(BASE_URL) $(if $(COUNT),--count $(COUNT)) $(if $(RATE),--rate $(RATE)) \
		$(if $(SEED),--seed $(SEED)) $(if $(AUTH),--auth $(AUTH))

webhook-logs: ## Follow the log of the server started with make start (tail -F run/server.log)
	@RUN_DIR=$(RUN_DIR) scripts/server.sh logs

.PHONY: monitor
monitor: ## Live terminal summary: routes (exchanges, failed, inflight), requests, dead letters, last errors (INTERVAL=2, ONCE=1)
	@HOST=$(HOST) PORT=$(PORT) python3 -B scripts/monitor.py $(if $(INTERVAL),--interval $(INTERVAL)) $(if $(ONCE),--once)

.PHONY: ui-check
ui-check: $(JAR) ## Browser check (headless Debian Chromium): Hawtio login, Camel routes table, route diagram; screenshots in target/ui-check/
	@JAR=$(JAR) JAVA_OPTS='$(JAVA_OPTS)' scripts/ui-check/ui-check.sh

# ---- Docker Compose (needs a Docker engine; without one: make start) -------------------------------------------

up: ## docker compose: build and start PostgreSQL 17 and the server in the background (port 8000)
	@scripts/compose.sh up

down: ## docker compose: stop and remove the containers (the database volume is kept)
	@scripts/compose.sh down

logs: ## docker compose: follow the logs (SERVICE=app or SERVICE=db for one)
	@scripts/compose.sh logs

db-shell: ## Open psql on the database: DB_URL if set (environment or .env), else the embedded PostgreSQL
	@url=$${DB_URL:-$$( (sed -n 's/^[[:space:]]*DB_URL[[:space:]]*=[[:space:]]*//p' .env 2>/dev/null || true) | tail -n 1)}; \
	if [[ -n $$url ]]; then exec psql "$${url#jdbc:}"; \
	else exec psql -h localhost -p $(EMBEDDED_PG_PORT) -U postgres; fi

# ---- dead letters (admin API of a running server; ADMIN_USER / ADMIN_PASSWORD from the environment or .env) ------

.PHONY: dlq-list dlq-show dlq-replay dlq-replay-all routes-check

dlq-list: ## List dead letters, newest first (filters: STATUS= ENTITY= ACTION= ERROR= SINCE= UNTIL=)
	@PORT=$(PORT) HOST=$(HOST) python3 -B scripts/dlq.py list

dlq-show: ## Show one dead letter with its payload and history: make dlq-show ID=42
	@PORT=$(PORT) HOST=$(HOST) python3 -B scripts/dlq.py show $(ID)

dlq-replay: ## Replay one dead letter through the live routes: make dlq-replay ID=42
	@PORT=$(PORT) HOST=$(HOST) python3 -B scripts/dlq.py replay $(ID)

dlq-replay-all: ## Replay pending dead letters with progress (ENTITY= ACTION= ERROR=; DRY_RUN=1 only counts)
	@PORT=$(PORT) HOST=$(HOST) python3 -B scripts/dlq.py replay-all

# ---- routes ---------------------------------------------------------------------------------------------------

routes-check: ## Check every routes/ file, examples included: valid YAML DSL (file, line), endpoints, beans
	$(MVN) test -Dtest='RoutesCheckTest,AllRoutesStartTest' -Dsurefire.failIfNoSpecifiedTests=false

