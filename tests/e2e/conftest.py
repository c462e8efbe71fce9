"""End-to-end harness: starts the real bin/sesbox on free ports and talks to
it with boto3, the AWS CLI, raw HTTP and (SMTP) smtplib.

Run from the project root with Debian's interpreter (`make e2e`):
    SESBOX_BIN=$PWD/bin/sesbox /usr/bin/python3 -m pytest -q
        -p no:cacheprovider tests/e2e
"""
import base64
import datetime
import functools
import hashlib
import hmac
import http.server
import json
import os
import pathlib
import re
import signal
import smtplib
import socket
import ssl
import subprocess
import threading
import time
import types
from unittest import mock

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODELS = ROOT / "emulator" / "models"

# botocore 1.29 lacks most of the current SES operations; the committed
# models must be found before boto3 is imported anywhere. The remaining
# variables keep the developer's own AWS configuration out of the tests.
os.environ["AWS_DATA_PATH"] = str(MODELS)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["AWS_PAGER"] = ""
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL",
             "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
    os.environ.pop(_var, None)

import boto3  # noqa: E402
import botocore.auth  # noqa: E402
import botocore.config  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402
import pytest  # noqa: E402
import requests  # noqa: E402

# The SMTP sink of the delivery tests: its fixtures, for every test module.
from smtpsink import make_sink, sink, tls_sink  # noqa: E402,F401

SESBOX_BIN = os.environ.get("SESBOX_BIN", str(ROOT / "bin" / "sesbox"))
AWS_CLI = "/usr/bin/aws"

DEFAULT_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"
DUMMY_KEY = "AKIDSESBOXTEST"
DUMMY_SECRET = "sesbox-test-secret"

START_TIMEOUT_S = 10
STOP_TIMEOUT_S = 5
HTTP_TIMEOUT_S = 10
SMTP_TIMEOUT_S = 10
# The certificate sesbox generates for its SMTP listeners names these.
SMTP_TLS_HOSTNAME = "localhost"

_LOGFMT = re.compile(r'([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|\S*)')


def parse_logfmt(line):
    """One logfmt line as a dict (quotes removed from quoted values)."""
    out = {}
    for key, value in _LOGFMT.findall(line):
        if value.startswith('"'):
            value = re.sub(r'\\(.)', r'\1', value[1:-1])
        out[key] = value
    return out


