"""The inspection API's events, notifications, blocking wait, live feed
(Server-Sent Events) and the actions on a captured message (docs/feed.md).

Asynchronous outcomes are awaited with the queue flush, the wait itself or
the server log (a debug server logs each deferred answer), never a sleep.
"""
import http.client
import json
import re
import signal
import socket
import threading
import time

import pytest

from conftest import HTTP_TIMEOUT_S

SENDER = "sender@example.com"
OK = "success@simulator.amazonses.com"
BOUNCE = "bounce@simulator.amazonses.com"
COMPLAINT = "complaint@simulator.amazonses.com"
T0 = 1700000000123
ROLE = "arn:aws:iam::000000000000:role/ses-firehose"
STREAM = "arn:aws:firehose:us-east-1:000000000000:deliverystream/ses-events"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
EVENTS = "/_sesbox/api/v1/events"
NOTIFICATIONS = "/_sesbox/api/v1/notifications"
FEED = "/_sesbox/api/v1/feed"
TYPES = ("Send, Reject, Bounce, Complaint, Delivery, Open, Click, "
         "Rendering Failure, DeliveryDelay, Subscription")


# -- helpers ------------------------------------------------------------------

def freeze(srv, ms=T0):
    r = srv.post("/_sesbox/api/v1/clock", json={"set_ms": ms})
    assert r.status_code == 200, r.text


def send(srv, ses, to, subject="hello", cs=None, html=None, cc=()):
    v1 = ses(srv=srv)
    v1.verify_email_identity(EmailAddress=SENDER)
    body = {"Text": {"Data": "hi"}}
    if html is not None:
        body["Html"] = {"Data": html}
    kw = {"ConfigurationSetName": cs} if cs else {}
    return v1.send_email(
        Source=SENDER, Destination={"ToAddresses": list(to),
                                    "CcAddresses": list(cc)},
        Message={"Subject": {"Data": subject}, "Body": body},
        **kw)["MessageId"]


def firehose_set(srv, sesv2, types, cs="cs1", name="fh"):
    v2 = sesv2(srv=srv)
    v2.create_configuration_set(ConfigurationSetName=cs)
    v2.create_configuration_set_event_destination(
        ConfigurationSetName=cs, EventDestinationName=name,
        EventDestination={"Enabled": True, "MatchingEventTypes": types,
                          "KinesisFirehoseDestination": {
                              "IamRoleArn": ROLE,
                              "DeliveryStreamArn": STREAM}})


def events(srv, **params):
    r = srv.get(EVENTS, params=params)
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"events", "next_cursor"}, r.text
    return r.json()["events"]


def bad(srv, path, params, message, status=400, code="BadRequest",
        method="GET", **kw):
    r = srv.request(method, path, params=params, **kw)
    assert (r.status_code, r.json()) == (status, {
        "code": code, "message": message}), r.text


def debug_server(start_server):
    return start_server("--log-level", "debug")


def deferred(srv, since):
    """Waits for the log line of an answer the server deferred."""
    return srv.wait_for_line(lambda f: f.get("msg") == "answer deferred",
                             timeout=10, start=since)


def raw_get(srv, path, headers=()):
    """A GET sent on its own socket (the answer read later)."""
    s = socket.create_connection((srv.host, srv.port), timeout=HTTP_TIMEOUT_S)
    s.sendall(("GET %s HTTP/1.1\r\nHost: sesbox\r\n%s\r\n" % (
        path, "".join(h + "\r\n" for h in headers))).encode())
    return s


def read_all(s):
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk


class Feed:
    """A client of the live feed: its frames, parsed."""

    def __init__(self, srv, query="", last_event_id=None):
        self.conn = http.client.HTTPConnection(srv.host, srv.port,
                                               timeout=HTTP_TIMEOUT_S)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self.conn.request("GET", FEED + query, headers=headers)
        self.resp = self.conn.getresponse()
        self.buf = b""

    def frame(self):
        """The next frame as a dict of its fields ("comment" for comment
        lines), data parsed as JSON."""
        while b"\n\n" not in self.buf:
            chunk = self.resp.read1(65536)
            assert chunk, "the feed ended"
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\n\n", 1)
        out = {}
        for line in raw.decode().split("\n"):
            if line.startswith(":"):
                out.setdefault("comment", []).append(line[1:].strip())
            else:
                k, _, v = line.partition(": ")
                out[k] = json.loads(v) if k == "data" else v
        return out

    def data_frame(self):
        """The next frame that carries data (keepalives skipped)."""
        while True:
            f = self.frame()
            if "data" in f:
                return f

    def close(self):
        self.conn.close()


