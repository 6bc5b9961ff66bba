#!/usr/bin/env python3
"""Live terminal summary of a running amoCRM webhook server (make monitor).

    scripts/monitor.py [--url http://HOST:PORT] [--interval SECONDS] [--once]

Every INTERVAL seconds (default 2) it redraws one screen:
  - health (GET /api/webhooks/amo/health) and the Camel context,
  - requests by outcome and rejected requests by cause, events by outcome, latency percentiles and answers over
    amoCRM's 2 s budget (GET /actuator/prometheus),
  - every route with its exchanges, failures, failures handled, inflight and mean time, in flow order
    (Jolokia: the org.apache.camel:type=routes MBeans),
  - dead-letter depth (Jolokia amocrm:type=DeadLetters Pending, else the amocrm_dead_letters gauge) and replays,
  - the last errors: the newest dead letters (GET /api/admin/dead-letters?size=5).
"+N" columns are the change since the previous screen. --once prints one screen and exits (0 when the server
answered, 1 when it cannot be reached, 2 when the operator login is refused or missing).

The operator login is ADMIN_USER (default admin) / ADMIN_PASSWORD, from the environment, else from .env (in the
current directory, else the repository root). The server is --url, else http://$HOST:$PORT (HOST defaults to
localhost; PORT to .env's PORT, else 8000). Python 3 standard library only.
"""

import argparse
import base64
import json
import math
import os
import re
import shutil
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUDGET_SECONDS = 2.0
ROUTE_ATTRIBUTES = ["RouteId", "State", "ExchangesTotal", "ExchangesFailed", "FailuresHandled", "ExchangesInflight",
                    "MeanProcessingTime", "SourceLocationShort", "CamelId"]
CONTEXT_ATTRIBUTES = ["CamelId", "State", "Uptime", "CamelVersion", "TotalRoutes", "StartedRoutes"]
REQUEST_OUTCOMES = ["accepted", "duplicate", "rejected", "unavailable", "failed", "overloaded"]
EVENT_OUTCOMES = ["stored", "stale", "duplicate", "ignored", "dead-lettered"]


class LoginRefused(Exception):
    pass


# ---- settings ---------------------------------------------------------------------------------------------------

def dotenv(name):
    """The last NAME=value line of .env (read like the server does: a properties file, no quotes)."""
    for path in (".env", os.path.join(REPO_ROOT, ".env")):
        if os.path.isfile(path):
            value = None
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = re.match(r"^\s*" + re.escape(name) + r"\s*[=:]\s*(.*?)\s*$", line)
                    if m:
                        value = m.group(1)
            return value
    return None


def setting(name, default=None):
    value = os.environ.get(name)
    if value is None or value == "":
        value = dotenv(name)
    return value if value not in (None, "") else default


# ---- HTTP -------------------------------------------------------------------------------------------------------

