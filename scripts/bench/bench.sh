#!/usr/bin/env bash
# `make bench`: the webhook server's throughput, latency, memory and start time, next to the limit of the
# PostgreSQL it writes to, measured in the same run. See docs/performance.md.
#
# Starts the packaged server (JVM flags and launch of `make run`) on a throw-away embedded PostgreSQL (fsync and
# synchronous_commit on, as in production) on free ports, measures start-to-healthy, measures the database limit
# with pgbench (or a JDBC client), then drives four scenarios over loopback with signed amoCRM bodies and checks
# after each that every event answered 2xx is in PostgreSQL, and last the same single-event load against a bare
# reference server (ReferenceServer.java) on the same PostgreSQL, and the product's own statements for one event run
# by pgbench with no server (ProductStatements.java). Stops everything it started.
#
# Settings (environment, or make variables: make bench BENCH_SECONDS=20):
#   BENCH_SECONDS=30        seconds per scenario (smoke: 3)
#   CONNECTIONS=16          concurrent connections of the load tool and clients of the database limit
#   THREADS=2               wrk / pgbench threads
#   BENCH_RATE=500          requests/s of the fixed-rate scenario (smoke: 50)
#   BENCH_LEAD_IN_SECONDS=2 fixed rate: seconds sent first whose latencies are not counted (smoke: 1)
#   BENCH_SMOKE=1           a few seconds per scenario, one start, targets not asserted (the test suite runs this)
#   BENCH_DB_SECONDS=10     seconds of each database-limit run (smoke: 1)
#   BENCH_WARMUP_SECONDS=60 unmeasured single-event load before the scenarios, then half as long of 50-event
#                           requests: the JIT's compiler settles after about 70 s of load here (smoke: 1)
#   BENCH_STARTS=2          server starts; the last one's start-to-healthy is reported (smoke: 1)
#   BENCH_LOADGEN=auto      wrk | java (the built-in closed-loop generator) | auto (wrk if it is or can be installed)
#   BENCH_DBTOOL=auto       pgbench | jdbc | auto (pgbench if it is or can be installed)
#   BENCH_INSTALL=1         0: never apt-get install wrk / pgbench, use the Java fallbacks instead
#   BENCH_ASSERT_TARGETS=1  0: report the targets of issue 8 without failing on them (smoke: 0)
#   BENCH_SCENARIOS=single,batch,mixed,fixed,reference,statements   which scenarios to run (a target whose scenario
#                           did not run is not met; reference is the bare HTTP server of ReferenceServer.java, and
#                           statements the product's SQL with no server (ProductStatements.java): not the product)
#   BENCH_HISTORY=200000    events already journaled before each scenario, as on a server that has been running
#                           for a while (smoke: 2000)
#   BENCH_POOL_MB=1024      at most this many MB of pre-generated bodies per scenario (smoke: 128)
#   BENCH_OUT=target/bench  results, logs and report.md
#   BENCH_JAR=target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar   built with mvn package when missing
#   JAVA_OPTS               the server's JVM flags (default: JAVA_OPTS of the Makefile, as make run uses)
#   BENCH_KEEP=1            keep the throw-away work directory (bodies, database) for a look afterwards
# Server settings such as DB_POOL_SIZE pass through the environment to the server.
# Exit status: 0 all data checks passed (and targets met when asserted), 1 a data check or the harness failed,
# 3 the data checks passed but a target was missed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

log() { printf 'bench [%3ss]: %s\n' "$SECONDS" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
trap 'log "ERROR: line $LINENO failed: $BASH_COMMAND"' ERR
have() { command -v "$1" >/dev/null 2>&1; }

case ${BENCH_SMOKE:-0} in 1 | true | yes) SMOKE=1 ;; *) SMOKE=0 ;; esac
if (( SMOKE )); then
    DURATION=${BENCH_SECONDS:-3}; DB_SECONDS=${BENCH_DB_SECONDS:-1}; WARMUP=${BENCH_WARMUP_SECONDS:-1}
    STARTS=${BENCH_STARTS:-1}; POOL_MB=${BENCH_POOL_MB:-128}; ASSERT_TARGETS=${BENCH_ASSERT_TARGETS:-0}
    RATE=${BENCH_RATE:-50}; HISTORY=${BENCH_HISTORY:-2000}; FIXED_LEAD_IN=${BENCH_LEAD_IN_SECONDS:-1}
else
    DURATION=${BENCH_SECONDS:-30}; DB_SECONDS=${BENCH_DB_SECONDS:-10}; WARMUP=${BENCH_WARMUP_SECONDS:-60}
    STARTS=${BENCH_STARTS:-2}; POOL_MB=${BENCH_POOL_MB:-1024}; ASSERT_TARGETS=${BENCH_ASSERT_TARGETS:-1}
    RATE=${BENCH_RATE:-500}; HISTORY=${BENCH_HISTORY:-200000}; FIXED_LEAD_IN=${BENCH_LEAD_IN_SECONDS:-2}