# -- events -------------------------------------------------------------------

def test_events_listing_and_filters(server, ses, sesv2):
    freeze(server)
    firehose_set(server, sesv2, ["SEND", "DELIVERY", "BOUNCE"])
    mid = send(server, ses, [OK, BOUNCE], cs="cs1")
    server.flush()
    evs = events(server, message=mid)
    # Newest first: the bounce and the delivery (one batch), then Send.
    assert [e["Type"] for e in evs][-1] == "Send"
    assert sorted(e["Type"] for e in evs) == ["Bounce", "Delivery", "Send"]
    assert [e["Id"] for e in evs] == sorted((e["Id"] for e in evs),
                                            reverse=True)
    by = {e["Type"]: e for e in evs}
    for e in evs:
        assert set(e) == {"Id", "MessageId", "Type", "Timestamp",
                          "Recipients", "Detail", "Publications"}
        assert e["MessageId"] == mid
        assert ISO.match(e["Timestamp"]), e
        assert e["Publications"][0]["Origin"] == "fh"
        assert e["Publications"][0]["Target"] == STREAM
        assert {p["Event"] for p in e["Publications"]} == {e["Id"]}
    # AWS: with no bounce topic, feedback forwarding mails the DSN.
    assert [(p["Format"], p["Origin"]) for p in by["Bounce"][
        "Publications"]] == [("event", "fh"), ("email", SENDER)]
    assert by["Send"]["Timestamp"] == "2023-11-14T22:13:20.123Z"
    assert by["Send"]["Recipients"] == [OK, BOUNCE]
    assert by["Delivery"]["Recipients"] == [OK]
    assert by["Bounce"]["Recipients"] == [BOUNCE]
    assert by["Bounce"]["Detail"]["bounceType"] == "Permanent"
    # The same as the message's own events.
    own = server.get("/_sesbox/api/v1/messages/" + mid).json()["Events"]
    assert sorted(e["Type"] for e in own) == sorted(by)
    for e in own:
        assert by[e["Type"]]["Detail"] == e["Detail"]

    def types(**params):
        return [e["Type"] for e in events(server, **params)]

    assert types(type="Bounce") == ["Bounce"]
    # Any of the three spellings, several at once.
    assert sorted(types(type="SEND,delivery")) == ["Delivery", "Send"]
    assert types(message=mid, type="Send") == ["Send"]
    assert types(message="nope") == []
    assert sorted(types(recipient=BOUNCE.upper())) == ["Bounce", "Send"]
    assert sorted(types(recipient=OK)) == ["Delivery", "Send"]
    assert types(recipient="other@example.com") == []
    assert len(types(destination="fh")) == 3
    assert len(types(destination=STREAM)) == 3
    assert types(destination="elsewhere") == []
    assert len(types(account="000000000000", region="us-east-1")) == 3
    assert types(region="eu-west-1") == []
    # Times: ISO-8601 or epoch ms, both ends inclusive.
    assert types(since=str(T0), until="2023-11-14T22:13:20.123Z",
                 type="Send") == ["Send"]
    assert types(since=str(T0 + 1), type="Send") == []
    assert types(until=str(T0 - 1)) == []


def test_events_paging(server, ses):
    freeze(server)
    for i in range(3):
        send(server, ses, [OK], subject="m%d" % i)
    server.flush()
    every = events(server)
    assert len(every) == 6
    seen, cursor = [], None
    while True:
        params = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        r = server.get(EVENTS, params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["events"]) <= 4
        seen += page["events"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str)
    assert [e["Id"] for e in seen] == [e["Id"] for e in every]
    # A page that ends exactly at the last event has no next cursor.
    r = server.get(EVENTS, params={"limit": 6}).json()
    assert len(r["events"]) == 6 and r["next_cursor"] is None


