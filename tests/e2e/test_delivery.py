"""The delivery core over SMTP: relay and mx transports against a loopback
sink (smtpsink.Sink) that answers per recipient, keeps the bytes and counts
connections. Outcomes are asserted as events after queue/flush (which
returns once every due SMTP delivery is answered and recorded), retries on
the frozen test clock; nothing waits by sleeping."""
import base64
import json
import re
import smtplib
import socket

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import Sesbox, make_client, run_sesbox
from dnsserver import DnsServer
from smtpsink import SLOW, Sink

SENDER = "sender@example.com"
T0 = 1700000000123            # 2023-11-14T22:13:20.123Z
T0_ISO = "2023-11-14T22:13:20.123Z"
HOSTNAME = "smtp-out.sesbox.localhost"
FEEDBACK_DOMAIN = "feedback.sesbox.localhost"
HARD = ("550 5.1.1 <hard@example.net>: Recipient address rejected: User "
        "unknown in local recipient table")
SOFT = "450 4.2.0 <soft@example.net>: Recipient address rejected: try again later"
MSGID = re.compile(r"^01[0-9a-f]{14}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}"
                   r"-[89ab][0-9a-f]{3}-[0-9a-f]{12}-000000$")


@pytest.fixture(scope="module")
def relay_sink():
    sink = Sink(tls="starttls", pipelining=True).start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def relay_server(relay_sink):
    srv = Sesbox(["--deliver", "relay", "--relay",
                  "127.0.0.1:%d" % relay_sink.port, "--delivery-timeout", "2"])
    yield srv
    assert srv.stop() == 0, srv.log()


@pytest.fixture
def relayed(relay_server, relay_sink):
    """The relaying server, reset, its clock frozen at T0, SENDER verified;
    the sink's rules cleared."""
    relay_server.reset()
    relay_sink._rules.clear()
    relay_sink.data_reply = None
    r = relay_server.post("/_sesbox/api/v1/clock", json={"set_ms": T0})
    assert r.status_code == 200, r.text
    make_client("ses", relay_server.url).verify_email_identity(
        EmailAddress=SENDER)
    return relay_server


def v2(srv):
    return make_client("sesv2", srv.url)


def send(srv, *to, sender=SENDER, cs=None, subject="s"):
    kw = {"ConfigurationSetName": cs} if cs else {}
    return v2(srv).send_email(
        FromEmailAddress=sender, Destination={"ToAddresses": list(to)},
        Content={"Simple": {"Subject": {"Data": subject},
                            "Body": {"Text": {"Data": "body\n.dot line\n"}}}},
        **kw)["MessageId"]


def messages_for(sink, mid):
    return [m for m in sink.messages if m.mail_from.startswith(mid + "@")]


def raw_of(srv, mid):
    r = srv.get("/_sesbox/api/v1/messages/%s/raw" % mid)
    assert r.status_code == 200, r.text
    return r.content


def added_headers(data, raw):
    """The header lines sesbox put above the stored message."""
    assert data.endswith(raw), (data[:300], raw[:300])
    return data[:len(data) - len(raw)].decode().split("\r\n")[:-1]


def by_type(events, kind):
    return [d for t, d in events if t == kind]


# -- what goes out --------------------------------------------------------

def test_relay_sends_the_stored_message_byte_for_byte(relayed, relay_sink):
    mid = send(relayed, "ok@example.net")
    events = relayed.events(mid)
    msg, = messages_for(relay_sink, mid)
    assert msg.mail_from == "%s@%s" % (mid, FEEDBACK_DOMAIN)
    assert msg.rcpt_tos == ["ok@example.net"]
    assert msg.helo == HOSTNAME
    assert msg.tls, "STARTTLS was offered: opportunistic TLS takes it"
    added = added_headers(msg.data, raw_of(relayed, mid))
    assert [h.split(":")[0] for h in added] == ["Feedback-ID",
                                                "X-SES-Outgoing"]
    assert re.match(r"^Feedback-ID: 1\.us-east-1\.[A-Za-z0-9+/]{43}=:AmazonSES$",
                    added[0]), added
    assert added[1] == "X-SES-Outgoing: 2023.11.14-127.0.0.1"
    assert events == [("Send", {}), ("Delivery", {
        "timestamp": T0_ISO, "processingTimeMillis": 0,
        "recipients": ["ok@example.net"], "smtpResponse": msg.reply,
        "remoteMtaIp": "127.0.0.1", "reportingMTA": HOSTNAME})]
    assert msg.reply.startswith("250 2.0.0 Ok: queued as ")