fi
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
INSTALL=${BENCH_INSTALL:-1}
LOADGEN=${BENCH_LOADGEN:-auto}
DBTOOL=${BENCH_DBTOOL:-auto}
OUT=${BENCH_OUT:-$ROOT/target/bench}
JAR=${BENCH_JAR:-$ROOT/target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar}
if [[ -z ${JAVA_OPTS:-} ]]; then
    JAVA_OPTS=$(sed -n 's/^JAVA_OPTS[[:space:]]*?=[[:space:]]*//p' "$ROOT/Makefile" | head -n 1)
fi
for n in DURATION DB_SECONDS WARMUP STARTS POOL_MB CONNECTIONS THREADS RATE; do
    [[ ${!n} =~ ^[0-9]+$ && ${!n} -gt 0 ]] || die "$n must be a positive whole number, got '${!n}'"
done
SCENARIOS=${BENCH_SCENARIOS:-single,batch,mixed,fixed,reference,statements}
[[ $SCENARIOS =~ ^(single|batch|mixed|fixed|reference|statements)(,(single|batch|mixed|fixed|reference|statements))*$ ]] \
    || die "BENCH_SCENARIOS must list single, batch, mixed, fixed, reference and/or statements, got '$SCENARIOS'"
wants() { [[ ,$SCENARIOS, == *,$1,* ]]; }
[[ $HISTORY =~ ^[0-9]+$ ]] || die "BENCH_HISTORY must be a whole number, got '$HISTORY'"
[[ $FIXED_LEAD_IN =~ ^[0-9]+$ ]] || die "BENCH_LEAD_IN_SECONDS must be a whole number, got '$FIXED_LEAD_IN'"
(( THREADS <= CONNECTIONS )) || die "THREADS ($THREADS) must not exceed CONNECTIONS ($CONNECTIONS)"

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
REPORT=$OUT/report.md
rm -f "$OUT"/*.summary "$OUT/start.result"
: >"$REPORT"
say() { printf '%s\n' "$*" | tee -a "$REPORT"; }

# ---- what the bench needs: wrk, pgbench (each with a Java fallback), the JDK, the jar ----------------------------

APT_UPDATED=0
apt_install() {
    (( INSTALL )) || return 1
    have apt-get || return 1
    local sudo=()
    if [[ $(id -u) != 0 ]]; then
        have sudo && sudo -n true 2>/dev/null || return 1
        sudo=(sudo -n)
    fi
    if (( ! APT_UPDATED )); then
        log "apt-get update"
        "${sudo[@]}" apt-get update -qq >>"$OUT/install.log" 2>&1 || { tail -n 20 "$OUT/install.log" >&2; return 1; }
        APT_UPDATED=1
    fi
    log "apt-get install $* (log: $OUT/install.log)"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
        >>"$OUT/install.log" 2>&1 || { tail -n 20 "$OUT/install.log" >&2; return 1; }
}

have java && have javac && have jar || die "a JDK 17 (java, javac, jar) is needed"

FALLBACK_LOADGEN="BENCH_LOADGEN=java"
if [[ $LOADGEN == auto || $LOADGEN == wrk ]]; then
    have wrk || apt_install wrk || log "wrk could not be installed: using the Java load generator"
    if have wrk; then LOADGEN=wrk
    elif [[ $LOADGEN == wrk ]]; then die "BENCH_LOADGEN=wrk but wrk is not installed"
    else LOADGEN=java; FALLBACK_LOADGEN="wrk not installed"; fi
fi
[[ $LOADGEN == wrk || $LOADGEN == java ]] || die "BENCH_LOADGEN must be wrk, java or auto"

pgbench_works() { pgbench --version >/dev/null 2>&1; }
FALLBACK_DBTOOL="BENCH_DBTOOL=jdbc"
if [[ $DBTOOL == auto || $DBTOOL == pgbench ]]; then
    # Debian: pgbench comes with postgresql-client (15 on bookworm; fine against the embedded 17 for custom scripts)
    pgbench_works || apt_install postgresql-client || log "pgbench could not be installed: using the JDBC client"
    if pgbench_works; then DBTOOL=pgbench
    elif [[ $DBTOOL == pgbench ]]; then die "BENCH_DBTOOL=pgbench but pgbench is not installed"
    else DBTOOL=jdbc; FALLBACK_DBTOOL="pgbench not installed"; fi
fi
[[ $DBTOOL == pgbench || $DBTOOL == jdbc ]] || die "BENCH_DBTOOL must be pgbench, jdbc or auto"

if [[ ! -f $JAR ]]; then
    log "building $JAR"
    mvn -B -q -DskipTests package >&2
fi
[[ -f $JAR ]] || die "no jar at $JAR"
JAR=$(cd "$(dirname "$JAR")" && pwd)/$(basename "$JAR")

# The Java half of the bench (scripts/bench/tool), compiled once per change; the JDBC driver comes out of the jar.
TOOL=$OUT/tool
TOOL_SRC=$ROOT/scripts/bench/tool
if [[ ! -f $TOOL/stamp || -n $(find "$TOOL_SRC" -name '*.java' -newer "$TOOL/stamp") ]]; then
    rm -rf "$TOOL/classes" && mkdir -p "$TOOL/classes"
    javac -nowarn -d "$TOOL/classes" "$TOOL_SRC"/*.java >&2
    touch "$TOOL/stamp"
fi
DRIVER_ENTRY=$(jar tf "$JAR" | grep -m 1 '^BOOT-INF/lib/postgresql-[0-9.]*\.jar$' || true)
if [[ -n $DRIVER_ENTRY ]]; then
    [[ -f $TOOL/$DRIVER_ENTRY ]] || (cd "$TOOL" && jar xf "$JAR" "$DRIVER_ENTRY")
    DRIVER=$TOOL/$DRIVER_ENTRY
else
    DRIVER=$(find "$HOME/.m2/repository/org/postgresql/postgresql" -name 'postgresql-*.jar' 2>/dev/null | sort -V | tail -n 1)
fi
[[ -n $DRIVER && -f $DRIVER ]] || die "PostgreSQL JDBC driver not found (neither in $JAR nor in ~/.m2)"
# the jobs of the bench (generation, checks, reports) and the load generators, which get more memory
tool() { java -Xmx1g -XX:+UseSerialGC -cp "$TOOL/classes:$DRIVER" BenchTool "$@"; }
# the load generators: serial GC and C1 only, so the client takes as little CPU from the server as it can
loadtool() { java -Xms256m -Xmx2g -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$TOOL/classes:$DRIVER" BenchTool "$@"; }

# ---- the server on a throw-away embedded PostgreSQL --------------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/amocrm-bench.XXXXXX")
SERVER_PID=
SAMPLER_PID=
REFERENCE_PID=
SECRET=bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
read -r HTTP_PORT PG_PORT < <(tool free-ports --count 2)
BASE=http://127.0.0.1:$HTTP_PORT/api/webhooks/amo
JDBC=jdbc:postgresql://127.0.0.1:$PG_PORT/postgres
cp "$JAR" "$WORK/app.jar"   # a rebuild of target/ during the run does not pull the jar from under the server
: >"$OUT/server.log"

stop_sampler() {
    if [[ -n $SAMPLER_PID ]]; then
        kill "$SAMPLER_PID" 2>/dev/null || true
        wait "$SAMPLER_PID" 2>/dev/null || true
        SAMPLER_PID=
    fi
}

stop_server() {
    if [[ -n $SERVER_PID ]]; then
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            kill -TERM "$SERVER_PID" 2>/dev/null || true
            for _ in $(seq 1 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
            if kill -0 "$SERVER_PID" 2>/dev/null; then
                log "the server did not stop within 30 s: killing it"
                kill -KILL "$SERVER_PID" 2>/dev/null || true
            fi
        fi
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
    # a postmaster left behind by a killed JVM is ours too: stop it by the pid in its data directory
    local pidfile=$WORK/pg/postmaster.pid pg
    if [[ -f $pidfile ]]; then
        pg=$(head -n 1 "$pidfile")
        if [[ $pg =~ ^[0-9]+$ ]] && kill -0 "$pg" 2>/dev/null && grep -q postgres "/proc/$pg/comm" 2>/dev/null; then
            log "stopping the embedded PostgreSQL left behind (pid $pg)"
            kill -TERM "$pg" 2>/dev/null || true
            for _ in $(seq 1 100); do kill -0 "$pg" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pg" 2>/dev/null && kill -KILL "$pg" 2>/dev/null || true
        fi
    fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_sampler
    stop_reference
    stop_server
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then
        log "kept the work directory $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stop_reference() {
    if [[ -n $REFERENCE_PID ]]; then
        kill "$REFERENCE_PID" 2>/dev/null || true
        wait "$REFERENCE_PID" 2>/dev/null || true
        REFERENCE_PID=
    fi
}

start_server() {
    local started app
    started=$(date +%s%3N)
    # launched the way `make run` / `make start` launch it: scripts/prepare-app.sh extracts the jar and records a
    # class-data-sharing archive at the first exit that later starts map (here in the work directory, not target/)
    if [[ -x $ROOT/scripts/prepare-app.sh ]]; then
        read -ra app <<<"$(APP_DIR="$WORK/app" "$ROOT/scripts/prepare-app.sh" "$WORK/app.jar")"
        if [[ ${1:-} == last ]]; then
            # no later start maps an archive recorded now: skip recording it (it only slows the final stop)
            local kept=() arg
            for arg in "${app[@]}"; do [[ $arg == -XX:ArchiveClassesAtExit=* ]] || kept+=("$arg"); done
            app=("${kept[@]}")
        fi
    else
        app=(-jar "$WORK/app.jar")
    fi
    (
        cd "$WORK"
        # the work directory has no .env; settings that would break the bench are unset, the rest pass through
        exec env -u DB_URL -u AMOCRM_PREVIOUS_SECRETS -u AMOCRM_WEBHOOK_TOKEN -u AMOCRM_PREVIOUS_TOKENS \
            -u WEBHOOK_MAX_BODY_BYTES -u WEBHOOK_MAX_FIELDS \
            PORT="$HTTP_PORT" EMBEDDED_PG_PORT="$PG_PORT" EMBEDDED_PG_DATA_DIR="$WORK/pg" \
            AMOCRM_CLIENT_SECRET="$SECRET" AMOCRM_DOMAIN=examplecrm.amocrm.ru AMOCRM_ACCOUNT_ID=31234567 \
            WEBHOOK_AUTH_ENABLED=true WEBHOOK_SIGNATURE_HEADER=X-Signature \
            java $JAVA_OPTS "${app[@]}"
    ) >>"$OUT/server.log" 2>&1 &
    SERVER_PID=$!
    log "java $JAVA_OPTS ${app[*]}"
    if ! HEALTHY_MS=$(tool wait-healthy --url "$BASE/health" --since "$started" --timeout 180 --pid "$SERVER_PID"); then
        tail -n 40 "$OUT/server.log" >&2
        die "the server did not become healthy (log: $OUT/server.log)"
    fi
}

# RSS of the server's JVM (VmRSS), or of the JVM with pid $2, sampled every 200 ms while a scenario runs
start_sampler() {
    local file=$1 pid=${2:-$SERVER_PID}
    : >"$file"
    (
        while kill -0 "$pid" 2>/dev/null; do
            sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status" >>"$file" 2>/dev/null || true
            sleep 0.2
        done
    ) &
    SAMPLER_PID=$!
}

# CPU time (clock ticks) of the server's JVM and of its embedded PostgreSQL (postmaster and its children):
# per request it says where the work goes, whatever else the machine is doing
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
cpu_snapshot() { # FILE [PID]: "pid ticks" of the server's JVM, or PID's (as jvm), and of each PostgreSQL process
    local pg=0 jvm=${2:-$SERVER_PID}
    [[ -f $WORK/pg/postmaster.pid ]] && pg=$(head -n 1 "$WORK/pg/postmaster.pid")
    {
        awk '{ print "jvm", $14 + $15 }' "/proc/$jvm/stat" 2>/dev/null || true
        # of which the JIT's compiler threads ("C1/C2 CompilerThre"; fields counted after the name, which has a space),
        # one line each: a compiler thread the JVM stops between two snapshots then counts for neither, not negative
        cat "/proc/$jvm"/task/*/stat 2>/dev/null | awk '/\(C[12] CompilerThre/ { tid = $1; sub(/.*\) /, ""); print "jit:" tid, $12 + $13 }' \
            || true
        # the postmaster with its waited-for children (cutime, cstime): backends that exited still count
        awk -v pg="$pg" '$1 == pg { print $1, $14 + $15 + $16 + $17 } $4 == pg { print $1, $14 + $15 }' \
            /proc/[0-9]*/stat 2>/dev/null || true
    } >"$1"
}
cpu_seconds() { # BEFORE AFTER -> "jvm_s pg_s jit_s": CPU used between the snapshots (processes started since count whole)
    awk -v t="$CLK_TCK" 'NR == FNR { before[$1] = $2; next }
        { d = $2 - ($1 in before ? before[$1] : 0); if ($1 == "jvm") j += d; else if ($1 ~ /^jit:/) c += d; else p += d }
        END { printf "%.2f %.2f %.2f\n", j / t, p / t, c / t }' "$1" "$2"
}

