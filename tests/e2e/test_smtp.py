"""The SES SMTP interface (docs/smtp.md): the banner and EHLO lists, TLS
(STARTTLS, implicit TLS, the generated certificate), AUTH PLAIN and LOGIN
in default and strict mode, mail through the same send path as
SendRawEmail (capture, events, X-SES-* headers, quotas), every reply of the
contract byte for byte, and clients that misbehave: garbage, overlong
lines, slowloris, too many connections, 200 at once, pipelining. smtplib
and swaks are the clients; a raw socket wherever a reply must be seen
exactly as sent."""
import base64
import datetime
import hashlib
import random
import re
import select
import shutil
import socket
import ssl
import subprocess
import threading
import time
import warnings

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from conftest import (DEFAULT_ACCOUNT, ROOT, SMTP_TIMEOUT_S, run_sesbox,
                      smtp_password)

API = "/_sesbox/api/v1"
SENDER = "sender@example.com"
TO = "to@example.net"
SIM = "simulator.amazonses.com"
USER = "AKIDSMTPTEST"
PASSWORD = "anything-goes"
LOGIN = (USER, PASSWORD)
HOSTNAME = "email-smtp.amazonaws.com"
MAX_BYTES = 41943040

# The strict-mode credentials: SES-REFERENCE §6.2's example secret.
STRICT_KEY = "AKIDEXAMPLE"
STRICT_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
STRICT_ACCOUNT = "111122223333"
VECTORS = {
    "us-east-1": "BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9",
    "us-west-2": "BF2PynzbSCAjX08zhZZnP/kW+T9P5zs/1Er0pi5vTEmd",
    "eu-west-1": "BMW5RDrXmmVs0lV7GpI4oLkHXpZ4stDsk6q91z1g38Pk",
}

# SES-REFERENCE §6.1's real banner: "SimpleEmailService-d-N8DNVJOVF
# 1hh7w7XwCXyEHPypK4v6"; docs/smtp.md: d-XXXXXXXXXX YYYYYYYYYYYYYYYYYYYY.
BANNER = re.compile(r"220 email-smtp\.amazonaws\.com ESMTP "
                    r"SimpleEmailService-d-[A-Za-z0-9]{10} [A-Za-z0-9]{20}")
EHLO_BEFORE_TLS = [HOSTNAME, "8BITMIME", "SIZE 41943040", "PIPELINING",
                   "STARTTLS", "AUTH PLAIN LOGIN", "Ok"]
EHLO_AFTER_TLS = [x for x in EHLO_BEFORE_TLS if x != "STARTTLS"]
# The API's MessageId (test_send.MSGID), any region.
MSGID = (r"01[0-9a-f]{2}[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-"
         r"[89ab][0-9a-f]{3}-[0-9a-f]{12}-000000")
ACCEPTED = re.compile(r"250 Ok (%s)" % MSGID)

GO_AHEAD = "354 End data with <CR><LF>.<CR><LF>"
AUTH_OK = "235 Authentication successful."
NOT_VERIFIED = ("554 Message rejected: Email address is not verified. The "
                "following identities failed the check in region %s: %s")
RATE = "454 Throttling failure: Maximum sending rate exceeded."
DAILY = "454 Throttling failure: Daily message quota exceeded."
TOO_LONG = "552 Message is too long."
TIMEOUT = "451 4.4.2 Timeout waiting for data from client."
HELP = "214 See https://docs.aws.amazon.com/ses/latest/dg/send-email-smtp.html"
UNRECOGNIZED = "500 Unrecognized command"
TOO_MANY_CONNECTIONS = "421 Too many concurrent SMTP connections"

BAD_MIME = sorted(p.parent for p in (ROOT / "fixtures" / "mime" / "parse")
                  .glob("*/expected-error.txt"))


# -- a raw SMTP client -------------------------------------------------------

class Raw:
    """A line-level SMTP client on a plain or TLS socket: replies come back
    exactly as sent (lines joined by CRLF), and anything can be written."""

    def __init__(self, port, context=None):
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             SMTP_TIMEOUT_S)
        if context is not None:
            self.sock = context.wrap_socket(self.sock,
                                            server_hostname="localhost")
        self.buf = b""
        self.banner = None

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed; unread %r" % self.buf)
        self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self):
        """One reply; a multi-line one as its lines joined by CRLF."""
        lines = [self.line()]
        while len(lines[-1]) > 3 and lines[-1][3] == "-":
            lines.append(self.line())
        return "\r\n".join(lines)

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def starttls(self, context):
        assert self.cmd("STARTTLS") == "220 Ready to start TLS"
        assert self.buf == b""
        self.sock = context.wrap_socket(self.sock,
                                        server_hostname="localhost")

    def rest(self):
        """Every reply line still to come, up to the server's close."""
        lines = []
        try:
            while True:
                lines.append(self.line())
        except EOFError:
            pass
        except (ConnectionResetError, ssl.SSLError):
            pass
        assert self.buf == b"", self.buf
        return lines

    def closed(self):
        """Whether the server has closed the connection with nothing more
        to say (waits up to the socket timeout)."""
        return self.rest() == []

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def plain(user, password):
    return base64.b64encode(("\0%s\0%s" % (user, password)).encode()).decode()


def b64(text):
    return base64.b64encode(text.encode()).decode()


def open_session(srv, mode="starttls", login=LOGIN, ehlo=True):
    """A Raw session on srv: banner read, EHLO'd, under TLS (mode
    starttls: STARTTLS on --smtp; smtps: the implicit-TLS port; plain: no
    TLS) and authenticated (login) with AUTH PLAIN."""
    if mode == "smtps":
        s = Raw(srv.smtps_port, srv.tls_context())
    else:
        s = Raw(srv.smtp_port)
    s.banner = s.reply()
    assert BANNER.fullmatch(s.banner), s.banner
    if ehlo:
        assert s.cmd("EHLO client.example").startswith("250-")
        if mode == "starttls":
            s.starttls(srv.tls_context())
            assert s.cmd("EHLO client.example").startswith("250-")
    if login:
        assert s.cmd("AUTH PLAIN " + plain(*login)) == AUTH_OK
    return s


@pytest.fixture
def raw(server):
    """raw(srv=None, mode=..., login=..., ehlo=True) -> an open_session,
    closed at the end of the test."""
    opened = []

    def make(srv=None, **kw):
        s = open_session(srv or server, **kw)
        opened.append(s)
        return s

    yield make
    for s in opened:
        s.close()