def test_raw_bytes_with_dots_and_8bit_arrive_unchanged(relayed, relay_sink):
    raw = ("From: %s\r\nTo: ok@example.net\r\nSubject: r\r\nMIME-Version: "
           "1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\n.leading dot\r\n..two\r\n"
           "caf\u00e9 \u2603\r\n.\r\nend\r\n" % SENDER).encode()
    mid = v2(relayed).send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["ok@example.net"]},
        Content={"Raw": {"Data": raw}})["MessageId"]
    relayed.flush()
    msg, = messages_for(relay_sink, mid)
    stored = raw_of(relayed, mid)
    assert stored.endswith(b"\r\n\r\n.leading dot\r\n..two\r\ncaf\xc3\xa9 "
                           b"\xe2\x98\x83\r\n.\r\nend\r\n")
    added_headers(msg.data, stored)
    assert "BODY=8BITMIME" in msg.mail_options


def test_one_transaction_per_message_reuses_the_connection(start_server):
    with Sink() as sink:
        srv = start_server("--deliver", "relay", "--relay", sink.address,
                           "--delivery-connections", "1")
        make_client("ses", srv.url).verify_email_identity(EmailAddress=SENDER)
        mids = [send(srv, "a%d@example.net" % i, "b%d@example.org" % i)
                for i in range(6)]
        srv.flush()
        assert sorted(m.mail_from.split("@")[0] for m in sink.messages) == \
            sorted(mids)
        assert all(len(m.rcpt_tos) == 2 for m in sink.messages)
        assert sink.connections == 1
        metrics = srv.get("/_sesbox/metrics").text
        assert "sesbox_delivery_connections_total 1\n" in metrics
        assert "sesbox_delivery_transactions_total 6\n" in metrics
        assert 'sesbox_delivery_recipients_total{outcome="delivered"} 12\n' \
            in metrics


def test_connections_per_destination_are_bounded(start_server):
    with Sink() as sink:
        srv = start_server("--deliver", "relay", "--relay", sink.address,
                           "--delivery-connections", "2",
                           "--delivery-threads", "6",
                           "--max-send-rate", "1000")
        make_client("ses", srv.url).verify_email_identity(EmailAddress=SENDER)
        for i in range(40):
            send(srv, "r%d@example.net" % i)
        srv.flush()
        assert len(sink.messages) == 40
        assert 1 <= sink.connections <= 2


# -- outcomes ---------------------------------------------------------------

def test_each_recipient_gets_its_own_outcome(relayed, relay_sink):
    mid = send(relayed, "ok@example.net", "hard@example.net",
               "soft@example.net", "full@example.net")
    events = relayed.events(mid)
    msg, = messages_for(relay_sink, mid)
    assert msg.rcpt_tos == ["ok@example.net"]
    delivery, = by_type(events, "Delivery")
    assert delivery["recipients"] == ["ok@example.net"]
    bounce, = by_type(events, "Bounce")
    assert MSGID.match(bounce.pop("feedbackId"))
    assert bounce == {
        "bounceType": "Permanent", "bounceSubType": "General",
        "bouncedRecipients": [{
            "emailAddress": "hard@example.net", "action": "failed",
            "status": "5.1.1", "diagnosticCode": "smtp; " + HARD}],
        "timestamp": T0_ISO, "remoteMtaIp": "127.0.0.1",
        "reportingMTA": "dsn; " + HOSTNAME}
    delays = sorted(by_type(events, "DeliveryDelay"),
                    key=lambda d: d["delayType"])
    assert delays == [{
        "timestamp": T0_ISO, "delayType": "MailboxFull",
        "expirationTime": "2023-11-15T12:13:20.123Z",
        "delayedRecipients": [{
            "emailAddress": "full@example.net", "status": "4.2.2",
            "diagnosticCode": "smtp; 452 4.2.2 <full@example.net>: "
                              "Mailbox full"}]}, {
        "timestamp": T0_ISO, "delayType": "RecipientServerError",
        "expirationTime": "2023-11-15T12:13:20.123Z",
        "delayedRecipients": [{
            "emailAddress": "soft@example.net", "status": "4.2.0",
            "diagnosticCode": "smtp; " + SOFT}]}]
    # AWS: a hard bounce puts the address on the account's list.
    r = relayed.get("/_sesbox/api/v1/suppression/hard@example.net")
    assert r.status_code == 200, r.text
    assert r.json()["Reason"] == "BOUNCE"
    assert r.json()["MessageId"] == mid


