"""Shared helpers of the operator scripts (webhook-test.py, webhook-simulate.py): configuration, amoCRM's form
encoding, signing and HTTP. Python 3 standard library only.

Configuration is resolved the way the server resolves it: an environment variable wins (even when set to an
empty value), else the last KEY=value line of .env (read as a Java properties file; .env in the current directory,
else in the repository root), else the default.
"""

import hashlib
import hmac
import json
import os
import time
import urllib.error
import urllib.request
import uuid

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USER_AGENT = "amoCRM-Webhooks/3.0"
FORM = "application/x-www-form-urlencoded"


# ---- configuration -------------------------------------------------------------------------------------------

def _unescape(text):
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c != "\\" or i + 1 == len(text):
            out.append(c)
            i += 1
            continue
        n = text[i + 1]
        if n == "u" and i + 6 <= len(text):
            try:
                out.append(chr(int(text[i + 2:i + 6], 16)))
                i += 6
                continue
            except ValueError:
                pass
        out.append({"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(n, n))
        i += 2
    return "".join(out)


def read_properties(path):
    """Reads a Java properties file (what the server does with .env): the last definition of a key wins."""
    props = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            raw_lines = handle.read().splitlines()
    except OSError:
        return props
    logical, pending = [], None
    for raw in raw_lines:
        line = raw.lstrip(" \t\f") if pending is None else raw.lstrip(" \t\f")
        if pending is None and (not line or line[0] in "#!"):
            continue
        trailing = len(line) - len(line.rstrip("\\"))
        continued = trailing % 2 == 1
        part = line[:-1] if continued else line
        pending = part if pending is None else pending + part
        if not continued:
            logical.append(pending)
            pending = None
    if pending is not None:
        logical.append(pending)
    for line in logical:
        key_end, i = len(line), 0
        while i < len(line):
            c = line[i]
            if c == "\\":
                i += 2
                continue
            if c in "=: \t\f":
                key_end = i
                break
            i += 1
        key = line[:key_end]
        rest = line[key_end:].lstrip(" \t\f")
        if rest[:1] in ("=", ":"):
            rest = rest[1:].lstrip(" \t\f")
        props[_unescape(key)] = _unescape(rest)
    return props


class Config:
    """Settings as the server would see them: environment, then .env, then the default."""

    def __init__(self, env_file=None):
        if env_file is None:
            env_file = ".env" if os.path.isfile(".env") else os.path.join(REPO_ROOT, ".env")
        self.env_file = env_file
        self.file = read_properties(env_file) if os.path.isfile(env_file) else {}

    def get(self, key, default=""):
        if key in os.environ:
            return os.environ[key].strip()
        return self.file.get(key, default).strip()

    def source(self, key):
        if key in os.environ:
            return "environment"
        if key in self.file:
            return self.env_file
        return "default"

    @property
    def secret(self):
        return self.get("AMOCRM_CLIENT_SECRET")

    @property
    def token(self):
        return self.get("AMOCRM_WEBHOOK_TOKEN")

    @property
    def signature_header(self):
        return self.get("WEBHOOK_SIGNATURE_HEADER") or "X-Signature"

    def account(self):
        """The account block amoCRM would send for the account this server is configured for (AMOCRM_DOMAIN,
        AMOCRM_ACCOUNT_ID), so the server's account check accepts the traffic."""
        domain = self.get("AMOCRM_DOMAIN").lower()
        for prefix in ("https://", "http://"):
            if domain.startswith(prefix):
                domain = domain[len(prefix):]
        domain = domain.split("/")[0]
        subdomain = domain.split(".")[0] if domain else "examplecrm"
        host = domain if "." in domain else subdomain + ".amocrm.ru"
        account_id = self.get("AMOCRM_ACCOUNT_ID") or "31234567"
        return [("account[subdomain]", subdomain), ("account[id]", account_id),
                ("account[_links][self]", "https://" + host)]


def default_base_url(config):
    host = os.environ.get("HOST") or "localhost"
    port = config.get("PORT") or "8000"
    return "http://%s:%s/api/webhooks/amo" % (host, port)


# ---- the wire format -----------------------------------------------------------------------------------------

_UNRESERVED = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def _encode(text):
    out = []
    for byte in text.encode("utf-8"):
        if byte in _UNRESERVED:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append("%%%02X" % byte)
    return "".join(out)


def form_body(fields):
    """Encodes (key, value) pairs like PHP's http_build_query, as amoCRM does: brackets as %5B/%5D, space as '+'."""
    return "&".join(_encode(k) + "=" + _encode(str(v)) for k, v in fields).encode("ascii")


def sign(secret, body):
    """X-Signature: hex HMAC-SHA256 of the exact body bytes."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def request_id():
    return str(uuid.uuid4())


# ---- HTTP ------------------------------------------------------------------------------------------------------

class Answer:
    def __init__(self, status, text, seconds, error=None):
        self.status = status
        self.text = text
        self.seconds = seconds
        self.error = error
        try:
            self.json = json.loads(text) if text else None
        except ValueError:
            self.json = None

    def field(self, name, default=None):
        return self.json.get(name, default) if isinstance(self.json, dict) else default

    def count(self, name):
        value = self.field(name, 0)
        return value if isinstance(value, int) else 0

    def compact(self, limit=300):
        if self.error:
            return self.error
        text = json.dumps(self.json, ensure_ascii=False, separators=(",", ":")) if self.json is not None else self.text
        text = " ".join(text.split())
        return text if len(text) <= limit else text[:limit] + "..."


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def http(method, url, body=None, headers=None, timeout=10):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    start = time.monotonic()
    try:
        with _opener.open(request, timeout=timeout) as response:
            return Answer(response.status, response.read().decode("utf-8", "replace"), time.monotonic() - start)
    except urllib.error.HTTPError as e:
        return Answer(e.code, e.read().decode("utf-8", "replace"), time.monotonic() - start)
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        return Answer(None, "", time.monotonic() - start, "could not reach %s: %s" % (url, reason))


def post_form(url, body, signature_header=None, signature=None, amo_request_id=None, timeout=10):
    headers = {"Content-Type": FORM, "User-Agent": USER_AGENT}
    if amo_request_id:
        headers["X-Amocrm-Requestid"] = amo_request_id
    if signature_header and signature:
        headers[signature_header] = signature
    return http("POST", url, body, headers, timeout)


def get(url, timeout=5):
    return http("GET", url, None, {"Accept": "application/json"}, timeout)