def message(subject="Hello", to=TO, sender=SENDER, headers=(),
            body="Hi there\r\n"):
    """A small RFC 5322 message with CRLF line ends, as bytes."""
    head = ["From: " + sender, "To: " + to, "Subject: " + subject,
            *headers]
    if isinstance(body, str):
        body = body.encode()
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def stuff(data):
    """data dot-stuffed and ending in CRLF, ready for the final '.'."""
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def transaction(s, data, sender=SENDER, rcpts=(TO,), params=""):
    """MAIL, RCPT (each answered 250 Ok), DATA and data; returns the reply
    to the end of data."""
    assert s.cmd("MAIL FROM:<%s>%s" % (sender, params)) == "250 Ok"
    for rcpt in rcpts:
        assert s.cmd("RCPT TO:<%s>" % rcpt) == "250 Ok"
    assert s.cmd("DATA") == GO_AHEAD
    s.send(stuff(data) + b".\r\n")
    return s.reply()


def accepted(reply):
    """The MessageId of a '250 Ok <MessageId>' reply."""
    if isinstance(reply, tuple):            # smtplib: (code, bytes)
        reply = "%d %s" % (reply[0], reply[1].decode())
    m = ACCEPTED.fullmatch(reply)
    assert m, reply
    return m.group(1)


def captured(srv, mid):
    r = srv.get(API + "/messages/" + mid)
    assert r.status_code == 200, r.text
    return r.json()


def raw_of(srv, mid):
    r = srv.get(API + "/messages/%s/raw" % mid)
    assert r.status_code == 200, r.text
    return r.content


def listing(srv, **params):
    params.setdefault("limit", "1000")
    r = srv.get(API + "/messages", params=params)
    assert r.status_code == 200, r.text
    return r.json()["messages"]


def event_types(srv, mid):
    srv.flush()
    return [e["Type"] for e in captured(srv, mid)["Events"]]


def set_clock(srv, **body):
    r = srv.post(API + "/clock", json=body)
    assert r.status_code == 200, r.text


def verified(ses, srv=None, sender=SENDER, **kw):
    client = ses(srv=srv, **kw)
    client.verify_email_identity(EmailAddress=sender)
    return client


@pytest.fixture
def v1(ses):
    return verified(ses)


def api_error(v1, raw, source=SENDER, destinations=(TO,)):
    """SendRawEmail's error for the same message, as SMTP words it
    (docs/smtp.md): MessageRejected and the pauses -> 554 Message rejected,
    InvalidParameterValue -> 554 Transaction failed."""
    with pytest.raises(ClientError) as exc:
        v1.send_raw_email(Source=source, Destinations=list(destinations),
                          RawMessage={"Data": raw})
    error = exc.value.response["Error"]
    prefix = {"MessageRejected": "554 Message rejected: ",
              "AccountSendingPausedException": "554 Message rejected: ",
              "ConfigurationSetSendingPausedException":
                  "554 Message rejected: ",
              "InvalidParameterValue": "554 Transaction failed: "}
    assert error["Code"] in prefix, error
    return prefix[error["Code"]] + error["Message"]


# -- credentials -------------------------------------------------------------

@pytest.mark.parametrize("region", sorted(VECTORS))
def test_smtp_password_vectors(region):
    assert smtp_password(STRICT_SECRET, region) == VECTORS[region]


# -- banner, EHLO, TLS -------------------------------------------------------

def multiline(code, lines):
    """A multi-line reply as sent: CODE-line ... CODE line."""
    return "\r\n".join("%d%s%s" % (code, "-" if i < len(lines) - 1 else " ",
                                     text) for i, text in enumerate(lines))


def test_banner_and_ehlo_before_and_after_starttls(server, raw):
    s = raw(mode="plain", login=None, ehlo=False)
    assert s.cmd("EHLO client.example") == multiline(250,
                                                     EHLO_BEFORE_TLS)
    s.starttls(server.tls_context())
    assert s.cmd("EHLO client.example") == multiline(250, EHLO_AFTER_TLS)
    assert s.cmd("STARTTLS") == "503 TLS already active"
    assert s.cmd("HELO client.example") == "250 " + HOSTNAME
    assert s.cmd("QUIT") == "221 Bye"
    assert s.closed()


def test_ehlo_lists_through_smtplib(server, smtp, smtps):
    client = smtp(starttls=False)
    code, msg = client.banner
    assert code == 220 and BANNER.fullmatch("220 " + msg.decode()), msg
    assert client.ehlo() == (250, "\n".join(EHLO_BEFORE_TLS).encode())
    assert client.has_extn("starttls") and client.has_extn("pipelining")
    assert client.starttls(context=server.tls_context()) == (
        220, b"Ready to start TLS")
    assert client.ehlo() == (250, "\n".join(EHLO_AFTER_TLS).encode())
    assert client.helo() == (250, HOSTNAME.encode())
    implicit = smtps()
    code, msg = implicit.banner
    assert code == 220 and BANNER.fullmatch("220 " + msg.decode()), msg
    assert implicit.ehlo() == (250, "\n".join(EHLO_AFTER_TLS).encode())
    assert implicit.docmd("STARTTLS") == (503, b"TLS already active")
    assert implicit.quit() == (221, b"Bye")


@pytest.mark.parametrize("mode", ["plain", "smtps"])
def test_ehlo_and_helo_need_a_domain(raw, mode):
    s = raw(mode=mode, login=None, ehlo=False)
    assert s.cmd("EHLO") == "501 Syntax: EHLO hostname"
    assert s.cmd("HELO") == "501 Syntax: HELO hostname"
    assert s.cmd("HELO client.example") == "250 " + HOSTNAME


def test_generated_certificate(server):
    pem = open(server.tls_cert, "rb").read()
    cert = x509.load_pem_x509_certificate(pem)
    der = cert.public_bytes(serialization.Encoding.DER)
    names = cert.extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    assert sorted(names.get_values_for_type(x509.DNSName)) == ["localhost"]
    assert sorted(str(ip) for ip in names.get_values_for_type(
        x509.IPAddress)) == ["127.0.0.1", "::1"]
    key = cert.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert key.curve.name == "secp256r1"
    lifetime = cert.not_valid_after - cert.not_valid_before
    assert 824 <= lifetime.days <= 826, lifetime
    # The logged fingerprint is the certificate's.
    line = server.wait_for_line(lambda f: f.get("msg") == "smtp tls")
    assert line["cert"] == server.tls_cert
    assert line["fingerprint"] == ":".join(
        "%02X" % b for b in hashlib.sha256(der).digest())
    assert line["generated"] == "1"
    # Both listeners present it, verified by name and by address.
    for port in (server.smtp_port, server.smtps_port):
        s = Raw(port)
        try:
            if port == server.smtp_port:
                s.reply()
                s.cmd("EHLO client.example")
                s.starttls(server.tls_context())
            else:
                s.sock = server.tls_context().wrap_socket(
                    s.sock, server_hostname="localhost")
            assert s.sock.getpeercert(binary_form=True) == der
            assert s.sock.version() in ("TLSv1.2", "TLSv1.3")
        finally:
            s.close()
    with socket.create_connection(("127.0.0.1", server.smtps_port),
                                  SMTP_TIMEOUT_S) as sock:
        with server.tls_context().wrap_socket(
                sock, server_hostname="127.0.0.1") as tls:
            assert tls.getpeercert(binary_form=True) == der


