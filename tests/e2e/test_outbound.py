"""Outbound calls: SES's events forwarded to configured EventBridge and SNS
endpoints (PutEvents and Publish, SigV4-signed, durable outbox rows retried
on the test clock), SNS subscriptions from configuration (made at start-up
and again after a reset), the outbox migration from schema 010, and a bad
value of each new key failing start-up with its exact message.

The peers are stdlib http.server fakes on loopback that record every
request; every asynchronous outcome is awaited with
/_sesbox/api/v1/queue/flush and the test clock, never with sleep."""
import datetime
import json
import socket
import sqlite3
import urllib.parse

import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import (DEFAULT_ACCOUNT, ROOT, LoopbackHTTP, QuietHandler,
                      Received, _at, make_client, run_sesbox)

SENDER = "sender@example.com"
SIM = "simulator.amazonses.com"
T0 = 1700000000123            # 2023-11-14T22:13:20.123Z
BUS = "arn:aws:events:us-east-1:000000000000:event-bus/default"
CS_ARN = "arn:aws:ses:us-east-1:000000000000:configuration-set/cs1"
TOPIC = "arn:aws:sns:us-east-1:000000000000:ses-events"
EVENT_SUBJECT = "Amazon SES Email Event Notification"
VALIDATION = ("Successfully validated SNS topic for Amazon SES event "
              "publishing.")
PUTEVENTS_OK = {"FailedEntryCount": 0, "Entries": [
    {"EventId": "11111111-2222-3333-4444-555555555555"}]}
PUBLISH_OK = ('<PublishResponse xmlns="http://sns.amazonaws.com/doc/'
              '2010-03-31/"><PublishResult><MessageId>m-1</MessageId>'
              '</PublishResult></PublishResponse>')


# -- a fake AWS endpoint ------------------------------------------------------

class Call(Received):
    """A request the fake AWS endpoint got."""

    def form(self):
        """The Query body as {name: value}, each name once."""
        pairs = urllib.parse.parse_qsl(self.body.decode(), strict_parsing=True,
                                       keep_blank_values=True)
        assert len(pairs) == len(dict(pairs)), pairs
        return dict(pairs)


class FakeAws(LoopbackHTTP):
    """Records every POST; answer(call) gives (status, content type,
    body)."""

    def __init__(self, answer):
        self.calls = []
        self.answer = answer
        outer = self

        class Handler(QuietHandler):
            def do_POST(self):
                call = Call("127.0.0.1:%d" % outer.httpd.server_port,
                            self.path, list(self.headers.items()),
                            self.body())
                outer.calls.append(call)
                status, ctype, body = outer.answer(call)
                body = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.serve(Handler, "/aws")


@pytest.fixture
def fake_aws():
    fakes = []

    def make(answer):
        f = FakeAws(answer)
        fakes.append(f)
        return f

    yield make
    for f in fakes:
        f.close()


def eventbridge_ok(call):
    return 200, "application/x-amz-json-1.1", json.dumps(PUTEVENTS_OK)


def sns_ok(call):
    return 200, "text/xml", PUBLISH_OK


def dead_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    url = "http://127.0.0.1:%d/gone" % s.getsockname()[1]
    s.close()
    return url


def check_sigv4(call, url, service, key=DEFAULT_ACCOUNT, secret="sesbox",
                region="us-east-1"):
    """The call's Authorization is what botocore's SigV4Auth makes for the
    same request at the same X-Amz-Date."""
    when = datetime.datetime.strptime(call.header("X-Amz-Date"),
                                      "%Y%m%dT%H%M%SZ")
    headers = {"Content-Type": call.header("Content-Type")}
    if call.header("X-Amz-Target") is not None:
        headers["X-Amz-Target"] = call.header("X-Amz-Target")
    req = AWSRequest(method="POST", url=url, data=call.body, headers=headers)
    with _at(when):
        botocore.auth.SigV4Auth(Credentials(key, secret), service,
                                region).add_auth(req)
    assert call.header("Authorization") == req.headers["Authorization"]
    signed = "content-type;host;x-amz-date" + (
        ";x-amz-target" if "X-Amz-Target" in headers else "")
    assert call.header("Authorization").startswith(
        "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, "
        "SignedHeaders=%s, Signature=" % (key, when.strftime("%Y%m%d"),
                                          region, service, signed))


# -- helpers ------------------------------------------------------------------