def test_multi_line_replies_are_quoted_whole(relayed, relay_sink):
    mid = send(relayed, "multi@example.net")
    bounce, = by_type(relayed.events(mid), "Bounce")
    assert bounce["bouncedRecipients"][0]["diagnosticCode"] == \
        "smtp; 550-5.7.1 first line\n550 5.7.1 second line"


def test_a_refused_message_bounces_every_recipient(relayed, relay_sink):
    relay_sink.data_reply = "554 5.7.1 Message rejected as spam"
    mid = send(relayed, "ok1@example.net", "ok2@example.net")
    bounce, = by_type(relayed.events(mid), "Bounce")
    assert [(r["emailAddress"], r["status"], r["diagnosticCode"])
            for r in bounce["bouncedRecipients"]] == [
        ("ok1@example.net", "5.7.1", "smtp; 554 5.7.1 Message rejected as spam"),
        ("ok2@example.net", "5.7.1", "smtp; 554 5.7.1 Message rejected as spam")]


def test_a_deferred_recipient_is_retried_on_the_test_clock(relayed,
                                                           relay_sink):
    relay_sink.rule("retry", ["451 4.3.0 busy", "250 2.1.5 Ok"])
    mid = send(relayed, "retry@example.net")
    events = relayed.events(mid)
    assert [t for t, _ in events] == ["Send", "DeliveryDelay"]
    assert messages_for(relay_sink, mid) == []
    # Not due yet: the first retry is a minute later.
    relayed.post("/_sesbox/api/v1/clock", json={"advance_ms": 59999})
    assert [t for t, _ in relayed.events(mid)] == ["Send", "DeliveryDelay"]
    relayed.post("/_sesbox/api/v1/clock", json={"advance_ms": 1})
    events = relayed.events(mid)
    assert [t for t, _ in events] == ["Send", "DeliveryDelay", "Delivery"]
    assert events[-1][1]["processingTimeMillis"] == 60000
    assert len(messages_for(relay_sink, mid)) == 1


def test_max_delivery_seconds_expires_into_a_transient_bounce(relayed,
                                                             relay_sink):
    client = v2(relayed)
    client.create_configuration_set(ConfigurationSetName="short",
                                    DeliveryOptions={"MaxDeliverySeconds": 300})
    mid = send(relayed, "soft@example.net", cs="short")
    delay, = by_type(relayed.events(mid), "DeliveryDelay")
    assert delay["expirationTime"] == "2023-11-14T22:18:20.123Z"
    relayed.post("/_sesbox/api/v1/clock", json={"advance_ms": 60000})
    assert len(by_type(relayed.events(mid), "DeliveryDelay")) == 2
    relayed.post("/_sesbox/api/v1/clock", json={"advance_ms": 240000})
    events = relayed.events(mid)
    bounce, = by_type(events, "Bounce")
    assert bounce["bounceType"] == "Transient"
    assert bounce["bouncedRecipients"] == [{
        "emailAddress": "soft@example.net", "action": "failed",
        "status": "4.4.7",
        "diagnosticCode": "smtp; 550 4.4.7 Message expired: unable to "
                          "deliver in 5 minutes.<%s>" % SOFT}]
    # Given up on: nothing more is due.
    relayed.post("/_sesbox/api/v1/clock", json={"advance_ms": 86400000})
    assert relayed.events(mid) == events
    r = relayed.get("/_sesbox/api/v1/suppression/soft@example.net")
    assert r.status_code == 404