# ---- the run -----------------------------------------------------------------------------------------------------

CPU=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
MEM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
JAVA_VERSION=$(java -version 2>&1 | head -n 1)
if [[ $LOADGEN == wrk ]]; then LOADGEN_TEXT="$( (wrk -v 2>&1 || true) | head -n 1 | awk '{print $1, $2}')"; else LOADGEN_TEXT="Java closed-loop generator ($FALLBACK_LOADGEN)"; fi
if [[ $DBTOOL == pgbench ]]; then DBTOOL_TEXT=$(pgbench --version | head -n 1); else DBTOOL_TEXT="JDBC client ($FALLBACK_DBTOOL)"; fi

say "## make bench — $(date -u +%Y-%m-%dT%H:%M:%SZ)$( (( SMOKE )) && echo ' (smoke run: figures are not meaningful)')"
say ""
say "- machine: $(nproc) cores ($CPU), $MEM memory, $(uname -sr); load tool, server and database share it"
say "- $JAVA_VERSION; server JVM flags: $JAVA_OPTS$([[ -x $ROOT/scripts/prepare-app.sh ]] && echo ', launched like make run (extracted jar, class-data-sharing archive)')"
say "- load: $LOADGEN_TEXT, $CONNECTIONS connections, $THREADS threads, ${DURATION} s per scenario after ${WARMUP} s of single-event and $(( WARMUP / 2 )) s of 50-event warm-up; fixed rate $RATE req/s"
say "- before each scenario: tables emptied, then $HISTORY lead-update events already journaled (30 days of history) and analysed"
say "- database limit: $DBTOOL_TEXT, $CONNECTIONS clients, ${DB_SECONDS} s, against the server's own embedded PostgreSQL"
LOAD_BEFORE=$(cut -d ' ' -f 1-3 /proc/loadavg)
say "- load average before the run: $LOAD_BEFORE$(awk -v l="${LOAD_BEFORE%% *}" 'BEGIN { if (l > 1.0) print " — something else is using the CPU: the figures will be low" }')"

