"""A controllable SMTP sink on 127.0.0.1 for the delivery tests: an aiosmtpd
server (Debian python3-aiosmtpd) in a background thread that answers each
recipient as its local part says, records what it got byte for byte, and
lets a test wait for it without sleeping.

    with Sink() as sink:                      # or the sink fixture
        ... deliver to 127.0.0.1:sink.port ...
        msg, = sink.wait_messages(1)
        assert msg.rcpt_tos == ["ok@example.com"]
        assert msg.data == expected_bytes

RCPT replies, chosen by the recipient's local part prefix (any case), the
first matching rule given by Sink.rule() before these defaults:

    soft*   450 4.2.0 <addr>: Recipient address rejected: try again later
    full*   452 4.2.2 <addr>: Mailbox full
    hard*   550 5.1.1 <addr>: Recipient address rejected: User unknown in
            local recipient table
    slow*   no reply at all until the sink stops (then 421), so that the
            client's timeout fires
    multi*  550-5.7.1 first line / 550 5.7.1 second line
    other   250 2.1.5 Ok

A reply given as text may span lines ("\\n" between them) and may name the
recipient as {addr}; a 421 reply also closes the connection, as a real MTA
does. SLOW as a reply means no reply (as slow*).
"""
import asyncio
import atexit
import dataclasses
import datetime
import email
import email.policy
import functools
import ipaddress
import itertools
import logging
import os
import re
import socket
import ssl
import tempfile
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import MISSING, SMTP, AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

# aiosmtpd logs every session to "mail.log" (warnings for garbage from a
# client); a handler of its own keeps Python's last-resort stderr handler
# away while pytest's capture (on the root logger) still sees the records,
# except the deprecation warning aiosmtpd 1.4 logs at every successful AUTH
# (its own smtp_AUTH sets Session.login_data).
_MAIL_LOG = logging.getLogger("mail.log")
_MAIL_LOG.addHandler(logging.NullHandler())
_MAIL_LOG.addFilter(
    lambda r: not r.getMessage().startswith("Session.login_data is deprec"))

HOSTNAME = "sink.test"          # the name in the banner and EHLO reply
TLS_HOSTNAME = "localhost"      # the names the generated certificate holds
STOP_TIMEOUT_S = 5
# How long stop() lets connections close cleanly (a TLS close waits for
# the peer's close_notify) before it aborts them.
CLOSE_GRACE_S = 0.5
READY_TIMEOUT_S = 10


class _Slow:
    def __repr__(self):
        return "SLOW"


SLOW = _Slow()

DEFAULT_RULES = (
    ("soft", "450 4.2.0 <{addr}>: Recipient address rejected: "
             "try again later"),
    ("full", "452 4.2.2 <{addr}>: Mailbox full"),
    ("hard", "550 5.1.1 <{addr}>: Recipient address rejected: "
             "User unknown in local recipient table"),
    ("slow", SLOW),
    ("multi", "550-5.7.1 first line\n550 5.7.1 second line"),
)
RCPT_OK = "250 2.1.5 Ok"
MAIL_OK = "250 2.1.0 Ok"
DATA_OK = "250 2.0.0 Ok: queued as {n}"
SHUTDOWN = "421 4.3.2 Service shutting down"
NEED_AUTH = "530 5.7.0 Authentication required"
NO_AUTH = "503 5.5.1 Error: authentication not enabled"
# aiosmtpd's answer under require_starttls, and what the sink says instead.
_AIOSMTPD_NEED_TLS = "530 Must issue a STARTTLS command first"
NEED_TLS = "530 5.7.0 Must issue a STARTTLS command first"


def reply_code(reply):
    return int(reply[:3])


def _format(reply, addr=""):
    """A reply text as sent: {addr} filled in, lines joined by CRLF, each
    line led by the first one's code ("-" after it on all but the last),
    so a multi-line reply may be given with or without the codes."""
    lines = re.split(r"\r?\n", reply.replace("{addr}", addr).strip("\r\n"))
    code = lines[0][:3]
    out = []
    for i, line in enumerate(lines):
        if re.match(r"\d{3}([ -]|$)", line):
            line = line[4:]
        out.append(code + ("-" if i < len(lines) - 1 else " ") + line)
    return "\r\n".join(out).rstrip(" ")


