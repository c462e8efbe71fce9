"""End-to-end goldens: the exact payloads a subscriber receives for every
mailbox-simulator address and every user-rule outcome, in both of SES's
formats (fixtures/e2e-events/README.md).

Each case freezes the test clock, wires one identity to two SNS topics
with real HTTP subscribers — a configuration-set event destination (raw
message delivery: the body is the event-publishing payload itself) and the
identity's Bounce, Complaint and Delivery notification topic (the SNS
envelope, whose Message is the identity notification) — sends, moves the
clock where the outcome needs it, and flushes. Asynchronous work is awaited
with POST /_sesbox/api/v1/queue/flush only.

What a subscriber received is compared with
fixtures/e2e-events/<case>.<format>.json as text, so key order counts.
Only random parts are normalised (normalise()); every other byte counts.
SESBOX_UPDATE_GOLDENS=1 rewrites the goldens instead of comparing.
"""
import base64
import datetime
import json
import os
import re

import pytest
import requests

from conftest import HTTP_TIMEOUT_S, ROOT

GOLDENS = ROOT / "fixtures" / "e2e-events"
UPDATE = os.environ.get("SESBOX_UPDATE_GOLDENS") == "1"

SENDER = "sender@example.com"
SIM = "simulator.amazonses.com"
CONFIG_SET = "goldens"
T0 = "2023-11-14T22:13:20.123Z"
MINUTE_MS = 60 * 1000
HOUR_MS = 60 * MINUTE_MS

# Every event type a text message can produce (OPEN and CLICK would
# rewrite HTML only; SUBSCRIPTION needs list management).
EVENT_TYPES = ["SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY",
               "DELIVERY_DELAY", "RENDERING_FAILURE"]

# One rule per user-rule outcome (docs/simulator.md).
RULES = {"rules": [
    {"match": "*@nosuchuser.example.com", "outcome": "bounce",
     "bounceType": "Permanent", "bounceSubType": "NoEmail",
     "action": "failed", "status": "5.1.1",
     "diagnosticCode": "smtp; 550 5.1.1 <x@nosuchuser.example.com>: "
                       "Recipient address rejected: User unknown"},
    {"match": "full@example.com", "outcome": "soft-bounce",
     "delayType": "MailboxFull", "status": "4.2.2",
     "diagnosticCode": "smtp; 452 4.2.2 Mailbox full", "failures": 2},
    {"match": "gone-soft@example.com", "outcome": "soft-bounce",
     "delayType": "RecipientServerError", "bounceSubType": "General",
     "status": "4.4.1",
     "diagnosticCode": "smtp; 421 4.4.1 Unable to connect to remote host"},
    {"match": "angry@example.com", "outcome": "complaint",
     "feedbackType": "fraud", "userAgent": "Yahoo!-Mail-Feedback/2.0",
     "delayMs": HOUR_MS},
    {"match": "away@example.com", "outcome": "auto-reply"},
    {"match": "filtered@example.com", "outcome": "reject"},
    {"match": "*@relay.example.com", "outcome": "deliver",
     "smtpResponse": "250 2.0.0 OK queued as 42"},
]}

EICAR = (r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE"
         r"!$H+H*")


# -- the wiring ---------------------------------------------------------------

