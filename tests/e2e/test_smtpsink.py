"""The SMTP sink of the delivery tests (smtpsink.py) on its own, driven by
smtplib and by a raw socket where the exact bytes on the wire matter.
sesbox is not involved."""
import os
import pathlib
import smtplib
import socket
import ssl
import subprocess
import sys
import threading
import time

import pytest

from smtpsink import SLOW, Sink, make_certificate, self_signed

HERE = pathlib.Path(__file__).resolve().parent
TIMEOUT_S = 5


def client(sink, timeout=TIMEOUT_S, ehlo=True):
    """An smtplib client of sink (EHLO client.example sent); localhost is
    the name STARTTLS verifies."""
    c = smtplib.SMTP("127.0.0.1", sink.port, local_hostname="client.example",
                     timeout=timeout)
    c._host = "localhost"
    if ehlo:
        c.ehlo()
    return c


def verifying(sink):
    return ssl.create_default_context(cafile=sink.cert_path)


class Raw:
    """SMTP over a plain socket: exact bytes out, replies as (code, [text
    of each line])."""

    def __init__(self, sink, timeout=TIMEOUT_S):
        self.sock = socket.create_connection(("127.0.0.1", sink.port),
                                             timeout)
        self.file = self.sock.makefile("rb")
        self.banner = self.reply()

    def send(self, data):
        self.sock.sendall(data)

    def reply(self):
        lines = []
        while True:
            line = self.file.readline()
            assert line.endswith(b"\r\n"), (line, lines)
            lines.append(line[4:-2].decode())
            if line[3:4] == b" ":
                return int(line[:3]), lines

    def cmd(self, line):
        self.send(line.encode() + b"\r\n")
        return self.reply()

    def close(self):
        self.file.close()
        self.sock.close()


def test_accepts_and_records(sink):
    c = client(sink)
    body = b"Subject: hi\r\n\r\nhello\r\n"
    assert c.sendmail("from@example.com", ["ok@example.net", "Other@x.org"],
                      body, mail_options=["BODY=8BITMIME"]) == {}
    c.quit()
    msg, = sink.wait_messages(1)
    assert msg.mail_from == "from@example.com"
    assert msg.rcpt_tos == ["ok@example.net", "Other@x.org"]
    assert msg.data == body
    assert msg.parse()["Subject"] == "hi"
    assert (msg.tls, msg.helo, msg.auth_user, msg.session_id) == (
        False, "client.example", None, 1)
    assert msg.peer[0] == "127.0.0.1"
    assert msg.mail_options == ["SIZE=%d" % len(body), "BODY=8BITMIME"]
    assert msg.reply == "250 2.0.0 Ok: queued as 1" and msg.accepted
    assert sink.rcpt_attempts == [("ok@example.net", 250),
                                  ("Other@x.org", 250)]
    assert sink.connections == 1 and sink.errors == []


def test_banner_and_extensions(make_sink):
    plain, tls = make_sink(), make_sink(tls="starttls", pipelining=True)
    raw = Raw(plain)
    assert raw.banner == (220, ["sink.test ESMTP sesbox test sink"])
    assert raw.cmd("EHLO client.example") == (250, [
        "sink.test", "SIZE 33554432", "8BITMIME", "SMTPUTF8", "HELP"])
    raw.close()
    raw = Raw(tls)
    assert raw.cmd("EHLO client.example") == (250, [
        "sink.test", "SIZE 33554432", "8BITMIME", "SMTPUTF8", "STARTTLS",
        "PIPELINING", "HELP"])
    raw.close()


@pytest.mark.parametrize("rcpt, reply", [
    ("ok@example.com", (250, b"2.1.5 Ok")),
    ("Soft1@example.com", (450, b"4.2.0 <Soft1@example.com>: Recipient "
                                b"address rejected: try again later")),
    ("full@example.com", (452, b"4.2.2 <full@example.com>: Mailbox full")),
    ("HARD.x@example.com", (550, b"5.1.1 <HARD.x@example.com>: Recipient "
                                 b"address rejected: User unknown in local "
                                 b"recipient table")),
    ("multi@example.com", (550, b"5.7.1 first line\n5.7.1 second line")),
])
def test_recipient_replies(sink, rcpt, reply):
    c = client(sink)
    assert c.mail("from@example.com") == (250, b"2.1.0 Ok")
    assert c.rcpt(rcpt) == reply
    assert sink.wait_rcpts(1) == [(rcpt, reply[0])]
    c.quit()