def test_unverifiable_without_the_ca_file(server):
    ctx = ssl.create_default_context()          # the system's CAs only
    with socket.create_connection(("127.0.0.1", server.smtps_port),
                                  SMTP_TIMEOUT_S) as sock:
        with pytest.raises(ssl.SSLCertVerificationError):
            ctx.wrap_socket(sock, server_hostname="localhost")


def test_certificate_kept_across_restarts(tmp_path, start_server):
    data = str(tmp_path / "data")
    first = start_server("--data", data, ephemeral=False)
    one = first.wait_for_line(lambda f: f.get("msg") == "smtp tls")
    assert one["generated"] == "1"
    assert first.stop() == 0
    second = start_server("--data", data, ephemeral=False)
    two = second.wait_for_line(lambda f: f.get("msg") == "smtp tls")
    assert (two["generated"], two["fingerprint"]) == ("0", one["fingerprint"])
    s = open_session(second, login=None)
    s.close()


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME,
                                         "sesbox test CA")])
    now = datetime.datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                           critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return cert, str(cert_path), str(key_path)


def test_own_certificate(tmp_path, start_server, smtps):
    cert, cert_path, key_path = _self_signed(tmp_path)
    srv = start_server("--smtp-tls-cert", cert_path, "--smtp-tls-key",
                       key_path)
    assert srv.tls_cert == cert_path
    client = smtps(srv=srv, login=LOGIN)
    assert client.sock.getpeercert(binary_form=True) == cert.public_bytes(
        serialization.Encoding.DER)


@pytest.mark.parametrize("which", ["smtp-tls-cert", "smtp-tls-key"])
def test_certificate_and_key_come_together(tmp_path, which):
    _, cert_path, key_path = _self_signed(tmp_path)
    path = cert_path if which == "smtp-tls-cert" else key_path
    proc = run_sesbox(["--ephemeral", "--listen", "127.0.0.1:0", "--smtp",
                       "127.0.0.1:0", "--smtps", "127.0.0.1:0",
                       "--" + which, path])
    assert proc.returncode not in (0, None), proc


@pytest.mark.parametrize("off", ["smtp", "smtps"])
def test_listener_off(start_server, off):
    srv = start_server("--" + off, "off")
    assert getattr(srv, off + "_addr") == "off"
    assert getattr(srv, off + "_port") is None
    s = open_session(srv, mode="starttls" if off == "smtps" else "smtps")
    assert s.cmd("QUIT") == "221 Bye"
    s.close()


# -- AUTH --------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_auth_plain_initial_response_through_smtplib(smtp, smtps, mode):
    client = smtp() if mode == "starttls" else smtps()
    assert client.login(*LOGIN) == (235, b"Authentication successful.")


@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_auth_plain_without_initial_response(raw, mode):
    s = raw(mode=mode, login=None)
    assert s.cmd("AUTH PLAIN") == "334 "
    assert s.cmd(plain(*LOGIN)) == AUTH_OK
    assert s.cmd("AUTH PLAIN " + plain(*LOGIN)) == "503 Already authenticated"


@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_auth_login(raw, mode, v1, server):
    s = raw(mode=mode, login=None)
    assert s.cmd("AUTH LOGIN") == "334 VXNlcm5hbWU6"
    assert s.cmd(b64(USER)) == "334 UGFzc3dvcmQ6"
    assert s.cmd(b64(PASSWORD)) == AUTH_OK
    mid = accepted(transaction(s, message(subject="login " + mode)))
    assert captured(server, mid)["Subject"] == "login " + mode


def test_auth_login_through_smtplib(smtp):
    client = smtp()
    client.user, client.password = LOGIN
    assert client.auth("LOGIN", client.auth_login,
                       initial_response_ok=False) == (
        235, b"Authentication successful.")


def test_auth_exchange_errors(raw):
    s = raw(login=None)
    assert s.cmd("AUTH CRAM-MD5") == "504 Unrecognized authentication type"
    assert s.cmd("AUTH PLAIN") == "334 "
    assert s.cmd("*") == "501 Authentication cancelled"
    assert s.cmd("AUTH PLAIN !!!not-base64!!!") == "501 Invalid base64 data"
    assert s.cmd("AUTH LOGIN") == "334 VXNlcm5hbWU6"
    assert s.cmd("*") == "501 Authentication cancelled"
    assert s.cmd("AUTH LOGIN") == "334 VXNlcm5hbWU6"
    assert s.cmd("%%%") == "501 Invalid base64 data"
    # None of that authenticated, and the session goes on.
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "530 Authentication required"
    assert s.cmd("AUTH PLAIN " + plain(*LOGIN)) == AUTH_OK
    assert s.cmd("AUTH LOGIN") == "503 Already authenticated"
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "250 Ok"


def test_auth_refused_before_tls(server, raw):
    s = raw(mode="plain", login=None)
    need_tls = "530 Must issue a STARTTLS command first"
    assert s.cmd("AUTH PLAIN " + plain(*LOGIN)) == need_tls
    assert s.cmd("AUTH LOGIN") == need_tls
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "530 Authentication required"
    s.starttls(server.tls_context())
    assert s.cmd("EHLO client.example").startswith("250-")
    assert s.cmd("AUTH PLAIN " + plain(*LOGIN)) == AUTH_OK


def test_auth_without_tls_option(start_server, ses):
    srv = start_server("--smtp-auth-without-tls")
    verified(ses, srv)
    s = open_session(srv, mode="plain")
    mid = accepted(transaction(s, message(subject="plaintext")))
    s.close()
    assert captured(srv, mid)["Api"] == "smtp"


def test_mail_needs_auth_over_tls(raw):
    s = raw(login=None)
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "530 Authentication required"
    assert s.cmd("AUTH PLAIN " + plain(*LOGIN)) == AUTH_OK
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "250 Ok"