class Rig:
    """One identity, one configuration set, two subscribed topics."""

    def __init__(self, server, ses, sesv2, sns_client, subscriber,
                 headers):
        self.server = server
        clock(server, {"set": T0})
        sns = sns_client()
        self.events_topic = sns.create_topic(Name="ses-events")["TopicArn"]
        self.notes_topic = sns.create_topic(
            Name="ses-notifications")["TopicArn"]
        self.events = subscriber()
        self.notes = subscriber()
        for topic, sub, raw in ((self.events_topic, self.events, True),
                                (self.notes_topic, self.notes, False)):
            sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=sub.url,
                          Attributes={"RawMessageDelivery": str(raw).lower()})
        server.flush()
        for sub in (self.events, self.notes):
            (conf,) = sub.received
            r = requests.get(conf.json()["SubscribeURL"],
                             timeout=HTTP_TIMEOUT_S)
            assert r.status_code == 200, r.text
        self.v1 = ses()
        self.v2 = sesv2()
        self.v1.verify_email_identity(EmailAddress=SENDER)
        self.v2.create_configuration_set(ConfigurationSetName=CONFIG_SET)
        self.v2.create_configuration_set_event_destination(
            ConfigurationSetName=CONFIG_SET, EventDestinationName="to-sns",
            EventDestination={"Enabled": True,
                              "MatchingEventTypes": EVENT_TYPES,
                              "SnsDestination": {
                                  "TopicArn": self.events_topic}})
        for kind in ("Bounce", "Complaint", "Delivery"):
            self.v1.set_identity_notification_topic(
                Identity=SENDER, NotificationType=kind,
                SnsTopic=self.notes_topic)
        for kind in headers:
            self.v1.set_identity_headers_in_notifications_enabled(
                Identity=SENDER, NotificationType=kind, Enabled=True)
        # What setting up sent (the destination's validation message).
        server.flush()
        self.events.received.clear()
        self.notes.received.clear()

    def send(self, *to):
        return self.v1.send_email(
            Source=SENDER, Destination={"ToAddresses": list(to)},
            Message={"Subject": {"Data": "Hello"},
                     "Body": {"Text": {"Data": "Hi"}}},
            Tags=[{"Name": "campaign", "Value": "goldens"}],
            ConfigurationSetName=CONFIG_SET)["MessageId"]

    def rules(self, doc=RULES):
        r = self.server.request("PUT", "/_sesbox/api/v1/simulator/rules",
                                json=doc)
        assert r.status_code == 200, r.text

    def advance(self, ms):
        self.server.flush()
        clock(self.server, {"advance_ms": ms})
        self.server.flush()


def clock(server, body):
    r = server.post("/_sesbox/api/v1/clock", json=body)
    assert r.status_code == 200, r.text


# -- the cases ----------------------------------------------------------------
#
# Each takes the rig and returns the MessageId of the one message it sent;
# CASES[name] = (notification types with headers, case).

def sim(local):
    return lambda rig: rig.send(local + "@" + SIM)


def rule(address, then=None):
    def case(rig):
        rig.rules()
        mid = rig.send(address)
        if then is not None:
            then(rig)
        return mid
    return case


def soft_bounce_retried(rig):
    # Fails twice (at the send and at the retry a minute later), then the
    # retry 5 minutes after that is delivered.
    rig.advance(MINUTE_MS)
    rig.advance(5 * MINUTE_MS)


def soft_bounce_expired(rig):
    # Retried after 1 minute, then given up on 14 hours after the send.
    rig.advance(MINUTE_MS)
    rig.advance(14 * HOUR_MS - MINUTE_MS)


def eicar(rig):
    raw = ("From: %s\r\nTo: someone@example.net\r\nSubject: Invoice\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
           "boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\n"
           "See the attachment.\r\n--b1\r\nContent-Type: "
           "application/octet-stream; name=\"eicar.com\"\r\n"
           "Content-Disposition: attachment; filename=\"eicar.com\"\r\n"
           "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--b1--\r\n"
           % (SENDER, base64.b64encode(EICAR.encode()).decode()))
    return rig.v1.send_raw_email(
        RawMessage={"Data": raw}, ConfigurationSetName=CONFIG_SET,
        Tags=[{"Name": "campaign", "Value": "goldens"}])["MessageId"]


def account_suppressed(rig):
    rig.v2.put_suppressed_destination(EmailAddress="gone@example.com",
                                      Reason="BOUNCE")
    return rig.send("gone@example.com")


CASES = {
    "sim-success": (["Delivery"], sim("success")),
    "sim-bounce": (["Bounce"], sim("bounce")),
    "sim-ooto": ([], sim("ooto")),
    "sim-complaint": (["Complaint"], sim("complaint")),
    "sim-suppressionlist": ([], sim("suppressionlist")),
    "rule-deliver": (["Delivery"], rule("b@relay.example.com")),
    "rule-bounce": (["Bounce"], rule("x@nosuchuser.example.com")),
    "rule-soft-bounce-retried": (
        ["Delivery"], rule("full@example.com", soft_bounce_retried)),
    "rule-soft-bounce-expired": (
        ["Bounce"], rule("gone-soft@example.com", soft_bounce_expired)),
    "rule-complaint": (
        [], rule("angry@example.com", lambda rig: rig.advance(HOUR_MS))),
    "rule-auto-reply": (["Bounce"], rule("away@example.com")),
    "rule-reject": ([], rule("filtered@example.com")),
    "eicar-reject": ([], eicar),
    "account-suppressed": (["Bounce"], account_suppressed),
}


# -- what was received --------------------------------------------------------

ENVELOPE_KEYS = ["Type", "MessageId", "TopicArn", "Message", "Timestamp",
                 "SignatureVersion", "Signature", "SigningCertURL",
                 "UnsubscribeURL"]


