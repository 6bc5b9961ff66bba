#!/usr/bin/env python3
"""Compares two builds of the server side by side: what a request costs each of them, measured at the same moments.

The development machine's speed drifts by more than a tuning step is worth, so two `make bench` runs made one after
the other compare the machine more than the code. Here both jars run at once, each on its own throw-away embedded
PostgreSQL; the same kind of request (a bulk edit of EVENTS lead updates, new lead ids each time) is sent one at a
time, alternately to one and the other; each server's CPU is read from /proc: the JVM, and the postmaster with its
backends (those that ended included). Prints, per round and size, CPU milliseconds per request and the latency.
Windows are seconds long: background work (JIT compilation, scheduled metrics) averages out.

    scripts/bench/side-by-side.py --jar-a old.jar --jar-b target/amocrm-webhook-server-0.1.0-SNAPSHOT.jar
    make bench-ab BENCH_JAR_A=old.jar            (B is the current build)
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

JAVA_OPTS = "-Xms256m -Xmx256m -Xmn96m -XX:MaxMetaspaceSize=192m -XX:+UseSerialGC -Xss512k"
HZ = os.sysconf("SC_CLK_TCK")


def free_ports(count):
    """Distinct free loopback ports (the sockets stay open until all are picked, so none repeats)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def lead_fields(index, lead_id, version):
    p = f"leads[update][{index}]"
    fields = [("id", lead_id), ("name", f"Website order #{lead_id}"), ("status_id", 63012345), ("price", 1000),
              ("responsible_user_id", 10456789), ("pipeline_id", 7654321), ("account_id", 31234567),
              ("created_at", version - 3600), ("updated_at", version), ("tags][0][id", 512301),
              ("tags][0][name", "website")]
    for i, (field_id, name, value) in enumerate([(1100002, "utm_source", "google"), (1100101, "Lead source", "form"),
                                                 (1100103, "Budget", "150000"),
                                                 (1100104, "Comment", "Call after 6 pm — доставка в пятницу")]):
        fields += [(f"custom_fields][{i}][id", field_id), (f"custom_fields][{i}][name", name),
                   (f"custom_fields][{i}][values][0][value", value)]
    return [(f"{p}[{k}]", str(v)) for k, v in fields]


def body(events, first_id):
    form = [("account[subdomain]", "examplecrm"), ("account[id]", "31234567")]
    for j in range(events):
        form += lead_fields(j, first_id + j, 1732600000)
    return urllib.parse.urlencode(form).encode()


def ticks(pid):
    text = open(f"/proc/{pid}/stat").read()
    f = text[text.rindex(")") + 2:].split()
    return int(f[11]) + int(f[12]), int(f[13]) + int(f[14])  # own (utime, stime), waited-for children


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                text = open(f"/proc/{entry}/stat").read()
                if int(text[text.rindex(")") + 2:].split()[1]) == pid:
                    found.append(int(entry))
            except (OSError, ValueError):
                pass
    return found