def _pick(replies, index):
    """replies[index] of a list (its last one past the end), or replies
    itself when it is one reply."""
    if isinstance(replies, (list, tuple)):
        return replies[min(index, len(replies) - 1)]
    return replies


def make_certificate(directory):
    """Writes a self-signed certificate for localhost and 127.0.0.1 and its
    key to directory (cert.pem, key.pem) and returns their paths. The
    certificate is its own CA: cert.pem is also the file a client verifies
    the sink with."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME,
                                         "sesbox test sink")])
    now = datetime.datetime.utcnow()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName(TLS_HOSTNAME),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                       critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier
                       .from_issuer_subject_key_identifier(ski),
                       critical=False)
        .sign(key, hashes.SHA256()))
    cert_path = os.path.join(directory, "cert.pem")
    key_path = os.path.join(directory, "key.pem")
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


@functools.lru_cache(maxsize=None)
def self_signed():
    """(cert_path, key_path) of the sinks' default certificate
    (make_certificate), made once per process in a directory removed at
    exit."""
    directory = tempfile.TemporaryDirectory(prefix="smtpsink-")
    atexit.register(directory.cleanup)
    return make_certificate(directory.name)


@dataclasses.dataclass
class Message:
    """One DATA the sink read to its end (accepted or not)."""
    mail_from: str          # the reverse-path; "<>" for the null sender
    rcpt_tos: list          # the recipients the sink accepted, in order
    data: bytes             # the content as received, dot-unstuffed
    tls: bool               # the session was under STARTTLS
    peer: tuple             # the client's (host, port)
    session_id: int         # one per connection, from 1
    helo: str               # the last EHLO/HELO name
    auth_user: str          # the AUTH user, or None
    mail_options: list      # MAIL parameters, upper case: ["SIZE=123"]
    reply: str              # the sink's reply to the end of data

    @property
    def accepted(self):
        return self.reply.startswith("2")

    def parse(self):
        """data as an email.message.EmailMessage."""
        return email.message_from_bytes(self.data,
                                        policy=email.policy.default)

    def summary(self):
        return "%s -> %s (%d bytes, session %d%s): %s" % (
            self.mail_from, self.rcpt_tos, len(self.data), self.session_id,
            ", tls" if self.tls else "", self.reply.split("\r\n")[-1])


class _SinkSMTP(SMTP):
    """aiosmtpd's SMTP (one per connection) counting connections for the
    sink, with an enhanced code in the STARTTLS-required reply, a 421 that
    closes the connection, and an optional delay before the banner."""

    def __init__(self, sink, handler, **kw):
        super().__init__(handler, **kw)
        self.sink = sink
        self.session_id = None

    def connection_made(self, transport):
        first = self.transport is None      # not the STARTTLS layer
        super().connection_made(transport)
        if first:
            self.session_id = self.sink._connected(self)

    def connection_lost(self, error):
        try:
            super().connection_lost(error)
        finally:
            self.sink._disconnected(self)

    async def _handle_client(self):
        delay = self.sink.banner_delay
        if delay:
            try:
                await asyncio.wait_for(self.sink._release.wait(), delay)
            except asyncio.TimeoutError:
                pass
            if self.sink._release.is_set():     # stopping: no banner
                return
        await super()._handle_client()

    async def push(self, status):
        if status == _AIOSMTPD_NEED_TLS:
            status = NEED_TLS
        await super().push(status)
        if (isinstance(status, str) and status.startswith("421")
                and self.transport is not None):
            self.transport.close()


class _Handler:
    """The aiosmtpd hooks; all state lives in the sink."""

    def __init__(self, sink):
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname,
                          responses):
        session.host_name = hostname
        out = [r for r in responses
               if self.sink.auth or not r[4:].startswith("AUTH")]
        if self.sink.pipelining:
            out.insert(-1, "250-PIPELINING")
        return out

    async def handle_AUTH(self, server, session, envelope, args):
        return MISSING if self.sink.auth else NO_AUTH

    async def handle_MAIL(self, server, session, envelope, address,
                          mail_options):
        if self.sink.auth and not session.authenticated:
            return NEED_AUTH
        reply = _format(self.sink._next_mail_reply(), address)
        if reply.startswith("2"):
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
        return reply

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        reply = self.sink._rcpt_reply(address)
        if reply is SLOW:
            self.sink._held.add(server)
            await self.sink._release.wait()
            return SHUTDOWN
        reply = _format(reply, address)
        if reply.startswith("2"):
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
        return reply

    async def handle_DATA(self, server, session, envelope):
        return self.sink._data(server, session, envelope)

    async def handle_exception(self, error):
        self.sink._error(error)
        return "451 4.3.0 Error: (%s) %s" % (type(error).__name__, error)


class _Controller(Controller):
    """aiosmtpd's threaded Controller on a socket bound beforehand (1.4.3
    cannot take port 0: it connects to the port it was given to see the
    server up), its SMTP the sink's, and its start-up check made without
    a connection of its own (which would count as a client's)."""

    def __init__(self, sink, sock, **kw):
        self._sink = sink
        self._sock = sock
        super().__init__(sink._handler, hostname="127.0.0.1",
                         port=sock.getsockname()[1],
                         ready_timeout=READY_TIMEOUT_S, **kw)

    def factory(self):
        return _SinkSMTP(self._sink, self.handler, **self.SMTP_kwargs)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock)

    def _trigger_server(self):
        async def invoke():
            self._factory_invoker()
        asyncio.run_coroutine_threadsafe(invoke(), self.loop).result(
            self.ready_timeout)