@pytest.mark.parametrize("user, password", [
    ("anyone", "anything"), (USER, "x-secret"), ("AKIAIOSFODNN7EXAMPLE",
                                           VECTORS["us-east-1"])])
def test_default_auth_accepts_anything(server, raw, v1, user, password):
    start = server.log_len()
    s = raw(login=(user, password))
    mid = accepted(transaction(s, message()))
    # A key not in --credentials is the default account's.
    assert captured(server, mid)["Account"] == DEFAULT_ACCOUNT
    # The access key is logged; the password and the AUTH payload never.
    log = server.log(start)
    assert user in log
    assert password not in log and plain(user, password) not in log


def test_auth_login_password_not_logged(server, raw):
    start = server.log_len()
    s = raw(login=None)
    secret = "Pa55-word-never-logged"
    assert s.cmd("AUTH LOGIN") == "334 VXNlcm5hbWU6"
    assert s.cmd(b64(USER)) == "334 UGFzc3dvcmQ6"
    assert s.cmd(b64(secret)) == AUTH_OK
    assert s.cmd("QUIT") == "221 Bye"
    assert s.closed()
    log = server.log(start)
    assert secret not in log and b64(secret) not in log


@pytest.fixture
def strict(start_server):
    return start_server("--strict-auth", "--region", "eu-west-1",
                        "--credentials", "%s:%s:%s" % (
                            STRICT_KEY, STRICT_SECRET, STRICT_ACCOUNT))


def test_strict_auth(strict, ses):
    verified(ses, strict, region="eu-west-1", key=STRICT_KEY,
             secret=STRICT_SECRET)
    good = smtp_password(STRICT_SECRET, "eu-west-1")
    assert good == VECTORS["eu-west-1"]
    kmsg = base64.b64decode(good)[1:]
    s = open_session(strict, login=None)
    invalid = "535 Authentication Credentials Invalid"
    for user, password in [
            (STRICT_KEY, VECTORS["us-east-1"]),          # another region's
            (STRICT_KEY, VECTORS["us-west-2"]),
            (STRICT_KEY, STRICT_SECRET),                 # the secret itself
            (STRICT_KEY, base64.b64encode(b"\x02" + kmsg).decode()),
            ("AKIDUNKNOWN", good),                       # not a known key
            (STRICT_KEY.lower(), good)]:
        assert s.cmd("AUTH PLAIN " + plain(user, password)) == invalid, user
    assert s.cmd("AUTH LOGIN") == "334 VXNlcm5hbWU6"
    assert s.cmd(b64(STRICT_KEY)) == "334 UGFzc3dvcmQ6"
    assert s.cmd(b64(VECTORS["us-east-1"])) == invalid
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "530 Authentication required"
    assert s.cmd("AUTH PLAIN " + plain(STRICT_KEY, good)) == AUTH_OK
    mid = accepted(transaction(s, message(subject="strict")))
    s.close()
    assert mid.startswith("0102")                        # eu-west-1's ids
    full = captured(strict, mid)
    assert (full["Account"], full["Region"]) == (STRICT_ACCOUNT, "eu-west-1")
    # LOGIN with the right password too.
    s = open_session(strict, mode="smtps", login=None)
    assert s.cmd("AUTH LOGIN") == "334 VXNlcm5hbWU6"
    assert s.cmd(b64(STRICT_KEY)) == "334 UGFzc3dvcmQ6"
    assert s.cmd(b64(good)) == AUTH_OK
    s.close()


def test_access_key_selects_the_account(start_server, ses):
    srv = start_server("--credentials", "AKIDOTHER:other-secret:222233334444")
    verified(ses, srv, key="AKIDOTHER", secret="other-secret")
    s = open_session(srv, login=("AKIDOTHER", "whatever"))
    mid = accepted(transaction(s, message(subject="other account")))
    s.close()
    assert captured(srv, mid)["Account"] == "222233334444"
    # The sender is verified in that account only.
    s = open_session(srv, login=("AKIDSOMEONEELSE", "whatever"))
    assert transaction(s, message()) == NOT_VERIFIED % ("US-EAST-1", SENDER)
    s.close()


# -- accepted mail -----------------------------------------------------------

@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_send_through_smtplib(server, smtp, smtps, v1, mode):
    client = (smtp if mode == "starttls" else smtps)(login=LOGIN)
    assert client.mail(SENDER) == (250, b"Ok")
    assert client.rcpt(TO) == (250, b"Ok")
    mid = accepted(client.data(message(subject="Over " + mode)))
    assert client.quit() == (221, b"Bye")
    full = captured(server, mid)
    assert {k: full[k] for k in (
        "MessageId", "Account", "Region", "Kind", "Source", "Destinations",
        "Subject", "Api", "Operation")} == {
        "MessageId": mid, "Account": DEFAULT_ACCOUNT, "Region": "us-east-1",
        "Kind": "send", "Source": SENDER, "Destinations": [TO],
        "Subject": "Over " + mode, "Api": "smtp",
        "Operation": "SendSmtpEmail"}
    assert full["Envelope"] == {"MailFrom": SENDER, "RcptTo": [TO]}
    headers = {h["name"].lower(): h["value"] for h in full["Headers"]}
    assert headers["message-id"] == "<%s@email.amazonses.com>" % mid
    assert "date" in headers
    assert full["Text"].strip() == "Hi there"
    assert [m["MessageId"] for m in listing(server, api="smtp")] == [mid]
    assert event_types(server, mid) == ["Send", "Delivery"]


def test_same_events_as_send_raw_email(server, raw, v1):
    to = ["success@" + SIM, "bounce@" + SIM, "complaint@" + SIM]
    data = message(to=", ".join(to), subject="events")
    by_api = v1.send_raw_email(Source=SENDER, Destinations=to,
                               RawMessage={"Data": data})["MessageId"]
    by_smtp = accepted(transaction(raw(), data, rcpts=to))
    server.flush()
    api_types = sorted(event_types(server, by_api))
    assert sorted(event_types(server, by_smtp)) == api_types
    assert set(api_types) == {"Send", "Delivery", "Bounce", "Complaint"}


def test_envelope_is_source_and_destinations(server, raw, v1):
    data = message(sender="Sender Name <%s>" % SENDER,
                   to="visible@example.net",
                   headers=["Cc: cc@example.net"], subject="envelope")
    # RCPT decides: cc@ is in the header only; hidden@ is Bcc, RCPT only.
    mid = accepted(transaction(raw(), data, rcpts=(
        "visible@example.net", "hidden@example.net")))
    full = captured(server, mid)
    assert full["Source"] == SENDER
    assert full["Destinations"] == ["visible@example.net",
                                    "hidden@example.net"]
    assert full["Envelope"] == {"MailFrom": SENDER, "RcptTo": [
        "visible@example.net", "hidden@example.net"]}
    assert b"hidden@example.net" not in raw_of(server, mid)
    assert [m["MessageId"] for m in listing(
        server, to="hidden@example.net")] == [mid]
    assert listing(server, to="cc@example.net") == []