def received(rig, mid, fmt):
    """The payloads fmt's subscriber got, as text, in the order SES
    published them (the message's Publications); checks that each came
    once and as SES writes it."""
    rig.server.flush()
    r = rig.server.get("/_sesbox/api/v1/messages/" + mid)
    assert r.status_code == 200, r.text
    pubs = [p for p in r.json()["Publications"] if p["Format"] == fmt]
    assert all(p["Status"] == "published" for p in pubs), pubs
    sub = rig.events if fmt == "event" else rig.notes
    got = []
    for req in sub.received:
        assert req.header("x-amz-sns-message-type") == "Notification"
        if fmt == "event":
            # AWS: raw delivery posts the message alone.
            assert req.header("x-amz-sns-rawdelivery") == "true"
            assert req.header("x-amz-sns-topic-arn") == rig.events_topic
            text = req.body.decode("utf-8")
        else:
            envelope = json.loads(req.body)
            # AWS: identity notifications carry no Subject (§5.1).
            assert list(envelope) == ENVELOPE_KEYS, envelope
            assert (envelope["Type"], envelope["TopicArn"]) == (
                "Notification", rig.notes_topic)
            text = envelope["Message"]
        payload = json.loads(text)
        # AWS: compact, keys as written, UTF-8 and '/' unescaped; an
        # event ends with a newline, a notification does not.
        assert text == compact(payload) + ("\n" if fmt == "event" else "")
        where = [i for i, p in enumerate(pubs) if p["Payload"] == payload]
        assert len(where) == 1, (payload, pubs)
        if fmt == "notification":
            # Published when SES published it, by the test clock.
            assert envelope["Timestamp"] == iso(pubs[where[0]]["Timestamp"])
        got.append((where[0], text))
    assert sorted(i for i, _ in got) == list(range(len(pubs)))
    return [text for _, text in sorted(got)]


def iso(ms):
    when = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def compact(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# -- the normaliser -----------------------------------------------------------
#
# The only random part of these payloads: the v4 UUID inside a MessageId
# or feedbackId. The prefix and the acceptance time before it are kept,
# so they are compared too. (Every time comes from the frozen test clock;
# SES-built messages here are text/plain, without a random boundary.)

SES_ID = re.compile(r"^(01[0-9a-f]{14})-([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}"
                    r"-[89ab][0-9a-f]{3}-[0-9a-f]{12})-000000$")


def normalise(payloads, mid):
    """payloads (parsed, in order) with random parts replaced by stable
    placeholders: the message's own UUID by {message}, any other SES id's
    by {feedback-N} in order of appearance."""
    names = {SES_ID.match(mid).group(2): "{message}"}

    def uuid_name(uuid):
        if uuid not in names:
            names[uuid] = "{feedback-%d}" % (len(names))
        return names[uuid]

    def walk(v, key=None):
        if isinstance(v, dict):
            return {k: walk(x, k) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if not isinstance(v, str):
            return v
        m = SES_ID.match(v)
        if m:
            return "%s-%s-000000" % (m.group(1), uuid_name(m.group(2)))
        if key == "feedbackId":
            raise AssertionError("%s not in SES's form: %r" % (key, v))
        return v

    return [walk(p) for p in payloads]


def pretty(payloads):
    return json.dumps(payloads, ensure_ascii=False, indent=2) + "\n"


# -- the test -----------------------------------------------------------------

@pytest.mark.parametrize("name", list(CASES))
def test_golden(server, ses, sesv2, sns_client, subscriber, name):
    headers, case = CASES[name]
    rig = Rig(server, ses, sesv2, sns_client, subscriber, headers)
    mid = case(rig)
    problems = []
    for fmt in ("event", "notification"):
        texts = received(rig, mid, fmt)
        got = pretty(normalise([json.loads(t) for t in texts], mid))
        path = GOLDENS / ("%s.%s.json" % (name, fmt))
        if UPDATE:
            path.write_text(got, encoding="utf-8")
            continue
        if not path.exists():
            problems.append("%s is missing (SESBOX_UPDATE_GOLDENS=1 writes "
                            "it)" % path.relative_to(ROOT))
            continue
        want = path.read_text(encoding="utf-8")
        if got != want:
            problems.append(diff(want, got, path))
    assert not problems, "\n\n".join(problems)


def diff(want, got, path):
    import difflib
    return "".join(difflib.unified_diff(
        want.splitlines(True), got.splitlines(True),
        str(path.relative_to(ROOT)), "received"))
