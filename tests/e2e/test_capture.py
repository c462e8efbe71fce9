"""The capture store's API (docs/capture.md): the message list with every
filter and cursor paging, one message taken apart (envelope, headers,
text, HTML under its Content-Security-Policy, attachments), the unread
state, deletes with everything a message owns, the scoped reset,
LocalStack's /_aws/ses, and retention pruning on the test clock."""
import base64
import email.mime.application
import email.mime.image
import email.mime.multipart
import email.mime.text
import email.policy
import glob
import http.client
import json
import sqlite3
import threading
import time

import pytest

import conftest
from conftest import DEFAULT_ACCOUNT, run_sesbox

API = "/_sesbox/api/v1"
SENDER = "sender@example.com"
SIM = "simulator.amazonses.com"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAE"
    "hQGAhKmMIQAAAABJRU5ErkJggg==")
PDF = b"%PDF-1.4\n% not really\n"
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data: cid:; "
       "sandbox")
CSP_IMAGES = ("default-src 'none'; style-src 'unsafe-inline'; img-src data: "
              "cid: http: https:; sandbox")
EVENT_TYPES = ("Send, Delivery, Bounce, Complaint, Reject, DeliveryDelay, "
               "Open, Click, Rendering Failure, Subscription")


@pytest.fixture
def v1(ses):
    client = ses()
    client.verify_email_identity(EmailAddress=SENDER)
    return client


def send(v1, to="to@example.net", subject="Hello", text="Hi there",
         html=None, **kw):
    body = {"Text": {"Data": text}}
    if html is not None:
        body["Html"] = {"Data": html}
    dest = to if isinstance(to, dict) else {"ToAddresses": [to]}
    return v1.send_email(Source=SENDER, Destination=dest,
                         Message={"Subject": {"Data": subject},
                                  "Body": body}, **kw)["MessageId"]


def paced(srv):
    """Freezes the test clock and returns a function to call before each
    send that moves it a second on every tenth, so the sending rate
    (14 a second by default) is never reached however fast a test sends."""
    freeze(srv)
    count = [0]

    def tick():
        count[0] += 1
        if count[0] % 10 == 0:
            advance(srv, 1000)
    return tick