def test_sending_authorization_headers_honoured_and_stripped(server, raw,
                                                            v1):
    arn = "arn:aws:ses:us-east-1:%s:identity/%s" % (DEFAULT_ACCOUNT, SENDER)
    data = message(subject="arns", headers=[
        "X-SES-SOURCE-ARN: " + arn, "X-SES-FROM-ARN: " + arn,
        "X-SES-RETURN-PATH-ARN: " + arn])
    mid = accepted(transaction(raw(), data))
    assert b"X-SES-" not in raw_of(server, mid).upper()
    # Another account's identity without a policy is refused, as by the API.
    other = data.replace(DEFAULT_ACCOUNT.encode(), b"999999999999")
    api = pytest.raises(ClientError, v1.send_raw_email, Source=SENDER,
                        Destinations=[TO], RawMessage={"Data": other})
    assert api.value.response["Error"]["Code"] in (
        "AccessDenied", "MessageRejected", "InvalidParameterValue")
    assert transaction(raw(), other).startswith("554 ")


def test_ses_headers_honoured_and_stripped(server, raw, v1, sesv2):
    v2 = sesv2()
    v2.create_configuration_set(ConfigurationSetName="cs1")
    v2.create_configuration_set_event_destination(
        ConfigurationSetName="cs1", EventDestinationName="fh",
        EventDestination={
            "Enabled": True, "MatchingEventTypes": ["SEND", "DELIVERY"],
            "KinesisFirehoseDestination": {
                "IamRoleArn": "arn:aws:iam::000000000000:role/ses-firehose",
                "DeliveryStreamArn": "arn:aws:firehose:us-east-1:"
                                     "000000000000:deliverystream/ses"}})
    data = message(subject="tagged", headers=[
        "X-SES-CONFIGURATION-SET: cs1",
        "X-SES-MESSAGE-TAGS: team=mail, kind=smtp"])
    mid = accepted(transaction(raw(), data))
    server.flush()
    full = captured(server, mid)
    assert full["ConfigurationSet"] == "cs1"
    assert (full["Tags"]["team"], full["Tags"]["kind"]) == (["mail"],
                                                            ["smtp"])
    names = [h["name"].lower() for h in full["Headers"]]
    assert "x-ses-configuration-set" not in names
    assert "x-ses-message-tags" not in names
    assert b"X-SES-" not in raw_of(server, mid).upper()
    pubs = full["Publications"]
    assert [(p["Type"], p["Origin"]) for p in pubs] == [("Send", "fh"),
                                                        ("Delivery", "fh")]
    for p in pubs:
        tags = p["Payload"]["mail"]["tags"]
        assert tags["team"] == ["mail"] and tags["kind"] == ["smtp"]
        assert tags["ses:configuration-set"] == ["cs1"]
    assert [m["MessageId"] for m in listing(
        server, configuration_set="cs1", tag="kind:smtp")] == [mid]


def test_dot_unstuffing(server, raw, v1):
    s = raw()
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "250 Ok"
    assert s.cmd("RCPT TO:<%s>" % TO) == "250 Ok"
    assert s.cmd("DATA") == GO_AHEAD
    head = message(subject="dots", body="")
    # Sent stuffed by hand: each leading '.' doubled.
    s.send(head + b"..one dot\r\n...two dots\r\n..\r\nnone\r\n.\r\n")
    mid = accepted(s.reply())
    body = raw_of(server, mid).split(b"\r\n\r\n", 1)[1]
    assert body == b".one dot\r\n..two dots\r\n.\r\nnone\r\n"


def test_leading_dots_through_smtplib(server, smtp, v1):
    client = smtp(login=LOGIN)
    text = b".starts with a dot\r\n.\r\n..\r\nend\r\n"
    client.mail(SENDER)
    client.rcpt(TO)
    mid = accepted(client.data(message(subject="dots", body=text)))
    assert raw_of(server, mid).split(b"\r\n\r\n", 1)[1] == text


def test_8bitmime(server, smtp, v1):
    client = smtp(login=LOGIN)
    text = "Grüße aus Köln — 日本語\r\n"
    data = message(subject="8bit", headers=[
        "MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit"], body=text)
    assert client.mail(SENDER, ["BODY=8BITMIME"]) == (250, b"Ok")
    assert client.rcpt(TO) == (250, b"Ok")
    mid = accepted(client.data(data))
    assert raw_of(server, mid).split(b"\r\n\r\n", 1)[1] == text.encode()
    assert "Grüße aus Köln — 日本語" in captured(server, mid)["Text"]


def test_bare_lf_lines_taken_as_crlf(server, raw, v1):
    s = raw()
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "250 Ok"
    assert s.cmd("RCPT TO:<%s>" % TO) == "250 Ok"
    assert s.cmd("DATA") == GO_AHEAD
    s.send(("From: %s\nTo: %s\nSubject: bare lf\n\nline one\nline two\n"
            ".\r\n" % (SENDER, TO)).encode())
    mid = accepted(s.reply())
    stored = raw_of(server, mid)
    assert b"Subject: bare lf\r\n" in stored
    assert stored.split(b"\r\n\r\n", 1)[1] == b"line one\r\nline two\r\n"
    assert b"\n" not in stored.replace(b"\r\n", b"")


def test_message_over_the_api_limit_is_accepted(server, raw, v1):
    # SendRawEmail stops at 10485760 bytes; SMTP takes up to 41943040.
    data = message(subject="eleven MB", body=(b"y" * 998 + b"\r\n") * 11000)
    assert len(data) > 11000000
    mid = accepted(transaction(raw(), data))
    assert captured(server, mid)["Size"] > 11000000


# -- errors from the send path -----------------------------------------------

def test_unverified_sender(server, raw, v1):
    s = raw()
    stranger = "nobody@unverified.example"
    data = message(sender=stranger, subject="unverified")
    want = NOT_VERIFIED % ("US-EAST-1", stranger)
    assert api_error(v1, data, source=stranger) == want
    assert transaction(s, data, sender=stranger) == want
    # The transaction is over; the session goes on.
    mid = accepted(transaction(s, message(subject="verified")))
    assert [m["MessageId"] for m in listing(server, api="smtp")] == [mid]


