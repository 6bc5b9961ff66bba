#!/usr/bin/env bash
# Runs the server in the background from the jar, with a pid file and a log file (make start / stop / status).
#
#   scripts/server.sh start    start it and wait until GET /api/webhooks/amo/health answers 200
#   scripts/server.sh stop     SIGTERM (graceful: requests in flight finish), SIGKILL after STOP_TIMEOUT seconds
#   scripts/server.sh status   process, port, database and route state; exit 0 running and healthy,
#                              1 not running, 2 running but not healthy or not answering
#   scripts/server.sh logs     follow the log (tail -F)
#
# Settings (environment, else .env in the repository root, else the default; the Makefile passes its own):
#   PORT (8000), HOST (localhost), JAR (target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar),
#   JAVA_OPTS (memory flags sized for a small server), RUN_DIR (run: server.pid, server.log, server.info),
#   START_TIMEOUT (60 s), STOP_TIMEOUT (30 s), and for the description of the database DB_URL,
#   EMBEDDED_PG_PORT, EMBEDDED_PG_DATA_DIR. The server itself reads the same environment and .env.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A setting as the server sees it: the environment wins even when empty, else the last KEY=value of .env.
setting() {
    local key=$1 default=${2-}
    if [[ -n ${!key+set} ]]; then
        printf '%s' "${!key}"
    elif [[ -f .env ]] && grep -qE "^[[:space:]]*$key[[:space:]]*[=:]" .env; then
        sed -nE "s/^[[:space:]]*$key[[:space:]]*[=:][[:space:]]*//p" .env | tail -n 1 | tr -d '\r'
    else
        printf '%s' "$default"
    fi
}

RUN_DIR=${RUN_DIR:-run}
PID_FILE=$RUN_DIR/server.pid
LOG_FILE=$RUN_DIR/server.log
INFO_FILE=$RUN_DIR/server.info
JAR=${JAR:-target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar}
JAVA_OPTS=${JAVA_OPTS--Xms256m -Xmx256m -Xmn96m -XX:MaxMetaspaceSize=192m -XX:+UseSerialGC -Xss512k}
HOST=${HOST:-localhost}
PORT=$(setting PORT 8000)
PORT=${PORT:-8000}
START_TIMEOUT=${START_TIMEOUT:-60}
STOP_TIMEOUT=${STOP_TIMEOUT:-30}

# ---- helpers ---------------------------------------------------------------------------------------------------

# Alive and not a zombie (a container's init may not reap a stopped server at once).
alive() {
    local pid=$1 state
    kill -0 "$pid" 2>/dev/null || return 1
    state=$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ') || return 1
    [[ -n $state && $state != Z* ]]
}

# Is this pid our server (java running the jar it was started with), not a pid the system reused?
is_server() {
    local pid=$1 args jar
    alive "$pid" || return 1
    args=$(ps -o args= -p "$pid" 2>/dev/null) || return 1
    jar=$(info JAR)
    jar=$(basename "${jar:-$JAR}")
    [[ $args == *java* && $args == *"-jar "*"$jar"* ]]
}

# The pid of the running server, or nothing (a stale pid file is removed).
server_pid() {
    [[ -f $PID_FILE ]] || return 0
    local pid
    pid=$(tr -dc '0-9' < "$PID_FILE")
    if [[ -n $pid ]] && is_server "$pid"; then
        echo "$pid"
    else
        rm -f "$PID_FILE" "$INFO_FILE"
    fi
}

info() {
    [[ -f $INFO_FILE ]] && sed -n "s/^$1=//p" "$INFO_FILE" | tail -n 1
    return 0
}