def test_a_server_that_stops_answering_times_out(relayed, relay_sink):
    mid = send(relayed, "slow@example.net")
    delay, = by_type(relayed.events(mid), "DeliveryDelay")
    assert delay["delayType"] == "TransientCommunicationFailure"
    assert delay["delayedRecipients"] == [{
        "emailAddress": "slow@example.net", "status": "4.4.2",
        "diagnosticCode": "smtp; 421 4.4.2 Connection timed out"}]
    # The server is still fine for the next message.
    mid = send(relayed, "ok@example.net")
    assert by_type(relayed.events(mid), "Delivery")


def test_no_server_is_a_delivery_delay(start_server):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()        # nothing listens there now
    srv = start_server("--deliver", "relay", "--relay", "127.0.0.1:%d" % port)
    make_client("ses", srv.url).verify_email_identity(EmailAddress=SENDER)
    mid = send(srv, "ok@example.net")
    delay, = by_type(srv.events(mid), "DeliveryDelay")
    assert delay["delayType"] == "TransientCommunicationFailure"
    assert delay["delayedRecipients"] == [{
        "emailAddress": "ok@example.net", "status": "4.4.1",
        "diagnosticCode": "smtp; 421 4.4.1 Unable to connect to remote host"}]


def test_tls_policy_require_refuses_a_server_without_tls(start_server):
    with Sink() as plain, Sink(tls="starttls") as secure:
        for sink, delivered in ((plain, False), (secure, True)):
            srv = start_server("--deliver", "relay", "--relay", sink.address)
            make_client("ses", srv.url).verify_email_identity(
                EmailAddress=SENDER)
            v2(srv).create_configuration_set(
                ConfigurationSetName="tls",
                DeliveryOptions={"TlsPolicy": "REQUIRE"})
            mid = send(srv, "ok@example.net", cs="tls")
            events = srv.events(mid)
            if delivered:
                assert by_type(events, "Delivery")
                msg, = sink.messages
                assert msg.tls
            else:
                delay, = by_type(events, "DeliveryDelay")
                assert delay["delayedRecipients"][0]["diagnosticCode"] == \
                    "smtp; 421 4.4.1 Failed to establish connection"
                assert sink.messages == []


def test_relay_auth(start_server):
    with Sink(auth={"user": "relayuser", "password": "s3cret"}) as sink:
        srv = start_server("--deliver", "relay", "--relay", sink.address,
                           "--relay-tls", "off", "--relay-user", "relayuser",
                           "--relay-password", "s3cret")
        make_client("ses", srv.url).verify_email_identity(EmailAddress=SENDER)
        mid = send(srv, "ok@example.net")
        assert by_type(srv.events(mid), "Delivery")
        msg, = sink.messages
        assert msg.auth_user == "relayuser" and not msg.tls
        bad = start_server("--deliver", "relay", "--relay", sink.address,
                           "--relay-tls", "off", "--relay-user", "relayuser",
                           "--relay-password", "wrong")
        make_client("ses", bad.url).verify_email_identity(EmailAddress=SENDER)
        mid = send(bad, "ok@example.net")
        delay, = by_type(bad.events(mid), "DeliveryDelay")
        assert delay["delayType"] == "InternalFailure"
        assert delay["delayedRecipients"][0]["diagnosticCode"].startswith(
            "smtp; 454 4.7.0 Authentication with the relay failed: 535")


# -- transports -------------------------------------------------------------

def test_simulator_addresses_are_always_simulated(relayed, relay_sink):
    mid = send(relayed, "bounce@simulator.amazonses.com", "ok@example.net")
    events = relayed.events(mid)
    bounce, = by_type(events, "Bounce")
    assert bounce["bouncedRecipients"][0]["emailAddress"] == \
        "bounce@simulator.amazonses.com"
    msg, = messages_for(relay_sink, mid)
    assert msg.rcpt_tos == ["ok@example.net"]