def child_env(extra=None):
    """The environment for a sesbox child: ours without any SESBOX_*
    setting (SESBOX_BIN included), plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESBOX_")}
    env.update(extra or {})
    return env


def run_sesbox(args, env=None, timeout=START_TIMEOUT_S, cwd=None):
    """Runs sesbox to completion (for --help, --version and bad configs)."""
    return subprocess.run([SESBOX_BIN, *args], env=child_env(env), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


@functools.lru_cache(maxsize=None)
def binary_has_option(name):
    """Whether SESBOX_BIN knows --name (from --help): the harness gives
    the SMTP listeners free ports only when it does."""
    try:
        out = run_sesbox(["--help"]).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return re.search(r"^\s*--%s\s" % re.escape(name), out, re.M) is not None


def _names_option(args, env, name):
    """Whether args (or a SESBOX_* variable in env) set --name."""
    flag = "--" + name
    if any(a == flag or a.startswith(flag + "=") for a in args):
        return True
    return ("SESBOX_" + name.upper().replace("-", "_")) in (env or {})


def _option_value(args, name):
    """The value args give --name (the last one), or None."""
    flag, value = "--" + name, None
    for i, a in enumerate(args):
        if a == flag and i + 1 < len(args):
            value = args[i + 1]
        elif a.startswith(flag + "="):
            value = a[len(flag) + 1:]
    return value


def _listener_port(value):
    """The port of a listening line's smtp=/smtps= value; None for off
    (or a binary that does not log it)."""
    if value in (None, "", "off"):
        return None
    return int(value.rsplit(":", 1)[1])


class Sesbox:
    """One running sesbox process.

    The stderr pipe is drained by a thread into self.lines so it never
    fills; every wait is on that buffer with a deadline, never a sleep.

    The SMTP listeners (`--smtp`, `--smtps`, `--feedback-smtp`) get free
    ports (port 0) unless args or env name them, so that servers started
    side by side never compete for 2587, 2465 and 2525; smtp_port,
    smtps_port and feedback_port are the ports they took (None when off),
    tls_cert the CA file a client verifies them with.
    """

    def __init__(self, args=(), env=None, cwd=None, listen="127.0.0.1:0",
                 ephemeral=True):
        args = list(args)
        argv = [SESBOX_BIN]
        if ephemeral:
            argv.append("--ephemeral")
        if listen is not None:
            argv += ["--listen", listen]
        for name in ("smtp", "smtps", "feedback-smtp"):
            if binary_has_option(name) and not _names_option(args, env,
                                                             name):
                argv += ["--" + name, "127.0.0.1:0"]
        argv += args
        self.argv = argv
        self.lines = []
        self.returncode = None
        self._cond = threading.Condition()
        self._eof = False
        self.proc = subprocess.Popen(argv, env=child_env(env), cwd=cwd,
                                     stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        try:
            self._await_ready()
        except BaseException:
            self.kill()
            raise

    def _await_ready(self):
        """Reads stderr up to the listening line, then checks health."""
        listening = self.wait_for_line(
            lambda f: f.get("msg") == "listening", START_TIMEOUT_S)
        self.info = listening
        self.addr = listening["addr"]
        self.data_dir = listening.get("data")
        self.url = "http://" + self.addr
        self.host, port = self.addr.rsplit(":", 1)
        self.port = int(port)
        self.smtp_addr = listening.get("smtp")      # HOST:PORT, off or None
        self.smtps_addr = listening.get("smtps")
        self.smtp_port = _listener_port(self.smtp_addr)
        self.smtps_port = _listener_port(self.smtps_addr)
        self.feedback_port = _listener_port(listening.get("feedback"))
        cert = _option_value(self.argv, "smtp-tls-cert")
        self.tls_cert = cert or (
            os.path.join(self.data_dir, "smtp-tls-cert.pem")
            if self.data_dir else None)
        r = requests.get(self.url + "/_sesbox/health", timeout=HTTP_TIMEOUT_S)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "ok", r.text

    # -- stderr ---------------------------------------------------------
    def _drain(self):
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def wait_for_line(self, pred, timeout=5, start=0):
        """Waits until a log line (parsed as logfmt) satisfies pred;
        returns its fields. Fails on timeout or if the process exits."""
        deadline = time.monotonic() + timeout
        seen = start
        with self._cond:
            while True:
                while seen < len(self.lines):
                    fields = parse_logfmt(self.lines[seen])
                    seen += 1
                    if pred(fields):
                        return fields
                if self._eof:
                    raise AssertionError(
                        "sesbox exited (%s) before the expected log line:\n%s"
                        % (self.proc.wait(), self.log()))
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        "timed out waiting for a log line:\n" + self.log())
                self._cond.wait(left)

    def log(self, since=0):
        with self._cond:
            return "\n".join(self.lines[since:])

    def log_len(self):
        with self._cond:
            return len(self.lines)

    def log_fields(self):
        with self._cond:
            return [parse_logfmt(line) for line in self.lines]

    def request_ids(self):
        """req= of every access log line, in order."""
        return [f["req"] for f in self.log_fields()
                if "req" in f and "status" in f]

    def access_line(self, request_id, timeout=5):
        """The access log line of one request (waits for it to be written:
        the line may follow the response by a moment)."""
        return self.wait_for_line(
            lambda f: f.get("req") == request_id and "status" in f, timeout)

    # -- lifecycle ------------------------------------------------------
    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT_S):
        """Signals the server and returns its exit status."""
        if self.returncode is not None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("sesbox did not exit within %ss of %s:\n%s"
                                 % (timeout, signal.Signals(sig).name,
                                    self.log()))
        self._reader.join(timeout)
        return self.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.returncode = self.proc.wait()
        self._reader.join(STOP_TIMEOUT_S)

    # -- HTTP -----------------------------------------------------------
    def get(self, path, **kw):
        kw.setdefault("timeout", HTTP_TIMEOUT_S)
        return requests.get(self.url + path, **kw)

    def post(self, path, **kw):
        kw.setdefault("timeout", HTTP_TIMEOUT_S)
        return requests.post(self.url + path, **kw)

    def request(self, method, path, **kw):
        kw.setdefault("timeout", HTTP_TIMEOUT_S)
        return requests.request(method, self.url + path, **kw)

    def reset(self):
        r = self.post("/_sesbox/api/v1/reset")
        assert r.status_code == 200, r.text
        assert r.json() == {"reset": True, "scope": "all"}, r.text

    def flush(self):
        """Returns once every delivery due by the test clock is settled."""
        r = self.post("/_sesbox/api/v1/queue/flush")
        assert r.status_code == 200, r.text
        assert r.json() == {"flushed": True}, r.text

    def events(self, message_id, flush=True):
        """The events of message_id as [(Type, Detail)], oldest first."""
        if flush:
            self.flush()
        r = self.get("/_sesbox/api/v1/messages/" + message_id)
        assert r.status_code == 200, r.text
        return [(e["Type"], e["Detail"]) for e in r.json()["Events"]]

    def health(self):
        r = self.get("/_sesbox/health")
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "ok", r.text
        return r.json()

    def operations(self):
        r = self.get("/_sesbox/api/v1/operations")
        assert r.status_code == 200, r.text
        return r.json()["operations"]

    # -- SMTP -----------------------------------------------------------
    def tls_context(self, cafile=None):
        """A client context that verifies the SMTP listeners' certificate
        (tls_cert by default) as a real client would: chain and host
        name (SMTP_TLS_HOSTNAME), TLS 1.2 or later."""
        ctx = ssl.create_default_context(cafile=cafile or self.tls_cert)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        return ctx

    def smtp(self, starttls=True, login=None, context=None):
        """An smtplib client on the STARTTLS port (--smtp), its banner
        read (client.banner), EHLO sent, then STARTTLS and EHLO again
        (starttls) and AUTH (login=(user, password))."""
        assert self.smtp_port is not None, "--smtp is off"
        client = LoopbackSMTP()
        client.banner = client.connect(SMTP_TLS_HOSTNAME, self.smtp_port)
        client.ehlo()
        if starttls:
            code, msg = client.starttls(context=context or self.tls_context())
            assert (code, msg) == (220, b"Ready to start TLS"), (code, msg)
            client.ehlo()
        if login:
            client.login(*login)
        return client

    def smtps(self, login=None, context=None):
        """An smtplib client on the implicit-TLS port (--smtps), its banner
        read, EHLO sent, then AUTH (login=(user, password))."""
        assert self.smtps_port is not None, "--smtps is off"
        client = LoopbackSMTP_SSL(context=context or self.tls_context())
        client.banner = client.connect(SMTP_TLS_HOSTNAME, self.smtps_port)
        client.ehlo()
        if login:
            client.login(*login)
        return client

    def __repr__(self):
        return "<Sesbox %s>" % getattr(self, "url", self.argv)


# -- SMTP clients ------------------------------------------------------------

class _Loopback:
    """What both smtplib clients below share: a fixed EHLO name (smtplib
    would otherwise ask the resolver), a timeout, and localhost as the
    name STARTTLS and SMTPS verify the certificate against."""

    def __init__(self, **kw):
        kw.setdefault("local_hostname", "client.example")
        kw.setdefault("timeout", SMTP_TIMEOUT_S)
        super().__init__(**kw)
        self._host = SMTP_TLS_HOSTNAME
        self.banner = None


class LoopbackSMTP(_Loopback, smtplib.SMTP):
    """smtplib.SMTP that always connects to 127.0.0.1, whatever host name
    it is given, without the resolver ever picking ::1."""

    def _get_socket(self, host, port, timeout):
        return socket.create_connection(("127.0.0.1", port), timeout)


class LoopbackSMTP_SSL(_Loopback, smtplib.SMTP_SSL):
    """smtplib.SMTP_SSL on 127.0.0.1, verifying the certificate against
    localhost (as LoopbackSMTP)."""

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection(("127.0.0.1", port), timeout)
        return self.context.wrap_socket(sock, server_hostname=self._host)


def smtp_password(secret, region=DEFAULT_REGION):
    """The SES SMTP password of a secret access key for a region
    (SES-REFERENCE §6.2: the SigV4 key chain with date 11111111, message
    SendRawEmail, version byte 0x04, base64)."""
    key = hmac.new(("AWS4" + secret).encode(), b"11111111",
                   hashlib.sha256).digest()
    for part in (region, "ses", "aws4_request", "SendRawEmail"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return base64.b64encode(b"\x04" + key).decode()


# -- printing the server log of a failed test --------------------------------

def _watch(item, srv):
    """Registers srv so that a failure of item prints its log (from now)."""
    if not hasattr(item, "_sesbox_watch"):
        item._sesbox_watch = []
    item._sesbox_watch.append((srv, srv.log_len()))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for srv, since in getattr(item, "_sesbox_watch", []):
            rep.sections.append(("sesbox log %s (%s)" % (
                getattr(srv, "addr", "?"), rep.when), srv.log(since)))


# -- fixtures ----------------------------------------------------------------

@pytest.fixture(scope="session")
def server():
    """The shared server with the default configuration."""
    srv = Sesbox()
    yield srv
    assert srv.stop() == 0, srv.log()


@pytest.fixture(autouse=True)
def reset(request):
    """Wipes the shared server before each test that uses it."""
    if "server" in request.fixturenames:
        srv = request.getfixturevalue("server")
        _watch(request.node, srv)
        srv.reset()


@pytest.fixture
def start_server(request):
    """Factory: start_server(*args, env=None, ...) -> a new Sesbox, stopped
    (and required to exit 0) at the end of the test."""
    started = []

    def start(*args, **kw):
        srv = Sesbox(args, **kw)
        started.append(srv)
        _watch(request.node, srv)
        return srv

    yield start
    bad = []
    for srv in started:
        if srv.returncode is None and srv.stop() != 0:
            bad.append(srv)
    assert not bad, "servers exited non-zero: %r" % bad


def _smtp_factory(server, which):
    clients = []

    def factory(srv=None, **kw):
        client = getattr(srv or server, which)(**kw)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        try:
            client.close()
        except OSError:
            pass


@pytest.fixture
def smtp(server):
    """smtp(srv=None, starttls=True, login=None, context=None) -> an
    smtplib.SMTP on srv's STARTTLS port (Sesbox.smtp), closed at the end of
    the test."""
    yield from _smtp_factory(server, "smtp")


@pytest.fixture
def smtps(server):
    """smtps(srv=None, login=None, context=None) -> an smtplib.SMTP_SSL on
    srv's implicit-TLS port (Sesbox.smtps), closed at the end of the
    test."""
    yield from _smtp_factory(server, "smtps")


_BOTO = boto3.session.Session()


def make_client(service, endpoint, region=DEFAULT_REGION, key=DUMMY_KEY,
                secret=DUMMY_SECRET, validate=True):
    return _BOTO.client(
        service, endpoint_url=endpoint, region_name=region,
        aws_access_key_id=key, aws_secret_access_key=secret,
        config=botocore.config.Config(
            retries={"max_attempts": 1}, parameter_validation=validate,
            connect_timeout=HTTP_TIMEOUT_S, read_timeout=HTTP_TIMEOUT_S))


def _client_factory(service, server):
    def factory(region=DEFAULT_REGION, key=DUMMY_KEY, secret=DUMMY_SECRET,
                srv=None, validate=True):
        return make_client(service, (srv or server).url, region, key, secret,
                           validate)
    return factory


@pytest.fixture
def ses(server):
    """ses(region=..., key=..., secret=..., srv=None) -> a boto3 v1 client
    (for srv, the shared server by default)."""
    return _client_factory("ses", server)


@pytest.fixture
def sesv2(server):
    """sesv2(region=..., key=..., secret=..., srv=None) -> a boto3 v2
    client."""
    return _client_factory("sesv2", server)


@pytest.fixture
def sns_client(server):
    """sns_client(region=..., key=..., secret=..., srv=None) -> a boto3 SNS
    client (sesbox's minimal SNS)."""
    return _client_factory("sns", server)


# -- a real subscriber -------------------------------------------------------

class Received:
    def __init__(self, host, path, headers, body):
        self.host = host                # the receiving end's HOST:PORT
        self.path = path
        self.headers = headers          # [(name, value)] as sent
        self.body = body                # bytes

    def header(self, name):
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        assert len(values) <= 1, self.headers
        return values[0] if values else None

    def json(self):
        return json.loads(self.body)


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """A request handler that logs nothing and reads the request body."""

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def log_message(self, *args):
        pass


class LoopbackHTTP:
    """An HTTP server on a free loopback port, served by its own thread
    until close(); self.url is path on it."""

    def serve(self, handler, path):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     handler)
        self.url = "http://127.0.0.1:%d%s" % (self.httpd.server_port, path)
        self.thread = threading.Thread(
            target=lambda: self.httpd.serve_forever(0.05), daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class Subscriber(LoopbackHTTP):
    """An HTTP endpoint on loopback recording every request it gets; it
    answers status(received) (200 by default)."""

    def __init__(self, status=None):
        self.received = []
        self.status = status or (lambda r: 200)
        outer = self

        class Handler(QuietHandler):
            def do_POST(self):
                r = Received("127.0.0.1:%d" % outer.httpd.server_port,
                             self.path, list(self.headers.items()),
                             self.body())
                outer.received.append(r)
                self.send_response(outer.status(r))
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.serve(Handler, "/sns-hook")


@pytest.fixture
def subscriber():
    subs = []

    def make(status=None):
        s = Subscriber(status)
        subs.append(s)
        return s

    yield make
    for s in subs:
        s.close()


def aws_cli(srv, *args, key=DUMMY_KEY, secret=DUMMY_SECRET,
            region=DEFAULT_REGION, check=True):
    """Runs /usr/bin/aws against srv; returns the CompletedProcess."""
    env = child_env({
        "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": region, "AWS_REGION": region,
        "AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "1",
    })
    proc = subprocess.run(
        [AWS_CLI, *args, "--endpoint-url", srv.url, "--output", "json",
         "--no-cli-pager"],
        env=env, capture_output=True, text=True, timeout=60)
    if check:
        assert proc.returncode == 0, (proc.returncode, proc.stdout,
                                      proc.stderr)
    return proc


# -- SigV4 by hand (botocore's signers) --------------------------------------

def now():
    return datetime.datetime.utcnow()


def _at(when):
    """botocore.auth signing at a chosen instant (it calls utcnow)."""
    class FixedDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return when
    return mock.patch.object(botocore.auth, "datetime",
                             types.SimpleNamespace(datetime=FixedDatetime))


def sign(url, method="POST", body=None, headers=None, key=DUMMY_KEY,
         secret=DUMMY_SECRET, region=DEFAULT_REGION, when=None):
    """SigV4-signs a request (at the instant when, default now) and returns
    the headers to send it with."""
    req = AWSRequest(method=method, url=url, data=body,
                     headers=dict(headers or {}))
    signer = botocore.auth.SigV4Auth(Credentials(key, secret), "ses", region)
    if when is None:
        signer.add_auth(req)
    else:
        with _at(when):
            signer.add_auth(req)
    return dict(req.headers.items())


def presign(url, key=DUMMY_KEY, secret=DUMMY_SECRET, region=DEFAULT_REGION,
            expires=60, when=None):
    """A SigV4 presigned GET URL (X-Amz-* query parameters)."""
    req = AWSRequest(method="GET", url=url)
    signer = botocore.auth.SigV4QueryAuth(Credentials(key, secret), "ses",
                                          region, expires=expires)
    if when is None:
        signer.add_auth(req)
    else:
        with _at(when):
            signer.add_auth(req)
    return req.url
