#!/usr/bin/env bash
# Docker Compose deployment (make up / down / logs): PostgreSQL 17 and the server, see docker-compose.yml.
#
#   scripts/compose.sh up      build the image and start db + app in the background, wait until app is healthy
#   scripts/compose.sh down    stop and remove the containers (the database volume db-data is kept)
#   scripts/compose.sh logs    follow the logs (SERVICE=app or SERVICE=db for one of them)
#
# Needs a running Docker engine and Compose v2 (`docker compose`) or docker-compose. Without them it says so and
# exits 1; on such a machine run the server with its embedded PostgreSQL instead: make start (or make run).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

no_docker() {
    echo "$1" >&2
    echo "Without Docker, run the server with its own embedded PostgreSQL: make start (background) or make run." >&2
    exit 1
}

command -v docker >/dev/null 2>&1 \
    || no_docker "make ${1:-up}: Docker is not installed (no docker command): Docker Compose targets need a Docker engine."
if ! docker info >/dev/null 2>&1; then
    no_docker "make ${1:-up}: no Docker engine: 'docker info' failed (is the daemon running, and may this user use it?)."
fi
if docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
    compose=(docker-compose)
else
    no_docker "make ${1:-up}: Docker Compose is not installed (neither 'docker compose' nor docker-compose)."
fi

case ${1:-} in
    up)
        scripts/ensure-env.sh
        wait=()
        # --wait (Compose 2.1+) returns once the health checks pass, and fails when one does not
        if "${compose[@]}" up --help 2>/dev/null | grep -q -- '--wait'; then
            wait=(--wait)
        fi
        "${compose[@]}" up --detach --build "${wait[@]}"
        "${compose[@]}" ps
        port=$(sed -n 's/^[[:space:]]*PORT[[:space:]]*=[[:space:]]*//p' .env 2>/dev/null | tail -n 1 | tr -d '\r')
        port=${PORT:-${port:-8000}}
        echo "Up: http://localhost:$port/api/webhooks/amo (make webhook-status PORT=$port, make logs, make down)"
        ;;
    down)
        "${compose[@]}" down
        echo "Down. The database is kept in the db-data volume (docker compose down -v deletes it)."
        ;;
    logs)
        # shellcheck disable=SC2086 # SERVICE may name several services
        exec "${compose[@]}" logs --follow --tail="${TAIL:-200}" ${SERVICE:-}
        ;;
    *)
        echo "usage: $0 up|down|logs" >&2
        exit 2
        ;;
esac