port_open() {
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# "user:***@host..." : never print a database password.
redact_url() {
    sed -E -e 's|(://[^:/@]+:)[^/?#]*@|\1***@|' -e 's|([?&]password=)[^&]*|\1***|I' <<< "$1"
}

describe_database() {
    local db_url
    db_url=$(setting DB_URL)
    if [[ -n $db_url ]]; then
        echo "DB_URL $(redact_url "$db_url")"
    else
        echo "embedded PostgreSQL on port $(setting EMBEDDED_PG_PORT 54329), data in $(setting EMBEDDED_PG_DATA_DIR data/postgres)"
    fi
}

health_url() {
    echo "http://$HOST:$1/api/webhooks/amo/health"
}

# GET health: prints "<http status> <body>" (status 000 when nothing answers).
fetch_health() {
    local body status
    body=$(mktemp)
    status=$(curl -sS --max-time "${2:-3}" -o "$body" -w '%{http_code}' "$(health_url "$1")" 2>/dev/null) || true
    printf '%s %s' "${status:-000}" "$(tr -d '\n' < "$body")"
    rm -f "$body"
}

show_log_tail() {
    if [[ -s $LOG_FILE ]]; then
        echo "---- last lines of $LOG_FILE ----"
        tail -n "${1:-40}" "$LOG_FILE"
        echo "----"
    fi
}

elapsed() {
    local s=$1
    printf '%02d:%02d:%02d' $((s / 3600)) $((s % 3600 / 60)) $((s % 60))
}

# After a SIGKILL the embedded PostgreSQL outlives the JVM: stop it (fast shutdown) so nothing is left behind.
stop_orphaned_postgres() {
    local data_dir pid
    data_dir=$(info DATA_DIR)
    [[ -n $data_dir && -f $data_dir/postmaster.pid ]] || return 0
    pid=$(head -n 1 "$data_dir/postmaster.pid" | tr -dc '0-9')
    [[ -n $pid ]] && alive "$pid" || return 0
    [[ $(ps -o args= -p "$pid" 2>/dev/null) == *postgres* ]] || return 0
    echo "Stopping the embedded PostgreSQL left behind (pid $pid)"
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
        alive "$pid" || return 0
        sleep 0.2
    done
    kill -QUIT "$pid" 2>/dev/null || true
}

# SIGTERM, wait, SIGKILL. Returns when the process is gone.
terminate() {
    local pid=$1 waited=0
    kill -TERM "$pid" 2>/dev/null || return 0
    while alive "$pid"; do
        if (( waited >= STOP_TIMEOUT * 5 )); then
            echo "Still running after ${STOP_TIMEOUT} s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                alive "$pid" || break
                sleep 0.1
            done
            stop_orphaned_postgres
            return 0
        fi
        sleep 0.2
        waited=$((waited + 1))
    done
}

# ---- commands --------------------------------------------------------------------------------------------------

start() {
    local pid
    pid=$(server_pid)
    if [[ -n $pid ]]; then
        echo "Already running: pid $pid, http://$HOST:$(info PORT)/api/webhooks/amo (make status, make stop)"
        return 0
    fi
    if [[ ! -f $JAR ]]; then
        echo "start: no jar at $JAR: build it with make package" >&2
        return 1
    fi
    command -v java >/dev/null || { echo "start: java not found on PATH (Java 17 is needed)" >&2; return 1; }
    command -v curl >/dev/null || { echo "start: curl not found on PATH" >&2; return 1; }
    if port_open 127.0.0.1 "$PORT"; then
        echo "start: port $PORT is already in use (another server, or one started with make run?)." >&2
        echo "       Stop it, or choose another port: make start PORT=8081" >&2
        return 1
    fi

    mkdir -p "$RUN_DIR"
    [[ -f $LOG_FILE ]] && mv -f "$LOG_FILE" "$LOG_FILE.1"
    local database data_dir=""
    database=$(describe_database)
    if [[ -z $(setting DB_URL) ]]; then
        data_dir=$(setting EMBEDDED_PG_DATA_DIR data/postgres)
        [[ $data_dir == /* ]] || data_dir=$PWD/$data_dir
    fi
    local -a opts app
    read -ra opts <<< "$JAVA_OPTS"
    # the extracted jar with a class-data-sharing archive (recorded by the first run): a much faster start
    read -ra app <<< "$(scripts/prepare-app.sh "$JAR")"
    echo "$(date -u '+%Y-%m-%dT%H:%M:%SZ') make start: java ${JAVA_OPTS} ${app[*]} (port $PORT)" > "$LOG_FILE"

    # A session of its own: the server survives the terminal (and make) that started it. The inner shell writes
    # its pid and execs java, so the pid file names the JVM itself.
    local launcher=(bash -c 'echo $$ > "$0"; exec "$@"' "$PID_FILE.new" java "${opts[@]}" "${app[@]}")
    if command -v setsid >/dev/null; then
        PORT=$PORT nohup setsid "${launcher[@]}" < /dev/null >> "$LOG_FILE" 2>&1 &
    else
        PORT=$PORT nohup "${launcher[@]}" < /dev/null >> "$LOG_FILE" 2>&1 &
    fi
    for _ in $(seq 1 50); do
        [[ -s $PID_FILE.new ]] && break
        sleep 0.1
    done
    pid=$(tr -dc '0-9' < "$PID_FILE.new" 2>/dev/null || true)
    rm -f "$PID_FILE.new"
    if [[ -z $pid ]]; then
        echo "start: the server process did not start" >&2
        show_log_tail >&2
        return 1
    fi
    echo "$pid" > "$PID_FILE"
    {
        echo "PORT=$PORT"
        echo "HOST=$HOST"
        echo "JAR=$JAR"
        echo "DATABASE=$database"
        echo "DATA_DIR=$data_dir"
        echo "STARTED=$(date +%s)"
    } > "$INFO_FILE"

    echo "Starting the amoCRM webhook server (pid $pid, port $PORT, $database)"
    local begin last="" status body
    begin=$(date +%s)
    while true; do
        if ! alive "$pid"; then
            echo "start: the server exited during startup" >&2
            show_log_tail >&2
            rm -f "$PID_FILE" "$INFO_FILE"
            return 1
        fi
        last=$(fetch_health "$PORT" 2)
        status=${last%% *}
        if [[ $status == 200 ]]; then
            break
        fi
        if (( $(date +%s) - begin >= START_TIMEOUT )); then
            body=${last#* }
            echo "start: not healthy after ${START_TIMEOUT} s (health: HTTP $status ${body:0:300})" >&2
            show_log_tail >&2
            echo "Stopping it. A slow machine may need more time: make start START_TIMEOUT=180" >&2
            terminate "$pid"
            rm -f "$PID_FILE" "$INFO_FILE"
            return 1
        fi
        sleep 0.5
    done
    echo "Started in $(( $(date +%s) - begin )) s"
    echo "  URL       http://$HOST:$PORT/api/webhooks/amo  (health: $(health_url "$PORT"))"
    echo "  pid       $pid  ($PID_FILE)"
    echo "  log       $LOG_FILE  (make webhook-logs)"
    echo "  database  $database"
    echo "  JVM       $JAVA_OPTS"
    echo "Stop it with: make stop"
}

stop() {
    local pid begin
    pid=$(server_pid)
    if [[ -z $pid ]]; then
        echo "Not running (no live server in $PID_FILE)"
        return 0
    fi
    begin=$(date +%s)
    echo "Stopping the amoCRM webhook server (pid $pid): SIGTERM, waiting up to ${STOP_TIMEOUT} s for requests in flight"
    terminate "$pid"
    rm -f "$PID_FILE" "$INFO_FILE"
    echo "Stopped in $(( $(date +%s) - begin )) s"
}

status() {
    local pid port
    pid=$(server_pid)
    if [[ -z $pid ]]; then
        echo "amoCRM webhook server: not running (no live server in $PID_FILE)"
        if port_open 127.0.0.1 "$PORT"; then
            echo "  note: something listens on port $PORT (a server started with make run, or another program)"
        fi
        return 1
    fi
    port=$(info PORT)
    port=${port:-$PORT}
    local started uptime="" args health status body
    started=$(info STARTED)
    [[ -n $started ]] && uptime=", up $(elapsed $(( $(date +%s) - started )))"
    args=$(ps -o args= -p "$pid" 2>/dev/null || true)
    health=$(fetch_health "$port" 3)
    status=${health%% *}
    body=${health#* }

    echo "amoCRM webhook server: running"
    echo "  process   pid $pid$uptime: ${args:0:160}"
    echo "  port      $port  http://$HOST:$port/api/webhooks/amo"
    if [[ $status == 000 ]]; then
        echo "  health    no answer from $(health_url "$port")"
        echo "  database  $(info DATABASE)"
        echo "  log       $LOG_FILE"
        return 2
    fi
    if ! command -v python3 >/dev/null; then
        echo "  health    HTTP $status ${body:0:600}"
        echo "  database  $(info DATABASE)"
        echo "  log       $LOG_FILE"
        [[ $status == 200 ]] || return 2
        return 0
    fi
    HEALTH_STATUS=$status HEALTH_BODY=$body DATABASE=$(info DATABASE) python3 - <<'PY' || true
import json, os
status, body, database = os.environ["HEALTH_STATUS"], os.environ["HEALTH_BODY"], os.environ["DATABASE"]
try:
    health = json.loads(body)
except ValueError:
    print("  health    HTTP %s, not JSON: %s" % (status, body[:200]))
    raise SystemExit(0)
db = health.get("database") or {}
kind = db.get("kind") or db.get("type") or db.get("url") or database
state = db.get("status", "?")
extra = " (%s)" % db["error"] if db.get("error") else ""
latency = " in %s ms" % db["latencyMs"] if "latencyMs" in db else ""
print("  health    HTTP %s %s" % (status, health.get("status", "?")))
print("  database  %s: %s%s%s" % (kind, state, latency, extra))
routes = health.get("routes") or {}
each = routes.get("routes") or {}
started = [r for r, s in each.items() if s == "Started"]
line = "  routes    %s: %d of %d started, camel context %s" % (
    routes.get("status", "?"), len(started), len(each), routes.get("camelContext", "?"))
print(line)
others = ["%s %s" % (r, s) for r, s in each.items() if s != "Started"]
if others:
    print("            not started: " + ", ".join(others))
PY
    echo "  log       $LOG_FILE"
    [[ $status == 200 ]] || return 2
}

logs() {
    if [[ ! -f $LOG_FILE ]]; then
        echo "No log at $LOG_FILE: start the server with make start (make run logs to the terminal)" >&2
        return 1
    fi
    echo "Following $LOG_FILE (Ctrl-C to stop)" >&2
    exec tail -n "${LINES_SHOWN:-100}" -F "$LOG_FILE"
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) status ;;
    logs) logs ;;
    *)
        echo "usage: $0 start|stop|status|logs" >&2
        exit 2
        ;;
esac