log "work directory $WORK, HTTP port $HTTP_PORT, PostgreSQL port $PG_PORT"
FIRST_MS=
for start in $(seq 1 "$STARTS"); do
    log "start $start of $STARTS"
    start_server "$( (( start == STARTS )) && echo last || echo more)"
    log "healthy after $HEALTHY_MS ms"
    [[ -n $FIRST_MS ]] || FIRST_MS=$HEALTHY_MS
    if (( start < STARTS )); then stop_server; fi
done
if (( STARTS > 1 )); then WHICH="start $STARTS: database initialised and class-data archive recorded by start 1"; else WHICH="first start: fresh database, no class-data archive yet"; fi
printf 'healthy_ms=%s\nfirst_ms=%s\nwhich=%s\n' "$HEALTHY_MS" "$FIRST_MS" "$WHICH" >"$OUT/start.result"
say "- start to healthy: $(awk -v ms="$HEALTHY_MS" 'BEGIN { printf "%.1f s", ms / 1000 }') ($WHICH; first start $(awk -v ms="$FIRST_MS" 'BEGIN { printf "%.1f s", ms / 1000 }'))"

# The database limit, same server, same durability, same concurrency
tool db-prepare --jdbc "$JDBC"
db_limit() {
    local events=$1 tps
    cpu_snapshot "$OUT/db-limit-$events.cpu.before"
    if [[ $DBTOOL == pgbench ]]; then
        tool pgbench-script --events "$events" --out "$OUT/db-limit-$events.sql"
        if ! pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DB_SECONDS" -f "$OUT/db-limit-$events.sql" \
                -h 127.0.0.1 -p "$PG_PORT" -U postgres postgres >"$OUT/db-limit-$events.log" 2>&1; then
            cat "$OUT/db-limit-$events.log" >&2
            die "pgbench failed"
        fi
        tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$OUT/db-limit-$events.log" | tail -n 1)
    else
        loadtool db-limit --jdbc "$JDBC" --clients "$CONNECTIONS" --seconds "$DB_SECONDS" --events "$events" \
            --result "$OUT/db-limit-$events.result"
        tps=$(sed -n 's/^tps=//p' "$OUT/db-limit-$events.result")
    fi
    [[ -n $tps ]] || die "no database limit measured for $events event(s) per transaction"
    cpu_snapshot "$OUT/db-limit-$events.cpu.after"
    local pg_cpu
    read -r _ pg_cpu _ < <(cpu_seconds "$OUT/db-limit-$events.cpu.before" "$OUT/db-limit-$events.cpu.after")
    # PostgreSQL CPU per transaction of the limit: the floor the server's per-request figure compares with
    awk -v c="$pg_cpu" -v tps="$tps" -v s="$DB_SECONDS" 'BEGIN { printf "%.2f", (tps > 0 ? c * 1000 / (tps * s) : 0) }' \
        >"$OUT/db-limit-$events.cpu-ms"
    printf '%s' "$tps"
}
log "database limit: 1 event per transaction"
DB1=$(db_limit 1)
log "database limit: 50 events per transaction"
DB50=$(db_limit 50)
DB1=$(printf '%.0f' "$DB1"); DB50=$(printf '%.0f' "$DB50")
say "- database limit: $DB1 tx/s with 1 event per transaction (journal insert + upsert; PostgreSQL CPU $(cat "$OUT/db-limit-1.cpu-ms") ms per transaction), $DB50 tx/s with 50 (journal insert + 50-row upsert; $(cat "$OUT/db-limit-50.cpu-ms") ms)"