def smtp_metrics(srv):
    """The sesbox_smtp_* samples of /_sesbox/metrics, by name and labels."""
    r = srv.get("/_sesbox/metrics")
    assert r.status_code == 200, r.text
    return dict(line.rsplit(" ", 1) for line in r.text.splitlines()
                if line.startswith("sesbox_smtp_"))


def test_metrics_count_messages_by_reply(start_server, ses):
    srv = start_server()
    verified(ses, srv)
    before = smtp_metrics(srv)
    assert before['sesbox_smtp_messages_total{reply="250"}'] == "0"
    s = open_session(srv)
    try:
        accepted(transaction(s, message()))
        stranger = "nobody@unverified.example"
        assert transaction(s, message(sender=stranger), sender=stranger) \
            == NOT_VERIFIED % ("US-EAST-1", stranger)
        assert smtp_metrics(srv) == {
            **before,
            "sesbox_smtp_sessions": "1",
            'sesbox_smtp_messages_total{reply="250"}': "1",
            'sesbox_smtp_messages_total{reply="554"}': "1"}
    finally:
        s.close()


def test_pauses_rejected_as_the_api_words_them(server, raw, v1, sesv2):
    sesv2().create_configuration_set(ConfigurationSetName="paused")
    sesv2().put_configuration_set_sending_options(
        ConfigurationSetName="paused", SendingEnabled=False)
    data = message(subject="set paused",
                   headers=["X-SES-CONFIGURATION-SET: paused"])
    want = api_error(v1, data)
    assert want.startswith("554 Message rejected: ")
    assert transaction(raw(), data) == want
    v1.update_account_sending_enabled(Enabled=False)
    data = message(subject="account paused")
    want = api_error(v1, data)
    assert want.startswith("554 Message rejected: ")
    assert transaction(raw(), data) == want
    assert listing(server) == []


def test_sandbox_recipient_not_verified(start_server, ses):
    srv = start_server("--sandbox")
    verified(ses, srv)
    s = open_session(srv)
    assert transaction(s, message(to="stranger@example.net"), rcpts=(
        "stranger@example.net",)) == NOT_VERIFIED % (
        "US-EAST-1", "stranger@example.net")
    s.close()
    assert listing(srv, api="smtp") == []


def test_sending_rate(start_server, ses):
    srv = start_server("--max-send-rate", "2")
    verified(ses, srv)
    set_clock(srv, set_ms=1800000000000)
    s = open_session(srv)
    first = accepted(transaction(s, message(subject="one")))
    second = accepted(transaction(s, message(subject="two")))
    assert transaction(s, message(subject="three")) == RATE
    set_clock(srv, advance_ms=1000)
    third = accepted(transaction(s, message(subject="three")))
    s.close()
    assert sorted(m["MessageId"] for m in listing(srv, api="smtp")) == \
        sorted([first, second, third])


def test_daily_quota(start_server, ses):
    srv = start_server("--max-24h-send", "2", "--max-send-rate", "1000")
    verified(ses, srv)
    set_clock(srv, set_ms=1800000000000)
    s = open_session(srv)
    accepted(transaction(s, message()))
    accepted(transaction(s, message()))
    assert transaction(s, message(subject="over")) == DAILY
    assert s.cmd("NOOP") == "250 Ok"
    set_clock(srv, advance_ms=24 * 3600 * 1000)
    accepted(transaction(s, message(subject="next day")))
    s.close()
    assert len(listing(srv, api="smtp")) == 3


def test_size_parameter(raw):
    s = raw()
    assert s.cmd("MAIL FROM:<%s> SIZE=%d" % (SENDER, MAX_BYTES + 1)) == \
        TOO_LONG
    assert s.cmd("MAIL FROM:<%s> SIZE=%d" % (SENDER, MAX_BYTES)) == "250 Ok"
    assert s.cmd("RSET") == "250 Ok"
    assert s.cmd("MAIL FROM:<%s> SIZE=100 BODY=7BIT" % SENDER) == "250 Ok"
    assert s.cmd("RSET") == "250 Ok"
    assert s.cmd("MAIL FROM:<%s> BODY=8BITMIME" % SENDER) == "250 Ok"