def test_events_bad_input(server):
    for params, message in [
        ({"limit": "0"}, "limit must be 1-1000"),
        ({"limit": "1001"}, "limit must be 1-1000"),
        ({"limit": "x"}, "limit must be 1-1000"),
        ({"cursor": "abc"}, "cursor is not valid"),
        ({"cursor": "0"}, "cursor is not valid"),
        ({"type": "Sent"}, "type: must be one of " + TYPES),
        ({"type": "Send,"}, None),
        ({"since": "yesterday"},
         "since must be an ISO-8601 time or epoch milliseconds"),
        ({"until": "1.5"},
         "until must be an ISO-8601 time or epoch milliseconds"),
        ({"wait_ms": "60001"}, "wait_ms must be 0-60000"),
        ({"wait_ms": "-1"}, "wait_ms must be 0-60000"),
        ({"wait_ms": "10", "count": "0"}, "count must be 1-1000"),
        ({"recipeint": "a@example.com"}, "unknown parameter recipeint"),
        ({"message": "x" * 200}, "message is malformed or too long"),
    ]:
        if message is None:
            assert server.get(EVENTS, params=params).status_code == 200
            continue
        bad(server, EVENTS, params, message)
    bad(server, EVENTS, None, "this endpoint does not take that method",
        status=405, code="MethodNotAllowed", method="POST")


# -- the wait -----------------------------------------------------------------

def test_wait_satisfied_at_once(server, ses):
    send(server, ses, [OK])
    server.flush()
    t = time.monotonic()
    r = server.get(EVENTS, params={"type": "Delivery", "wait_ms": 30000})
    assert time.monotonic() - t < 5
    assert r.status_code == 200, r.text
    assert [e["Type"] for e in r.json()["events"]] == ["Delivery"]


def test_wait_for_a_later_send(start_server, ses):
    srv = debug_server(start_server)
    got = {}

    def waiter():
        t = time.monotonic()
        got["r"] = srv.get(EVENTS, params={
            "type": "Delivery", "recipient": OK, "wait_ms": 30000},
            timeout=40)
        got["s"] = time.monotonic() - t

    since = srv.log_len()
    th = threading.Thread(target=waiter)
    th.start()
    deferred(srv, since)
    # Sent (and delivered) only once the request waits.
    mid = send(srv, ses, [OK])
    th.join(40)
    assert not th.is_alive()
    r = got["r"]
    assert r.status_code == 200, r.text
    assert [(e["Type"], e["MessageId"]) for e in r.json()["events"]] == [
        ("Delivery", mid)]
    assert got["s"] < 25


def test_wait_count(start_server, ses):
    srv = debug_server(start_server)
    send(srv, ses, [OK], subject="one")
    srv.flush()
    got = {}

    def waiter():
        got["r"] = srv.get(EVENTS, params={
            "type": "Send", "wait_ms": 30000, "count": 3, "limit": 2},
            timeout=40)

    since = srv.log_len()
    th = threading.Thread(target=waiter)
    th.start()
    deferred(srv, since)
    send(srv, ses, [OK], subject="two")
    send(srv, ses, [OK], subject="three")
    th.join(40)
    r = got["r"]
    assert r.status_code == 200, r.text
    body = r.json()
    # count waits for three; limit still pages the answer.
    assert len(body["events"]) == 2 and body["next_cursor"] is not None


def test_wait_timeout(server):
    t = time.monotonic()
    r = server.get(EVENTS, params={"type": "Bounce", "wait_ms": 700,
                                   "count": 2})
    took = time.monotonic() - t
    assert r.status_code == 408, r.text
    assert r.json() == {"code": "Timeout", "message": "waited 700 ms for 2 "
                        "matching events; 0 matched", "events": [],
                        "next_cursor": None}
    # Real time, not the test clock: about wait_ms.
    assert 0.6 <= took < 5, took
    # wait_ms=0: looked at once.
    r = server.get(EVENTS, params={"wait_ms": 0})
    assert r.status_code == 408 and r.json()["message"] == (
        "waited 0 ms for 1 matching event; 0 matched")


def test_wait_timeout_ignores_the_test_clock(server):
    freeze(server)
    r = server.post("/_sesbox/api/v1/clock", json={"advance_ms": 10 ** 9})
    assert r.status_code == 200
    t = time.monotonic()
    r = server.get(EVENTS, params={"wait_ms": 500})
    assert r.status_code == 408
    assert time.monotonic() - t >= 0.45