def test_multiline_reply_on_the_wire(sink):
    raw = Raw(sink)
    raw.cmd("EHLO client.example")
    raw.cmd("MAIL FROM:<a@example.com>")
    raw.send(b"RCPT TO:<multi@example.com>\r\n")
    assert raw.file.readline() == b"550-5.7.1 first line\r\n"
    assert raw.file.readline() == b"550 5.7.1 second line\r\n"
    raw.close()


def test_only_accepted_recipients_get_the_message(sink):
    c = client(sink)
    refused = c.sendmail("from@example.com",
                         ["a@example.com", "hard@example.com",
                          "soft@example.com", "b@example.com"], b"x\r\n")
    assert {k: v[0] for k, v in refused.items()} == {
        "hard@example.com": 550, "soft@example.com": 450}
    msg, = sink.wait_messages(1)
    assert msg.rcpt_tos == ["a@example.com", "b@example.com"]
    assert [code for _, code in sink.rcpt_attempts] == [250, 550, 450, 250]
    c.quit()


def test_slow_recipient_times_out_and_the_sink_stops(make_sink):
    sink = make_sink()
    c = client(sink, timeout=0.3)
    c.mail("from@example.com")
    with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
        c.rcpt("slow@example.com")
    assert sink.wait_rcpts(1) == [("slow@example.com", None)]
    # A second client still waiting when the sink stops gets 421.
    raw = Raw(sink)
    raw.cmd("EHLO client.example")
    raw.cmd("MAIL FROM:<a@example.com>")
    raw.send(b"RCPT TO:<Slower@example.com>\r\n")
    sink.wait_rcpts(2)
    started = time.monotonic()
    sink.stop()
    assert time.monotonic() - started < 2
    assert raw.reply() == (421, ["4.3.2 Service shutting down"])
    assert raw.file.readline() == b""
    raw.close()
    c.close()


def test_stops_promptly_with_idle_and_silent_clients(make_sink):
    sink = make_sink(banner_delay=60)
    silent = socket.create_connection(("127.0.0.1", sink.port), TIMEOUT_S)
    sink.wait_connections(1)
    started = time.monotonic()
    sink.stop()
    assert time.monotonic() - started < 2
    assert silent.recv(100) == b""      # closed, banner never sent
    silent.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", sink.port), TIMEOUT_S)


def test_banner_delay(make_sink):
    late = make_sink(banner_delay=60)
    with pytest.raises(smtplib.SMTPServerDisconnected, match="timed out"):
        client(late, timeout=0.2, ehlo=False)
    sink = make_sink(banner_delay=0.3)
    started = time.monotonic()
    c = client(sink)
    assert time.monotonic() - started >= 0.3
    c.quit()
    assert (late.wait_connections(1), sink.wait_connections(1)) == (1, 1)


def test_rules_override_defaults_and_script_retries(sink):
    sink.rule("hard", "250 2.1.5 fine after all")
    sink.rule("retry", ["450 4.7.1 <{addr}>: busy", "451 4.3.0 still busy",
                        "250 2.1.5 Ok"])
    sink.rule("gone", "421 4.7.0 sink.test closing\nmore words")
    c = client(sink)
    c.mail("from@example.com")
    assert c.rcpt("hard@example.com") == (250, b"2.1.5 fine after all")
    seen = [c.rcpt("Retry@example.com") for _ in range(4)]
    assert seen == [(450, b"4.7.1 <Retry@example.com>: busy"),
                    (451, b"4.3.0 still busy"), (250, b"2.1.5 Ok"),
                    (250, b"2.1.5 Ok")]
    # The list is per address (in any case), afresh for a new rule.
    assert c.rcpt("retry.two@example.com")[0] == 450
    assert c.rcpt("RETRY@example.com")[0] == 250
    sink.rule("retry", [SLOW, "250 2.1.5 Ok"])
    assert c.rcpt("soft@example.com")[0] == 450     # defaults still apply
    # 421 closes the connection, as an MTA does.
    assert c.rcpt("gone@example.com") == (
        421, b"4.7.0 sink.test closing\nmore words")
    with pytest.raises(smtplib.SMTPServerDisconnected):
        c.noop()
    assert sink.rcpt_attempts[-1] == ("gone@example.com", 421)
    # The replaced rule starts with no answer.
    c = client(sink, timeout=0.3)
    c.mail("from@example.com")
    with pytest.raises(smtplib.SMTPServerDisconnected):
        c.rcpt("retry@example.com")
    c = client(sink)
    c.mail("from@example.com")
    assert c.rcpt("retry@example.com") == (250, b"2.1.5 Ok")
    c.quit()