bodies() { # scenario count name -> pre-generated, signed bodies and manifest in the work directory
    tool gen --scenario "$1" --count "$2" --secret "$SECRET" --prefix "bench-$3-" \
        --out "$WORK/$3.bodies" --manifest "$WORK/$3.manifest" >&2
}
pool() { # expected requests/s, bytes per body [, seconds] -> how many bodies to pre-generate (capped by BENCH_POOL_MB)
    local n=$(( $1 * ${3:-$DURATION} + 500 )) cap=$(( POOL_MB * 1048576 / $2 ))
    (( n > cap )) && n=$cap
    echo "$n"
}

# closed_loop NAME DIR [SECONDS [URL]]: the closed-loop load (wrk or the Java generator) over the bodies of NAME
closed_loop() {
    local name=$1 dir=$2 seconds=${3:-$DURATION} url=${4:-$BASE}
    if [[ $LOADGEN == wrk ]]; then
        BENCH_BODIES="$WORK/$name.bodies" BENCH_WRK_RESULT="$dir/load.result" BENCH_THREADS="$THREADS" \
            wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s \
            -s "$ROOT/scripts/bench/signed-bodies.lua" "$url" >"$dir/wrk.log" 2>&1 \
            || { cat "$dir/wrk.log" >&2; die "wrk failed"; }
        [[ -s $dir/load.result ]] || { cat "$dir/wrk.log" >&2; die "wrk wrote no result"; }
    else
        loadtool closed-loop --url "$url" --bodies "$WORK/$name.bodies" --connections "$CONNECTIONS" \
            --seconds "$seconds" --result "$dir/load.result"
    fi
}