def test_client_gone_while_waiting(start_server, ses):
    srv = debug_server(start_server)
    since = srv.log_len()
    s = raw_get(srv, EVENTS + "?wait_ms=60000&type=Bounce")
    line = deferred(srv, since)
    s.close()
    t = time.monotonic()
    # The wait ends soon after the hang-up, not at its deadline.
    srv.wait_for_line(lambda f: f.get("req") == line["req"] and f.get(
        "msg") == "client left while waiting", timeout=10, start=since)
    assert time.monotonic() - t < 8
    # The server goes on serving.
    send(srv, ses, [OK])
    srv.flush()
    assert [e["Type"] for e in events(srv, type="Send")] == ["Send"]
    r = srv.get(EVENTS, params={"type": "Send", "wait_ms": 5000})
    assert r.status_code == 200


def test_shutdown_with_waits_and_feeds(start_server):
    srv = debug_server(start_server)
    since = srv.log_len()
    waiting = raw_get(srv, EVENTS + "?wait_ms=60000")
    deferred(srv, since)
    feed = Feed(srv)
    assert feed.resp.status == 200
    assert feed.frame()["retry"] == "2000"
    t = time.monotonic()
    assert srv.stop(signal.SIGTERM, timeout=10) == 0
    assert time.monotonic() - t < 5
    answer = read_all(waiting)
    assert answer.startswith(b"HTTP/1.1 503 "), answer
    assert b'{"code":"ServiceUnavailable","message":"sesbox is stopping"}' \
        in answer
    # The feed ends cleanly: the last chunk, then the connection closes.
    assert feed.resp.read() == b""
    feed.close()
    assert "msg=stopped" in srv.log()


# -- the live feed ------------------------------------------------------------

def test_feed_frames(server, ses):
    freeze(server)
    feed = Feed(server)
    try:
        assert feed.resp.status == 200
        assert feed.resp.getheader("Content-Type") == \
            "text/event-stream; charset=utf-8"
        assert feed.resp.getheader("Cache-Control") == "no-cache"
        assert feed.resp.getheader("Transfer-Encoding") == "chunked"
        first = feed.frame()
        assert first == {"retry": "2000", "comment": ["sesbox live feed"]}
        mid = send(server, ses, [OK], subject="live one")
        m = feed.data_frame()
        assert m["event"] == "message"
        assert m["data"] == {"MessageId": mid, "Subject": "live one",
                             "Source": SENDER, "Destinations": [OK],
                             "Timestamp": T0, "Kind": "send"}
        e = feed.data_frame()
        assert e["event"] == "event"
        assert set(e["data"]) == {"Id", "MessageId", "Type", "Timestamp"}
        assert (e["data"]["Type"], e["data"]["MessageId"],
                e["data"]["Timestamp"]) == ("Send", mid,
                                            "2023-11-14T22:13:20.123Z")
        server.flush()
        d = feed.data_frame()
        assert (d["event"], d["data"]["Type"]) == ("event", "Delivery")
        # ids: MESSAGE-EVENT positions, only growing.
        ids = [tuple(int(x) for x in f["id"].split("-")) for f in (m, e, d)]
        assert ids == sorted(ids) and len(set(ids)) == 3
        assert ids[2] == (ids[1][0], d["data"]["Id"])
    finally:
        feed.close()


def test_feed_keepalive(server):
    feed = Feed(server, "?keepalive_ms=200")
    try:
        feed.frame()
        assert feed.frame() == {"comment": ["keepalive"]}
        assert feed.frame() == {"comment": ["keepalive"]}
    finally:
        feed.close()


def test_feed_resume_with_last_event_id(server, ses):
    feed = Feed(server)
    try:
        feed.frame()
        mids = [send(server, ses, [OK], subject="r%d" % i) for i in range(2)]
        # Until both messages and their Send events came (deliveries may
        # come in between: they are kept too).
        frames = []
        while sum(f["event"] == "message" or f["data"]["Type"] == "Send"
                  for f in frames) < 4:
            frames.append(feed.data_frame())
    finally:
        feed.close()
    assert [(f["event"], f["data"]["MessageId"]) for f in frames
            if f["event"] == "message" or f["data"]["Type"] == "Send"] == [
        ("message", mids[0]), ("event", mids[0]),
        ("message", mids[1]), ("event", mids[1])]
    # Reconnecting after the first frame gets the rest again, in order.
    again = Feed(server, last_event_id=frames[0]["id"])
    try:
        again.frame()
        got = [again.data_frame() for _ in frames[1:]]
    finally:
        again.close()
    assert [(f["event"], f["id"]) for f in got] == [
        (f["event"], f["id"]) for f in frames[1:]]
    # From the start of the store.
    zero = Feed(server, last_event_id="0-0")
    try:
        zero.frame()
        assert zero.data_frame()["data"]["MessageId"] == mids[0]
    finally:
        zero.close()