def test_transport_rules_pick_per_address(start_server):
    with Sink() as sink:
        srv = start_server("--relay", sink.address, "--transport-rules",
                           "*@relay.test=relay,*.sub.test=relay")
        make_client("ses", srv.url).verify_email_identity(EmailAddress=SENDER)
        mid = send(srv, "a@relay.test", "b@x.sub.test", "c@example.net")
        events = srv.events(mid)
        msg, = sink.messages
        assert msg.rcpt_tos == ["a@relay.test", "b@x.sub.test"]
        responses = sorted(d["smtpResponse"] for d in
                           by_type(events, "Delivery"))
        assert responses == ["250 2.0.0 Ok: queued as 1",
                             "250 2.6.0 Message received"]


def test_mx_from_dns_by_preference(start_server):
    dns = DnsServer()
    try:
        with Sink() as sink:
            dns.add("example.test", "MX", "20 backup.example.test")
            dns.add("example.test", "MX", "10 mx1.example.test")
            dns.add("mx1.example.test", "A", "127.0.0.1")
            dns.add("backup.example.test", "A", "127.0.0.2")
            dns.add("nomx.test", "A", "127.0.0.1")
            srv = start_server("--deliver", "mx", "--dns-resolver",
                               dns.address, "--mx-port", str(sink.port))
            make_client("ses", srv.url).verify_email_identity(
                EmailAddress=SENDER)
            mid = send(srv, "ok@example.test", "ok@nomx.test",
                       "ok@nowhere.test")
            events = srv.events(mid)
            assert sorted(r for m in sink.messages for r in m.rcpt_tos) == [
                "ok@example.test", "ok@nomx.test"]
            assert len(sink.messages) == 2, "one transaction per domain"
            bounce, = by_type(events, "Bounce")
            assert bounce["bouncedRecipients"] == [{
                "emailAddress": "ok@nowhere.test", "action": "failed",
                "status": "5.1.2",
                "diagnosticCode": "smtp; 550 5.1.2 Domain nowhere.test does "
                                  "not exist"}]
            assert ("mx1.example.test", 1) in dns.queries
    finally:
        dns.close()


def test_mx_hosts_map_overrides_dns(start_server):
    with Sink() as sink:
        srv = start_server("--deliver", "mx", "--mx-hosts",
                           "example.test=%s" % sink.address)
        make_client("ses", srv.url).verify_email_identity(EmailAddress=SENDER)
        mid = send(srv, "ok@EXAMPLE.test")
        assert by_type(srv.events(mid), "Delivery")
        assert sink.messages[0].rcpt_tos == ["ok@EXAMPLE.test"]


# -- the sender's domain ------------------------------------------------------

def _dkim_dns(selector_domain, key_b64):
    def dnsfunc(name, timeout=5):
        if name.decode().rstrip(".") == selector_domain:
            return ("v=DKIM1; k=rsa; p=" + key_b64).encode()
        return b""
    return dnsfunc


def _identity(srv, name):
    r = srv.get("/_sesbox/api/v1/identities")
    return {i["Identity"]: i for i in r.json()["identities"]}[name]


def test_easy_dkim_signature_verifies(relayed, relay_sink):
    v2(relayed).create_email_identity(EmailIdentity="example.com")
    ident = _identity(relayed, "example.com")
    token = ident["Dkim"]["Tokens"][0]
    mid = send(relayed, "ok@example.net", sender="news@example.com")
    relayed.flush()
    msg, = messages_for(relay_sink, mid)
    assert msg.data.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; "
                               b"c=relaxed/simple; d=example.com;")
    assert ("s=%s;" % token).encode() in msg.data[:200]
    assert dkim.verify(msg.data, dnsfunc=_dkim_dns(
        "%s._domainkey.example.com" % token, ident["Dkim"]["PublicKey"]))
    # A subdomain signs with its parent's key.
    mid = send(relayed, "ok@example.net", sender="a@mail.example.com")
    relayed.flush()
    msg, = messages_for(relay_sink, mid)
    assert b"d=example.com;" in msg.data[:200]


