#!/usr/bin/env bash
# GETs the health and test endpoints of a running server and prints both answers (make webhook-status).
#
#   scripts/webhook-status.sh [BASE_URL]     default http://${HOST:-localhost}:${PORT:-8000}/api/webhooks/amo
#
# Exits 1 unless both answer 200 (health answers 503 when the database or a route is down).
set -euo pipefail

base=${1:-http://${HOST:-localhost}:${PORT:-8000}/api/webhooks/amo}
base=${base%/}

pretty() {
    if command -v jq >/dev/null 2>&1 && jq . "$1" 2>/dev/null; then
        return
    fi
    if command -v python3 >/dev/null 2>&1 && python3 -m json.tool --no-ensure-ascii "$1" 2>/dev/null; then
        return
    fi
    cat "$1"
    echo
}

rc=0
answer=$(mktemp)
trap 'rm -f "$answer"' EXIT
for endpoint in health test; do
    url=$base/$endpoint
    status=$(curl -sS --max-time 5 -o "$answer" -w '%{http_code}' "$url" 2>&1) || {
        echo "GET $url: no answer ($status)"
        echo "Is the server running? make status (a server started with make start), make start"
        rc=1
        continue
    }
    echo "GET $url -> HTTP $status"
    pretty "$answer"
    [[ $status == 200 ]] || rc=1
    echo
done
exit $rc