def test_feed_after_reset(server, ses):
    """A reset starts the tables over (rowids are reused): the feed goes
    on with the new rows."""
    send(server, ses, [OK], subject="before")
    server.flush()
    feed = Feed(server)
    try:
        feed.frame()
        server.reset()
        mid = send(server, ses, [OK], subject="after")
        m = feed.data_frame()
        assert (m["event"], m["data"]["MessageId"]) == ("message", mid)
        e = feed.data_frame()
        assert (e["event"], e["data"]["MessageId"], e["data"]["Type"]) == (
            "event", mid, "Send")
    finally:
        feed.close()


def test_feed_bad_input(server):
    bad(server, FEED, {"keepalive_ms": "10"},
        "keepalive_ms must be 100-3600000")
    bad(server, FEED, {"since": "0"}, "unknown parameter since")
    bad(server, FEED, None, "Last-Event-ID is not a position of this feed",
        headers={"Last-Event-ID": "12"})
    bad(server, FEED, None, "this endpoint does not take that method",
        status=405, code="MethodNotAllowed", method="POST")


def test_feed_client_gone(server, ses):
    """A client that leaves is cleaned up; the server serves on."""
    for _ in range(3):
        feed = Feed(server)
        feed.frame()
        feed.close()
    send(server, ses, [OK])
    server.flush()
    assert len(events(server)) == 2


# -- notifications ------------------------------------------------------------

def subscribe_http(srv, sns_client, subscriber, name="bounces"):
    import xml.etree.ElementTree as ET
    import requests

    c = sns_client(srv=srv)
    topic = c.create_topic(Name=name)["TopicArn"]
    sub = subscriber()
    c.subscribe(TopicArn=topic, Protocol="http", Endpoint=sub.url)
    r = srv.post("/_sesbox/api/v1/sns/flush")
    assert r.status_code == 200
    confirmation = sub.received[0].json()
    r = requests.get(confirmation["SubscribeURL"], timeout=HTTP_TIMEOUT_S)
    assert r.status_code == 200, r.text
    assert ET.fromstring(r.text) is not None
    return topic, sub


def test_notifications(server, ses, sesv2, sns_client, subscriber):
    topic, sub = subscribe_http(server, sns_client, subscriber)
    v1 = ses()
    v1.verify_email_identity(EmailAddress=SENDER)
    v1.set_identity_notification_topic(Identity=SENDER,
                                       NotificationType="Bounce",
                                       SnsTopic=topic)
    firehose_set(server, sesv2, ["SEND", "BOUNCE"])
    mid = send(server, ses, [BOUNCE], cs="cs1")
    server.flush()
    r = server.get(NOTIFICATIONS)
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["next_cursor"] is None
    got = page["notifications"]
    assert [(n["Type"], n["Format"], n["TargetKind"]) for n in got] == [
        ("Bounce", "notification", "sns"), ("Bounce", "event", "firehose"),
        ("Send", "event", "firehose")]
    note = got[0]
    assert note["MessageId"] == mid and note["Target"] == topic
    assert note["Origin"] == SENDER and note["Status"] == "published"
    assert note["Payload"]["notificationType"] == "Bounce"
    assert [n["Id"] for n in got] == sorted((n["Id"] for n in got),
                                            reverse=True)
    # Its SNS delivery to the subscriber, with the attempt made.
    (delivery,) = note["Deliveries"]
    assert delivery["Kind"] == "sns" and delivery["Endpoint"] == sub.url
    assert delivery["State"] == "delivered"
    (attempt,) = note["Attempts"]
    assert attempt["Status"] == "delivered" and attempt["HttpStatus"] == 200
    assert attempt["Delivery"] == delivery["Id"]
    assert attempt["Endpoint"] == sub.url and ISO.match(attempt["Timestamp"])
    assert "Attempts" not in got[1] and "Deliveries" not in got[1]
    # The subscriber got exactly that message.
    assert json.loads(sub.received[-1].json()["Message"]) == note["Payload"]

    def kinds(**params):
        r = server.get(NOTIFICATIONS, params=params)
        assert r.status_code == 200, r.text
        return [(n["Type"], n["Format"]) for n in r.json()["notifications"]]

    assert kinds(type="Send") == [("Send", "event")]
    assert kinds(format="notification") == [("Bounce", "notification")]
    assert kinds(destination=topic) == [("Bounce", "notification")]
    assert kinds(destination="fh") == [("Bounce", "event"),
                                       ("Send", "event")]
    assert kinds(status="failed") == []
    assert kinds(message=mid, type="bounce") == [
        ("Bounce", "notification"), ("Bounce", "event")]
    r = server.get(NOTIFICATIONS, params={"limit": 2}).json()
    assert len(r["notifications"]) == 2
    rest = server.get(NOTIFICATIONS, params={
        "cursor": r["next_cursor"]}).json()
    assert [n["Id"] for n in r["notifications"] + rest["notifications"]] == [
        n["Id"] for n in got]
    # The events listing carries the same publications.
    (bounce,) = events(server, type="Bounce")
    assert [p["Id"] for p in bounce["Publications"]] == [
        got[1]["Id"], got[0]["Id"]]