CHECKS_FAILED=0
# scenario NAME GENERATOR COUNT TITLE RATIO DB_TPS DB_EVENTS DB_LABEL
scenario() {
    local name=$1 generator=$2 count=$3 title=$4 ratio=$5 db_tps=$6 db_events=$7 db_label=$8
    local dir=$OUT/$name setup rss jvm_cpu pg_cpu jit_cpu
    rm -rf "$dir" && mkdir -p "$dir"
    tool truncate --jdbc "$JDBC" --history "$HISTORY" :: gen --scenario "$generator" --count "$count" --secret "$SECRET" \
        --prefix "bench-$name-" --out "$WORK/$name.bodies" --manifest "$WORK/$name.manifest" >&2
    local size
    size=$(awk -F'\t' '{ n++; s += length($3) } END { printf "%.1f KB", s / n / 1024 }' "$WORK/$name.bodies")
    log "scenario $name: $count distinct signed requests of $size on average"
    start_sampler "$dir/rss.samples"
    cpu_snapshot "$dir/cpu.before"
    if [[ $name == fixed ]]; then
        loadtool fixed-rate --url "$BASE" --bodies "$WORK/$name.bodies" --rate "$RATE" --seconds "$DURATION" \
            --lead-in "$FIXED_LEAD_IN" --result "$dir/load.result"
        setup="Java fixed-rate client (keep-alive HTTP/1.1 sockets, up to 64 connections): $RATE requests/s for ${DURATION} s after a ${FIXED_LEAD_IN} s lead-in at the same rate (its answers checked, its latencies not counted: the client's start and connection set-up); each latency counts from the request's due time (no coordinated omission)"
    else
        closed_loop "$name" "$dir"
        setup="$LOADGEN_TEXT: $CONNECTIONS connections, $THREADS threads, ${DURATION} s"
    fi
    cpu_snapshot "$dir/cpu.after"
    stop_sampler
    rss=$(sort -n "$dir/rss.samples" | tail -n 1)
    read -r jvm_cpu pg_cpu jit_cpu < <(cpu_seconds "$dir/cpu.before" "$dir/cpu.after")
    printf 'jvm_cpu_s=%s\npg_cpu_s=%s\njit_cpu_s=%s\n' "$jvm_cpu" "$pg_cpu" "$jit_cpu" >>"$dir/load.result"
    # verify writes check.result and a line to stderr; report prints the table (stdout) from the results
    local rc=0
    tool verify --jdbc "$JDBC" --prefix "bench-$name-" --manifest "$WORK/$name.manifest" \
            --load "$dir/load.result" --out "$dir/check.result" \
        :: report --name "$name" --title "$title" --setup "$setup; $count pre-generated requests, $size each on average" \
            --load "$dir/load.result" --check "$dir/check.result" --rss-kb "${rss:-0}" --db-tps "$db_tps" \
            --db-events "$db_events" --db-label "$db_label" --ratio "$ratio" --out "$OUT/$name.summary" \
        | tee -a "$REPORT" || rc=${PIPESTATUS[0]}
    (( rc == 0 )) || CHECKS_FAILED=1
    [[ -s $OUT/$name.summary ]] || die "no result for scenario $name"
}

# Warm-up: the JIT and the pools see the single-event load first (its rate sizes the body pools of the scenarios),
# then bulk edits. The scenarios measure the steady state: on this machine the JIT's C2 compiler takes 20-30 % of the
# JVM's CPU for the first ~70 s of load, then a few percent (the "JIT compiler" share in each table shows what is left).
log "warm-up: ${WARMUP} s of single-event requests"
mkdir -p "$OUT/warmup" "$OUT/warmup-batch"
bodies warm "$(pool $(( DB1 / 2 > 500 ? DB1 / 2 : 500 )) 2300 "$WARMUP")" warmup
closed_loop warmup "$OUT/warmup" "$WARMUP"
WARM_RPS=$(awk -F= '/^ok=/ { ok = $2 } /^duration_s=/ { d = $2 } END { printf "%d", (d > 0 ? ok / d : 0) }' "$OUT/warmup/load.result")
log "warm-up: $WARM_RPS requests/s"
if (( WARMUP / 2 > 0 )); then
    log "warm-up: $(( WARMUP / 2 )) s of 50-event requests"
    bodies batch "$(pool $(( WARM_RPS / 3 > 20 ? WARM_RPS / 3 : 20 )) 53000 $(( WARMUP / 2 )))" warmup-batch
    closed_loop warmup-batch "$OUT/warmup-batch" $(( WARMUP / 2 ))