def iso(ms):
    t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def set_up(srv, destinations, cs="cs1"):
    v1 = make_client("ses", srv.url)
    v1.verify_email_identity(EmailAddress=SENDER)
    v2 = make_client("sesv2", srv.url)
    v2.create_configuration_set(ConfigurationSetName=cs)
    r = srv.post("/_sesbox/api/v1/clock", json={"set_ms": T0})
    assert r.status_code == 200
    for name, definition in destinations.items():
        v2.create_configuration_set_event_destination(
            ConfigurationSetName=cs, EventDestinationName=name,
            EventDestination=definition)
    return v1


def send(v1, *to, cs="cs1"):
    kw = {"ConfigurationSetName": cs} if cs else {}
    return v1.send_email(
        Source=SENDER, Destination={"ToAddresses": list(to)},
        Message={"Subject": {"Data": "Hello"},
                 "Body": {"Text": {"Data": "Hi"}}}, **kw)["MessageId"]


def publications(srv, mid):
    srv.flush()
    r = srv.get("/_sesbox/api/v1/messages/" + mid)
    assert r.status_code == 200, r.text
    return r.json()["Publications"]


def advance(srv, ms):
    r = srv.post("/_sesbox/api/v1/clock", json={"advance_ms": ms})
    assert r.status_code == 200, r.text
    srv.flush()


def eventbridge(types):
    return {"Enabled": True, "MatchingEventTypes": types,
            "EventBridgeDestination": {"EventBusArn": BUS}}


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# -- EventBridge --------------------------------------------------------------

def test_eventbridge_recorded_as_a_rule_target_sees_it(server):
    """Without eventbridge-endpoint the event is recorded: the whole
    EventBridge event, as SES puts it on the default bus."""
    v1 = set_up(server, {"eb": eventbridge(["SEND"])})
    mid = send(v1, "success@" + SIM)
    (p,) = publications(server, mid)
    assert (p["TargetKind"], p["Target"], p["Status"]) == (
        "eventbridge", BUS, "recorded")
    assert "Delivery" not in p
    event = p["Payload"]
    assert list(event) == ["version", "id", "detail-type", "source",
                           "account", "time", "region", "resources",
                           "detail"]
    assert event["version"] == "0"
    assert event["detail-type"] == "Email Sent"
    assert event["source"] == "aws.ses"
    assert event["account"] == DEFAULT_ACCOUNT
    assert event["region"] == "us-east-1"
    assert event["time"] == "2023-11-14T22:13:20Z"
    assert event["resources"] == [CS_ARN]
    assert list(event["detail"]) == ["eventType", "mail", "send"]
    assert event["detail"]["mail"]["messageId"] == mid
    assert len(event["id"]) == 36


def test_eventbridge_put_events(start_server, fake_aws):
    eb = fake_aws(eventbridge_ok)
    srv = start_server("--eventbridge-endpoint", eb.url)
    v1 = set_up(srv, {"eb": eventbridge(["SEND", "BOUNCE"])})
    mid = send(v1, "bounce@" + SIM)
    pubs = [p for p in publications(srv, mid) if p["Format"] == "event"]
    assert [(p["Type"], p["TargetKind"], p["Status"]) for p in pubs] == [
        ("Send", "eventbridge", "published"),
        ("Bounce", "eventbridge", "published")]
    assert len(eb.calls) == 2
    by_type = {c.json()["Entries"][0]["DetailType"]: c for c in eb.calls}
    assert set(by_type) == {"Email Sent", "Email Bounced"}
    for p in pubs:
        event = p["Payload"]
        call = by_type[event["detail-type"]]
        assert call.path == "/aws"
        assert call.header("X-Amz-Target") == "AWSEvents.PutEvents"
        assert call.header("Content-Type") == "application/x-amz-json-1.1"
        assert call.header("Host") == eb.url.split("/")[2]
        check_sigv4(call, eb.url, "events")
        assert call.json() == {"Entries": [{
            "Time": 1700000000, "Source": "aws.ses", "Resources": [CS_ARN],
            "DetailType": event["detail-type"],
            "Detail": compact(event["detail"]), "EventBusName": BUS}]}
        assert list(call.json()["Entries"][0]) == [
            "Time", "Source", "Resources", "DetailType", "Detail",
            "EventBusName"]
        d = p["Delivery"]
        assert (d["Kind"], d["Type"], d["Endpoint"], d["TopicArn"],
                d["State"], d["MessageId"]) == (
            "eventbridge", event["detail-type"], eb.url, BUS, "delivered",
            event["id"])
        assert d["Attempts"] == [{"Attempt": 1, "Timestamp": iso(T0),
                                  "Status": "delivered", "HttpStatus": 200,
                                  "Error": None}]
    # Bounce's detail is the event-publishing form, bounce before mail.
    assert list(json.loads(by_type["Email Bounced"].json()["Entries"][0][
        "Detail"])) == ["eventType", "bounce", "mail"]