def test_notifications_bad_input(server):
    for params, message in [
        ({"status": "sent"},
         "status: must be one of published, recorded, failed, queued"),
        ({"format": "json"},
         "format: must be one of event, notification, email"),
        ({"type": "bounces"}, "type: must be one of " + TYPES),
        ({"limit": "0"}, "limit must be 1-1000"),
        ({"cursor": "x"}, "cursor is not valid"),
        ({"wait_ms": "100"}, "unknown parameter wait_ms"),
    ]:
        bad(server, NOTIFICATIONS, params, message)


# -- actions ------------------------------------------------------------------

HTML = ('<p>Hi <a href="https://example.com/a?x=1" ses:tags="camp:feed;">'
        'a</a> <a href="https://example.com/b">b</a></p>')
ALICE = "alice@example.com"
BOB = "bob@example.com"


def action(srv, mid, verb, body=None, **kw):
    return srv.post("/_sesbox/api/v1/messages/%s/actions/%s" % (mid, verb),
                    json=body if body is not None else {}, **kw)


def acted(srv, mid, verb, body=None, **kw):
    r = action(srv, mid, verb, body, **kw)
    assert r.status_code == 200, r.text
    out = r.json()
    assert set(out) == {"MessageId", "Event"} and out["MessageId"] == mid
    return out["Event"]


def tracked(srv, ses, sesv2):
    freeze(srv)
    firehose_set(srv, sesv2, ["OPEN", "CLICK", "COMPLAINT", "BOUNCE"])
    return send(srv, ses, [ALICE, BOB], cs="cs1", html=HTML)


def test_action_open_and_click(server, ses, sesv2):
    mid = tracked(server, ses, sesv2)
    server.flush()
    e = acted(server, mid, "open", {"ipAddress": "198.51.100.7",
                                    "userAgent": "Mailer/1"})
    assert e["Type"] == "Open" and e["MessageId"] == mid
    assert e["Recipients"] == [ALICE, BOB]
    assert e["Detail"] == {"timestamp": "2023-11-14T22:13:20.123Z",
                           "userAgent": "Mailer/1",
                           "ipAddress": "198.51.100.7"}
    # Defaults: the caller's address and User-Agent.
    e = acted(server, mid, "open", {"recipient": BOB.upper()},
              headers={"User-Agent": "Client/9"})
    assert e["Detail"]["ipAddress"] == "127.0.0.1"
    assert e["Detail"]["userAgent"] == "Client/9"
    e = acted(server, mid, "click", {"link": "https://example.com/a?x=1",
                                     "userAgent": "Browser/2"})
    assert e["Type"] == "Click"
    assert e["Detail"]["link"] == "https://example.com/a?x=1"
    assert e["Detail"]["linkTags"] == {"camp": ["feed"]}
    assert e["Detail"]["userAgent"] == "Browser/2"
    e = acted(server, mid, "click", {"n": 2})
    assert e["Detail"]["link"] == "https://example.com/b"
    assert e["Detail"]["linkTags"] is None
    # What hitting the tracking URLs records, published alike.
    server.flush()
    assert [ev["Type"] for ev in events(server, message=mid)][:4] == [
        "Click", "Click", "Open", "Open"]
    pubs = server.get("/_sesbox/api/v1/messages/" + mid).json()[
        "Publications"]
    assert [p["Type"] for p in pubs] == ["Open", "Open", "Click", "Click"]
    assert pubs[0]["Payload"]["open"]["userAgent"] == "Mailer/1"
    assert pubs[2]["Payload"]["click"]["linkTags"] == {"camp": ["feed"]}


