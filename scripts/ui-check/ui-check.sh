#!/usr/bin/env bash
# make ui-check: a browser check of the operator console (Hawtio at /actuator/hawtio) with Debian's headless Chromium.
#
#   scripts/ui-check/ui-check.sh
#
# 1. installs what it needs when missing: Debian's chromium (apt-get, as root or with sudo), node/npm (apt-get), and
#    puppeteer-core (npm ci, into scripts/ui-check/node_modules; it never downloads a browser);
# 2. starts the server from JAR (default target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar) on free ports with a
#    throw-away embedded PostgreSQL, a random operator password and webhook secret, and sends it sample webhooks
#    (stored, rejected, dead-lettered) so the routes have counts;
# 3. runs ui-check.js: login page, form login, Camel routes table, Route Diagram of ROUTE (receive-webhook); the
#    screenshots go to OUT (target/ui-check/);
# 4. stops the server and removes its data. Exit 0 only when every step passed.
#
# Environment: JAR, JAVA_OPTS, OUT, ROUTE, CHROMIUM (default /usr/bin/chromium), START_TIMEOUT (seconds, 120).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"

jar=${JAR:-target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar}
out=${OUT:-target/ui-check}
chromium=${CHROMIUM:-/usr/bin/chromium}
start_timeout=${START_TIMEOUT:-120}
read -r -a java_opts <<< "${JAVA_OPTS:--Xms256m -Xmx256m -Xmn96m -XX:MaxMetaspaceSize=192m -XX:+UseSerialGC -Xss512k}"

say() { echo "ui-check: $*"; }
die() { echo "ui-check: FAIL: $*" >&2; exit 1; }

as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

apt_install() {
    say "installing $* with apt-get"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# ---- tools ---------------------------------------------------------------------------------------------------------
[[ -x $chromium ]] || apt_install chromium
[[ -x $chromium ]] || die "no Chromium at $chromium"
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || apt_install nodejs npm
if [[ ! -d $here/node_modules/puppeteer-core || $here/package-lock.json -nt $here/node_modules/.package-lock.json ]]; then
    say "installing puppeteer-core (npm ci)"
    (cd "$here" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
[[ -f $jar ]] || die "no $jar: run make package (make ui-check builds it)"
jar=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")

# ---- a server of its own ------------------------------------------------------------------------------------------
free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
port=$(free_port)
pg_port=$(free_port)
while [[ $port == 8000 || $port == 54329 || $pg_port == 8000 || $pg_port == 54329 || $pg_port == "$port" ]]; do
    port=$(free_port)
    pg_port=$(free_port)
done
work=$(mktemp -d "${TMPDIR:-/tmp}/ui-check.XXXXXX")
secret=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
server_pid=

stop_server() {
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 60); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    # a PostgreSQL left behind by a killed JVM
    if [[ -f $work/pg/postmaster.pid ]]; then
        pg_pid=$(head -n 1 "$work/pg/postmaster.pid")
        [[ $pg_pid =~ ^[0-9]+$ ]] && kill -TERM "$pg_pid" 2>/dev/null || true
        sleep 1
    fi
    rm -rf "$work"
}
trap stop_server EXIT

say "starting the server on port $port (embedded PostgreSQL on $pg_port, data in $work/pg)"
# The server runs in the empty work directory, so no .env is read; every setting that matters is given here.
(
    cd "$work"
    exec env PORT="$port" EMBEDDED_PG_PORT="$pg_port" EMBEDDED_PG_DATA_DIR="$work/pg" DB_URL= \
        AMOCRM_CLIENT_SECRET="$secret" AMOCRM_WEBHOOK_TOKEN= AMOCRM_DOMAIN= AMOCRM_ACCOUNT_ID= \
        ADMIN_USER=admin ADMIN_PASSWORD="$password" \
        java "${java_opts[@]}" -jar "$jar"
) > "$out/server.log" 2>&1 &
server_pid=$!

base=http://localhost:$port
deadline=$((SECONDS + start_timeout))
until curl -fsS -o /dev/null --max-time 2 "$base/api/webhooks/amo/health" 2>/dev/null; do
    kill -0 "$server_pid" 2>/dev/null || die "the server exited while starting; see $out/server.log"
    ((SECONDS < deadline)) || die "the server did not become healthy in ${start_timeout} s; see $out/server.log"
    sleep 1
done
say "server healthy at $base"

# traffic, so the routes table and the diagram have counts: every sample, a refused signature, a dead letter
for sample in samples/*.form; do
    AMOCRM_CLIENT_SECRET=$secret scripts/send-webhook.sh "$sample" "$base/api/webhooks/amo" >/dev/null \
        || die "sending $sample failed"
done
curl -sS -o /dev/null --max-time 5 -H 'X-Signature: 00' --data-binary @samples/leads-add.form \
    -H 'Content-Type: application/x-www-form-urlencoded' "$base/api/webhooks/amo"
broken=$work/broken.form
printf 'leads%%5Bupdate%%5D%%5B0%%5D%%5Bid%%5D=7001&leads%%5Bupdate%%5D%%5B0%%5D%%5Bstatus_id%%5D=stage-x' > "$broken"
AMOCRM_CLIENT_SECRET=$secret scripts/send-webhook.sh "$broken" "$base/api/webhooks/amo" >/dev/null \
    || die "sending the dead-letter sample failed"
say "sent $(ls samples/*.form | wc -l) samples, a bad signature and an event that is dead-lettered"

BASE_URL=$base ADMIN_USER=admin ADMIN_PASSWORD=$password OUT=$out CHROMIUM=$chromium ROUTE=${ROUTE:-receive-webhook} \
    node "$here/ui-check.js"
say "screenshots in ${out#"$root"/}: $(cd "$out" && ls -- *.png | tr '\n' ' ')"