def test_eventbridge_signed_with_the_accounts_credentials(start_server,
                                                          fake_aws):
    eb = fake_aws(eventbridge_ok)
    srv = start_server("--eventbridge-endpoint", eb.url, "--credentials",
                       "AKIDOTHER:other:111111111111,AKIDMINE:mine")
    v1 = set_up(srv, {"eb": eventbridge(["SEND"])})
    mid = send(v1, "success@" + SIM)
    assert [p["Status"] for p in publications(srv, mid)] == ["published"]
    (call,) = eb.calls
    check_sigv4(call, eb.url, "events", key="AKIDMINE", secret="mine")


def test_eventbridge_failures_retried_on_the_test_clock(start_server,
                                                        fake_aws):
    def answer(call):
        if len(eb.calls) <= 2:
            return 500, "application/x-amz-json-1.1", json.dumps(
                {"__type": "InternalException", "message": "boom"})
        return eventbridge_ok(call)

    eb = fake_aws(answer)
    srv = start_server("--eventbridge-endpoint", eb.url)
    v1 = set_up(srv, {"eb": eventbridge(["SEND"])})
    mid = send(v1, "success@" + SIM)

    def attempt(n, at, status, http, error):
        return {"Attempt": n, "Timestamp": iso(at), "Status": status,
                "HttpStatus": http, "Error": error}

    boom = "HTTP 500: InternalException: boom"
    (p,) = publications(srv, mid)
    assert (p["Status"], p.get("Error")) == ("queued", None)
    assert p["Delivery"]["State"] == "queued"
    assert p["Delivery"]["NextAttempt"] == iso(T0 + 20000)
    assert p["Delivery"]["Attempts"] == [attempt(1, T0, "retry", 500, boom)]
    advance(srv, 19999)
    assert len(eb.calls) == 1
    advance(srv, 1)
    (p,) = publications(srv, mid)
    assert p["Delivery"]["Attempts"] == [
        attempt(1, T0, "retry", 500, boom),
        attempt(2, T0 + 20000, "retry", 500, boom)]
    # EMU: the wait doubles: 20 s, then 40 s.
    assert p["Delivery"]["NextAttempt"] == iso(T0 + 60000)
    advance(srv, 40000)
    (p,) = publications(srv, mid)
    assert (p["Status"], p.get("Error")) == ("published", None)
    assert p["Delivery"]["State"] == "delivered"
    assert p["Delivery"]["NextAttempt"] is None
    assert [a["Status"] for a in p["Delivery"]["Attempts"]] == [
        "retry", "retry", "delivered"]
    # Every attempt carried the same event.
    assert len({c.body for c in eb.calls}) == 1 and len(eb.calls) == 3


def test_eventbridge_failed_entries_are_retried(start_server, fake_aws):
    def answer(call):
        if len(eb.calls) == 1:
            return 200, "application/x-amz-json-1.1", json.dumps({
                "FailedEntryCount": 1, "Entries": [{
                    "ErrorCode": "InternalFailure",
                    "ErrorMessage": "Try again"}]})
        return eventbridge_ok(call)

    eb = fake_aws(answer)
    srv = start_server("--eventbridge-endpoint", eb.url)
    v1 = set_up(srv, {"eb": eventbridge(["SEND"])})
    mid = send(v1, "success@" + SIM)
    (p,) = publications(srv, mid)
    assert p["Status"] == "queued"
    assert p["Delivery"]["Attempts"][0]["HttpStatus"] == 200
    assert p["Delivery"]["Attempts"][0]["Error"] == \
        "FailedEntryCount 1: InternalFailure: Try again"
    advance(srv, 20000)
    assert publications(srv, mid)[0]["Status"] == "published"


# -- SNS ----------------------------------------------------------------------