def test_byodkim_signature_verifies(relayed, relay_sink):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.private_bytes(serialization.Encoding.DER,
                            serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    v2(relayed).create_email_identity(
        EmailIdentity="byo.test", DkimSigningAttributes={
            "DomainSigningSelector": "sel1",
            "DomainSigningPrivateKey": base64.b64encode(der).decode()})
    ident = _identity(relayed, "byo.test")
    assert ident["Dkim"]["Status"] == "Success", ident
    mid = send(relayed, "ok@example.net", sender="x@byo.test")
    relayed.flush()
    msg, = messages_for(relay_sink, mid)
    assert b"s=sel1;" in msg.data[:200]
    assert dkim.verify(msg.data, dnsfunc=_dkim_dns(
        "sel1._domainkey.byo.test", ident["Dkim"]["PublicKey"]))


def test_no_signature_without_dkim(relayed, relay_sink):
    mid = send(relayed, "ok@example.net")
    relayed.flush()
    msg, = messages_for(relay_sink, mid)
    assert not msg.data.startswith(b"DKIM-Signature")


def test_custom_mail_from_domain_is_the_envelope_sender(relayed, relay_sink):
    client = v2(relayed)
    client.create_email_identity(EmailIdentity="example.com")
    client.put_email_identity_mail_from_attributes(
        EmailIdentity="example.com", MailFromDomain="bounce.example.com")
    assert _identity(relayed, "example.com")["MailFrom"]["Status"] == \
        "Success"
    mid = send(relayed, "ok@example.net", sender="news@example.com")
    relayed.flush()
    msg, = messages_for(relay_sink, mid)
    assert msg.mail_from == mid + "@bounce.example.com"


# -- restarts -----------------------------------------------------------------

def test_kill_during_delivery_then_every_recipient_ends_once(tmp_path):
    data = str(tmp_path / "data")
    with Sink() as sink:
        # The first attempt hangs in RCPT; the process dies there.
        sink.rule("hang", [SLOW, "250 2.1.5 Ok"])
        args = ["--data", data, "--deliver", "relay", "--relay",
                sink.address, "--delivery-timeout", "30"]
        srv = Sesbox(args, ephemeral=False)
        try:
            make_client("ses", srv.url).verify_email_identity(
                EmailAddress=SENDER)
            mid = send(srv, "hang@example.net", "ok@example.net")
            sink.wait_rcpts(1)
            srv.kill()
        finally:
            if srv.alive():
                srv.kill()
        assert sink.messages == []
        srv = Sesbox(args, ephemeral=False)
        try:
            srv.wait_for_line(lambda f: f.get("msg") ==
                              "deliveries recovered" and f.get("rows") == "2")
            events = srv.events(mid)
            assert [t for t, _ in events] == ["Send", "Delivery"]
            assert sorted(events[1][1]["recipients"]) == [
                "hang@example.net", "ok@example.net"]
            msg, = sink.messages
            assert sorted(msg.rcpt_tos) == ["hang@example.net",
                                            "ok@example.net"]
            srv.flush()
            assert srv.events(mid) == events
        finally:
            assert srv.stop() == 0, srv.log()


# -- configuration --------------------------------------------------------------

@pytest.mark.parametrize("args, error", [
    (["--deliver", "relay"],
     "sesbox: relay: must be set when mail is relayed (deliver is relay)"),
    (["--transport-rules", "*@a.test=relay"],
     "sesbox: relay: must be set when mail is relayed (a transport rule says "
     "relay)"),
    (["--transport-rules", "*@a.test=smtp"],
     "sesbox: --transport-rules: transport-rules: entry 1: transport must be "
     "simulate, relay or mx (got 'smtp')"),
    (["--transport-rules", "*@a.test"],
     "sesbox: --transport-rules: transport-rules: entry 1: expected "
     "PATTERN=TRANSPORT (got '*@a.test')"),
    (["--mx-hosts", "a.test=127.0.0.1"],
     "sesbox: --mx-hosts: mx-hosts: entry 1: expected HOST:PORT (got "
     "'127.0.0.1')"),
    (["--mx-hosts", "a.test=127.0.0.1:25,bad_domain=127.0.0.1:25"],
     "sesbox: --mx-hosts: mx-hosts: entry 2: invalid host name (got "
     "'bad_domain')"),
    (["--deliver", "smtp"],
     "sesbox: --deliver: deliver: expected one of simulate, relay, mx (got "
     "'smtp')"),
    (["--relay", "x", "--relay-user", "u"],
     "sesbox: --relay: relay: expected HOST:PORT (got 'x')"),
    (["--relay", "127.0.0.1:25", "--relay-user", "u"],
     "sesbox: relay-password: must be set with relay-user"),
])
def test_bad_delivery_configuration_is_refused(args, error):
    proc = run_sesbox(["--ephemeral"] + args)
    assert proc.returncode == 2, proc
    assert proc.stderr.strip().splitlines()[-1] == error


# -- feedback received ------------------------------------------------------------

def feedback_session(srv):
    client = smtplib.SMTP("127.0.0.1", srv.feedback_port, timeout=10)
    client.ehlo("mx.example.net")
    return client


def dsn(mid, rcpt, status="5.1.1", action="failed",
        diag="smtp; 550 5.1.1 <%s>: Recipient address rejected",
        original=True):
    boundary = "dsn-boundary"
    parts = [
        "From: MAILER-DAEMON@mx.example.net",
        "To: %s@%s" % (mid, FEEDBACK_DOMAIN),
        "Subject: Undelivered Mail Returned to Sender",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status;\r\n'
        '\tboundary="%s"' % boundary, "",
        "--" + boundary, "Content-Type: text/plain", "",
        "The mail could not be delivered.", "",
        "--" + boundary, "Content-Type: message/delivery-status", "",
        "Reporting-MTA: dns; mx.example.net",
        "Arrival-Date: Tue, 14 Nov 2023 22:13:21 +0000", "",
        "Final-Recipient: rfc822; " + rcpt,
        "Original-Recipient: rfc822;" + rcpt,
        "Action: " + action, "Status: " + status,
        "Remote-MTA: dns; mailbox.example.net",
        "Diagnostic-Code: " + (diag % rcpt if "%s" in diag else diag), ""]
    if original:
        parts += ["--" + boundary, "Content-Type: text/rfc822-headers", "",
                  "Message-ID: <%s@email.amazonses.com>" % mid,
                  "Subject: s", ""]
    parts += ["--%s--" % boundary, ""]
    return "\r\n".join(parts)


def arf(mid, rcpt):
    boundary = "arf-boundary"
    return "\r\n".join([
        "From: abuse@isp.example", "To: %s@%s" % (mid, FEEDBACK_DOMAIN),
        "Subject: FW: s", "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=feedback-report; '
        'boundary="%s"' % boundary, "",
        "--" + boundary, "Content-Type: text/plain", "", "A complaint.", "",
        "--" + boundary, "Content-Type: message/feedback-report", "",
        "Feedback-Type: abuse", "User-Agent: SomeISP-FBL/1.0",
        "Version: 1", "Original-Rcpt-To: <%s>" % rcpt,
        "Arrival-Date: Tue, 14 Nov 2023 23:00:00 +0000", "",
        "--" + boundary, "Content-Type: message/rfc822", "",
        "Message-ID: <%s@email.amazonses.com>" % mid, "Subject: s", "",
        "body", "", "--%s--" % boundary, ""])


def deliver_one(srv, *to):
    mid = send(srv, *to)
    assert by_type(srv.events(mid), "Delivery")
    return mid


def test_a_dsn_becomes_a_bounce(relayed, relay_sink):
    mid = deliver_one(relayed, "ok@example.net", "ok2@example.net")
    client = feedback_session(relayed)
    try:
        assert client.mail("<>")[0] == 250
        assert client.rcpt("%s@%s" % (mid, FEEDBACK_DOMAIN))[0] == 250
        code, text = client.data(dsn(mid, "ok2@example.net").encode())
        assert (code, text) == (250, b"2.0.0 Ok: 1 bounce, 0 complaints "
                                     b"recorded")
    finally:
        client.quit()
    bounce, = by_type(relayed.events(mid), "Bounce")
    assert MSGID.match(bounce.pop("feedbackId"))
    assert bounce == {
        "bounceType": "Permanent", "bounceSubType": "General",
        "bouncedRecipients": [{
            "emailAddress": "ok2@example.net", "action": "failed",
            "status": "5.1.1",
            "diagnosticCode": "smtp; 550 5.1.1 <ok2@example.net>: Recipient "
                              "address rejected"}],
        "timestamp": T0_ISO, "reportingMTA": "dns; mx.example.net"}
    r = relayed.get("/_sesbox/api/v1/suppression/ok2@example.net")
    assert r.status_code == 200 and r.json()["Reason"] == "BOUNCE"


def test_a_dsn_found_by_the_returned_message_id(relayed, relay_sink):
    mid = deliver_one(relayed, "ok@example.net")
    client = feedback_session(relayed)
    try:
        # Sent to another feedback address: the returned headers decide.
        other = "0" * 16 + "-00000000-0000-4000-8000-000000000000-000000"
        assert client.mail("<>")[0] == 250
        assert client.rcpt(other + "@" + FEEDBACK_DOMAIN)[0] == 250
        code, text = client.data(dsn(mid, "ok@example.net").encode())
        assert code == 550 and text == ("5.1.1 No message %s" % other).encode()
    finally:
        client.quit()


def test_delayed_dsns_record_nothing(relayed, relay_sink):
    mid = deliver_one(relayed, "ok@example.net")
    client = feedback_session(relayed)
    try:
        client.mail("<>")
        client.rcpt("%s@%s" % (mid, FEEDBACK_DOMAIN))
        code, text = client.data(dsn(mid, "ok@example.net", status="4.4.1",
                                     action="delayed").encode())
        assert (code, text) == (250, b"2.0.0 Ok: 0 bounces, 0 complaints "
                                     b"recorded")
    finally:
        client.quit()
    assert [t for t, _ in relayed.events(mid)] == ["Send", "Delivery"]


def test_an_arf_report_becomes_a_complaint(relayed, relay_sink):
    mid = deliver_one(relayed, "ok@example.net")
    client = feedback_session(relayed)
    try:
        client.mail("<>")
        client.rcpt("%s@%s" % (mid, FEEDBACK_DOMAIN))
        code, text = client.data(arf(mid, "ok@example.net").encode())
        assert (code, text) == (250, b"2.0.0 Ok: 0 bounces, 1 complaint "
                                     b"recorded")
    finally:
        client.quit()
    complaint, = by_type(relayed.events(mid), "Complaint")
    assert complaint["complainedRecipients"] == [
        {"emailAddress": "ok@example.net"}]
    assert complaint["complaintFeedbackType"] == "abuse"
    assert complaint["userAgent"] == "SomeISP-FBL/1.0"
    r = relayed.get("/_sesbox/api/v1/suppression/ok@example.net")
    assert r.status_code == 200 and r.json()["Reason"] == "COMPLAINT"


def test_the_feedback_listener_refuses_what_it_cannot_use(relayed):
    mid = deliver_one(relayed, "ok@example.net")
    client = feedback_session(relayed)
    try:
        assert client.ehlo_resp.decode().splitlines()[0] == FEEDBACK_DOMAIN
        assert not client.has_extn("auth")
        assert client.docmd("AUTH", "PLAIN AGFAYg==") == (
            502, b"5.5.1 AUTH not available here")
        assert client.mail("<>")[0] == 250
        assert client.rcpt("someone@example.net") == (
            550, b"5.1.1 <someone@example.net>: Recipient address rejected: "
                 b"not a feedback address")
        assert client.rcpt("%s@%s" % (mid, FEEDBACK_DOMAIN))[0] == 250
        code, text = client.data(b"Subject: hello\r\n\r\nI am away.\r\n")
        assert (code, text) == (550, b"5.6.0 Not a delivery status or "
                                     b"feedback report: not a multipart/"
                                     b"report message")
        # The session goes on.
        assert client.noop()[0] == 250
    finally:
        client.quit()
    assert [t for t, _ in relayed.events(mid)] == ["Send", "Delivery"]


def test_feedback_listener_off(start_server):
    srv = start_server("--feedback-smtp", "off")
    assert srv.feedback_port is None
    assert srv.info["feedback"] == "off"
