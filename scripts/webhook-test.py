#!/usr/bin/env python3
"""Smoke test of a running amoCRM webhook server (make webhook-test).

    scripts/webhook-test.py [--url http://localhost:8000/api/webhooks/amo]

Checks, one PASS/FAIL line each:
  health               GET  .../health answers 200 with status UP (database and routes)
  test endpoint        GET  .../test answers 200
  signed webhook       POST a lead signed with AMOCRM_CLIENT_SECRET: 200, stored (or recognised as a duplicate)
  token webhook        POST the same kind of lead to .../<AMOCRM_WEBHOOK_TOKEN>, unsigned (when a token is set)
  bad signature        POST signed with a wrong secret: refused with 401
  bad token            POST to .../<wrong token>: refused with 401 (when a token is set)
Exits 1 when any check fails.

The secret and token come from the environment, else from .env (as the server reads them). The stored check
writes one lead, id 999999999999, named "[webhook-test] smoke check" (updated on every run):
    DELETE FROM amo_leads WHERE id = 999999999999;
removes it.
"""

import argparse
import os
import secrets
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import amo_webhook as amo  # noqa: E402

SMOKE_LEAD_ID = "999999999999"


def smoke_lead(config, now):
    fields = list(config.account())
    item = "leads[update][0]"
    fields += [
        (item + "[id]", SMOKE_LEAD_ID),
        (item + "[name]", "[webhook-test] smoke check"),
        (item + "[status_id]", "142"),
        (item + "[pipeline_id]", "1"),
        (item + "[price]", "0"),
        (item + "[last_modified]", str(now)),
        (item + "[updated_at]", str(now)),
    ]
    return amo.form_body(fields)


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def report(self, ok, name, detail):
        print("%s %-16s %s" % ("PASS" if ok else "FAIL", name, detail), flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def describe(answer):
    if answer.error:
        return answer.error
    return "HTTP %s %s" % (answer.status, answer.compact(200))


def stored_or_duplicate(answer):
    return answer.status == 200 and (
        answer.field("status") == "duplicate"
        or answer.field("status") == "accepted" and (answer.count("stored") >= 1 or answer.count("duplicate") >= 1))


def main():
    parser = argparse.ArgumentParser(description="Smoke test of a running amoCRM webhook server.")
    parser.add_argument("--url", help="webhook URL (default http://$HOST:$PORT/api/webhooks/amo)")
    args = parser.parse_args()

    config = amo.Config()
    url = (args.url or amo.default_base_url(config)).rstrip("/")
    secret, token, header = config.secret, config.token, config.signature_header
    print("Smoke test of %s" % url, flush=True)
    checks = Checks()

    health = amo.get(url + "/health")
    if health.status == 200 and health.field("status") == "UP":
        database = (health.field("database") or {}) if isinstance(health.field("database"), dict) else {}
        routes = (health.field("routes") or {}) if isinstance(health.field("routes"), dict) else {}
        each = routes.get("routes") if isinstance(routes.get("routes"), dict) else {}
        started = sum(1 for state in each.values() if state == "Started")
        checks.report(True, "health", "HTTP 200 UP (database %s in %s ms, routes %s: %d of %d started)" % (
            database.get("status"), database.get("latencyMs"), routes.get("status"), started, len(each)))
    else:
        checks.report(False, "health", describe(health))

    test = amo.get(url + "/test")
    checks.report(test.status == 200, "test endpoint", describe(test))

    now = int(time.time())
    if secret:
        body = smoke_lead(config, now)
        answer = amo.post_form(url, body, header, amo.sign(secret, body), amo.request_id())
        if stored_or_duplicate(answer):
            checks.report(True, "signed webhook", "stored: %s" % describe(answer))
        else:
            hint = ""
            if answer.status == 401:
                hint = " (the server has another AMOCRM_CLIENT_SECRET than this script: check .env and the environment)"
            checks.report(False, "signed webhook", "not stored: %s%s" % (describe(answer), hint))
    if token:
        body = smoke_lead(config, now + 1)
        answer = amo.post_form(url + "/" + token, body, amo_request_id=amo.request_id())
        if stored_or_duplicate(answer):
            checks.report(True, "token webhook", "stored: %s" % describe(answer))
        else:
            hint = " (the server has another AMOCRM_WEBHOOK_TOKEN)" if answer.status == 401 else ""
            checks.report(False, "token webhook", "not stored: %s%s" % (describe(answer), hint))
    if not secret and not token:
        checks.report(False, "signed webhook", "no AMOCRM_CLIENT_SECRET or AMOCRM_WEBHOOK_TOKEN in the environment "
                      "or %s: cannot send an authenticated webhook" % config.env_file)

    body = smoke_lead(config, now + 2)
    wrong = amo.sign("wrong-" + secrets.token_hex(16), body)
    answer = amo.post_form(url, body, header, wrong, amo.request_id())
    checks.report(answer.status == 401, "bad signature",
                  ("refused: " if answer.status == 401 else "NOT refused with 401: ") + describe(answer))

    if token:
        answer = amo.post_form(url + "/wrong-" + secrets.token_hex(16), body, amo_request_id=amo.request_id())
        checks.report(answer.status == 401, "bad token",
                      ("refused: " if answer.status == 401 else "NOT refused with 401: ") + describe(answer))

    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