def test_message_too_long(server, smtp, v1):
    client = smtp(login=LOGIN)
    head = message(subject="too long", body=b"")
    line = b"z" * 998 + b"\r\n"
    data = head + line * ((MAX_BYTES - len(head)) // len(line) + 2)
    assert MAX_BYTES < len(data) < MAX_BYTES + 2 * len(line)
    assert client.mail(SENDER) == (250, b"Ok")
    assert client.rcpt(TO) == (250, b"Ok")
    assert client.data(data) == (552, b"Message is too long.")
    # The session is still usable.
    assert client.mail(SENDER) == (250, b"Ok")
    assert client.rcpt(TO) == (250, b"Ok")
    mid = accepted(client.data(message(subject="after")))
    assert [m["MessageId"] for m in listing(server, api="smtp")] == [mid]


@pytest.mark.parametrize("address", ["no-at-sign", "@example.com",
                                     "a@exa_mple.com"])
def test_bad_addresses(raw, address):
    s = raw()
    assert s.cmd("MAIL FROM:<%s>" % address) == \
        "553 <%s> Invalid email address" % address
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "250 Ok"
    assert s.cmd("RCPT TO:<%s>" % address) == \
        "553 <%s> address unknown" % address
    assert s.cmd("RCPT TO:<%s>" % TO) == "250 Ok"


@pytest.mark.parametrize("case", BAD_MIME, ids=[c.name for c in BAD_MIME])
def test_malformed_mime(server, raw, v1, case):
    # Every malformed-MIME golden case: SendRawEmail's text (test_send).
    data = (case / "input.eml").read_bytes()
    want = (case / "expected-error.txt").read_text().rstrip("\n")
    assert transaction(raw(), data) == "554 Transaction failed: " + want
    assert listing(server) == []


def test_missing_from_as_send_raw_email_with_source(server, raw, v1):
    # SendRawEmail wants a From header only when it has no Source; over
    # SMTP MAIL FROM is the Source (docs/smtp.md), so a message without
    # one goes, as it does through the API.
    data = b"To: to@example.net\r\nSubject: no from\r\n\r\nbody\r\n"
    v1.send_raw_email(Source=SENDER, Destinations=[TO],
                      RawMessage={"Data": data})
    mid = accepted(transaction(raw(), data))
    assert captured(server, mid)["Source"] == SENDER


@pytest.mark.parametrize("header", [
    "X-SES-MESSAGE-TAGS: bad name=v",
    "X-SES-MESSAGE-TAGS: n=bad value",
    "X-SES-SOURCE-ARN: not-an-arn",
])
def test_bad_ses_header_like_send_raw_email(server, raw, v1, header):
    data = message(subject="bad header", headers=[header])
    want = api_error(v1, data)
    assert transaction(raw(), data) == want
    assert listing(server) == []


def test_recipient_limit(server, raw, v1):
    s = raw()
    rcpts = ["r%d@example.net" % i for i in range(51)]
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "250 Ok"
    for rcpt in rcpts[:50]:
        assert s.cmd("RCPT TO:<%s>" % rcpt) == "250 Ok"
    assert s.cmd("RCPT TO:<%s>" % rcpts[50]) == \
        "554 Transaction failed: Recipient count exceeds 50."
    # The 51st is refused; the 50 go.
    assert s.cmd("DATA") == GO_AHEAD
    s.send(stuff(message(subject="fifty")) + b".\r\n")
    mid = accepted(s.reply())
    assert captured(server, mid)["Destinations"] == rcpts[:50]


# -- the session -------------------------------------------------------------

def test_command_order_and_small_commands(raw):
    s = raw()
    assert s.cmd("RCPT TO:<%s>" % TO) == "503 Need MAIL command"
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "250 Ok"
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "503 Sender already specified"
    assert s.cmd("DATA") == "503 Need RCPT command"
    assert s.cmd("RSET") == "250 Ok"
    assert s.cmd("RCPT TO:<%s>" % TO) == "503 Need MAIL command"
    assert s.cmd("NOOP") == "250 Ok"
    assert s.cmd("noop") == "250 Ok"                 # verbs in any case
    assert s.cmd("HELP") == HELP
    assert s.cmd("VRFY someone@example.net") == "252 Cannot VRFY user"
    assert s.cmd("FROB nicate") == UNRECOGNIZED
    # RSET keeps the authentication.
    assert s.cmd("MAIL FROM:<%s>" % SENDER) == "250 Ok"
    assert s.cmd("QUIT") == "221 Bye"
    assert s.closed()


def test_pipelining(server, raw, v1):
    s = raw(mode="smtps")
    s.send("MAIL FROM:<%s>\r\nRCPT TO:<a@example.net>\r\n"
           "RCPT TO:<b@example.net>\r\nDATA\r\n" % SENDER)
    assert [s.reply() for _ in range(4)] == ["250 Ok", "250 Ok", "250 Ok",
                                             GO_AHEAD]
    # The message, and the next group, in one write.
    s.send(stuff(message(subject="first")) + b".\r\n" +
           ("MAIL FROM:<%s>\r\nRCPT TO:<no-at-sign>\r\nDATA\r\nRSET\r\n"
            "MAIL FROM:<%s>\r\nRCPT TO:<c@example.net>\r\nDATA\r\n"
            % (SENDER, SENDER)).encode())
    first = accepted(s.reply())
    assert [s.reply() for _ in range(7)] == [
        "250 Ok", "553 <no-at-sign> address unknown",
        "503 Need RCPT command", "250 Ok", "250 Ok", "250 Ok", GO_AHEAD]
    s.send(stuff(message(subject="second")) + b".\r\nNOOP\r\nQUIT\r\n")
    second = accepted(s.reply())
    assert s.reply() == "250 Ok"
    assert s.reply() == "221 Bye"
    assert s.closed()
    assert captured(server, first)["Destinations"] == ["a@example.net",
                                                       "b@example.net"]
    assert captured(server, second)["Destinations"] == ["c@example.net"]


# -- robustness --------------------------------------------------------------

def garbage(rng):
    """A line of random bytes that cannot be a command (no letter first)
    and holds no CR or LF."""
    first = rng.choice([b for b in range(1, 256)
                        if not chr(b).isalpha() and b not in (10, 13)])
    rest = bytes(rng.choice([b for b in range(256) if b not in (10, 13)])
                 for _ in range(rng.randrange(0, 300)))
    return bytes([first]) + rest


def test_garbage_then_too_many_errors(server, smtp, v1):
    rng = random.Random(20260101)
    s = Raw(server.smtp_port)
    try:
        s.banner = s.reply()
        for _ in range(19):
            s.send(garbage(rng) + b"\r\n")
            assert s.reply() == UNRECOGNIZED
        s.send(garbage(rng) + b"\r\n")
        assert s.rest() in ([UNRECOGNIZED, "421 Too many errors"],
                            ["421 Too many errors"])
    finally:
        s.close()
    # The server is fine.
    client = smtp(login=LOGIN)
    client.mail(SENDER)
    client.rcpt(TO)
    accepted(client.data(message(subject="after garbage")))


def test_overlong_line_is_discarded(server, raw, v1):
    s = raw()
    assert s.cmd("VRFY " + "x" * 4000) == "252 Cannot VRFY user"
    assert s.cmd("VRFY " + "x" * 5000) == "500 Line too long"
    s.send("MAIL FROM:<" + "a" * 1000001 + "@example.com>\r\n")
    assert s.reply() == "500 Line too long"
    assert s.cmd("NOOP") == "250 Ok"                 # one reply, no more
    mid = accepted(transaction(s, message(subject="after a long line")))
    assert captured(server, mid)["Subject"] == "after a long line"


def _await_bytes(sock, deadline):
    """Waits until sock has bytes or deadline (monotonic) passes; returns
    them and when they came, or (b"", None)."""
    ready, _, _ = select.select([sock], [], [],
                                max(deadline - time.monotonic(), 0))
    if not ready:
        return b"", None
    return sock.recv(65536), time.monotonic()


def test_timeouts(start_server, ses, smtp):
    srv = start_server("--smtp-timeout", "1")
    verified(ses, srv)
    results = {}
    dripping = threading.Event()

    def slowloris():
        # One byte every 0.15 s: the line would take 4 s; the server gives
        # a command line 1 s, however many bytes trickle in.
        s = Raw(srv.smtp_port)
        try:
            s.banner = s.reply()
            start = time.monotonic()
            got, when = b"", None
            for byte in b"EHLO slowloris.example.net":
                s.send(bytes([byte]))
                dripping.set()
                got, when = _await_bytes(s.sock, time.monotonic() + 0.15)
                if got:
                    break
            if not got:
                got, when = _await_bytes(s.sock, start + 8)
            s.buf = got
            results["slowloris"] = (s.reply(), when and when - start,
                                    s.rest())
        except Exception as e:                      # reported below
            results["slowloris"] = e
        finally:
            dripping.set()
            s.close()

    def watch(name, s, start):
        # Blocks on the reply in a thread so that its time is when it came.
        try:
            results[name] = (s.reply(), time.monotonic() - start, s.rest())
        except Exception as e:
            results[name] = e

    sessions = []
    threads = [threading.Thread(target=slowloris)]
    threads[0].start()
    try:
        # A session that says nothing.
        idle = Raw(srv.smtp_port)
        sessions.append(idle)
        idle.banner = idle.reply()
        threads.append(threading.Thread(target=watch, args=(
            "idle", idle, time.monotonic())))
        threads[-1].start()
        # A session that stops sending in the middle of DATA.
        in_data = open_session(srv)
        sessions.append(in_data)
        assert in_data.cmd("MAIL FROM:<%s>" % SENDER) == "250 Ok"
        assert in_data.cmd("RCPT TO:<%s>" % TO) == "250 Ok"
        assert in_data.cmd("DATA") == GO_AHEAD
        in_data.send(b"Subject: half a message\r\n")
        threads.append(threading.Thread(target=watch, args=(
            "data", in_data, time.monotonic())))
        threads[-1].start()
        # Meanwhile another session sends.
        assert dripping.wait(5)
        client = smtp(srv=srv, login=LOGIN)
        client.mail(SENDER)
        client.rcpt(TO)
        mid = accepted(client.data(message(subject="not held up")))
        assert client.quit() == (221, b"Bye")
        for t in threads:
            t.join(15)
    finally:
        for s in sessions:
            s.close()
    assert set(results) == {"slowloris", "idle", "data"}, results
    for name, got in results.items():
        assert not isinstance(got, Exception), (name, got)
        reply, after, rest = got
        assert reply == TIMEOUT, (name, reply)
        assert after is not None and 0.8 <= after <= 2.5, (name, after)
        assert rest == [], (name, rest)
    assert [m["MessageId"] for m in listing(srv, api="smtp")] == [mid]


def test_200_concurrent_sessions(start_server, ses):
    # A minute of idle time: the first sessions wait at the barrier while
    # the last ones connect (slow under the sanitizers).
    srv = start_server("--max-send-rate", "1e9", "--smtp-timeout", "60")
    verified(ses, srv)
    n = 200
    together = threading.Barrier(n, timeout=60)
    acked, failures = [None] * n, []

    def one(i):
        client = None
        try:
            client = srv.smtp(login=LOGIN)
            together.wait()                 # all n sessions open at once
            client.mail(SENDER)
            client.rcpt("r%d@example.net" % i)
            acked[i] = accepted(client.data(message(
                subject="concurrent %d" % i, to="r%d@example.net" % i)))
            client.quit()
        except Exception as e:
            failures.append((i, repr(e)))
            together.abort()
        finally:
            if client is not None:
                client.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert failures == []
    assert len(set(acked)) == n
    stored = {m["MessageId"]: m for m in listing(srv, api="smtp")}
    assert set(stored) == set(acked)
    assert {stored[acked[i]]["Destinations"][0] for i in range(n)} == {
        "r%d@example.net" % i for i in range(n)}


def test_connection_cap(start_server):
    srv = start_server("--smtp-max-connections", "2")
    opened = []

    def session(**kw):
        s = open_session(srv, login=None, ehlo=False, **kw)
        opened.append(s)
        return s

    try:
        a = session(mode="plain")
        b = session(mode="smtps")            # both ports count
        c = Raw(srv.smtp_port)
        opened.append(c)
        assert c.rest() == [TOO_MANY_CONNECTIONS]
        # A session's slot is free once its client sees it closed.
        assert a.cmd("QUIT") == "221 Bye"
        assert a.closed()
        d = session(mode="plain")
        assert d.cmd("QUIT") == "221 Bye"
        assert d.closed()
        assert b.cmd("QUIT") == "221 Bye"
        assert b.closed()
        for _ in range(3):
            e = session(mode="smtps")
            assert e.cmd("QUIT") == "221 Bye"
            assert e.closed()
        assert smtp_metrics(srv)[
            "sesbox_smtp_connections_refused_total"] == "1"
    finally:
        for s in opened:
            s.close()


def test_one_event_loop_serves_every_session(start_server, ses):
    # With one SMTP thread, a session that has gone quiet mid-command does
    # not hold up the others.
    srv = start_server("--smtp-threads", "1")
    verified(ses, srv)
    quiet = open_session(srv)
    quiet.send("MAIL FROM:<%s" % SENDER)            # no end of line yet
    busy = open_session(srv, mode="smtps")
    first = accepted(transaction(busy, message(subject="busy 1")))
    second = accepted(transaction(busy, message(subject="busy 2")))
    quiet.send(">\r\n")
    assert quiet.reply() == "250 Ok"
    assert quiet.cmd("RCPT TO:<%s>" % TO) == "250 Ok"
    assert quiet.cmd("DATA") == GO_AHEAD
    quiet.send(stuff(message(subject="quiet")) + b".\r\n")
    third = accepted(quiet.reply())
    for s in (quiet, busy):
        s.close()
    assert sorted(m["MessageId"] for m in listing(srv, api="smtp")) == \
        sorted([first, second, third])


def test_tls_below_1_2_refused(server):
    ctx = server.tls_context()
    with warnings.catch_warnings():             # TLSv1*: deprecated, yes
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")    # this client would take 1.1
    with socket.create_connection(("127.0.0.1", server.smtps_port),
                                  SMTP_TIMEOUT_S) as sock:
        with pytest.raises((ssl.SSLError, ConnectionResetError)):
            ctx.wrap_socket(sock, server_hostname="localhost")


# -- swaks -------------------------------------------------------------------

def test_swaks_starttls_auth_login(server, v1):
    swaks = shutil.which("swaks")
    assert swaks, "swaks is not installed (make deps)"
    proc = subprocess.run(
        [swaks, "--server", "127.0.0.1", "--port", str(server.smtp_port),
         "--helo", "client.example", "--tls", "--tls-verify",
         "--tls-ca-path", server.tls_cert, "--auth", "LOGIN",
         "--auth-user", USER, "--auth-password", PASSWORD,
         "--from", SENDER, "--to", TO, "--header", "Subject: via swaks",
         "--body", "sent by swaks", "--timeout", "10"],
        capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    m = re.search(r"^<~  (250 Ok \S+)$", proc.stdout, re.M)
    assert m, proc.stdout
    mid = accepted(m.group(1))
    full = captured(server, mid)
    assert (full["Subject"], full["Api"], full["Source"]) == (
        "via swaks", "smtp", SENDER)
    assert "sent by swaks" in full["Text"]