def test_sns_publish_forwarded(start_server, fake_aws):
    """With sns-endpoint, SES's SNS publications (the destination's
    validation message, events and identity notifications) are Publish
    calls; sesbox's own topic need not exist."""
    sns = fake_aws(sns_ok)
    srv = start_server("--sns-endpoint", sns.url)
    v1 = set_up(srv, {"to-sns": {"Enabled": True,
                                 "MatchingEventTypes": ["BOUNCE"],
                                 "SnsDestination": {"TopicArn": TOPIC}}})
    v1.set_identity_notification_topic(Identity=SENDER,
                                       NotificationType="Bounce",
                                       SnsTopic=TOPIC)
    srv.flush()
    (validation,) = sns.calls
    assert validation.form() == {"Action": "Publish",
                                 "Version": "2010-03-31",
                                 "TopicArn": TOPIC, "Message": VALIDATION}
    mid = send(v1, "bounce@" + SIM)
    pubs = publications(srv, mid)
    assert [(p["Format"], p["TargetKind"], p["Target"], p["Status"])
            for p in pubs] == [("event", "sns", TOPIC, "published"),
                               ("notification", "sns", TOPIC, "published")]
    assert len(sns.calls) == 3
    forms = [c.form() for c in sns.calls[1:]]
    (event,) = [f for f in forms if "Subject" in f]
    (note,) = [f for f in forms if "Subject" not in f]
    assert event == {"Action": "Publish", "Version": "2010-03-31",
                     "TopicArn": TOPIC, "Subject": EVENT_SUBJECT,
                     "Message": compact(pubs[0]["Payload"]) + "\n"}
    assert note == {"Action": "Publish", "Version": "2010-03-31",
                    "TopicArn": TOPIC,
                    "Message": compact(pubs[1]["Payload"])}
    for call in sns.calls:
        assert call.header("Content-Type") == \
            "application/x-www-form-urlencoded; charset=utf-8"
        assert call.header("X-Amz-Target") is None
        check_sigv4(call, sns.url, "sns")
    for p in pubs:
        assert p["Delivery"]["Kind"] == "sns-publish"
        assert p["Delivery"]["Endpoint"] == sns.url
        assert p["Delivery"]["State"] == "delivered"
    # The calls are listed with SNS's deliveries, of kind sns-publish.
    listed = srv.get("/_sesbox/api/v1/sns/deliveries",
                     params={"topic": TOPIC}).json()["deliveries"]
    assert [(d["Kind"], d["Type"], d["State"]) for d in listed] == [
        ("sns-publish", "Publish", "delivered")] * 3
    assert srv.get("/_sesbox/api/v1/sns/deliveries").json()[
        "deliveries"] == listed
    # sesbox's own SNS has no such topic: nothing was delivered here.
    assert make_client("sns", srv.url).list_topics()["Topics"] == []


def test_sns_endpoint_unreachable_fails_after_the_retries(start_server):
    dead = dead_url()
    srv = start_server("--sns-endpoint", dead)
    v1 = set_up(srv, {"to-sns": {"Enabled": True,
                                 "MatchingEventTypes": ["SEND"],
                                 "SnsDestination": {"TopicArn": TOPIC}}})
    mid = send(v1, "success@" + SIM)
    (p,) = publications(srv, mid)
    assert p["Status"] == "queued"
    (a,) = p["Delivery"]["Attempts"]
    assert (a["Status"], a["HttpStatus"]) == ("retry", None)
    assert "onnect" in a["Error"], a
    for wait in (20000, 40000, 80000, 160000):
        advance(srv, wait)
    (p,) = publications(srv, mid)
    assert p["Status"] == "failed"
    assert p["Delivery"]["State"] == "failed"
    assert [a["Status"] for a in p["Delivery"]["Attempts"]] == \
        ["retry"] * 4 + ["failed"]
    assert [a["Timestamp"] for a in p["Delivery"]["Attempts"]] == [
        iso(T0 + ms) for ms in (0, 20000, 60000, 140000, 300000)]
    assert p["Error"] == p["Delivery"]["Attempts"][-1]["Error"]
    advance(srv, 3600 * 1000)
    assert len(publications(srv, mid)[0]["Delivery"]["Attempts"]) == 5