def test_data_and_mail_replies(sink):
    c = client(sink)
    assert c.sendmail("a@example.com", ["b@example.com"], b"one\r\n") == {}
    c.mail("a@example.com")
    c.rcpt("b@example.com")
    assert c.data(b"two\r\n") == (250, b"2.0.0 Ok: queued as 2")
    sink.data_reply = "554 5.7.1 Message rejected"
    with pytest.raises(smtplib.SMTPDataError) as e:
        c.sendmail("a@example.com", ["b@example.com"], b"three\r\n")
    assert (e.value.smtp_code, e.value.smtp_error) == (
        554, b"5.7.1 Message rejected")
    sink.data_reply = ["451 4.3.0 later", "250 2.0.0 queued"]
    for data, reply in ((b"four\r\n", (451, b"4.3.0 later")),
                        (b"five\r\n", (250, b"2.0.0 queued")),
                        (b"six\r\n", (250, b"2.0.0 queued"))):
        c.rset()
        c.mail("a@example.com")
        c.rcpt("b@example.com")
        assert c.data(data) == reply
    sink.mail_reply = ["550 5.7.1 <{addr}>: sender refused", "250 2.1.0 Ok"]
    assert c.mail("a@example.com") == (
        550, b"5.7.1 <a@example.com>: sender refused")
    assert c.mail("a@example.com") == (250, b"2.1.0 Ok")
    msgs = sink.messages
    assert [(m.data, m.accepted) for m in msgs] == [
        (b"one\r\n", True), (b"two\r\n", True), (b"three\r\n", False),
        (b"four\r\n", False), (b"five\r\n", True), (b"six\r\n", True)]
    assert msgs[2].reply == "554 5.7.1 Message rejected"
    c.quit()


def test_starttls(tls_sink):
    c = client(tls_sink)
    assert c.has_extn("starttls") and not c.has_extn("auth")
    c.sendmail("a@example.com", ["plain@example.com"], b"plain\r\n")
    assert c.starttls(context=verifying(tls_sink)) == (
        220, b"Ready to start TLS")
    c.ehlo("after.example")
    assert not c.has_extn("starttls")
    c.sendmail("a@example.com", ["tls@example.com"], b"secret\r\n")
    c.quit()
    plain, tls = tls_sink.wait_messages(2)
    assert (plain.tls, plain.helo, plain.data) == (
        False, "client.example", b"plain\r\n")
    assert (tls.tls, tls.helo, tls.data) == (
        True, "after.example", b"secret\r\n")
    assert plain.session_id == tls.session_id == 1
    assert tls_sink.connections == 1


def test_require_starttls(make_sink):
    sink = make_sink(tls="require")
    c = client(sink)
    assert c.mail("a@example.com") == (
        530, b"5.7.0 Must issue a STARTTLS command first")
    assert c.noop()[0] == 250
    c.starttls(context=verifying(sink))
    c.ehlo()
    assert c.sendmail("a@example.com", ["b@example.com"], b"x\r\n") == {}
    c.quit()
    assert sink.wait_messages(1)[0].tls


def test_own_certificate(tmp_path):
    cert, key = make_certificate(str(tmp_path))
    with Sink(tls="starttls", cert=cert, key=key) as sink:
        assert sink.cert_path == cert
        c = client(sink)
        c.starttls(context=verifying(sink))
        c.quit()
        c = client(sink)
        with pytest.raises(ssl.SSLCertVerificationError):
            c.starttls(context=ssl.create_default_context(
                cafile=self_signed()[0]))
        c.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", sink.port), TIMEOUT_S)


