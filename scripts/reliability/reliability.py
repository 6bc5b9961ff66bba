#!/usr/bin/env python3
"""`make reliability`: the server's guarantees (../shared/DESIGN.md, issue 9) under faults, on this machine.

    SCENARIOS=outage,crash,two,soak,shutdown SOAK_SECONDS=600 RATE=50 scripts/reliability/reliability.py

Each scenario starts what it needs on loopback (the packaged jar; PostgreSQL 17 from the zonky binaries the jar
ships, fsync and synchronous_commit on) on free ports in a throw-away directory, drives a paced load of signed
amoCRM bodies in which every event has its own (lead id, updated_at), injects its fault, stops by itself, accounts
for every event against PostgreSQL with psql, and prints one table:

  requests sent, answered 2xx, answered non-2xx   HTTP deliveries of the load (before any client retry)
  events stored      events of 2xx-answered requests found in PostgreSQL (journaled stored, or stale behind a
                     newer version, and the lead row at least that new)
  events lost        events of 2xx-answered requests missing from PostgreSQL: must be 0
  applied twice      (entity, entity_id, version) journaled 'stored' more than once, plus lead rows that are not
                     the newest acknowledged version: must be 0
  recovery time      from the end of the fault to the first 2xx (or to healthy after a restart)

Scenarios:
  outage    the server on an external PostgreSQL (DB_URL) that is stopped (pg_ctl -m immediate) for 5 s mid-load:
            every request sent meanwhile gets a non-2xx within 2 s, health says DOWN; the server recovers without a
            restart; requests answered non-2xx are retried and stored once
  crash     kill -9 of the JVM mid-load (its embedded PostgreSQL lives on as an orphan that the next start takes
            over), then kill -9 of the JVM and the postmaster (crash recovery from the WAL): every event answered 2xx
            before the crash is stored, the database comes back clean (amcheck of every index)
  two       two servers on one PostgreSQL, the same requests delivered to both at once: each event applied once, no
            deadlock; dead letters fixed with psql and replayed from both servers at once: each replayed once
  soak      SOAK_SECONDS at RATE: heap (live, after a full GC) and RSS every 10 s, flat (last quarter within 20 % of
            the second), no errors, no table growing but the data
  shutdown  SIGTERM under load: new requests refused, requests in flight answered, every 2xx stored, the embedded
            PostgreSQL stopped (no process left on its data directory)
  freeze    (not in the default set) PostgreSQL frozen with SIGSTOP for 5 s instead of stopped: a database that
            hangs rather than refuses, as during some failovers

Settings (environment; make passes its variables): SCENARIOS (all but freeze), SOAK_SECONDS (600), RATE (50),
JAVA_OPTS (the Makefile's), RELIABILITY_JAR (target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar, built with
`make package` when missing), RELIABILITY_OUT (target/reliability: logs and report.md), RELIABILITY_KEEP=1 (keep
the databases), RELIABILITY_START_TIMEOUT (150 s per server start), RELIABILITY_OUTAGE_CONCURRENCY (8 client
connections in outage and freeze), RELIABILITY_DB_URL_PARAMS (appended to their DB_URL, e.g.
"&socketTimeout=1&connectTimeout=1").
Exit status: 0 every invariant held, 1 an invariant failed, 2 the harness itself failed.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
from harness import log  # noqa: E402

DEFAULT_SCENARIOS = ["outage", "crash", "two", "soak", "shutdown"]
ALL_SCENARIOS = DEFAULT_SCENARIOS + ["freeze"]
HEADERS = ["scenario", "requests sent", "answered 2xx", "answered non-2xx", "events stored", "events lost",
           "applied twice", "recovery time"]
OUTAGE_SECONDS = 5.0
# requests sent this soon after SIGTERM may still be taken (the signal reaches the JVM's shutdown hook first)
SIGTERM_GRACE = 0.5
# extra JDBC parameters for the DB_URL of the outage and freeze servers, e.g. "&socketTimeout=1"
DB_URL_PARAMS = os.environ.get("RELIABILITY_DB_URL_PARAMS", "")
# client connections of the outage load
OUTAGE_CONCURRENCY = int(os.environ.get("RELIABILITY_OUTAGE_CONCURRENCY") or 8)
ANSWER_BUDGET = 2.0


def setting(name, default):
    value = os.environ.get(name, "").strip()
    return value if value else default


def positive(name, default):
    value = setting(name, str(default))
    try:
        number = float(value)
    except ValueError:
        raise h.HarnessError("%s must be a number, got '%s'" % (name, value))
    if number <= 0:
        raise h.HarnessError("%s must be positive, got '%s'" % (name, value))
    return number


class Context:
    def __init__(self):
        self.jar = os.path.abspath(setting("RELIABILITY_JAR", os.path.join(
            h.ROOT, "target", "amocrm-webhook-server-0.1.0-SNAPSHOT.jar")))
        self.java_opts = setting("JAVA_OPTS", "-Xms256m -Xmx256m -Xmn96m -XX:MaxMetaspaceSize=192m -XX:+UseSerialGC -Xss512k")
        self.rate = positive("RATE", 50)
        self.soak_seconds = positive("SOAK_SECONDS", 600)
        names = [s.strip() for s in setting("SCENARIOS", ",".join(DEFAULT_SCENARIOS)).split(",") if s.strip()]
        unknown = [n for n in names if n not in ALL_SCENARIOS]
        if unknown:
            raise h.HarnessError("unknown scenario(s) %s; choose from %s" % (", ".join(unknown),
                                                                           ",".join(ALL_SCENARIOS)))
        self.scenarios = names
        base = os.path.abspath(setting("RELIABILITY_OUT", os.path.join(h.ROOT, "target", "reliability")))
        self.out = os.path.join(base, time.strftime("run-%Y%m%d-%H%M%S-") + str(os.getpid()))
        os.makedirs(self.out, exist_ok=True)
        self.keep = setting("RELIABILITY_KEEP", "0") in ("1", "true", "yes")
        self.pg_bin = None

    def dir(self, name):
        path = os.path.join(self.out, name)
        os.makedirs(path, exist_ok=True)
        return path


class Result:
    def __init__(self, name, title):
        self.name = name
        self.title = title
        self.rows = []
        self.checks = []
        self.notes = []
        self.extra = []

    def check(self, what, ok, detail=""):
        self.checks.append((what, bool(ok), detail))
        log("%s %s: %s%s" % ("PASS" if ok else "FAIL", self.name, what, " (%s)" % detail if detail else ""))
        return ok

    @property
    def passed(self):
        return all(ok for _, ok, _ in self.checks)

    def render(self):
        lines = ["## %s: %s" % (self.name, self.title), "", h.table(HEADERS, self.rows), ""]
        for block in self.extra:
            lines += [block, ""]
        for what, ok, detail in self.checks:
            lines.append("- %s %s%s" % ("PASS" if ok else "FAIL", what, ": " + detail if detail else ""))
        for note in self.notes:
            lines.append("- note: " + note)
        lines.append("")
        return "\n".join(lines)


def deliveries(reqs):
    """HTTP deliveries of the load, before client retries: (sent, answered 2xx, answered non-2xx or no answer)."""
    attempts = [a for r in reqs for a in r.first_round()]
    ok = sum(1 for a in attempts if a.ok)
    return len(attempts), ok, len(attempts) - ok


def row(label, reqs, acc, recovery):
    sent, ok, bad = deliveries(reqs)
    twice = acc["twice"] + len(acc["rows_wrong"])
    return [label, sent, ok, bad, "%d of %d" % (acc["stored"], acc["events"]), acc["lost"], twice, recovery]


def accounting_checks(result, acc, what="2xx-answered events"):
    result.check("no %s lost" % what, acc["lost"] == 0,
                 "%d lost%s" % (acc["lost"], "; " + "; ".join(acc["lost_examples"]) if acc["lost_examples"] else ""))
    result.check("no event applied twice", acc["twice"] == 0 and acc["twice_global"] == 0,
                 "%d of ours, %d in webhook_events overall" % (acc["twice"], acc["twice_global"]))
    result.check("lead rows hold the newest acknowledged version", not acc["rows_wrong"],
                 "; ".join(acc["rows_wrong"][:5]))
    if acc["dead_lettered"]:
        result.notes.append("%d acknowledged events are kept in dead_letters rather than applied"
                            % acc["dead_lettered"])


def retry_checks(result, reqs, ports):
    retried, attempts, pending = h.retry_until_acknowledged(reqs, ports)
    result.check("requests answered non-2xx are acknowledged when the client retries them", not pending,
                 "%d retried in %d attempts, %d still unacknowledged" % (retried, attempts, len(pending)))
    return retried


def first_ok_after(reqs, t):
    done = [a.t_done for r in reqs for a in r.attempts if a.ok and a.t_send >= t]
    return min(done) - t if done else None


def grep(text, pattern):
    return [line for line in text.splitlines() if re.search(pattern, line)]


def wait_until(predicate, seconds, step=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# ---- 1. database outage -----------------------------------------------------------------------------------------

def scenario_outage(ctx, mode="stop"):
    frozen = mode == "freeze"
    name = "freeze" if frozen else "outage"
    result = Result(name, ("PostgreSQL frozen (SIGSTOP) for %d s mid-load" if frozen else
                           "PostgreSQL stopped (pg_ctl stop -m immediate) for %d s mid-load") % OUTAGE_SECONDS)
    work = ctx.dir(name)
    pg = h.Postgres(ctx.pg_bin, os.path.join(work, "db"))
    pg.init()
    pg.start()
    server = h.Server(name + "-server", ctx.jar, work, ctx.java_opts,
                      db_url="jdbc:postgresql://127.0.0.1:%d/postgres?user=postgres%s" % (pg.port, DB_URL_PARAMS))
    log("%s: starting the server on PostgreSQL at 127.0.0.1:%d (DB_URL%s)" % (name, pg.port, DB_URL_PARAMS))
    server.start()
    pid = server.pid
    workload = h.Workload(name, 1_000_000, max_items=3)
    load = h.Load(workload.new_request, lambda r: [server.port], ctx.rate, concurrency=OUTAGE_CONCURRENCY).start()
    health = None
    try:
        time.sleep(4)
        health = h.HealthPoller(server.port).start()
        time.sleep(1)
        postmaster = h.postmaster_pid(pg.data_dir)
        t_fault = time.monotonic()
        if frozen:
            stopped = [p for p in [postmaster] + children(postmaster)]
            for p in stopped:
                os.kill(p, signal.SIGSTOP)
            log("%s: PostgreSQL frozen (%d processes)" % (name, len(stopped)))
        else:
            pg.stop("immediate")
            log("%s: PostgreSQL stopped" % name)
        t_down = time.monotonic()
        try:
            time.sleep(OUTAGE_SECONDS)
        finally:
            t_back0 = time.monotonic()
            if frozen:
                for p in stopped:
                    try:
                        os.kill(p, signal.SIGCONT)
                    except ProcessLookupError:
                        pass
            else:
                pg.start()
        t_up = time.monotonic()
        log("%s: PostgreSQL back after %.1f s" % (name, t_up - t_fault))
        wait_until(lambda: first_ok_after(workload.requests, t_up) is not None, 30, 0.2)
        time.sleep(3)
    finally:
        load.stop()
        if health:
            health.stop()
    reqs = workload.requests
    recovery = first_ok_after(reqs, t_up)
    health_up = [a.t_done - t_up for a, status, _ in health.samples if a.t_send >= t_up and a.status == 200]

    during = [a for r in reqs for a in r.attempts if t_down <= a.t_send < t_back0]
    slow = [a for a in during if a.status is None or a.seconds >= ANSWER_BUDGET]
    lies = [a for a in during if a.ok and a.t_done < t_back0]
    codes = {}
    for a in during:
        key = a.status or a.error
        codes[key] = codes.get(key, 0) + 1
    result.check("every request sent during the outage answered non-2xx", not lies and during,
                 "%d requests, answers %s" % (len(during), codes))
    result.check("... within %.0f s" % ANSWER_BUDGET, not slow,
                 "slowest %.2f s%s" % (max([a.seconds for a in during] or [0]),
                                       ", %d at or over the budget" % len(slow) if slow else ""))
    result.notes.append("%d client connections (RELIABILITY_OUTAGE_CONCURRENCY): %d requests sent in the %.1f s of the "
                        "outage, %.1f/s of the %g/s offered; a client that keeps sending at the full rate needs more "
                        "connections, and then requests queue in the server (see docs/scaling.md)"
                        % (OUTAGE_CONCURRENCY, len(during), t_back0 - t_down,
                           len(during) / max(0.001, t_back0 - t_down), ctx.rate))
    answer_checks(result, [a for r in reqs for a in r.attempts])
    polls = [(a, status, db) for a, status, db in health.samples if t_down <= a.t_send < t_back0]
    down = [p for p in polls if p[0].status == 503 and p[1] == "DOWN" and p[2] == "DOWN"]
    result.check("health says DOWN (503, database DOWN) during the outage", polls and len(down) == len(polls),
                 "%d of %d polls DOWN, slowest %.2f s" % (len(down), len(polls),
                                                         max([p[0].seconds for p in polls] or [0])))
    result.check("recovers by itself, without a restart", recovery is not None and server.process.poll() is None
                 and server.pid == pid,
                 "first 2xx %s after PostgreSQL was back, health UP after %s"
                 % (h.seconds(recovery), h.seconds(min(health_up) if health_up else None)))
    acked_in_load = [r for r in reqs if r.ok]
    acc_load = h.account(pg.port, reqs, acked_in_load)
    result.check("every event answered 2xx during the load is stored", acc_load["lost"] == 0,
                 "%d of %d" % (acc_load["stored"], acc_load["events"]))
    retry_checks(result, reqs, [server.port])
    acc = h.account(pg.port, reqs)
    accounting_checks(result, acc)
    result.rows.append(row("database %s %.0f s" % ("frozen" if frozen else "stopped", OUTAGE_SECONDS), reqs, acc,
                           h.seconds(recovery)))
    server.stop()
    pg.stop("fast")
    return result


def answer_checks(result, attempts):
    """DESIGN: a database that cannot be reached is answered 503 database_unavailable (JSON), and a webhook that
    waited too long for a worker stuck on it 503 overloaded (JSON); 500 means a bug."""
    answered = [a for a in attempts if a.status is not None and not a.ok]
    wrong = [a for a in answered if not (a.status == 503 and (a.json() or {}).get("code")
                                         in ("database_unavailable", "overloaded"))]
    kinds = {}
    for a in answered:
        kinds[a.status] = kinds.get(a.status, 0) + 1
    result.check("every non-2xx answer is 503 database_unavailable or overloaded (JSON), none a 500", not wrong,
                 "%d non-2xx answers %s%s" % (len(answered), kinds, "; e.g. %s %s" % (
                     wrong[0].status, " ".join(wrong[0].text.split())[:120]) if wrong else ""))


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(entry))
    return found


# ---- 2. server crash ----------------------------------------------------------------------------------------------

def scenario_crash(ctx):
    result = Result("crash", "kill -9 mid-load, start again on the same data directory")
    work = ctx.dir("crash")
    data = os.path.join(work, "postgres")
    server = h.Server("crash-server", ctx.jar, work, ctx.java_opts, data_dir=data)
    log("crash: starting the server with its embedded PostgreSQL in %s" % data)
    server.start()
    for round_no, kill_postgres in ((1, False), (2, True)):
        what = "JVM and postmaster killed" if kill_postgres else "JVM killed"
        workload = h.Workload("crash%d" % round_no, round_no * 2_000_000, max_items=3)
        load = h.Load(workload.new_request, lambda r: [server.port], ctx.rate, concurrency=8).start()
        try:
            time.sleep(4)
            postmaster = h.postmaster_pid(data)
            backends = children(postmaster)
            t_crash = time.monotonic()
            server.kill9()
            if kill_postgres:
                h.kill_postmaster(data, signal.SIGKILL)
                for pid in [postmaster] + backends:
                    h.wait_gone(pid, 10)
            orphan = h.alive(postmaster)
            time.sleep(1)
        finally:
            load.stop()
        reqs = workload.requests
        acked = [r for r in reqs if r.ok]
        late = [a for r in reqs for a in r.attempts if a.ok and a.t_send > t_crash]
        result.check("round %d (%s): no 2xx for a request sent after the kill" % (round_no, what), not late,
                     "%d" % len(late))
        if kill_postgres:
            result.check("round 2: the postmaster is gone before the restart", not orphan)
        else:
            result.check("round 1: the embedded PostgreSQL outlives the JVM (orphan, pid %s)" % postmaster, orphan)
        log("crash: round %d, %s; %d requests acknowledged before; starting again" % (round_no, what, len(acked)))
        restart = server.start()
        new_postmaster = h.postmaster_pid(data)
        if not kill_postgres:
            result.check("round 1: the restarted server took the orphan over",
                         not h.alive(postmaster) and new_postmaster != postmaster and h.alive(new_postmaster or -1),
                         "old postmaster %s %s, new %s" % (postmaster, "alive" if h.alive(postmaster) else "gone",
                                                           new_postmaster))
        acc_before = h.account(server.pg_port, reqs, acked)
        result.check("round %d: every event answered 2xx before the crash is stored" % round_no,
                     acc_before["lost"] == 0, "%d of %d; %s" % (acc_before["stored"], acc_before["events"],
                                                                "; ".join(acc_before["lost_examples"])))
        retry_checks(result, reqs, [server.port])
        acc = h.account(server.pg_port, reqs)
        accounting_checks(result, acc)
        result.rows.append(row("round %d: %s" % (round_no, what), reqs, acc, "restart %s" % h.seconds(restart)))

    # the database after two crashes: durable settings, every index consistent with its table, a clean log
    port = server.pg_port
    settings = dict((k, h.psql_value(port, "SHOW %s" % k)) for k in ("fsync", "synchronous_commit",
                                                                    "full_page_writes"))
    result.check("PostgreSQL runs durable (fsync, synchronous_commit, full_page_writes on)",
                 all(v == "on" for v in settings.values()), str(settings))
    h.psql(port, "CREATE EXTENSION IF NOT EXISTS amcheck")
    checked = h.psql(port, (
        "SELECT c.relname, bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE a.amname = 'btree' AND n.nspname = 'public'"), timeout=300)
    result.check("amcheck: every btree index of the schema matches its table (heapallindexed)", checked,
                 "%d indexes checked" % len(checked))
    text = server.log_text()
    recovery_lines = grep(text, r"not properly shut down|automatic recovery in progress|redo done|"
                                r"database system was interrupted")
    # ("invalid record length" is how redo finds the end of the WAL: normal; these are not)
    bad_lines = grep(text, r"PANIC|invalid page in block|could not read block|checksum verification failed|"
                           r"corrupt|could not locate a valid checkpoint|unexpected pageaddr")
    result.check("PostgreSQL recovered cleanly after the postmaster was killed (WAL redo, no corruption logged)",
                 not bad_lines, "%s%s" % (" | ".join(l.split("] ")[-1][:90] for l in recovery_lines[:3]) or
                                          "recovery lines not in the server log",
                                          "; problems: " + " | ".join(bad_lines[:3]) if bad_lines else ""))
    orphan_lines = grep(text, r"orphaned by a previous run")
    result.notes.append("server log on the takeover: %s" % (orphan_lines[0].split(" : ")[-1][:120]
                                                           if orphan_lines else "no orphan message"))
    server.stop()
    return result


# ---- 3. two instances, one database ------------------------------------------------------------------------------

def scenario_two(ctx):
    result = Result("two", "two servers on one PostgreSQL, the same requests delivered to both")
    work = ctx.dir("two")
    a = h.Server("two-a", ctx.jar, work, ctx.java_opts, data_dir=os.path.join(work, "postgres"))
    log("two: starting server A with its embedded PostgreSQL")
    a.start()
    b = h.Server("two-b", ctx.jar, work, ctx.java_opts,
                 db_url="jdbc:postgresql://127.0.0.1:%d/postgres?user=postgres" % a.pg_port)
    log("two: starting server B on A's PostgreSQL (port %d)" % a.pg_port)
    b.start()
    port = a.pg_port
    deadlocks = "SELECT deadlocks FROM pg_stat_database WHERE datname = 'postgres'"
    deadlocks0 = int(h.psql_value(port, deadlocks))

    workload = h.Workload("two", 4_000_000, max_items=4, hot=12)

    def route(req):
        # half to both at once (a retry landing on the other instance while the first is still working), the rest
        # split between A and B
        return [[a.port, b.port], [b.port, a.port], [a.port], [b.port]][req.idx % 4]
    load = h.Load(workload.new_request, route, ctx.rate, concurrency=12).start()
    try:
        time.sleep(10)
    finally:
        load.stop()
    reqs = workload.requests
    # amoCRM retries of acknowledged requests, landing on the other instance: answered 2xx as duplicates
    late = [r for r in reqs if r.ok][::5]
    for r in late:
        r.retry_from = time.monotonic()
    answers = [r.deliver(b.port if r.targets[0] == a.port else a.port) for r in late]
    dupes = sum(1 for x in answers if x.ok and (x.json() or {}).get("status") == "duplicate")
    result.check("a late retry on the other instance is answered 2xx as a duplicate",
                 dupes == len(late), "%d of %d" % (dupes, len(late)))
    retry_checks(result, reqs, [a.port, b.port])
    acc = h.account(port, reqs)
    accounting_checks(result, acc)
    result.check("every acknowledged event of the load applied, none left in dead_letters (deadlock or other)",
                 acc["dead_lettered"] == 0, "%d in dead_letters" % acc["dead_lettered"])
    result.rows.append(row("load on A and B", reqs, acc, "n/a"))

    # dead letters written by both, fixed with psql, replayed from both at once
    dl = h.Workload("two-dl", 5_000_000, max_items=2)
    dl_reqs = [dl.new_request(items=2, bad=1) for _ in range(12)]
    threads = []
    for r in dl_reqs:
        r.targets = [a.port, b.port]
        for p in r.targets:
            t = threading.Thread(target=r.deliver, args=(p,), daemon=True)
            t.start()
            threads.append(t)
    for t in threads:
        t.join(timeout=30)
    h.retry_until_acknowledged(dl_reqs, [a.port, b.port])
    pending = h.psql(port, "SELECT id FROM dead_letters WHERE status = 'pending' AND entity = 'lead'")
    bad_events = {(e.lead_id, e.version) for r in dl_reqs for e in r.events if e.bad}
    result.check("each bad event (status_id=abc) is kept as a pending dead letter", len(pending) >= len(bad_events),
                 "%d dead letters for %d bad events (both instances may each keep one)"
                 % (len(pending), len(bad_events)))
    h.psql(port, "UPDATE dead_letters SET payload = jsonb_set(payload, '{data,status_id}', '\"142\"') "
                 "WHERE status = 'pending' AND entity = 'lead' AND payload->'data'->>'status_id' = 'abc'")
    replays = {}

    def replay(server):
        replays[server.name] = h.request(server.port, "POST", "/api/admin/dead-letters/replay?entity=lead",
                                         b"", h.admin_headers(), timeout=60)
    barrier = [threading.Thread(target=replay, args=(s,), daemon=True) for s in (a, b)]
    for t in barrier:
        t.start()
    for t in barrier:
        t.join(timeout=90)
    summary = {}
    for server_name, answer in sorted(replays.items()):
        body = answer.json() or {}
        summary[server_name] = "%s: replayed %s, skipped %s, failed %s" % (
            answer.status, body.get("replayed"), body.get("skipped"), body.get("failed"))
    replayed_total = sum((replays[n].json() or {}).get("replayed", 0) for n in replays)
    failed_total = sum((replays[n].json() or {}).get("failed", 0) for n in replays)
    result.check("concurrent bulk replays on A and B together replay each dead letter once",
                 all(x.status == 200 for x in replays.values()) and len(replays) == 2 and replayed_total == len(pending)
                 and failed_total == 0, "; ".join("%s %s" % kv for kv in summary.items()))
    history = h.psql(port, (
        "SELECT id, status, (SELECT count(*) FROM jsonb_array_elements(history) e WHERE e->>'action' = 'replay'), "
        "(SELECT string_agg(e->>'outcome', ',') FROM jsonb_array_elements(history) e WHERE e->>'action' = 'replay'), "
        "entity_id, payload->'data'->>'updated_at' FROM dead_letters WHERE entity = 'lead'"))
    not_once = [x for x in history if x[1] != "replayed" or x[2] != "1"]
    result.check("every dead letter has exactly one replay in its history", history and not not_once,
                 "%d dead letters; %s" % (len(history), "; ".join("id %s: %s, %s replays" % (x[0], x[1], x[2])
                                                                  for x in not_once[:5])))
    stored_by_replay = {}
    for x in history:
        if x[3] == "stored":
            key = (int(x[4]), int(x[5]))
            stored_by_replay[key] = stored_by_replay.get(key, 0) + 1
    twice = [k for k, n in stored_by_replay.items() if n > 1]
    rows = {int(i): s for i, s in h.psql(port, "SELECT id, status_id FROM amo_leads WHERE id BETWEEN %d AND %d"
                                         % (5_000_000, 5_999_999))}
    wrong = [k for k in bad_events if rows.get(k[0]) != "142"]
    result.check("each fixed event applied once (replay outcome 'stored' once per event, row status_id 142)",
                 not twice and not wrong and len(stored_by_replay) == len(bad_events),
                 "%d events stored by a replay, %d twice, %d rows wrong" % (len(stored_by_replay), len(twice),
                                                                          len(wrong)))
    acc_dl = h.account(port, dl_reqs)
    accounting_checks(result, acc_dl, "dead-letter phase events")
    result.rows.append(row("dead letters replayed from A and B", dl_reqs, acc_dl, "n/a"))

    deadlocks1 = int(h.psql_value(port, deadlocks))
    lines = grep(a.log_text() + b.log_text(), r"(?i)deadlock")
    result.check("no deadlock (server logs, pg_stat_database.deadlocks)", not lines and deadlocks1 == deadlocks0,
                 "%d log lines, %d deadlocks counted by PostgreSQL%s" % (
                     len(lines), deadlocks1 - deadlocks0, ": " + lines[0][:160] if lines else ""))
    errors = grep(a.log_text() + b.log_text(), r"\bERROR\b")
    result.notes.append("%d ERROR lines in the two server logs (the dead letters are expected ones)" % len(errors))
    b.stop()
    a.stop()
    return result


# ---- 4. soak ------------------------------------------------------------------------------------------------------

DATA_TABLES = {"webhook_requests", "webhook_events", "amo_leads"}


def jvm_memory(pid, jstat, jcmd):
    """(heap used MB, heap used after a full GC MB, RSS MB, threads)."""
    def heap():
        if not jstat:
            return None
        out = subprocess.run([jstat, "-gc", str(pid)], capture_output=True, text=True, timeout=30).stdout.split("\n")
        if len(out) < 2:
            return None
        names, values = out[0].split(), out[1].split()
        fields = dict(zip(names, values))
        return sum(float(fields.get(k, 0)) for k in ("S0U", "S1U", "EU", "OU")) / 1024.0
    before = heap()
    live = None
    if jcmd:
        subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True, timeout=60)
        live = heap()
    rss = threads = None
    try:
        with open("/proc/%d/status" % pid) as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024.0
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
    except OSError:
        pass
    return before, live, rss, threads


def table_sizes(port):
    names = [r[0] for r in h.psql(port, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")]
    sql = " UNION ALL ".join(
        "SELECT '%s', (SELECT count(*) FROM public.\"%s\"), pg_total_relation_size('public.\"%s\"')" % (n, n, n)
        for n in names)
    sizes = {n: (int(c), int(s)) for n, c, s in h.psql(port, sql)}
    temp = int(h.psql_value(port, "SELECT count(*) FROM pg_class WHERE relpersistence = 't'"))
    return sizes, temp


def flat(values):
    values = [v for v in values if v is not None]
    q = len(values) // 4
    if q < 1:
        return None, None, None
    second = sum(values[q:2 * q]) / q
    last = sum(values[-q:]) / q
    return second, last, abs(last - second) <= 0.2 * second


def scenario_soak(ctx):
    duration = ctx.soak_seconds
    result = Result("soak", "%d s at %g requests/s" % (duration, ctx.rate))
    work = ctx.dir("soak")
    server = h.Server("soak-server", ctx.jar, work, ctx.java_opts, data_dir=os.path.join(work, "postgres"))
    log("soak: starting the server; %d s at %g requests/s, a sample every 10 s" % (duration, ctx.rate))
    server.start()
    port = server.pg_port
    jstat, jcmd = h.jdk_tool("jstat"), h.jdk_tool("jcmd")
    workload = h.Workload("soak", 6_000_000, max_items=3, update_ratio=0.2)
    load = h.Load(workload.new_request, lambda r: [server.port], ctx.rate, concurrency=8).start()
    samples = []
    start_sizes = None
    began = time.monotonic()
    last = began
    try:
        while True:
            target = last + 10
            end = began + duration
            time.sleep(max(0.0, min(target, end) - time.monotonic()))
            now = time.monotonic()
            window = [a for r in list(workload.requests) for a in r.attempts if last <= a.t_done < now]
            before, live, rss, threads = jvm_memory(server.pid, jstat, jcmd)
            counts = dict((n, int(c)) for n, c in h.psql(port, (
                "SELECT 'requests', count(*) FROM webhook_requests UNION ALL SELECT 'events', count(*) FROM "
                "webhook_events UNION ALL SELECT 'dead', count(*) FROM dead_letters UNION ALL SELECT 'connections', "
                "count(*) FROM pg_stat_activity WHERE datname = 'postgres' AND application_name <> 'reliability'")))
            if start_sizes is None:
                start_sizes = table_sizes(port)
            samples.append({
                "t": now - began, "rps": len(window) / max(0.001, now - last),
                "non2xx": sum(1 for a in window if not a.ok),
                "p99": h.percentile([a.seconds for a in window], 99) * 1000, "heap": before, "live": live,
                "rss": rss, "threads": threads, **counts})
            s = samples[-1]
            log("soak: t=%3.0fs %5.1f req/s p99 %4.0f ms heap %s MB live %s MB RSS %s MB threads %s connections %s"
                % (s["t"], s["rps"], s["p99"], fmt(s["heap"]), fmt(s["live"]), fmt(s["rss"]), s["threads"],
                   s["connections"]))
            last = now
            if now >= began + duration - 0.5:
                break
    finally:
        load.stop()
    reqs = workload.requests
    end_sizes = table_sizes(port)
    rows = [["%.0f" % s["t"], "%.1f" % s["rps"], s["non2xx"], "%.0f" % s["p99"], fmt(s["heap"]), fmt(s["live"]),
             fmt(s["rss"]), s["threads"], s["connections"], s["requests"], s["events"], s["dead"]] for s in samples]
    curve = h.table(["t (s)", "req/s", "non-2xx", "p99 ms", "heap MB", "live heap MB", "RSS MB", "threads",
                     "DB conns", "webhook_requests", "webhook_events", "dead_letters"], rows)
    lines = ["live heap " + h.sparkline([s["live"] for s in samples]),
             "RSS       " + h.sparkline([s["rss"] for s in samples])]
    result.extra.append(curve + "\n\n```\n" + "\n".join(lines) + "\n```")

    for label, key in (("live heap (after a full GC)", "live"), ("RSS", "rss")):
        second, final, ok = flat([s[key] for s in samples])
        if ok is None:
            result.notes.append("%s: too few samples (%d) to judge flatness" % (label, len(samples)))
        else:
            result.check("%s flat: last quarter within 20 %% of the second" % label, ok,
                         "second quarter %.1f MB, last quarter %.1f MB (%+.0f %%)"
                         % (second, final, 100.0 * (final - second) / second))
    conns = [s["connections"] for s in samples]
    result.check("database connections stable", max(conns) - min(conns[len(conns) // 4:] or conns) <= 2,
                 "min %d, max %d" % (min(conns), max(conns)))
    threads = [s["threads"] for s in samples if s["threads"]]
    if threads:
        result.check("JVM threads stable", max(threads[len(threads) // 4:]) - min(threads[len(threads) // 4:]) <= 10,
                     "%d .. %d" % (min(threads), max(threads)))
    sent, ok_count, bad = deliveries(reqs)
    result.check("no errors: every request answered 2xx", bad == 0, "%d of %d non-2xx" % (bad, sent))
    errors = grep(server.log_text(), r"\bERROR\b")
    result.check("no ERROR in the server log", not errors, errors[0][:200] if errors else "")
    growing = []
    for table_name, (count, size) in sorted(end_sizes[0].items()):
        c0, s0 = start_sizes[0].get(table_name, (0, 0))
        if table_name not in DATA_TABLES and count != c0:
            growing.append("%s %d -> %d rows" % (table_name, c0, count))
    if end_sizes[1] != start_sizes[1]:
        growing.append("temporary relations %d -> %d" % (start_sizes[1], end_sizes[1]))
    size_rows = [[n, start_sizes[0].get(n, (0, 0))[0], c, "%.1f" % (start_sizes[0].get(n, (0, 0))[1] / 1048576.0),
                  "%.1f" % (s / 1048576.0), "data" if n in DATA_TABLES else ("GROWS" if c != start_sizes[0].get(
                      n, (0, 0))[0] else "flat")] for n, (c, s) in sorted(end_sizes[0].items())]
    result.extra.append(h.table(["table", "rows at 10 s", "rows at end", "MB at 10 s", "MB at end", ""], size_rows))
    result.check("no table grows but the data (%s)" % ", ".join(sorted(DATA_TABLES)), not growing,
                 "; ".join(growing))
    retry_checks(result, reqs, [server.port])
    acc = h.account(port, reqs)
    accounting_checks(result, acc)
    requests_rows = end_sizes[0].get("webhook_requests", (0, 0))[0]
    result.check("one webhook_requests row per request", requests_rows == len(reqs),
                 "%d rows, %d requests" % (requests_rows, len(reqs)))
    result.rows.append(row("%d s at %g/s" % (duration, ctx.rate), reqs, acc, "n/a"))
    server.stop()
    return result


def fmt(value):
    return "n/a" if value is None else "%.1f" % value


# ---- 5. graceful shutdown ------------------------------------------------------------------------------------------

def scenario_shutdown(ctx):
    result = Result("shutdown", "SIGTERM under load")
    work = ctx.dir("shutdown")
    data = os.path.join(work, "postgres")
    server = h.Server("shutdown-server", ctx.jar, work, ctx.java_opts, data_dir=data)
    log("shutdown: starting the server with its embedded PostgreSQL")
    server.start()
    # batches of up to 20 events, so that requests are in flight when the signal comes
    workload = h.Workload("shutdown", 7_000_000, max_items=20)
    load = h.Load(workload.new_request, lambda r: [server.port], max(ctx.rate, 40), concurrency=12).start()
    try:
        time.sleep(4)
        postmaster = h.postmaster_pid(data)
        t_term = time.monotonic()
        server.signal(signal.SIGTERM)
        log("shutdown: SIGTERM sent to pid %d" % server.pid)
        code = server.wait_exit(60)
        t_exit = time.monotonic()
        time.sleep(1)
    finally:
        load.stop()
    reqs = workload.requests
    result.check("the JVM exits by itself after SIGTERM", code is not None,
                 "exit %s after %.2f s" % (code, t_exit - t_term))
    attempts = [a for r in reqs for a in r.attempts]
    in_flight = [a for a in attempts if a.t_send < t_term < a.t_done]
    dropped = [a for a in in_flight if a.status is None]
    failed = [a for a in in_flight if a.status is not None and not a.ok]
    result.check("requests in flight at SIGTERM are answered", not dropped,
                 "%d in flight: %d 2xx, %d non-2xx %s, %d without an answer %s"
                 % (len(in_flight), sum(1 for a in in_flight if a.ok), len(failed),
                    sorted({a.status for a in failed}), len(dropped), sorted({a.error for a in dropped})))
    result.check("... and finished (2xx), not failed", not failed,
                 "%d answered non-2xx%s" % (len(failed), "".join(
                     "; %s %s" % (status, next(a.text[:160] for a in failed if a.status == status))
                     for status in sorted({a.status for a in failed}))))
    after = [a for a in attempts if a.t_send >= t_term]
    accepted_after = [a for a in after if a.ok]
    # not taken: connection refused, or reset while waiting in the accept queue when the listener closed, or 503
    refused = [a for a in after if a.error in ("refused", "reset") or a.status == 503]
    late_ok = max([a.t_send - t_term for a in accepted_after] or [0])
    kinds = {}
    for a in after:
        kinds[a.status or a.error] = kinds.get(a.status or a.error, 0) + 1
    result.check("new requests are not taken (refused, reset in the accept queue, or 503) from %.1f s after SIGTERM"
                 % SIGTERM_GRACE,
                 not [a for a in accepted_after if a.t_send - t_term > SIGTERM_GRACE]
                 and len(refused) + len(accepted_after) == len(after),
                 "%d sent after SIGTERM: %s; the last 2xx was sent %.0f ms after the signal%s"
                 % (len(after), kinds, late_ok * 1000, "".join(
                     "; %s %.0f ms after: %s" % (a.status, (a.t_send - t_term) * 1000, a.text[:200].replace("\n", " "))
                     for a in after if a.status is not None and not a.ok and a.status != 503)))
    left = h.processes_using(data)
    result.check("the embedded PostgreSQL is stopped (no process on its data directory, lock file gone)",
                 not left and not h.alive(postmaster or -1)
                 and not os.path.exists(os.path.join(data, "postmaster.pid")),
                 "postmaster %s %s; processes left: %s" % (postmaster, "alive" if h.alive(postmaster or -1) else "gone",
                                                          left or "none"))
    # the data, read by a PostgreSQL of our own on that directory
    pg = h.Postgres(ctx.pg_bin, data)
    pg.start()
    try:
        with open(pg.log_file, errors="replace") as handle:
            pg_log = handle.read()
        result.check("the database was shut down cleanly (no crash recovery on the next start)",
                     "was shut down at" in pg_log and "not properly shut down" not in pg_log,
                     (grep(pg_log, r"database system was")[:1] or ["?"])[0].split("LOG:")[-1].strip())
        acc = h.account(pg.port, reqs)
    finally:
        pg.stop("fast")
    accounting_checks(result, acc)
    result.rows.append(row("SIGTERM after 4 s of load", reqs, acc, "stopped in %.2f s" % (t_exit - t_term)))
    return result


SCENARIOS = {"outage": scenario_outage, "crash": scenario_crash, "two": scenario_two, "soak": scenario_soak,
             "shutdown": scenario_shutdown, "freeze": lambda ctx: scenario_outage(ctx, "freeze")}


def ensure_jar(ctx):
    if os.path.isfile(ctx.jar):
        return
    log("no jar at %s: building it with make package" % ctx.jar)
    subprocess.run(["make", "package"], cwd=h.ROOT, check=False)
    if not os.path.isfile(ctx.jar):
        raise h.HarnessError("make package did not produce %s" % ctx.jar)


def main():
    h.install_signal_handlers()
    results = []
    harness_failed = False
    ctx = None
    try:
        ctx = Context()
        ensure_jar(ctx)
        h.ensure_psql()
        for tool in ("java",):
            if not shutil.which(tool):
                raise h.HarnessError("%s not found on PATH" % tool)
        ctx.pg_bin = h.pg_binaries(ctx.jar, ctx.out)
        log("jar %s, JAVA_OPTS %s, RATE %g/s, scenarios %s, output %s"
            % (ctx.jar, ctx.java_opts, ctx.rate, ",".join(ctx.scenarios), ctx.out))
        for name in ctx.scenarios:
            began = time.monotonic()
            log("==== %s ====" % name)
            try:
                result = SCENARIOS[name](ctx)
            except h.HarnessError as e:
                result = Result(name, "did not run to the end")
                result.check("the scenario ran", False, str(e)[:2000])
                harness_failed = True
            finally:
                h.cleanup_all()
            result.notes.append("took %.0f s; machine load average %s on %d CPUs; logs in %s"
                                % (time.monotonic() - began, " ".join("%.1f" % x for x in os.getloadavg()),
                                   os.cpu_count() or 0, ctx.dir(name)))
            results.append(result)
            print(result.render(), flush=True)
    except h.HarnessError as e:
        log("ERROR: %s" % e)
        harness_failed = True
    finally:
        h.cleanup_all()
    if ctx is not None:
        if not ctx.keep:
            for path in glob_data_dirs(ctx.out):
                shutil.rmtree(path, ignore_errors=True)
        report = "# Reliability run\n\n" + "\n".join(r.render() for r in results)
        with open(os.path.join(ctx.out, "report.md"), "w") as handle:
            handle.write(report)
    print("## Summary\n")
    for r in results:
        failed = [w for w, ok, _ in r.checks if not ok]
        print("- %s %s%s" % ("PASS" if r.passed else "FAIL", r.name, ": " + "; ".join(failed) if failed else ""))
    if ctx is not None:
        print("\nreport: %s" % os.path.join(ctx.out, "report.md"))
    if harness_failed:
        return 2
    return 0 if results and all(r.passed for r in results) else 1


def glob_data_dirs(out):
    found = []
    for directory, subdirs, _files in os.walk(out):
        for d in subdirs:
            if d in ("postgres", "db", "pg-binaries"):
                found.append(os.path.join(directory, d))
    return found


if __name__ == "__main__":
    sys.exit(main())