class Sink:
    """A loopback SMTP server answering as told (see the module's doc).

    tls: None, "starttls" (offered) or "require" (MAIL and the rest before
    STARTTLS answered 530 5.7.0); cert, key: PEM files (a generated
    self-signed pair by default; cert_path is the CA file to verify with).
    auth: {"user": ..., "password": ...} makes AUTH PLAIN/LOGIN available
    (without TLS too) and required before MAIL. data_reply, mail_reply: the
    reply to every end of data / MAIL, or a list used in order (its last
    reply repeated); the default data reply is 250 2.0.0 Ok: queued as N.
    banner_delay: seconds before the 220 banner. pipelining: advertise
    PIPELINING (aiosmtpd does not; it copes with pipelined commands
    anyway).

    Read: messages, rcpt_attempts [(address, code or None while
    unanswered)], connections, auth_attempts [(mechanism, user, ok)],
    errors; wait with wait_messages, wait_rcpts, wait_connections.
    """

    def __init__(self, tls=None, cert=None, key=None, auth=None,
                 data_reply=None, banner_delay=None, mail_reply=None,
                 pipelining=False, hostname=HOSTNAME):
        assert tls in (None, "starttls", "require"), tls
        self._cond = threading.Condition()
        self.tls = tls
        self.auth = auth
        self._data_n = self._mail_n = 0
        self.data_reply = data_reply
        self.mail_reply = mail_reply
        self.banner_delay = banner_delay
        self.pipelining = pipelining
        self.hostname = hostname
        self.cert_path = self.key_path = None
        if tls:
            if cert is None:
                cert, key = self_signed()
            self.cert_path, self.key_path = cert, key or cert
        self._rules = []            # [(prefix, replies, rule id)]
        self._rule_ids = itertools.count(1)
        self._tries = {}            # (rule id, address) -> times used
        self._messages = []
        self._rcpts = []
        self._connections = 0
        self._auths = []
        self._errors = []
        self._queue_ids = itertools.count(1)
        self._live = set()
        self._release = asyncio.Event()     # set by stop()
        self._held = set()          # sessions a slow RCPT holds
        self._handler = _Handler(self)
        self._controller = None
        self._stopped = False
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.host, self.port = self._sock.getsockname()

    @property
    def address(self):
        return "%s:%d" % (self.host, self.port)

    # -- lifecycle ----------------------------------------------------------
    def start(self):
        assert self._controller is None and not self._stopped, \
            "a sink starts once"
        kw = {}
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.cert_path, self.key_path)
            kw.update(tls_context=ctx,
                      require_starttls=self.tls == "require")
        if self.auth:
            kw.update(authenticator=self._authenticate)
        self._controller = _Controller(
            self, self._sock, server_hostname=self.hostname,
            ident="ESMTP sesbox test sink", auth_require_tls=False, **kw)
        self._controller.loop.set_exception_handler(self._loop_error)
        self._controller.start()
        return self

    def stop(self):
        """Releases the slow replies (421), closes every connection and
        the listener; returns promptly whatever the clients do."""
        if self._stopped:
            return
        self._stopped = True
        if self._controller is None:
            self._sock.close()
            return
        fut = asyncio.run_coroutine_threadsafe(self._shutdown(),
                                               self._controller.loop)
        try:
            fut.result(STOP_TIMEOUT_S)
        except Exception as e:      # noqa: BLE001 (recorded, then stopped)
            self._error(e)
        self._controller.stop()

    async def _shutdown(self):
        self._controller.server.close()
        self._release.set()
        # The held RCPTs are answered 421, which closes their connections
        # and so ends their sessions: waited for before the others close.
        held = [p._handler_coroutine for p in self._held
                if p._handler_coroutine is not None]
        if held:
            await asyncio.wait(held, timeout=CLOSE_GRACE_S)
        tasks = [p._handler_coroutine for p in self._live
                 if p._handler_coroutine is not None]
        for proto in list(self._live):
            if proto.transport is not None:
                proto.transport.close()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=CLOSE_GRACE_S)
            for proto in list(self._live):      # a peer not reading
                if proto.transport is not None:
                    proto.transport.abort()
            for task in pending:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- the answers --------------------------------------------------------
    def rule(self, prefix, reply):
        """Answers RCPT of local parts starting with prefix (any case) with
        reply (text or SLOW), or with a list of replies used in order for
        each address (the last one repeated). Rules are tried in the order
        given, before the defaults; a rule for the same prefix replaces the
        former one (and starts its lists afresh)."""
        entry = (prefix.lower(), reply, next(self._rule_ids))
        with self._cond:
            for i, (p, _, _) in enumerate(self._rules):
                if p == entry[0]:
                    self._rules[i] = entry
                    return
            self._rules.append(entry)

    def _rcpt_reply(self, address):
        local = address.rpartition("@")[0] or address
        local = local.lower()
        with self._cond:
            for prefix, replies, rule_id in self._rules + [
                    (p, r, -1) for p, r in DEFAULT_RULES]:
                if local.startswith(prefix):
                    key = (rule_id, address.lower())
                    n = self._tries.get(key, 0)
                    self._tries[key] = n + 1
                    reply = _pick(replies, n)
                    break
            else:
                reply = RCPT_OK
            code = None if reply is SLOW else reply_code(reply)
            self._rcpts.append((address, code))
            self._cond.notify_all()
        return reply

    @property
    def data_reply(self):
        """The reply to the end of data: text, a list of them used in order
        from now on (the last one repeated), or None for 250 2.0.0 Ok:
        queued as N."""
        return self._data_reply

    @data_reply.setter
    def data_reply(self, reply):
        with self._cond:
            self._data_reply, self._data_n = reply, 0

    @property
    def mail_reply(self):
        """The reply to MAIL (when AUTH is done or not asked for), as
        data_reply; None for 250 2.1.0 Ok."""
        return self._mail_reply

    @mail_reply.setter
    def mail_reply(self, reply):
        with self._cond:
            self._mail_reply, self._mail_n = reply, 0

    def _next_mail_reply(self):
        with self._cond:
            n, self._mail_n = self._mail_n, self._mail_n + 1
            return (MAIL_OK if self._mail_reply is None
                    else _pick(self._mail_reply, n))

    def _data(self, server, session, envelope):
        with self._cond:
            n, self._data_n = self._data_n, self._data_n + 1
            if self._data_reply is None:
                reply = DATA_OK.replace("{n}", str(next(self._queue_ids)))
            else:
                reply = _format(_pick(self._data_reply, n))
            login = None
            if session.authenticated and session.auth_data is not None:
                login = session.auth_data.login.decode("utf-8", "replace")
            self._messages.append(Message(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                data=bytes(envelope.original_content),
                tls=session.ssl is not None,
                peer=session.peer,
                session_id=server.session_id,
                helo=session.host_name,
                auth_user=login,
                mail_options=list(envelope.mail_options),
                reply=reply))
            self._cond.notify_all()
        return reply

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        user = auth_data.login.decode("utf-8", "replace")
        ok = (user == self.auth["user"] and auth_data.password.decode(
            "utf-8", "replace") == self.auth["password"])
        with self._cond:
            self._auths.append((mechanism, user, ok))
            self._cond.notify_all()
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    # -- connections and errors (the loop's thread) -------------------------
    def _connected(self, proto):
        with self._cond:
            self._live.add(proto)
            self._connections += 1
            self._cond.notify_all()
            return self._connections

    def _disconnected(self, proto):
        with self._cond:
            self._live.discard(proto)

    def _error(self, error):
        with self._cond:
            self._errors.append(error)

    def _loop_error(self, loop, context):
        self._error(context.get("exception") or context.get("message"))

    # -- what the sink got --------------------------------------------------
    @property
    def messages(self):
        with self._cond:
            return list(self._messages)

    @property
    def rcpt_attempts(self):
        with self._cond:
            return list(self._rcpts)

    @property
    def connections(self):
        with self._cond:
            return self._connections

    @property
    def auth_attempts(self):
        with self._cond:
            return list(self._auths)

    @property
    def errors(self):
        with self._cond:
            return list(self._errors)

    def describe(self):
        """What the sink got, for assertion messages."""
        with self._cond:
            lines = ["sink %s: %d connection(s)" % (self.address,
                                                    self._connections)]
            lines += ["  message " + m.summary() for m in self._messages]
            lines += ["  RCPT %s -> %s" % r for r in self._rcpts]
            lines += ["  error %r" % (e,) for e in self._errors]
            return "\n".join(lines)

    def _wait(self, have, n, what, timeout):
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(have()) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        "expected %d %s within %ss, got %d\n%s"
                        % (n, what, timeout, len(have()), self.describe()))
                self._cond.wait(left)
            return list(have())

    def wait_messages(self, n, timeout=10):
        """Blocks until at least n messages arrived; returns them all."""
        return self._wait(lambda: self._messages, n, "message(s)", timeout)

    def wait_rcpts(self, n, timeout=10):
        """Blocks until at least n RCPT commands arrived; returns
        rcpt_attempts."""
        return self._wait(lambda: self._rcpts, n, "RCPT(s)", timeout)

    def wait_connections(self, n, timeout=10):
        """Blocks until at least n connections were accepted."""
        self._wait(lambda: range(self._connections), n, "connection(s)",
                   timeout)
        return self.connections

    def __repr__(self):
        return "<Sink %s>" % self.address


# -- fixtures (conftest imports them) -----------------------------------------

@pytest.fixture
def make_sink():
    """Factory: make_sink(**Sink arguments) -> a started Sink, stopped at
    the end of the test."""
    sinks = []

    def make(**kw):
        s = Sink(**kw).start()
        sinks.append(s)
        return s

    yield make
    for s in sinks:
        s.stop()


@pytest.fixture
def sink(make_sink):
    """A started plain Sink (no TLS, no AUTH)."""
    return make_sink()


@pytest.fixture
def tls_sink(make_sink):
    """A started Sink offering STARTTLS (its cert_path verifies it)."""
    return make_sink(tls="starttls")