def test_action_complain(server, ses, sesv2):
    mid = tracked(server, ses, sesv2)
    server.flush()
    e = acted(server, mid, "complain", {"recipient": BOB,
                                        "feedbackType": "fraud"})
    assert e["Type"] == "Complaint" and e["Recipients"] == [BOB]
    d = e["Detail"]
    assert d["complaintFeedbackType"] == "fraud"
    assert d["complainedRecipients"] == [{"emailAddress": BOB}]
    assert d["timestamp"] == "2023-11-14T22:13:20.000Z"
    assert d["arrivalDate"] == "2023-11-14T22:13:20.123Z"
    # Default: abuse, first recipient.
    e = acted(server, mid, "complain")
    assert e["Recipients"] == [ALICE]
    assert e["Detail"]["complaintFeedbackType"] == "abuse"
    server.flush()
    # Suppression, statistics and publishing as for a real complaint.
    v2 = sesv2()
    s = v2.get_suppressed_destination(EmailAddress=BOB)[
        "SuppressedDestination"]
    assert s["Reason"] == "COMPLAINT"
    assert s["Attributes"]["MessageId"] == mid
    assert s["Attributes"]["FeedbackId"] == d["feedbackId"]
    points = ses().get_send_statistics()["SendDataPoints"]
    assert sum(p["Complaints"] for p in points) == 2
    pubs = server.get(NOTIFICATIONS, params={
        "message": mid, "type": "Complaint", "format": "event"}).json()
    assert [p["Payload"]["complaint"]["complaintFeedbackType"]
            for p in pubs["notifications"]] == ["abuse", "fraud"]


def test_action_bounce(server, ses, sesv2):
    mid = tracked(server, ses, sesv2)
    server.flush()
    e = acted(server, mid, "bounce", {"recipient": ALICE,
                                      "bounceSubType": "NoEmail"})
    assert e["Type"] == "Bounce" and e["Recipients"] == [ALICE]
    d = e["Detail"]
    assert (d["bounceType"], d["bounceSubType"]) == ("Permanent", "NoEmail")
    assert d["bouncedRecipients"] == [{
        "emailAddress": ALICE, "action": "failed", "status": "5.1.1",
        "diagnosticCode": "smtp; 550 5.1.1 user unknown"}]
    assert d["reportingMTA"] == "dns; a8-70.smtp-out.amazonses.com"
    e = acted(server, mid, "bounce", {
        "recipient": BOB, "bounceType": "Transient",
        "bounceSubType": "MailboxFull", "status": "4.2.2",
        "diagnosticCode": "smtp; 452 4.2.2 mailbox full"})
    assert (e["Detail"]["bounceType"], e["Detail"]["bounceSubType"]) == (
        "Transient", "MailboxFull")
    assert e["Detail"]["bouncedRecipients"][0]["status"] == "4.2.2"
    server.flush()
    v2 = sesv2()
    assert v2.get_suppressed_destination(EmailAddress=ALICE)[
        "SuppressedDestination"]["Reason"] == "BOUNCE"
    # A transient bounce suppresses nobody.
    with pytest.raises(v2.exceptions.NotFoundException):
        v2.get_suppressed_destination(EmailAddress=BOB)
    points = ses().get_send_statistics()["SendDataPoints"]
    assert sum(p["Bounces"] for p in points) == 2
    assert sum(p["DeliveryAttempts"] for p in points) == 2
    pubs = server.get(NOTIFICATIONS, params={
        "message": mid, "type": "Bounce", "format": "event"}).json()
    assert len(pubs["notifications"]) == 2
    # AWS: and, with no bounce topic, each mailed back as a DSN.
    mails = server.get(NOTIFICATIONS, params={
        "message": mid, "type": "Bounce", "format": "email"}).json()
    assert len(mails["notifications"]) == 2
    # The recipient's own delivery state is left alone: both delivered.
    assert sorted(ev["Type"] for ev in events(server, message=mid)) == [
        "Bounce", "Bounce", "Delivery", "Send"]