fi
EXPECT=$(( WARM_RPS * 3 > 300 ? WARM_RPS * 3 : 300 ))

! wants single || scenario single single "$(pool "$EXPECT" 2300)" "single-event requests (one lead update each, distinct lead ids and updated_at)" \
    requests "$DB1" 1 "pgbench-style: 1 journal insert + 1 upsert per transaction"
! wants batch || scenario batch batch "$(pool $(( WARM_RPS > 100 ? WARM_RPS : 100 )) 53000)" "50-event batch requests (bulk edit: leads[update][0..49])" \
    events "$DB50" 50 "1 journal insert + one 50-row upsert per transaction"
! wants mixed || scenario mixed mixed "$(pool "$EXPECT" 2100)" "mixed realistic stream (every entity and action, bulk edits, re-deliveries, out-of-order updates)" \
    requests "$DB1" 1 "1 journal insert + 1 upsert per transaction"
! wants fixed || scenario fixed fixed $(( RATE * (DURATION + FIXED_LEAD_IN) + 100 )) "fixed rate of $RATE requests/s (single-event requests), latency" \
    offered "$DB1" 1 "1 journal insert + 1 upsert per transaction"

# The reference: the least an HTTP webhook server can do (scripts/bench/tool/ReferenceServer.java: the JDK's HTTP
# server, the database limit's transaction per request, nothing else) with the server's JVM flags, workers,
# PostgreSQL, load tool and connections. Not the product: what any server that answers after a commit meets here.
reference() {
    local dir=$OUT/reference port rss jvm_cpu pg_cpu jit_cpu rc=0 warm=$(( WARMUP < 20 ? WARMUP : 20 ))
    rm -rf "$dir" && mkdir -p "$dir/warmup"
    tool db-prepare --jdbc "$JDBC" :: gen --scenario single --count "$(pool "$DB1" 2300)" \
        --secret "$SECRET" --prefix bench-reference- --out "$WORK/reference.bodies" --manifest "$WORK/reference.manifest" >&2
    # it binds a free port itself and names it in the port file: no other socket can take it in between
    java $JAVA_OPTS -cp "$TOOL/classes:$DRIVER" BenchTool reference-server --port-file "$dir/port" --jdbc "$JDBC" \
        --workers "${WEBHOOK_WORKERS:-8}" >"$dir/server.log" 2>&1 &
    REFERENCE_PID=$!
    for _ in $(seq 1 300); do
        [[ -s $dir/port ]] && break
        kill -0 "$REFERENCE_PID" 2>/dev/null || break
        sleep 0.1
    done
    port=$(cat "$dir/port" 2>/dev/null || true)
    [[ -n $port ]] && tool wait-healthy --url "http://127.0.0.1:$port/health" --timeout 60 --pid "$REFERENCE_PID" >/dev/null \
        || { cat "$dir/server.log" >&2; die "the reference server did not start"; }
    log "scenario reference: reference server on port $port; $warm s of warm-up, then ${DURATION} s"
    closed_loop reference "$dir/warmup" "$warm" "http://127.0.0.1:$port/api/webhooks/amo"
    tool db-prepare --jdbc "$JDBC"   # the warm-up's rows out: the check counts the measured run's
    start_sampler "$dir/rss.samples" "$REFERENCE_PID"
    cpu_snapshot "$dir/cpu.before" "$REFERENCE_PID"
    closed_loop reference "$dir" "$DURATION" "http://127.0.0.1:$port/api/webhooks/amo"
    cpu_snapshot "$dir/cpu.after" "$REFERENCE_PID"
    stop_sampler
    stop_reference
    rss=$(sort -n "$dir/rss.samples" | tail -n 1)
    read -r jvm_cpu pg_cpu jit_cpu < <(cpu_seconds "$dir/cpu.before" "$dir/cpu.after")
    printf 'jvm_cpu_s=%s\npg_cpu_s=%s\njit_cpu_s=%s\n' "$jvm_cpu" "$pg_cpu" "$jit_cpu" >>"$dir/load.result"
    # its data check counts like the product's: a failed one fails the bench (the harness or the machine is wrong)
    tool verify-reference --jdbc "$JDBC" --load "$dir/load.result" --connections "$CONNECTIONS" --out "$dir/check.result" \
        :: report --name reference --title "reference, not the product: a bare HTTP server doing only the database limit's transaction per request" \
            --setup "$LOADGEN_TEXT: $CONNECTIONS connections, $THREADS threads, ${DURATION} s after $warm s of warm-up; the JDK's HTTP server with ${WEBHOOK_WORKERS:-8} workers and the server's JVM flags, the single scenario's bodies unverified" \
            --load "$dir/load.result" --check "$dir/check.result" --rss-kb "${rss:-0}" --db-tps "$DB1" \
            --db-events 1 --db-label "pgbench-style: 1 journal insert + 1 upsert per transaction" --ratio requests \
            --out "$OUT/reference.summary" --resent "re-sent bodies already sent (the reference stores them again)" \
        | tee -a "$REPORT" || rc=${PIPESTATUS[0]}
    (( rc == 0 )) || CHECKS_FAILED=1
}
! wants reference || reference