class Server:
    def __init__(self, base, user, password, timeout=5):
        self.base = base.rstrip("/")
        self.timeout = timeout
        token = base64.b64encode(f"{user}:{password}".encode()).decode() if password else None
        self.auth = {"Authorization": "Basic " + token} if token else {}

    def request(self, path, body=None, operator=True):
        headers = dict(self.auth) if operator else {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            if e.code in (401, 403) and operator:
                raise LoginRefused(f"{path}: HTTP {e.code}") from None
            return e.code, text

    def json(self, path, body=None, operator=True):
        status, text = self.request(path, body, operator)
        try:
            return status, json.loads(text)
        except ValueError:
            return status, None


# ---- Prometheus text format ---------------------------------------------------------------------------------------

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"')


def parse_prometheus(text):
    """{metric name: [(labels dict, value)]}"""
    metrics = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            continue
        labels = dict(LABEL.findall(m.group(2) or ""))
        try:
            value = float(m.group(3))
        except ValueError:
            continue
        metrics.setdefault(m.group(1), []).append((labels, value))
    return metrics


def total(metrics, name, by=None, **match):
    """Sum of a metric's samples whose labels match; by a label when `by` is given (a dict then)."""
    sums = {}
    for labels, value in metrics.get(name, []):
        if all(labels.get(k) == v for k, v in match.items()):
            key = labels.get(by, "") if by else ""
            sums[key] = sums.get(key, 0.0) + value
    return sums if by else sums.get("", 0.0)


def buckets(metrics, name):
    """Cumulative histogram buckets summed over all series: [(le, count)] sorted by le."""
    counts = {}
    for labels, value in metrics.get(name + "_bucket", []):
        le = labels.get("le")
        bound = math.inf if le == "+Inf" else float(le)
        counts[bound] = counts.get(bound, 0.0) + value
    return sorted(counts.items())


def quantile(q, cumulative):
    """histogram_quantile over cumulative buckets, like Prometheus (linear inside the bucket)."""
    if not cumulative or cumulative[-1][1] <= 0:
        return None
    count = cumulative[-1][1]
    rank = q * count
    previous_bound, previous_count = 0.0, 0.0
    for bound, c in cumulative:
        if c >= rank:
            if math.isinf(bound):
                return previous_bound
            if c == previous_count:
                return bound
            return previous_bound + (bound - previous_bound) * (rank - previous_count) / (c - previous_count)
        previous_bound, previous_count = bound, c
    return previous_bound


def minus(current, previous):
    """Buckets of the interval between two scrapes."""
    before = dict(previous or [])
    return [(bound, c - before.get(bound, 0.0)) for bound, c in current]


# ---- collecting one screen --------------------------------------------------------------------------------------

def collect(server):
    snapshot = {"errors": []}

    try:
        status, health = server.json("/api/webhooks/amo/health", operator=False)
        snapshot["health"] = health if isinstance(health, dict) else {"status": f"HTTP {status}"}
    except (urllib.error.URLError, OSError) as e:
        raise ConnectionError(f"cannot reach {server.base}: {getattr(e, 'reason', e)}") from None

    status, text = server.request("/actuator/prometheus")
    snapshot["metrics"] = parse_prometheus(text) if status == 200 else {}
    if status != 200:
        snapshot["errors"].append(f"/actuator/prometheus: HTTP {status}")

    requests = [
        {"type": "read", "mbean": "org.apache.camel:type=routes,*", "attribute": ROUTE_ATTRIBUTES},
        {"type": "read", "mbean": "org.apache.camel:type=context,*", "attribute": CONTEXT_ATTRIBUTES},
        {"type": "read", "mbean": "amocrm:type=DeadLetters,*", "attribute": ["Pending"]},
    ]
    status, answers = server.json("/actuator/jolokia", requests)
    routes, contexts, pending = [], [], None
    if status == 200 and isinstance(answers, list):
        for answer, name in zip(answers, ("routes", "contexts", "dead letters")):
            if answer.get("status") != 200:
                if name != "dead letters":
                    snapshot["errors"].append(f"jolokia {name}: {answer.get('error', answer.get('status'))}")
                continue
            values = list((answer.get("value") or {}).values())
            if name == "routes":
                routes = values
            elif name == "contexts":
                contexts = values
            else:
                pending = sum(v.get("Pending") or 0 for v in values) if values else None
    else:
        snapshot["errors"].append(f"/actuator/jolokia: HTTP {status}")
    snapshot["routes"], snapshot["contexts"], snapshot["pending"] = routes, contexts, pending

    status, letters = server.json("/api/admin/dead-letters?size=5")
    snapshot["dead_letters"] = letters if status == 200 and isinstance(letters, dict) else None
    if status != 200:
        snapshot["errors"].append(f"/api/admin/dead-letters: HTTP {status}")
    snapshot["time"] = time.time()
    return snapshot


# ---- rendering ---------------------------------------------------------------------------------------------------

def ms(seconds):
    if seconds is None:
        return "-"
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def count(value):
    return f"{value:.0f}" if value is not None else "-"


def delta(current, previous):
    if previous is None:
        return ""
    d = current - previous
    return f" (+{d:.0f})" if d > 0 else ""


def fit(text, width):
    return text if len(text) <= width else text[:max(0, width - 1)] + "…"


def routes_from_metrics(metrics):
    """The route table from camel-micrometer's camel_exchanges_* metrics, when JMX is off."""
    routes = {}
    columns = {"camel_exchanges_total": "ExchangesTotal", "camel_exchanges_failed_total": "ExchangesFailed",
               "camel_exchanges_failures_handled_total": "FailuresHandled",
               "camel_exchanges_inflight": "ExchangesInflight"}
    for name, column in columns.items():
        for labels, value in metrics.get(name, []):
            if not labels.get("routeId") or labels.get("eventType", "route") != "route":
                continue
            route = routes.setdefault((labels.get("camelContext"), labels["routeId"]), {
                "RouteId": labels["routeId"], "CamelId": labels.get("camelContext"), "State": "?"})
            route[column] = int(value)
    for (context, route_id), route in routes.items():
        seconds = total(metrics, "camel_route_policy_seconds_sum", routeId=route_id, eventType="route")
        exchanges = total(metrics, "camel_route_policy_seconds_count", routeId=route_id, eventType="route")
        route["MeanProcessingTime"] = round(seconds / exchanges * 1000) if exchanges else -1
    return list(routes.values())


def route_order(route):
    """Flow order: the routes/ file and line a route comes from (10-receive... first), then its id."""
    location = route.get("SourceLocationShort") or ""
    m = re.match(r"(.*?):(\d+)$", location)
    return (m.group(1), int(m.group(2)), route.get("RouteId") or "") if m else ("~", 0, route.get("RouteId") or "")


def render(server, snap, previous, width):
    lines = []
    metrics = snap["metrics"]
    before = previous["metrics"] if previous else None
    health = snap.get("health") or {}
    database = health.get("database") or {}
    stamp = datetime.fromtimestamp(snap["time"]).strftime("%Y-%m-%d %H:%M:%S")
    db = database.get("status", "?")
    if database.get("latencyMs") is not None:
        db += f" {database['latencyMs']} ms"
    lines.append(f"amoCRM webhook server  {server.base}  {stamp}  health {health.get('status', '?')} (database {db})")
    for ctx in snap["contexts"]:
        lines.append(f"Camel {ctx.get('CamelVersion', '')} context {ctx.get('CamelId')}: {ctx.get('State')}, "
                     f"up {ctx.get('Uptime')}, routes started {ctx.get('StartedRoutes')}/{ctx.get('TotalRoutes')}")
    lines.append("")

    # requests and events
    outcomes = total(metrics, "amocrm_webhook_requests_total", by="outcome")
    old = total(before, "amocrm_webhook_requests_total", by="outcome") if before else None
    parts = []
    for outcome in REQUEST_OUTCOMES + sorted(set(outcomes) - set(REQUEST_OUTCOMES)):
        value = outcomes.get(outcome, 0.0)
        parts.append(f"{outcome} {count(value)}{delta(value, old.get(outcome, 0.0)) if old is not None else ''}")
    lines.append("REQUESTS   " + "   ".join(parts))
    if before is not None:
        seconds = max(snap["time"] - previous["time"], 1e-6)
        now_total = sum(outcomes.values())
        lines.append(f"           {(now_total - sum(old.values())) / seconds:.1f} requests/s over the last "
                     f"{seconds:.0f} s")
    causes = total(metrics, "amocrm_webhook_requests_total", by="cause", outcome="rejected")
    old_causes = total(before, "amocrm_webhook_requests_total", by="cause", outcome="rejected") if before else None
    if causes:
        lines.append("  rejected by cause: " + ", ".join(
            f"{cause} {count(v)}{delta(v, old_causes.get(cause, 0.0)) if old_causes is not None else ''}"
            for cause, v in sorted(causes.items(), key=lambda kv: -kv[1])))
    for outcome in ("unavailable", "failed", "overloaded"):
        failed = total(metrics, "amocrm_webhook_requests_total", by="cause", outcome=outcome)
        if failed:
            lines.append(f"  {outcome} by cause: " + ", ".join(f"{c} {count(v)}" for c, v in sorted(failed.items())))

    latency = buckets(metrics, "amocrm_webhook_request_seconds")
    slow = total(metrics, "amocrm_webhook_slow_answers_total")
    slow_before = total(before, "amocrm_webhook_slow_answers_total") if before else None
    maximum = max((v for _, v in metrics.get("amocrm_webhook_request_seconds_max", [])), default=None)
    lines.append(f"  latency since start: p50 {ms(quantile(0.5, latency))}  p90 {ms(quantile(0.9, latency))}  "
                 f"p99 {ms(quantile(0.99, latency))}  max (last ~2 min) {ms(maximum)}   over the 2 s budget: "
                 f"{count(slow)}{delta(slow, slow_before) if slow_before is not None else ''}")
    if before is not None:
        recent = minus(latency, buckets(before, "amocrm_webhook_request_seconds"))
        if recent and recent[-1][1] > 0:
            seconds = snap["time"] - previous["time"]
            lines.append(f"  latency last {seconds:.0f} s:   p50 {ms(quantile(0.5, recent))}  "
                         f"p90 {ms(quantile(0.9, recent))}  p99 {ms(quantile(0.99, recent))}  "
                         f"({recent[-1][1]:.0f} requests)")

    events = total(metrics, "amocrm_webhook_events_total", by="outcome")
    old_events = total(before, "amocrm_webhook_events_total", by="outcome") if before else None
    lines.append("EVENTS     " + "   ".join(
        f"{o} {count(events.get(o, 0.0))}{delta(events.get(o, 0.0), old_events.get(o, 0.0)) if old_events is not None else ''}"
        for o in EVENT_OUTCOMES + sorted(set(events) - set(EVENT_OUTCOMES))))
    lines.append("")

    # routes: from JMX (Jolokia), else from camel-micrometer's metrics
    routes = sorted(snap["routes"] or routes_from_metrics(metrics), key=route_order)
    previous_routes = {(r.get("CamelId"), r.get("RouteId")): r for r in (previous["routes"] if previous else [])}
    several = len({r.get("CamelId") for r in routes}) > 1
    header = f"{'ROUTE':<28} {'STATE':<9} {'EXCHANGES':>10} {'+':>6} {'FAILED':>7} {'HANDLED':>8} {'INFLIGHT':>9} " \
             f"{'MEAN':>8}  SOURCE"
    lines.append(header)
    for r in routes:
        name = (f"{r.get('CamelId')}/" if several else "") + str(r.get("RouteId"))
        prev = previous_routes.get((r.get("CamelId"), r.get("RouteId")))
        plus = (r.get("ExchangesTotal") or 0) - (prev.get("ExchangesTotal") or 0) if prev else None
        mean = r.get("MeanProcessingTime")
        lines.append(f"{fit(name, 28):<28} {str(r.get('State')):<9} {r.get('ExchangesTotal', 0):>10} "
                     f"{('+' + str(plus)) if plus else '':>6} {r.get('ExchangesFailed', 0):>7} "
                     f"{r.get('FailuresHandled', 0):>8} {r.get('ExchangesInflight', 0):>9} "
                     f"{(str(mean) + ' ms') if mean is not None and mean >= 0 else '-':>8}  "
                     f"{r.get('SourceLocationShort') or ''}")
    if not routes:
        lines.append("  (no routes: neither Camel route MBeans nor camel_exchanges_* metrics)")
    elif not snap["routes"]:
        lines.append("  (from /actuator/prometheus: Camel's JMX MBeans are not available, so no state or source)")
    lines.append("")

    # dead letters
    depth = total(metrics, "amocrm_dead_letters", by="entity", status="pending")
    pending = snap["pending"] if snap["pending"] is not None else sum(depth.values())
    replays = total(metrics, "amocrm_dead_letter_replays_total", by="result")
    by_entity = ", ".join(f"{e} {count(v)}" for e, v in sorted(depth.items()) if v) or "none"
    replay_text = ", ".join(f"{k} {count(v)}" for k, v in sorted(replays.items())) or "none"
    lines.append(f"DEAD LETTERS  pending {count(pending)}  (by entity, as of the last gauge refresh: {by_entity})   "
                 f"replays: {replay_text}")
    letters = snap.get("dead_letters")
    if letters is None:
        lines.append("  (admin API /api/admin/dead-letters not available)")
    elif not letters.get("items"):
        lines.append("  no dead letters")
    else:
        lines.append(f"LAST ERRORS (newest of {letters.get('total')} dead letters)")
        for item in letters["items"]:
            when = item.get("last_failed_at") or item.get("first_failed_at") or ""
            when = when.replace("T", " ")[:19]
            what = f"{item.get('entity')} {item.get('action')} id={item.get('entity_id')}"
            where = item.get("failed_endpoint") or item.get("route_id") or ""
            error = (item.get("error_message") or item.get("error_class") or "").replace("\n", " ")
            lines.append(fit(f"  #{item.get('id')} {when}  {item.get('status'):<9} {what}  at {where}:  {error}",
                             width))
    for error in snap["errors"]:
        lines.append(f"! {error}")
    return [fit(line, width) for line in lines]


# ---- main ----------------------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description="Live terminal summary of a running amoCRM webhook server.")
    host = os.environ.get("HOST") or "localhost"
    port = setting("PORT", "8000")
    parser.add_argument("--url", default=f"http://{host}:{port}", help="server base URL (default http://$HOST:$PORT)")
    parser.add_argument("--interval", type=float, default=float(os.environ.get("INTERVAL") or 2),
                        help="seconds between screens (default 2)")
    parser.add_argument("--once", action="store_true", help="print one screen and exit")
    args = parser.parse_args()
    if args.interval <= 0:
        parser.error("--interval must be positive")

    user = setting("ADMIN_USER", "admin")
    password = setting("ADMIN_PASSWORD")
    if not password:
        print("monitor: set ADMIN_PASSWORD (environment or .env): the operator login of the server's /actuator and "
              "admin API", file=sys.stderr)
        return 2
    server = Server(args.url, user, password)
    live = not args.once
    tty = sys.stdout.isatty()
    previous = None
    try:
        while True:
            width = shutil.get_terminal_size((140, 40)).columns if tty else 200
            try:
                snap = collect(server)
                frame = render(server, snap, previous, width)
                previous = snap
            except LoginRefused as e:
                print(f"monitor: operator login refused ({e}): check ADMIN_USER / ADMIN_PASSWORD", file=sys.stderr)
                return 2
            except ConnectionError as e:
                if not live:
                    print(f"monitor: {e}", file=sys.stderr)
                    return 1
                frame = [f"amoCRM webhook server  {server.base}  {datetime.now():%Y-%m-%d %H:%M:%S}", "", f"! {e}",
                         "  retrying..."]
            if live and tty:
                sys.stdout.write("\x1b[H\x1b[2J")
            if live:
                frame = frame + ["", f"every {args.interval:g} s, Ctrl-C quits"]
            sys.stdout.write("\n".join(frame) + "\n")
            sys.stdout.flush()
            if not live:
                return 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        print()
        return 0


if __name__ == "__main__":
    sys.exit(main())