def test_action_bad_input(server, ses, sesv2):
    mid = tracked(server, ses, sesv2)
    plain = send(server, ses, [OK], subject="untracked")
    path = "/_sesbox/api/v1/messages/%s/actions/" % mid
    for verb, body, message in [
        ("open", {"recipient": "carol@example.com"},
         "recipient: carol@example.com is not a recipient of this message"),
        ("click", {"link": "https://example.com/zzz"},
         "link: not a tracked link of this message"),
        ("click", {"n": 3}, "n: this message has no tracked link 3"),
        ("click", {"n": 0}, "n: must be a positive integer"),
        ("click", {"n": "1"}, "n: must be a positive integer"),
        ("click", {}, "give the link (its URL) or n (its number), one of "
         "them"),
        ("click", {"link": "https://example.com/b", "n": 2},
         "give the link (its URL) or n (its number), one of them"),
        ("complain", {"feedbackType": "spam"},
         "feedbackType: must be one of abuse, auth-failure, fraud, "
         "not-spam, other, virus"),
        ("bounce", {"bounceType": "Hard"},
         "bounceType: must be one of Undetermined, Permanent, Transient"),
        ("bounce", {"bounceSubType": "Full"},
         "bounceSubType: must be one of Undetermined, General, NoEmail, "
         "Suppressed, OnAccountSuppressionList, MailboxFull, "
         "MessageTooLarge, ContentRejected, AttachmentRejected"),
        ("bounce", {"feedbackType": "abuse"},
         "feedbackType: not a field of the bounce action"),
        ("open", {"link": "https://example.com/b"},
         "link: not a field of the open action"),
        ("complain", {"recipient": ""}, "recipient: must be a non-empty "
         "string"),
        ("open", {"userAgent": 7}, "userAgent: must be a non-empty string"),
    ]:
        r = server.post(path + verb, json=body)
        assert (r.status_code, r.json()) == (400, {
            "code": "BadRequest", "message": message}), (verb, body, r.text)
    r = server.post(path + "open", data="[1]")
    assert (r.status_code, r.json()["message"]) == (
        400, "the body must be a JSON object")
    r = server.post(path + "forward", json={})
    assert (r.status_code, r.json()) == (404, {
        "code": "NotFound",
        "message": "no such action (open, click, complain, bounce)"})
    r = server.post("/_sesbox/api/v1/messages/nope/actions/open", json={})
    assert (r.status_code, r.json()) == (404, {
        "code": "NotFound", "message": "no such message"})
    r = server.get(path + "open")
    assert r.status_code == 405
    # An untracked message has no links to click.
    r = server.post("/_sesbox/api/v1/messages/%s/actions/click" % plain,
                    json={"n": 1})
    assert (r.status_code, r.json()["message"]) == (
        400, "n: this message has no tracked link 1")
    # Nothing was recorded by the refusals.
    assert [e["Type"] for e in events(server, message=mid)
            if e["Type"] not in ("Send", "Delivery")] == []


def test_action_on_feedback_mail(server, ses):
    """Only sends have recipients who act: not the DSN SES mailed back."""
    send(server, ses, [BOUNCE])
    server.flush()
    (m,) = server.get("/_sesbox/api/v1/messages",
                      params={"kind": "feedback"}).json()["messages"]
    r = action(server, m["MessageId"], "open")
    assert (r.status_code, r.json()) == (400, {
        "code": "BadRequest", "message": "only sent messages have recipients "
        "who act; this message is a feedback"})


def test_message_routes_unchanged(server, ses):
    """The actions' route does not shadow the message endpoints."""
    mid = send(server, ses, [OK])
    assert server.get("/_sesbox/api/v1/messages/" + mid).status_code == 200
    assert server.get("/_sesbox/api/v1/messages/%s/raw" % mid
                      ).status_code == 200
    r = server.get("/_sesbox/api/v1/messages/%s/actions" % mid)
    assert r.status_code == 404
    r = server.post("/_sesbox/api/v1/messages//actions/open", json={})
    assert r.status_code in (404, 405)