# The product's own statements for one lead update (the server's SQL files, ProductStatements.java), run by pgbench
# or JDBC on the same PostgreSQL with the same clients and history, with no server: what storing an event the way the
# product must costs PostgreSQL alone, once as the server sends it and once with its three writes in one round trip.
statements() {
    local dir=$OUT/statements run rc=0 cpu=() results=()
    rm -rf "$dir" && mkdir -p "$dir"
    tool truncate --jdbc "$JDBC" --history "$HISTORY"
    log "scenario statements: the product's statements for one event, ${DB_SECONDS} s each way, no server"
    for run in plain pipelined; do
        local flag=() ms pg_cpu tps
        [[ $run == pipelined ]] && flag=(--pipelined)
        cpu_snapshot "$dir/$run.cpu.before"
        if [[ $DBTOOL == pgbench ]]; then
            tool statements-script --sql-dir "$ROOT/src/main/resources/sql" --out "$dir/$run.sql" "${flag[@]}"
            pgbench -n -M prepared -c "$CONNECTIONS" -j "$THREADS" -T "$DB_SECONDS" -f "$dir/$run.sql" \
                    -h 127.0.0.1 -p "$PG_PORT" -U postgres postgres >"$dir/$run.log" 2>&1 \
                || { cat "$dir/$run.log" >&2; die "pgbench failed on the product's statements"; }
            # a transaction that failed counts in neither figure
            printf 'tool=pgbench\ntps=%s\ntransactions=%s\nfailures=%s\n' \
                "$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$dir/$run.log" | tail -n 1)" \
                "$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$dir/$run.log")" \
                "$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$dir/$run.log")" >"$dir/$run.result"
        else
            loadtool statements-jdbc --jdbc "$JDBC" --sql-dir "$ROOT/src/main/resources/sql" --clients "$CONNECTIONS" \
                --seconds "$DB_SECONDS" --result "$dir/$run.result" "${flag[@]}"
        fi
        cpu_snapshot "$dir/$run.cpu.after"
        read -r _ pg_cpu _ < <(cpu_seconds "$dir/$run.cpu.before" "$dir/$run.cpu.after")
        tps=$(sed -n 's/^tps=//p' "$dir/$run.result")
        ms=$(awk -v c="$pg_cpu" -v tps="${tps:-0}" -v s="$DB_SECONDS" 'BEGIN { printf "%.2f", (tps > 0 ? c * 1000 / (tps * s) : 0) }')
        cpu+=("$ms")
        results+=("$dir/$run.result")
    done
    tool verify-statements --jdbc "$JDBC" --results "$(IFS=,; echo "${results[*]}")" --out "$dir/check.result" \
        :: report-statements --plain "$dir/plain.result" --pipelined "$dir/pipelined.result" --check "$dir/check.result" \
            --cpu-ms "${cpu[0]}" --cpu-ms-pipelined "${cpu[1]}" --db-tps "$DB1" \
            --db-label "pgbench-style: 1 journal insert + 1 upsert per transaction" \
            --setup "$DBTOOL_TEXT: $CONNECTIONS clients, ${DB_SECONDS} s each way, after $HISTORY events of history; BEGIN, the duplicate lookup, the already-applied lookup, the lead's upsert, the event's and the request's journal rows (src/main/resources/sql), COMMIT" \
            --out "$OUT/statements.summary" \
        | tee -a "$REPORT" || rc=${PIPESTATUS[0]}
    (( rc == 0 )) || CHECKS_FAILED=1
}
! wants statements || statements

stop_server
say ""
say "- load average after the run: $(cut -d ' ' -f 1-3 /proc/loadavg)"
rc=0
if [[ $DBTOOL == pgbench ]]; then DBTOOL_NAME=pgbench; else DBTOOL_NAME="a JDBC client"; fi
tool summary --dir "$OUT" --rate "$RATE" --scenarios "$SCENARIOS" --dbtool "$DBTOOL_NAME" --assert-targets "$( (( ASSERT_TARGETS )) && echo true || echo false)" \
    | tee -a "$REPORT" || rc=${PIPESTATUS[0]}
log "report: $REPORT; server log: $OUT/server.log"
if (( CHECKS_FAILED )) && (( rc == 0 )); then rc=1; fi
exit "$rc"
