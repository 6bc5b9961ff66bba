#!/usr/bin/env python3
"""Operator commands for dead letters, over the server's admin API (make dlq-list / dlq-show / dlq-replay / dlq-replay-all).

Credentials: ADMIN_USER (default admin) and ADMIN_PASSWORD from the environment or .env. Standard library only.
"""
import base64
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def dotenv(name, default=None):
    if os.environ.get(name):
        return os.environ[name]
    try:
        with open(".env", encoding="utf-8") as env:
            for line in env:
                key, sep, value = line.strip().partition("=")
                if sep and key.strip() == name and value.strip():
                    return value.strip()
    except FileNotFoundError:
        pass
    return default


BASE = os.environ.get("ADMIN_URL") or "http://{}:{}/api/admin/dead-letters".format(
    os.environ.get("HOST", "localhost"), dotenv("PORT", "8000"))
USER = dotenv("ADMIN_USER", "admin")
PASSWORD = dotenv("ADMIN_PASSWORD", "")


def call(method, path="", params=None, body=None):
    url = BASE + path + ("?" + urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v}) if params else "")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode())
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as e:
        detail = e.read().decode(errors="replace")
        sys.exit(f"{method} {url}: HTTP {e.code} {detail}" + ("  (set ADMIN_PASSWORD)" if e.code == 401 else ""))
    except urllib.error.URLError as e:
        sys.exit(f"{method} {url}: {e.reason} (is the server running? make status)")


def table(rows, columns):
    widths = [max(len(c), *(len(str(r.get(c, "") or "")[:60]) for r in rows)) if rows else len(c) for c in columns]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths)))
    for row in rows:
        print("  ".join(str(row.get(c, "") or "")[:60].ljust(w) for c, w in zip(columns, widths)))


def filters():
    return {k.lower(): os.environ.get(k) for k in ("STATUS", "ENTITY", "ACTION", "ERROR", "SINCE", "UNTIL")}


def cmd_list():
    params = filters()
    params.setdefault("status", None)
    params.update(page=os.environ.get("PAGE", "0"), size=os.environ.get("SIZE", "50"))
    page = call("GET", params=params)
    table(page["items"], ["id", "status", "entity", "action", "entity_id", "attempts", "last_failed_at", "error_message"])
    print(f"\n{len(page['items'])} of {page['total']} dead letters (page {page['page']}, size {page['size']})")


def cmd_show(dead_letter_id):
    print(json.dumps(call("GET", f"/{dead_letter_id}"), indent=2, ensure_ascii=False))


def cmd_replay(dead_letter_id):
    result = call("POST", f"/{dead_letter_id}/replay")
    print(f"dead letter {dead_letter_id}: {result['result']}"
          + (f" ({result['outcome']})" if result.get("outcome") else "")
          + (f": {result['error']}" if result.get("error") else ""))
    return result["result"] != "failed"


def cmd_replay_all():
    params = filters()
    params["status"] = "pending"
    count = call("POST", "/replay", params={**params, "dryRun": "true"})["matched"]
    print(f"{count} pending dead letters match")
    if os.environ.get("DRY_RUN") or count == 0:
        return True
    ids, page = [], 0
    while True:
        items = call("GET", params={**params, "page": str(page), "size": "500"})["items"]
        ids += [item["id"] for item in items]
        if len(items) < 500:
            break
        page += 1
    done = {"replayed": 0, "failed": 0, "skipped": 0}
    for n, dead_letter_id in enumerate(sorted(ids), 1):
        result = call("POST", f"/{dead_letter_id}/replay")
        done[result["result"]] += 1
        print(f"[{n}/{len(ids)}] {dead_letter_id}: {result['result']} {result.get('outcome') or result.get('error') or ''}")
    print(f"\nreplayed {done['replayed']}, failed {done['failed']}, skipped {done['skipped']} of {len(ids)}")
    return done["failed"] == 0


def main(argv):
    commands = {"list": lambda: cmd_list(), "show": lambda: cmd_show(argv[2]), "replay": lambda: cmd_replay(argv[2]),
                "replay-all": lambda: cmd_replay_all()}
    if len(argv) < 2 or argv[1] not in commands or argv[1] in ("show", "replay") and len(argv) < 3:
        sys.exit("usage: dlq.py list | show ID | replay ID | replay-all   "
                 "(filters from STATUS, ENTITY, ACTION, ERROR, SINCE, UNTIL; DRY_RUN=1 only counts)")
    ok = commands[argv[1]]()
    sys.exit(0 if ok is None or ok else 1)


if __name__ == "__main__":
    main(sys.argv)