def test_auth(make_sink):
    sink = make_sink(auth={"user": "relay-user", "password": "s3cret"})
    c = client(sink)
    assert c.has_extn("auth") and c.esmtp_features["auth"] == " LOGIN PLAIN"
    assert c.mail("a@example.com") == (530, b"5.7.0 Authentication required")
    with pytest.raises(smtplib.SMTPAuthenticationError) as e:
        c.login("relay-user", "wrong")
    assert e.value.smtp_code == 535
    c.user, c.password = "relay-user", "s3cret"
    assert c.auth("LOGIN", c.auth_login) == (
        235, b"2.7.0 Authentication successful")
    c.sendmail("a@example.com", ["b@example.com"], b"x\r\n")
    c.quit()
    c = client(sink)
    c.user, c.password = "relay-user", "s3cret"
    assert c.auth("PLAIN", c.auth_plain)[0] == 235
    c.sendmail("a@example.com", ["b@example.com"], b"y\r\n")
    c.quit()
    assert [m.auth_user for m in sink.wait_messages(2)] == [
        "relay-user", "relay-user"]
    # smtplib's login tries PLAIN, then LOGIN.
    assert sink.auth_attempts == [("PLAIN", "relay-user", False),
                                  ("LOGIN", "relay-user", False),
                                  ("LOGIN", "relay-user", True),
                                  ("PLAIN", "relay-user", True)]


def test_no_auth_without_credentials(sink):
    raw = Raw(sink)
    raw.cmd("EHLO client.example")
    assert raw.cmd("AUTH PLAIN AHUAcA==") == (
        503, ["5.5.1 Error: authentication not enabled"])
    raw.close()


def test_bytes_kept_exactly(sink):
    """original_content is the DATA lines, split at CRLF only, less the
    leading dot of a stuffed line: bare CR, bare LF, 8-bit bytes and NUL
    stay as sent, and a dot after a bare LF is not a line start."""
    raw = Raw(sink)
    raw.cmd("EHLO client.example")
    raw.cmd("MAIL FROM:<a@example.com> BODY=8BITMIME")
    raw.cmd("RCPT TO:<b@example.com>")
    assert raw.cmd("DATA")[0] == 354
    wire = (b"Subject: bytes\r\n\r\n"
            b"..leading dot\r\n"
            b"...two dots\r\n"
            b"..\r\n"
            b"bare\rCR and bare\nLF\r\n"
            b"after a bare LF\n.dot stays\r\n"
            b"8-bit \xe9\xff\x80 and NUL \x00\r\n"
            b"trailing space \r\n"
            b"\r\n")
    raw.send(wire + b".\r\n")
    assert raw.reply()[0] == 250
    raw.close()
    msg, = sink.wait_messages(1)
    assert msg.data == (b"Subject: bytes\r\n\r\n"
                        b".leading dot\r\n"
                        b"..two dots\r\n"
                        b".\r\n"
                        b"bare\rCR and bare\nLF\r\n"
                        b"after a bare LF\n.dot stays\r\n"
                        b"8-bit \xe9\xff\x80 and NUL \x00\r\n"
                        b"trailing space \r\n"
                        b"\r\n")
    assert msg.mail_options == ["BODY=8BITMIME"]


def test_bytes_through_smtplib(sink):
    body = (b"Subject: dots\r\n\r\n.first\r\nmid\r\n.\r\n..\r\n"
            b"\xc3\xa9t\xc3\xa9\r\nno newline at the end")
    c = client(sink)
    c.sendmail("a@example.com", ["b@example.com"], body)
    c.quit()
    # smtplib stuffs the dots and ends the content with CRLF.
    assert sink.wait_messages(1)[0].data == body + b"\r\n"


def test_line_length_limit(sink):
    """aiosmtpd takes DATA lines of up to 1000 octets with CRLF (RFC 5321
    4.5.3.1.6) and answers 500 at the end of data to longer ones."""
    c = client(sink)
    ok = b"x" * 998 + b"\r\n"
    assert c.sendmail("a@example.com", ["b@example.com"], ok) == {}
    with pytest.raises(smtplib.SMTPDataError) as e:
        c.sendmail("a@example.com", ["b@example.com"], b"x" * 1001 + b"\r\n")
    assert e.value.smtp_code == 500
    assert c.noop()[0] == 250
    c.quit()
    assert [m.data for m in sink.messages] == [ok]