class Server:
    def __init__(self, name, jar, work, port, pg_port):
        self.name, self.port, self.secret = name, port, secrets.token_hex(16)
        self.data = os.path.join(work, name)
        self.postmaster = None
        env = dict(os.environ, PORT=str(port), EMBEDDED_PG_PORT=str(pg_port), EMBEDDED_PG_DATA_DIR=self.data,
                   AMOCRM_CLIENT_SECRET=self.secret, AMOCRM_CLIENT_ID="side-by-side", ADMIN_PASSWORD="")
        env.pop("DB_URL", None)
        self.log = open(os.path.join(work, name + ".log"), "wb")
        opts = shlex.split(os.environ.get("JAVA_OPTS") or JAVA_OPTS)
        self.process = subprocess.Popen(["java", *opts, "-jar", os.path.abspath(jar)], cwd=work, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.connection = None

    def wait_healthy(self, seconds=180):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server {self.name} exited with {self.process.returncode}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                c.request("GET", "/api/webhooks/amo/health")
                if json.loads(c.getresponse().read()).get("status") == "UP":
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        raise SystemExit(f"server {self.name} not healthy after {seconds} s")

    def post(self, data):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        signature = hmac.new(self.secret.encode(), data, hashlib.sha256).hexdigest()
        started = time.perf_counter()
        self.connection.request("POST", "/api/webhooks/amo", data, {
            "X-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"})
        answer = self.connection.getresponse()
        text = answer.read()
        if answer.status != 200:
            raise SystemExit(f"server {self.name} answered {answer.status}: {text[:300]!r}")
        return time.perf_counter() - started

    def cpu(self):
        """CPU ticks of the JVM and of its PostgreSQL (the postmaster named in the data directory)."""
        jvm = ticks(self.process.pid)[0]
        if self.postmaster is None:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                self.postmaster = int(f.readline())
        postmaster = self.postmaster
        own, waited = ticks(postmaster)
        pg = own + waited
        for child in children(postmaster):
            try:
                pg += ticks(child)[0]
            except OSError:
                pass
        return jvm, pg

    def terminate(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait_stopped(self, failed):
        """Waits for the JVM (it stops its PostgreSQL); kills what is left after 60 s. Shows the log on failure."""
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.postmaster is not None:
            try:
                with open(f"/proc/{self.postmaster}/comm") as f:
                    left = f.read().strip() == "postgres"
                if left:
                    os.kill(self.postmaster, signal.SIGQUIT)  # the JVM did not stop it: immediate shutdown
            except OSError:
                pass
        self.log.close()
        if failed:
            with open(self.log.name, errors="replace") as f:
                tail = f.readlines()[-30:]
            print(f"--- last lines of server {self.name}'s log ---\n{''.join(tail)}", file=sys.stderr)


def main():
    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("--jar-a", required=True)
    args.add_argument("--jar-b", required=True)
    args.add_argument("--events", default="50,1", help="events per request, one comparison per size (50,1)")
    args.add_argument("--seconds", type=float, default=10, help="measured seconds per size and round")
    args.add_argument("--warmup", type=float, default=30,
                      help="unmeasured seconds per size first: the JIT compiles for a minute and more")
    args.add_argument("--rounds", type=int, default=3)
    options = args.parse_args()
    sizes = [int(n) for n in options.events.split(",")]
    work = tempfile.mkdtemp(prefix="amocrm-side-by-side.")
    servers = []
    next_id = 300_000_000
    failed = True
    try:
        ports = free_ports(4)
        servers.append(Server("A", options.jar_a, work, ports[0], ports[1]))
        servers.append(Server("B", options.jar_b, work, ports[2], ports[3]))
        for server in servers:
            server.wait_healthy()
        print(f"A: {options.jar_a} (HTTP port {servers[0].port})\nB: {options.jar_b} (HTTP port {servers[1].port})")
        print(f"work directory {work}, removed at the end\n", flush=True)
        for size in sizes:
            until = time.time() + options.warmup
            while time.time() < until:
                for server in servers:
                    server.post(body(size, next_id))
                    next_id += size
        print("| round | events per request | requests to each | A: JVM / PostgreSQL CPU ms per request, latency ms "
              "| B: JVM / PostgreSQL CPU ms per request, latency ms |")
        print("|---|---|---|---|---|")
        for round_number in range(1, options.rounds + 1):
            for size in sizes:
                before = [server.cpu() for server in servers]
                took = [0.0, 0.0]
                requests = 0
                until = time.time() + options.seconds
                while requests == 0 or time.time() < until:
                    for i in ((0, 1) if requests % 2 == 0 else (1, 0)):  # neither always goes first
                        took[i] += servers[i].post(body(size, next_id))
                        next_id += size
                    requests += 1
                after = [server.cpu() for server in servers]
                cells = []
                for i in range(2):
                    jvm = (after[i][0] - before[i][0]) * 1000 / HZ / requests
                    pg = (after[i][1] - before[i][1]) * 1000 / HZ / requests
                    cells.append(f"{jvm:.2f} / {pg:.2f}, {took[i] * 1000 / requests:.2f}")
                print(f"| {round_number} | {size} | {requests} | {cells[0]} | {cells[1]} |", flush=True)
        failed = False
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait_stopped(failed)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
