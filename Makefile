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
JAVA_OPTS        ?= -Xms64m -Xmx256m -XX:MaxMetaspaceSize=192m -XX:+UseSerialGC -Xss512k
MVN              ?= mvn -B
FILE             ?= samples/leads-add.form

BASE_URL := http://$(HOST):$(PORT)/api/webhooks/amo
JAR      := target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar
SOURCES  := pom.xml $(shell find src/main routes -type f 2>/dev/null)
# Pretty-print JSON answers when jq is installed.
JSON     := $(if $(shell command -v jq 2>/dev/null),jq .,cat)

.PHONY: help run test package migrate env webhook-health webhook-ping webhook-send clean db-shell

help: ## List the targets
	@echo "Usage: make <target> [PORT=$(PORT)] [HOST=$(HOST)] [FILE=$(FILE)]"
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# ---- build and run -----------------------------------------------------------------------------------

$(JAR): $(SOURCES)
	$(MVN) -DskipTests package

run: $(JAR) ## Build the jar if sources changed, create .env if missing, run the server in the foreground
	@scripts/ensure-env.sh
	PORT=$(PORT) exec java $(JAVA_OPTS) -jar $(JAR)

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

# ---- talk to a running server ------------------------------------------------------------------------

webhook-health: ## GET /api/webhooks/amo/health: database and route status (fails when DOWN)
	@curl -sS --max-time 5 --fail-with-body $(BASE_URL)/health | $(JSON)

webhook-ping: ## GET /api/webhooks/amo/test: is the server answering?
	@curl -sS --max-time 5 --fail-with-body $(BASE_URL)/test | $(JSON)

webhook-send: ## POST a signed sample webhook: make webhook-send FILE=samples/leads-add.form
	@scripts/send-webhook.sh $(FILE) $(BASE_URL)

db-shell: ## Open psql on the database: DB_URL if set (environment or .env), else the embedded PostgreSQL
	@url=$${DB_URL:-$$( (sed -n 's/^[[:space:]]*DB_URL[[:space:]]*=[[:space:]]*//p' .env 2>/dev/null || true) | tail -n 1)}; \
	if [[ -n $$url ]]; then exec psql "$${url#jdbc:}"; \
	else exec psql -h localhost -p $(EMBEDDED_PG_PORT) -U postgres; fi