def listing(srv, **params):
    r = srv.get(API + "/messages", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def ids(srv, **params):
    return [m["MessageId"] for m in listing(srv, **params)["messages"]]


def bad(r, status, message, code="BadRequest"):
    assert (r.status_code, r.json()) == (status, {"code": code,
                                                  "message": message})


def freeze(srv, ms=1700000000000):
    r = srv.post(API + "/clock", json={"set_ms": ms})
    assert r.status_code == 200, r.text


def advance(srv, ms):
    r = srv.post(API + "/clock", json={"advance_ms": ms})
    assert r.status_code == 200, r.text


# -- the list ----------------------------------------------------------------

def test_summary_fields(server, v1, sesv2):
    sesv2().create_configuration_set(ConfigurationSetName="cs1")
    mid = send(v1, subject="Fields", ConfigurationSetName="cs1",
               Tags=[{"Name": "campaign", "Value": "spring"}])
    server.flush()
    (m,) = listing(server)["messages"]
    raw = server.get(API + "/messages/%s/raw" % mid).content
    assert m == {
        "MessageId": mid, "Account": DEFAULT_ACCOUNT, "Region": "us-east-1",
        "Kind": "send", "Source": SENDER, "Destinations": ["to@example.net"],
        "Subject": "Fields", "Timestamp": m["Timestamp"], "Api": "v1",
        "Operation": "SendEmail", "Tags": m["Tags"],
        "ConfigurationSet": "cs1", "Read": False,
        "EventTypes": ["Send", "Delivery"], "Size": len(raw)}
    assert m["Tags"]["campaign"] == ["spring"]
    assert listing(server)["next_cursor"] is None


def test_event_types_in_first_seen_order(server, v1):
    bounced = send(v1, to="bounce@" + SIM)
    complained = send(v1, to="complaint@" + SIM)
    server.flush()
    by_id = {m["MessageId"]: m for m in listing(server)["messages"]}
    assert by_id[bounced]["EventTypes"] == ["Send", "Bounce"]
    assert by_id[complained]["EventTypes"] == ["Send", "Delivery",
                                               "Complaint"]
    assert ids(server, event="Bounce") == [bounced]
    assert ids(server, event="Complaint") == [complained]
    assert ids(server, event="Delivery") == [complained]
    assert ids(server, event="Open") == []
    # the DSN and the complaint report sesbox mailed back have no events
    feedback = ids(server, kind="feedback")
    assert len(feedback) == 2
    assert ids(server, kind="send") == [complained, bounced]


def test_filters(server, v1, ses, sesv2):
    sesv2().create_configuration_set(ConfigurationSetName="cs1")
    a = send(v1, to="Alice@Example.net", subject="Your Invoice 42",
             ConfigurationSetName="cs1",
             Tags=[{"Name": "campaign", "Value": "spring"}])
    b = send(v1, to={"ToAddresses": ["bob@example.net"],
                     "CcAddresses": ["carol@example.org"]},
             subject="Weekly digest",
             Tags=[{"Name": "campaign", "Value": "summer"}])
    raw = ("From: %s\r\nTo: dave@example.net\r\nSubject: raw one\r\n\r\n"
           "body\r\n" % SENDER).encode()
    c = v1.send_raw_email(RawMessage={"Data": raw})["MessageId"]
    v2 = sesv2()
    d = v2.send_email(FromEmailAddress=SENDER,
                      Destination={"ToAddresses": ["erin@example.net"]},
                      Content={"Simple": {"Subject": {"Data": "From v2"},
                                          "Body": {"Text": {"Data": "x"}}}}
                      )["MessageId"]
    west = ses(region="eu-west-1")
    west.verify_email_identity(EmailAddress=SENDER)
    e = send(west, to="alice@example.net", subject="Elsewhere")
    assert ids(server) == [e, d, c, b, a]
    assert ids(server, to="ALICE@example.NET") == [e, a]
    assert ids(server, to="alice") == []             # a whole address
    assert ids(server, to="carol@example.org") == [b]
    assert ids(server, **{"from": "SENDER@EXAMPLE"}) == [e, d, c, b, a]
    assert ids(server, **{"from": "nobody"}) == []
    assert ids(server, subject="invoice") == [a]
    assert ids(server, subject="WEEKLY DIGEST") == [b]
    assert ids(server, configuration_set="cs1") == [a]
    assert ids(server, tag="campaign:summer") == [b]
    assert ids(server, tag="campaign:autumn") == []
    assert ids(server, tag="ses:operation:SendRawEmail") == [c]
    assert ids(server, api="v2") == [d]
    assert ids(server, api="v1") == [e, c, b, a]
    assert ids(server, api="smtp") == []
    assert ids(server, operation="SendRawEmail") == [c]
    assert ids(server, region="eu-west-1") == [e]
    assert ids(server, region="us-east-1", account=DEFAULT_ACCOUNT) == [
        d, c, b, a]
    assert ids(server, account="111111111111") == []
    assert ids(server, q="invoice") == [a]           # subject
    assert ids(server, q="DAVE@") == [c]             # a recipient
    assert ids(server, q="example.org") == [b]
    assert ids(server, q="sender@") == [e, d, c, b, a]   # the source
    assert ids(server, q="nothing") == []
    assert ids(server, kind="send", to="alice@example.net",
               region="us-east-1") == [a]


def test_substring_filters_take_wildcards_literally(server, v1):
    deal = send(v1, subject="50%_off today", to="a_b@example.net")
    send(v1, subject="500 offers", to="axb@example.net")
    assert ids(server, subject="0%_o") == [deal]
    assert ids(server, subject="%") == [deal]
    assert ids(server, q="_") == [deal]
    assert ids(server, to="a_b@example.net") == [deal]
    assert ids(server, q="a\\b") == []


def test_time_filters(server, v1):
    freeze(server, 1700000000000)
    first = send(v1)
    advance(server, 1000)
    second = send(v1)
    advance(server, 1000)
    third = send(v1)
    assert ids(server, since="1700000001000") == [third, second]
    assert ids(server, since="2023-11-14T22:13:21Z") == [third, second]
    assert ids(server, until="1700000001000") == [second, first]
    assert ids(server, until="2023-11-14T22:13:20.000Z") == [first]
    assert ids(server, since="1700000001000",
               until="2023-11-14T22:13:21.999Z") == [second]
    assert ids(server, since="1700000003000") == []


def test_list_errors(server):
    for params, message in [
            ({"limit": "0"}, "limit must be 1-1000"),
            ({"limit": "1001"}, "limit must be 1-1000"),
            ({"limit": "ten"}, "limit must be 1-1000"),
            ({"cursor": "bogus"},
             "cursor is not a next_cursor this API returned"),
            ({"since": "yesterday"},
             "since must be an ISO-8601 time or epoch milliseconds"),
            ({"until": "2024-13-45"},
             "until must be an ISO-8601 time or epoch milliseconds"),
            ({"api": "v3"}, "api must be v1, v2 or smtp"),
            ({"event": "bounce"}, "event must be one of " + EVENT_TYPES),
            ({"tag": "campaign"}, "tag must be NAME:VALUE"),
            ({"to": "x" * 600}, "to is too long or badly encoded")]:
        bad(server.get(API + "/messages", params=params), 400, message)
        bad(server.request("DELETE", API + "/messages", params=params), 400,
            message)
    conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
    conn.request("GET", API + "/messages?to=%zz")    # as sent, not requoted
    r = conn.getresponse()
    assert (r.status, json.loads(r.read())) == (400, {
        "code": "BadRequest", "message": "to is too long or badly encoded"})
    conn.close()


def test_wrong_methods(server, v1):
    mid = send(v1)
    for method, path in [("PUT", "/messages"), ("POST", "/messages"),
                         ("POST", "/messages/" + mid),
                         ("DELETE", "/messages/%s/raw" % mid),
                         ("POST", "/messages/%s/html" % mid),
                         ("PUT", "/messages/%s/text" % mid),
                         ("DELETE", "/messages/%s/attachments/1" % mid),
                         ("GET", "/messages/%s/read" % mid),
                         ("GET", "/retention/prune")]:
        r = server.request(method, API + path)
        bad(r, 405, "this endpoint does not take that method",
            "MethodNotAllowed")
    r = server.request("PUT", "/_aws/ses")
    bad(r, 405, "this endpoint does not take that method",
        "MethodNotAllowed")
    bad(server.get(API + "/messages/%s/nope" % mid), 404,
        "no such sesbox endpoint", "NotFound")


# -- paging ------------------------------------------------------------------

def test_paging_newest_first_without_gaps(server, v1):
    tick = paced(server)
    sent = []
    for i in range(25):
        tick()
        sent.append(send(v1, subject="n%d" % i))
    page = listing(server, limit="10")
    got = [m["MessageId"] for m in page["messages"]]
    assert len(got) == 10 and page["next_cursor"]
    # messages arriving between pages are newer: not on the later pages
    advance(server, 1000)
    late = [send(v1, subject="late%d" % i) for i in range(3)]
    while page["next_cursor"]:
        page = listing(server, limit="10", cursor=page["next_cursor"])
        got += [m["MessageId"] for m in page["messages"]]
    assert got == sent[::-1]
    assert ids(server, limit="3") == late[::-1]


def test_paging_with_a_frozen_clock(server, v1):
    freeze(server)    # every message has the same Timestamp
    sent = [send(v1, to="r%d@example.net" % (i % 2)) for i in range(7)]
    assert len({m["Timestamp"] for m in listing(server)["messages"]}) == 1
    got, cursor = [], None
    while True:
        params = {"limit": "2", "to": "r1@example.net"}
        if cursor:
            params["cursor"] = cursor
        page = listing(server, **params)
        assert len(page["messages"]) <= 2
        got += [m["MessageId"] for m in page["messages"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        send(v1, to="r1@example.net")    # a newer one, between pages
    assert got == sent[1::2][::-1]
    # a last page that is exactly full has no empty page after it
    n = len(ids(server, to="r1@example.net"))
    assert listing(server, limit=str(n), to="r1@example.net")[
        "next_cursor"] is None
    page = listing(server, limit=str(n - 1), to="r1@example.net")
    last = listing(server, limit="1", to="r1@example.net",
                   cursor=page["next_cursor"])
    assert (len(last["messages"]), last["next_cursor"]) == (1, None)


# -- one message -------------------------------------------------------------

def rich_message():
    outer = email.mime.multipart.MIMEMultipart("mixed")
    outer["From"] = "Sender <%s>" % SENDER
    outer["To"] = "to@example.net"
    outer["Subject"] = "Rich"
    related = email.mime.multipart.MIMEMultipart("related")
    alt = email.mime.multipart.MIMEMultipart("alternative")
    alt.attach(email.mime.text.MIMEText("plain text", "plain", "utf-8"))
    alt.attach(email.mime.text.MIMEText(
        '<p>héllo <img src="cid:logo@x"></p>', "html", "utf-8"))
    related.attach(alt)
    img = email.mime.image.MIMEImage(PNG, "png")
    img["Content-ID"] = "<logo@x>"
    img.add_header("Content-Disposition", "inline")
    related.attach(img)
    outer.attach(related)
    pdf = email.mime.application.MIMEApplication(PDF, "pdf")
    pdf.add_header("Content-Disposition", "attachment",
                   filename=("utf-8", "", "résumé.pdf"))
    outer.attach(pdf)
    return outer.as_bytes()


def test_message_detail(server, v1):
    mid = v1.send_raw_email(RawMessage={"Data": rich_message()})["MessageId"]
    server.flush()
    r = server.get(API + "/messages/" + mid)
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["MessageId"] == mid and m["Read"] is False
    assert m["EventTypes"] == ["Send", "Delivery"]
    assert m["Envelope"] == {"MailFrom": SENDER, "RcptTo": ["to@example.net"]}
    names = [h["name"] for h in m["Headers"]]
    assert "Subject" in names and "Message-ID" in names
    assert {"name": "Subject", "value": "Rich"} in m["Headers"]
    assert m["Text"] == "plain text"
    assert m["Html"] == '<p>héllo <img src="cid:logo@x"></p>'
    assert m["Attachments"] == [
        {"Index": 1, "Filename": None, "ContentType": "image/png",
         "Size": len(PNG), "ContentId": "logo@x", "Disposition": "inline"},
        {"Index": 2, "Filename": "résumé.pdf",
         "ContentType": "application/pdf", "Size": len(PDF),
         "ContentId": None, "Disposition": "attachment"}]
    assert [e["Type"] for e in m["Events"]] == ["Send", "Delivery"]
    assert m["Publications"] == []
    assert m["Raw"].startswith("Date:") or "Message-ID" in m["Raw"]
    assert m["Size"] == len(m["Raw"].encode())

    raw = server.get(API + "/messages/%s/raw" % mid)
    assert raw.headers["Content-Type"] == "message/rfc822"
    assert raw.headers["Content-Disposition"] == (
        'attachment; filename="%s.eml"' % mid)
    assert raw.text == m["Raw"]

    html = server.get(API + "/messages/%s/html" % mid)
    assert html.status_code == 200
    assert html.headers["Content-Type"] == "text/html; charset=utf-8"
    assert html.headers["Content-Security-Policy"] == CSP
    assert html.content.decode() == m["Html"]
    html = server.get(API + "/messages/%s/html?images=1" % mid)
    assert html.headers["Content-Security-Policy"] == CSP_IMAGES

    text = server.get(API + "/messages/%s/text" % mid)
    assert text.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert text.text == "plain text"

    png = server.get(API + "/messages/%s/attachments/1" % mid)
    assert png.status_code == 200
    assert png.content == PNG
    assert png.headers["Content-Type"] == "image/png"
    assert png.headers["Content-Disposition"] == (
        'attachment; filename="attachment-1"')
    pdf = server.get(API + "/messages/%s/attachments/2" % mid)
    assert pdf.content == PDF
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"] == (
        "attachment; filename=\"r_sum_.pdf\"; "
        "filename*=UTF-8''r%C3%A9sum%C3%A9.pdf")
    for n in ("0", "3", "x", "01"):
        bad(server.get(API + "/messages/%s/attachments/%s" % (mid, n)), 404,
            "no such attachment", "NotFound")


def test_eight_bit_message(server, v1):
    raw = ("From: %s\r\nTo: to@example.net\r\nSubject: 8bit\r\n"
           "Content-Type: text/plain; charset=iso-8859-1\r\n"
           "Content-Transfer-Encoding: 8bit\r\n\r\n" % SENDER).encode() + \
        b"caf\xe9\r\n"
    mid = v1.send_raw_email(RawMessage={"Data": raw})["MessageId"]
    m = server.get(API + "/messages/" + mid).json()
    assert m["Text"] == "caf\u00e9\r\n"      # decoded from Latin-1
    assert m["Raw"].endswith("caf\ufffd\r\n")  # JSON: not UTF-8 bytes
    got = server.get(API + "/messages/%s/raw" % mid).content
    assert got.endswith(b"caf\xe9\r\n")       # the bytes as captured
    assert len(got) == m["Size"]
    assert server.get(API + "/messages/%s/text" % mid).content == (
        "caf\u00e9\r\n".encode())


def test_text_only_and_html_only(server, v1):
    plain = send(v1, text="just text")
    r = server.get(API + "/messages/%s/html" % plain)
    bad(r, 404, "the message has no HTML part", "NotFound")
    # the part as SES built it: a single part ends in a line break
    assert server.get(API + "/messages/%s/text" % plain).text == (
        "just text\r\n")
    html_only = v1.send_email(
        Source=SENDER, Destination={"ToAddresses": ["to@example.net"]},
        Message={"Subject": {"Data": "h"},
                 "Body": {"Html": {"Data": "<b>bold</b>"}}})["MessageId"]
    bad(server.get(API + "/messages/%s/text" % html_only), 404,
        "the message has no text part", "NotFound")
    m = server.get(API + "/messages/" + html_only).json()
    assert (m["Text"], m["Html"], m["Attachments"]) == (
        None, "<b>bold</b>\r\n", [])


def test_unknown_message(server):
    for method, path in [("GET", ""), ("GET", "/raw"), ("GET", "/html"),
                         ("GET", "/text"), ("GET", "/attachments/1"),
                         ("DELETE", "")]:
        bad(server.request(method, API + "/messages/nope" + path), 404,
            "no such message", "NotFound")
    bad(server.post(API + "/messages/nope/read", json={"read": True}), 404,
        "no such message", "NotFound")


# -- unread state ------------------------------------------------------------

def test_read_state(server, v1):
    mid = send(v1)
    other = send(v1)
    r = server.post(API + "/messages/%s/read" % mid, json={"read": True})
    assert r.json() == {"MessageId": mid, "Read": True}
    got = {m["MessageId"]: m["Read"] for m in listing(server)["messages"]}
    assert got == {mid: True, other: False}
    assert server.get(API + "/messages/" + mid).json()["Read"] is True
    r = server.post(API + "/messages/%s/read" % mid, json={"read": False})
    assert r.json() == {"MessageId": mid, "Read": False}
    assert server.get(API + "/messages/" + mid).json()["Read"] is False
    for body in ({}, {"read": "yes"}, {"read": 1}, {"read": None}):
        bad(server.post(API + "/messages/%s/read" % mid, json=body), 400,
            "read must be true or false")
    bad(server.post(API + "/messages/%s/read" % mid, data="[1]"), 400,
        "the body must be a JSON object")
    bad(server.post(API + "/messages/%s/read" % mid, data="{"), 400,
        "the body must be a JSON object")


# -- deletes -----------------------------------------------------------------

def test_delete_one_with_what_it_owns(server, v1, sns_client):
    topic = sns_client().create_topic(Name="bounces")["TopicArn"]
    v1.set_identity_notification_topic(Identity=SENDER,
                                       NotificationType="Bounce",
                                       SnsTopic=topic)
    gone = send(v1, to="bounce@" + SIM)
    kept = send(v1, to="bounce@" + SIM)
    server.flush()
    pubs = server.get(API + "/publications").json()["publications"]
    assert {p["MessageId"] for p in pubs} == {gone, kept}
    r = server.request("DELETE", API + "/messages/" + gone)
    assert (r.status_code, r.json()) == (200, {"deleted": 1})
    bad(server.get(API + "/messages/" + gone), 404, "no such message",
        "NotFound")
    bad(server.request("DELETE", API + "/messages/" + gone), 404,
        "no such message", "NotFound")
    pubs = server.get(API + "/publications").json()["publications"]
    assert {p["MessageId"] for p in pubs} == {kept}
    assert gone not in ids(server)
    assert kept in ids(server, event="Bounce")
    assert ids(server, event="Bounce") == [kept]
    assert server.get(API + "/messages/" + kept).json()["Events"]


def test_delete_the_newest_then_the_next_is_published(server, v1,
                                                     sns_client):
    # The newest message holds the highest event ids: a new message's
    # events are numbered above them still, past the publisher's cursor.
    topic = sns_client().create_topic(Name="bounces")["TopicArn"]
    v1.set_identity_notification_topic(Identity=SENDER,
                                       NotificationType="Bounce",
                                       SnsTopic=topic)
    gone = send(v1, to="bounce@" + SIM)
    server.flush()
    r = server.request("DELETE", API + "/messages/" + gone)
    assert r.json() == {"deleted": 1}
    after = send(v1, to="bounce@" + SIM)
    server.flush()
    pubs = server.get(API + "/publications").json()["publications"]
    assert [(p["MessageId"], p["Type"]) for p in pubs] == [
        (after, "Bounce")]
    assert ids(server, event="Bounce") == [after]


def test_delete_matching(server, v1):
    a = send(v1, subject="keep me")
    b = send(v1, subject="drop me")
    c = send(v1, subject="drop me too")
    r = server.request("DELETE", API + "/messages", params={"subject": "drop"})
    assert (r.status_code, r.json()) == (200, {"deleted": 2})
    assert ids(server) == [a]
    for mid in (b, c):
        assert server.get(API + "/messages/" + mid).status_code == 404
    r = server.request("DELETE", API + "/messages",
                       params={"subject": "nothing"})
    assert r.json() == {"deleted": 0}
    send(v1)
    r = server.request("DELETE", API + "/messages")
    assert r.json() == {"deleted": 2}
    assert ids(server) == []


def test_delete_then_the_queue_settles(server, v1):
    freeze(server)
    # a soft bounce that retries later: its queued row goes with it
    mid = send(v1, to="ooto@" + SIM)
    assert server.request("DELETE",
                          API + "/messages/" + mid).json() == {"deleted": 1}
    advance(server, 24 * 3600 * 1000)
    server.flush()
    assert ids(server, kind="send") == []


# -- scoped reset ------------------------------------------------------------

def test_scoped_reset_by_region(server, ses):
    east, west = ses(), ses(region="eu-west-1")
    for c in (east, west):
        c.verify_email_identity(EmailAddress=SENDER)
    e = send(east)
    w = send(west)
    r = server.post(API + "/reset", json={"account": DEFAULT_ACCOUNT,
                                         "region": "eu-west-1"})
    assert r.json() == {"reset": True, "scope": {
        "account": DEFAULT_ACCOUNT, "region": "eu-west-1"}}
    assert ids(server) == [e]
    assert west.list_identities()["Identities"] == []
    assert east.list_identities()["Identities"] == [SENDER]
    assert server.get(API + "/messages/" + w).status_code == 404
    r = server.post(API + "/reset", json={"region": "us-east-1"})
    assert r.json() == {"reset": True, "scope": {"region": "us-east-1"}}
    assert ids(server) == []
    r = server.post(API + "/reset", json={})
    assert r.json() == {"reset": True, "scope": "all"}


def test_scoped_reset_by_account(start_server):
    srv = start_server("--credentials", "AKIDONE:s1:111111111111,"
                       "AKIDTWO:s2:222222222222")
    one = conftest.make_client("ses", srv.url, key="AKIDONE", secret="s1")
    two = conftest.make_client("ses", srv.url, key="AKIDTWO", secret="s2")
    for c in (one, two):
        c.verify_email_identity(EmailAddress=SENDER)
    send(one)
    kept = send(two)
    r = srv.post(API + "/reset", json={"account": "111111111111"})
    assert r.json() == {"reset": True, "scope": {"account": "111111111111"}}
    assert ids(srv) == [kept]
    assert one.list_identities()["Identities"] == []
    assert two.list_identities()["Identities"] == [SENDER]


def test_reset_body_errors(server):
    for body, message in [
            ("[]", "the body must be a JSON object"),
            ("{", "the body must be a JSON object"),
            ('{"account": "12"}', "account must be a 12-digit account ID"),
            ('{"account": 111111111111}',
             "account must be a 12-digit account ID"),
            ('{"region": "mars"}',
             "region must be a region name such as us-east-1"),
            ('{"region": "us-east-1", "tables": ["message"]}',
             "the body takes only account and region")]:
        bad(server.post(API + "/reset", data=body), 400, message)


# -- LocalStack --------------------------------------------------------------

def test_localstack_shapes(server, v1, ses):
    simple = v1.send_email(
        Source=SENDER,
        Destination={"ToAddresses": ["a@example.net"],
                     "CcAddresses": ["c@example.net"],
                     "BccAddresses": ["b@example.net"]},
        Message={"Subject": {"Data": "Hello LS"},
                 "Body": {"Text": {"Data": "line one\nline two"},
                          "Html": {"Data": "<p>hi</p>"}}})["MessageId"]
    raw_bytes = ("From: %s\r\nTo: r@example.net\r\nSubject: raw\r\n\r\n"
                 "raw body\r\n" % SENDER).encode()
    raw = v1.send_raw_email(RawMessage={"Data": raw_bytes})["MessageId"]
    west = ses(region="eu-west-1")
    west.verify_email_identity(EmailAddress="other@example.org")
    text_only = west.send_email(
        Source="other@example.org", Destination={"ToAddresses": ["x@y.net"]},
        Message={"Subject": {"Data": "t"},
                 "Body": {"Text": {"Data": "only text"}}})["MessageId"]
    r = server.get("/_aws/ses")
    assert r.status_code == 200
    msgs = r.json()["messages"]
    assert [m["Id"] for m in msgs] == [simple, raw, text_only]
    first = msgs[0]
    assert list(first) == ["Id", "Region", "Destination", "Source",
                           "Subject", "Body", "Timestamp"]
    assert first["Destination"] == {"ToAddresses": ["a@example.net"],
                                    "CcAddresses": ["c@example.net"],
                                    "BccAddresses": ["b@example.net"]}
    assert first["Region"] == "us-east-1"
    assert first["Source"] == SENDER
    assert first["Subject"] == "Hello LS"
    assert first["Body"] == {"text_part": "line one\nline two",
                             "html_part": "<p>hi</p>"}
    assert len(first["Timestamp"]) == 19 and first["Timestamp"][10] == "T"
    second = msgs[1]
    assert list(second) == ["Id", "Region", "Source", "RawData", "Timestamp"]
    assert "Subject: raw" in second["RawData"]
    assert second["RawData"].endswith("raw body\r\n")
    assert msgs[2]["Body"] == {"text_part": "only text", "html_part": None}
    assert msgs[2]["Region"] == "eu-west-1"

    by_id = server.get("/_aws/ses", params={"id": raw}).json()["messages"]
    assert [m["Id"] for m in by_id] == [raw]
    by_email = server.get("/_aws/ses",
                          params={"email": "other@example.org"}).json()
    assert [m["Id"] for m in by_email["messages"]] == [text_only]
    both = server.get("/_aws/ses", params={"id": raw,
                                           "email": "other@example.org"})
    assert both.json() == {"messages": []}

    r = server.request("DELETE", "/_aws/ses", params={"id": raw})
    assert (r.status_code, r.content) == (204, b"")
    assert [m["Id"] for m in server.get("/_aws/ses").json()["messages"]] == [
        simple, text_only]
    r = server.request("DELETE", "/_aws/ses")
    assert r.status_code == 204
    assert server.get("/_aws/ses").json() == {"messages": []}
    assert ids(server) == []


def test_localstack_lists_sent_mail_only(start_server):
    srv = start_server("--verification", "link")
    v1 = conftest.make_client("ses", srv.url)
    v1.verify_email_identity(EmailAddress="someone@example.com")
    assert len(ids(srv, kind="verification")) == 1
    assert srv.get("/_aws/ses").json() == {"messages": []}
    assert srv.request("DELETE", "/_aws/ses").status_code == 204
    assert len(ids(srv, kind="verification")) == 1


# -- retention ---------------------------------------------------------------

def prune(srv):
    r = srv.post(API + "/retention/prune")
    assert r.status_code == 200, r.text
    return r.json()


def test_retention_off_by_default(server, v1):
    send(v1)
    assert prune(server) == {"max_messages": 0, "max_age_hours": 0,
                             "pruned": 0}
    assert len(ids(server)) == 1


def test_retention_max_messages(start_server):
    srv = start_server("--retention-max-messages", "3")
    v1 = conftest.make_client("ses", srv.url)
    v1.verify_email_identity(EmailAddress=SENDER)
    sent = [send(v1, to="bounce@" + SIM) for _ in range(5)]
    srv.flush()     # bounced: a DSN mailed back for each
    state = prune(srv)
    assert state["max_messages"] == 3
    kept = srv.get(API + "/messages").json()["messages"]
    assert len(kept) == 3
    # the newest three of everything (the DSNs sesbox mailed back count)
    assert srv.get(API + "/messages/" + sent[0]).status_code == 404
    assert state["pruned"] == 7
    assert srv.get(API + "/retention").json() == state


def test_retention_keeps_messages_under_way(start_server):
    srv = start_server("--retention-max-messages", "3")
    v1 = conftest.make_client("ses", srv.url)
    v1.verify_email_identity(EmailAddress=SENDER)
    r = srv.request("PUT", API + "/simulator/rules", json={"rules": [
        {"match": "later@example.net", "outcome": "complaint",
         "delayMs": 3600000}]})
    assert r.status_code == 200, r.text
    freeze(srv)
    waiting = send(v1, to="later@example.net")  # complains in an hour
    sent = [send(v1) for _ in range(4)]
    srv.flush()
    # the two oldest are beyond the limit; the first is still under way
    assert prune(srv)["pruned"] == 1
    assert ids(srv) == sent[:0:-1] + [waiting]
    advance(srv, 3600 * 1000)
    srv.flush()     # the complaint: an ARF report mailed back
    assert prune(srv)["pruned"] == 3
    (report,) = ids(srv, kind="feedback")
    assert ids(srv) == [report] + sent[:1:-1]


def test_retention_max_age_on_the_test_clock(start_server):
    srv = start_server("--retention-max-age-hours", "2")
    v1 = conftest.make_client("ses", srv.url)
    v1.verify_email_identity(EmailAddress=SENDER)
    freeze(srv, 1700000000000)
    old = send(v1)
    advance(srv, 3600 * 1000)
    young = send(v1)
    assert prune(srv)["pruned"] == 0
    advance(srv, 3600 * 1000)       # old is exactly 2 hours old: kept
    assert prune(srv)["pruned"] == 0
    advance(srv, 1)
    assert prune(srv) == {"max_messages": 0, "max_age_hours": 2,
                          "pruned": 1}
    assert ids(srv) == [young]
    assert srv.get(API + "/messages/" + old).status_code == 404


@pytest.mark.parametrize("args, line", [
    (["--retention-max-messages", "-1"],
     "sesbox: --retention-max-messages: retention-max-messages: expected "
     "an integer 0-1000000000 (got '-1')"),
    (["--retention-max-age-hours", "x"],
     "sesbox: --retention-max-age-hours: retention-max-age-hours: expected "
     "an integer 0-87840 (got 'x')"),
], ids=["max-messages", "max-age"])
def test_retention_bad_config(tmp_path, args, line):
    proc = run_sesbox(args, cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", line + "\n")


# -- migration ---------------------------------------------------------------

def test_migration_lists_messages_stored_before(tmp_path, start_server):
    """A store from before schema 014 (messages and events, no capture
    rows) lists its messages, event types in first-seen order, once
    migrated."""
    from conftest import ROOT
    data = tmp_path / "data"
    data.mkdir()
    db = sqlite3.connect(str(data / "sesbox.db"))
    files = sorted(glob.glob(str(ROOT / "emulator" / "schema" / "*.sql")))
    for f in files[:13]:
        db.executescript(open(f).read())
    db.execute("PRAGMA user_version=13")
    for i, mid in enumerate(("old-1", "old-2")):
        db.execute(
            "INSERT INTO message (message_id, account_id, region, kind, "
            "source, destinations, subject, raw, created_ms, api, operation, "
            "tags) VALUES (?, ?, 'us-east-1', 'send', ?, ?, ?, ?, ?, 'v1', "
            "'SendEmail', '{}')",
            (mid, DEFAULT_ACCOUNT, SENDER, '["to@example.net"]', "Old %d" % i,
             b"Subject: Old\r\n\r\nbody\r\n", 1700000000000 + i))
    for mid, kind in (("old-1", "Send"), ("old-1", "Bounce"),
                      ("old-1", "Send"), ("old-2", "Send"),
                      ("old-2", "Delivery")):
        db.execute("INSERT INTO event (account_id, region, message_id, type, "
                   "ts_ms, detail) VALUES (?, 'us-east-1', ?, ?, 1, '{}')",
                   (DEFAULT_ACCOUNT, mid, kind))
    db.commit()
    db.close()
    srv = start_server("--data", str(data), ephemeral=False)
    got = listing(srv)["messages"]
    assert [(m["MessageId"], m["EventTypes"], m["Size"]) for m in got] == [
        ("old-2", ["Send", "Delivery"], 22), ("old-1", ["Send", "Bounce"], 22)]
    assert ids(srv, event="Bounce") == ["old-1"]
    r = srv.request("DELETE", API + "/messages/old-1")
    assert r.json() == {"deleted": 1}
    assert ids(srv) == ["old-2"]


# -- the wait ------------------------------------------------------------------

def test_wait_for_a_message_sent_later(start_server, ses):
    srv = start_server("--log-level", "debug")
    client = ses(srv=srv)
    client.verify_email_identity(EmailAddress=SENDER)
    got = {}

    def waiter():
        t = time.monotonic()
        got["r"] = srv.get(API + "/messages", params={
            "subject": "awaited", "wait_ms": 30000, "count": 2},
            timeout=40)
        got["s"] = time.monotonic() - t

    since = srv.log_len()
    th = threading.Thread(target=waiter)
    th.start()
    srv.wait_for_line(lambda f: f.get("msg") == "answer deferred",
                      timeout=10, start=since)
    # Sent only once the request waits; the first alone is not enough.
    first = send(client, subject="awaited one")
    send(client, subject="other")
    second = send(client, subject="awaited two")
    th.join(40)
    assert not th.is_alive()
    r = got["r"]
    assert r.status_code == 200, r.text
    assert [m["MessageId"] for m in r.json()["messages"]] == [second, first]
    assert got["s"] < 25


def test_wait_satisfied_at_once_and_timeout(server, v1):
    mid = send(v1, subject="here")
    r = server.get(API + "/messages", params={"subject": "here",
                                              "wait_ms": 30000})
    assert r.status_code == 200, r.text
    assert [m["MessageId"] for m in r.json()["messages"]] == [mid]
    r = server.get(API + "/messages", params={"subject": "here",
                                              "wait_ms": 300, "count": 2})
    assert r.status_code == 408, r.text
    body = r.json()
    assert (body["code"], body["message"], body["next_cursor"]) == (
        "Timeout", "waited 300 ms for 2 matching messages; 1 matched", None)
    assert [m["MessageId"] for m in body["messages"]] == [mid]


@pytest.mark.parametrize("query, message", [
    ({"wait_ms": "60001"}, "wait_ms must be 0-60000"),
    ({"wait_ms": "-1"}, "wait_ms must be 0-60000"),
    ({"wait_ms": "soon"}, "wait_ms must be 0-60000"),
    ({"count": "0"}, "count must be 1-100 (at most limit)"),
    ({"count": "11", "limit": "10"}, "count must be 1-10 (at most limit)"),
])
def test_bad_wait(server, query, message):
    r = server.get(API + "/messages", params=query)
    assert r.status_code == 400
    assert r.json() == {"code": "BadRequest", "message": message}