def test_pipelined_commands(sink):
    """aiosmtpd does not advertise PIPELINING but answers pipelined
    commands in order."""
    raw = Raw(sink)
    raw.cmd("EHLO client.example")
    raw.send(b"MAIL FROM:<a@example.com> SIZE=10\r\n"
             b"RCPT TO:<one@example.com>\r\n"
             b"RCPT TO:<hard@example.com>\r\n"
             b"RCPT TO:<two@example.com>\r\n"
             b"DATA\r\n")
    assert [raw.reply()[0] for _ in range(5)] == [250, 250, 550, 250, 354]
    raw.send(b"body\r\n.\r\nRSET\r\nMAIL FROM:<>\r\nRCPT TO:<c@example.com>"
             b"\r\nDATA\r\nbounce\r\n.\r\nQUIT\r\n")
    assert [raw.reply()[0] for _ in range(7)] == [
        250, 250, 250, 250, 354, 250, 221]
    raw.close()
    first, second = sink.wait_messages(2)
    assert (first.rcpt_tos, first.data, first.mail_options) == (
        ["one@example.com", "two@example.com"], b"body\r\n", ["SIZE=10"])
    assert (second.mail_from, second.data) == ("<>", b"bounce\r\n")


def test_connections_and_sessions(sink):
    c = client(sink)
    c.sendmail("a@example.com", ["b@example.com"], b"one\r\n")
    c.rset()
    c.sendmail("a@example.com", ["b@example.com"], b"two\r\n")
    c.quit()
    assert sink.connections == 1
    c = client(sink)
    c.sendmail("a@example.com", ["b@example.com"], b"three\r\n")
    c.quit()
    assert sink.connections == 2
    assert [m.session_id for m in sink.wait_messages(3)] == [1, 1, 2]


def test_concurrent_connections(sink):
    n = 8
    barrier = threading.Barrier(n)
    failures = []

    def send(i):
        try:
            c = client(sink)
            barrier.wait(TIMEOUT_S)
            c.sendmail("a@example.com", ["r%d@example.com" % i],
                       b"message %d\r\n" % i)
            c.quit()
        except Exception as e:      # noqa: BLE001 (reported below)
            failures.append(e)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    msgs = sink.wait_messages(n)
    for t in threads:
        t.join(TIMEOUT_S)
    assert failures == []
    assert sorted(m.data for m in msgs) == sorted(
        b"message %d\r\n" % i for i in range(n))
    assert sorted(m.session_id for m in msgs) == list(range(1, n + 1))
    assert sink.connections == n


def test_wait_timeout_says_what_arrived(sink):
    c = client(sink)
    c.sendmail("a@example.com", ["got@example.com", "hard@example.com"],
               b"x\r\n")
    c.quit()
    sink.wait_messages(1)
    with pytest.raises(AssertionError) as e:
        sink.wait_messages(2, timeout=0.2)
    text = str(e.value)
    assert "expected 2 message(s) within 0.2s, got 1" in text
    assert "a@example.com -> ['got@example.com']" in text
    assert "RCPT hard@example.com -> 550" in text
    with pytest.raises(AssertionError, match="expected 3 RCPT"):
        sink.wait_rcpts(3, timeout=0.1)


def test_quiet():
    """A session of each kind, a broken TLS handshake, garbage and a stop
    with a client waiting print nothing."""
    script = r"""
import smtplib, socket, ssl
from smtpsink import Sink
with Sink(tls="starttls", auth={"user": "u", "password": "p"}) as s:
    c = smtplib.SMTP("127.0.0.1", s.port, local_hostname="c.example")
    c.starttls(context=ssl._create_unverified_context())
    c.login("u", "p")
    c.sendmail("a@x", ["b@x", "hard@x"], b"x\r\n")
    c.quit()
    r = socket.create_connection(("127.0.0.1", s.port))
    r.recv(100)
    r.sendall(b"EHLO x\r\nSTARTTLS\r\n\x16\x03\x01garbage\r\n")
    r.recv(1000)
    g = socket.create_connection(("127.0.0.1", s.port))
    g.recv(100)
    g.sendall(b"BOGUS\r\n\xff\xfe\r\nEHLO x\r\nAUTH PLAIN u\r\n*\r\n")
    w = smtplib.SMTP("127.0.0.1", s.port, local_hostname="c.example")
    w.login("u", "p")
    w.mail("a@x")
    w.send(b"RCPT TO:<slow@x>\r\n")
    s.wait_rcpts(3)
for sock in (r, g, w):
    sock.close()
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=HERE,
                          capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, PYTHONWARNINGS="default"))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