def test_sns_forwarding_survives_a_restart(start_server, fake_aws, tmp_path):
    """A queued call outlives the process: the next start sends it."""
    up = {"status": 503}
    sns = fake_aws(lambda call: (up["status"], "text/xml", PUBLISH_OK))
    data = str(tmp_path / "data")
    srv = start_server("--sns-endpoint", sns.url, "--data", data,
                       ephemeral=False)
    v1 = set_up(srv, {"to-sns": {"Enabled": True,
                                 "MatchingEventTypes": ["SEND"],
                                 "SnsDestination": {"TopicArn": TOPIC}}})
    mid = send(v1, "success@" + SIM)
    assert publications(srv, mid)[0]["Status"] == "queued"
    assert srv.stop() == 0
    up["status"] = 200
    srv = start_server("--sns-endpoint", sns.url, "--data", data,
                       ephemeral=False)
    r = srv.post("/_sesbox/api/v1/clock", json={"set_ms": T0 + 20000})
    assert r.status_code == 200
    (p,) = publications(srv, mid)
    assert p["Status"] == "published"
    assert [a["HttpStatus"] for a in p["Delivery"]["Attempts"]] == [503, 200]


# -- subscriptions from configuration -----------------------------------------

def test_subscriptions_from_config(start_server, subscriber, tmp_path):
    hook, other = subscriber(), subscriber()
    conf = tmp_path / "sesbox.conf"
    conf.write_text("sns-subscriptions = ses-events=%s, "
                    "arn:aws:sns:eu-west-1:111111111111:other=%s\n"
                    % (hook.url, other.url))
    srv = start_server("--config", str(conf))
    sns = make_client("sns", srv.url)

    def check_subscribed():
        (sub,) = sns.list_subscriptions()["Subscriptions"]
        assert (sub["TopicArn"], sub["Endpoint"], sub["Protocol"]) == (
            TOPIC, hook.url, "http")
        assert sub["SubscriptionArn"].startswith(TOPIC + ":")
        attrs = sns.get_subscription_attributes(
            SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
        assert attrs["PendingConfirmation"] == "false"
        return sub["SubscriptionArn"]

    arn = check_subscribed()
    srv.flush()
    assert hook.received == [] and other.received == []   # no confirmation
    # SES events reach the configured endpoint.
    v1 = set_up(srv, {"to-sns": {"Enabled": True,
                                 "MatchingEventTypes": ["SEND"],
                                 "SnsDestination": {"TopicArn": TOPIC}}})
    mid = send(v1, "success@" + SIM)
    assert [p["Status"] for p in publications(srv, mid)] == ["published"]
    got = [r.json() for r in hook.received]
    assert [g["Message"] for g in got][0] == VALIDATION
    assert json.loads(got[1]["Message"])["mail"]["messageId"] == mid
    assert got[1]["UnsubscribeURL"].endswith(arn)
    assert hook.received[1].header("x-amz-sns-subscription-arn") == arn
    assert other.received == []
    # A reset wipes everything; configuration makes the subscriptions
    # again.
    srv.reset()
    new_arn = check_subscribed()
    assert new_arn != arn
    hook.received.clear()
    sns.publish(TopicArn=TOPIC, Message="after the reset")
    srv.flush()
    (note,) = hook.received
    assert note.json()["Message"] == "after the reset"


def test_subscription_to_another_account_and_region(start_server, subscriber):
    hook = subscriber()
    topic = "arn:aws:sns:eu-west-1:111111111111:other"
    srv = start_server("--sns-subscriptions", "%s=%s" % (topic, hook.url),
                       "--credentials", "AKIDEU:eu-secret:111111111111")
    sns = make_client("sns", srv.url, region="eu-west-1", key="AKIDEU",
                      secret="eu-secret")
    assert sns.list_topics()["Topics"] == [{"TopicArn": topic}]
    (sub,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert (sub["Endpoint"], sub["Protocol"]) == (hook.url, "http")
    assert make_client("sns", srv.url).list_topics()["Topics"] == []
    sns.publish(TopicArn=topic, Message="hello")
    srv.flush()
    (note,) = hook.received
    assert note.json()["Message"] == "hello"


# -- bad values ---------------------------------------------------------------

def _assert_start_fails(proc, first_line):
    assert proc.returncode == 2, proc
    assert proc.stdout == ""
    assert proc.stderr == first_line + "\n", proc.stderr


def test_bad_eventbridge_endpoint(tmp_path):
    proc = run_sesbox(["--eventbridge-endpoint", "localhost:4566"],
                      cwd=tmp_path)
    _assert_start_fails(proc, "sesbox: --eventbridge-endpoint: "
                        "eventbridge-endpoint: expected an http:// or "
                        "https:// URL (got 'localhost:4566')")
    assert list(tmp_path.iterdir()) == []


def test_bad_sns_endpoint(tmp_path):
    proc = run_sesbox([], env={"SESBOX_SNS_ENDPOINT": "ftp://sns.test/"},
                      cwd=tmp_path)
    _assert_start_fails(proc, "sesbox: SESBOX_SNS_ENDPOINT: sns-endpoint: "
                        "expected an http:// or https:// URL "
                        "(got 'ftp://sns.test/')")


@pytest.mark.parametrize("value, reason", [
    ("ses-events", "entry 1: expected TOPIC=URL (got 'ses-events')"),
    ("a=http://x/, bad.name=http://y/",
     "entry 2: expected a topic name (1-256 characters of A-Z, a-z, 0-9, - "
     "and _) or arn:aws:sns:REGION:ACCOUNT:NAME (got 'bad.name')"),
    ("a=mailto:me@example.com",
     "entry 1 (a): expected an http:// or https:// URL "
     "(got 'mailto:me@example.com')"),
    ("a=http://x/,,", "entry 2 is empty"),
], ids=["no-url", "bad-topic", "bad-url", "empty-entry"])
def test_bad_sns_subscriptions(tmp_path, value, reason):
    conf = tmp_path / "sesbox.conf"
    conf.write_text("# subscriptions\nsns-subscriptions = %s\n" % value)
    proc = run_sesbox(["--config", str(conf)], cwd=tmp_path)
    _assert_start_fails(proc, "sesbox: %s:2: sns-subscriptions: %s"
                        % (conf, reason))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sesbox.conf"]


# -- the migration from schema 010 --------------------------------------------

def test_sns_deliveries_migrate_to_the_outbox(start_server, tmp_path):
    """A data directory at schema 010 keeps its SNS deliveries, their
    attempts and the id sequence."""
    data = tmp_path / "data"
    data.mkdir()
    db = sqlite3.connect(str(data / "sesbox.db"))
    for f in sorted((ROOT / "emulator" / "schema").glob("0*.sql")):
        if int(f.name[:3]) <= 10:
            db.executescript(f.read_text())
    sub = TOPIC + ":c9135db0-26c4-47ec-8998-413945fb5a96"
    db.execute(
        "INSERT INTO sns_delivery (id, account_id, region, type, "
        "message_id, topic_arn, subscription_arn, endpoint, raw, "
        "signature_version, subject, message, token, timestamp_ms, state, "
        "attempts, next_attempt_ms) VALUES (41, '000000000000', "
        "'us-east-1', 'Notification', "
        "'22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324', ?, ?, "
        "'http://127.0.0.1:9/x', 0, '1', 'S', 'kept', NULL, ?, 'failed', "
        "1, ?)", (TOPIC, sub, T0, T0 + 20000))
    db.execute("INSERT INTO sns_attempt VALUES (41, 1, ?, 'failed', 404, "
               "NULL)", (T0,))
    db.execute("UPDATE sqlite_sequence SET seq = 57 WHERE name = "
               "'sns_delivery'")
    db.execute("PRAGMA user_version = 10")
    db.commit()
    db.close()
    srv = start_server("--data", str(data), ephemeral=False)
    (d,) = srv.get("/_sesbox/api/v1/sns/deliveries").json()["deliveries"]
    assert d == {"Id": 41, "Kind": "sns", "Type": "Notification",
                 "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
                 "TopicArn": TOPIC, "SubscriptionArn": sub,
                 "Endpoint": "http://127.0.0.1:9/x",
                 "RawMessageDelivery": False, "State": "failed",
                 "Timestamp": iso(T0), "Account": DEFAULT_ACCOUNT,
                 "Region": "us-east-1", "NextAttempt": None,
                 "Attempts": [{"Attempt": 1, "Timestamp": iso(T0),
                               "Status": "failed", "HttpStatus": 404,
                               "Error": None}]}
    sns = make_client("sns", srv.url)
    topic = sns.create_topic(Name="fresh")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="http",
                  Endpoint="http://127.0.0.1:9/y")
    listed = srv.get("/_sesbox/api/v1/sns/deliveries",
                     params={"topic": topic}).json()["deliveries"]
    assert [d["Id"] for d in listed] == [58]
