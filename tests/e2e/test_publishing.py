"""Event publishing: every recorded event goes to the matching, enabled
event destinations of its configuration set, in SES's event-publishing
format, and is recorded as a publication (asserted after
/_sesbox/api/v1/queue/flush)."""
import json
import pathlib

import pytest

SENDER = "sender@example.com"
SIM = "simulator.amazonses.com"
T0 = 1700000000123            # 2023-11-14T22:13:20.123Z
STREAM = "arn:aws:firehose:us-east-1:000000000000:deliverystream/ses-events"
ROLE = "arn:aws:iam::000000000000:role/ses-firehose"
BUS = "arn:aws:events:us-east-1:000000000000:event-bus/default"


def set_up(srv, ses, sesv2, destinations, cs="cs1"):
    v1 = ses(srv=srv)
    v1.verify_email_identity(EmailAddress=SENDER)
    v2 = sesv2(srv=srv)
    v2.create_configuration_set(ConfigurationSetName=cs)
    for name, definition in destinations.items():
        v2.create_configuration_set_event_destination(
            ConfigurationSetName=cs, EventDestinationName=name,
            EventDestination=definition)
    r = srv.post("/_sesbox/api/v1/clock", json={"set_ms": T0})
    assert r.status_code == 200
    return v1


def send(v1, *to, cs="cs1", tags=()):
    kw = {"ConfigurationSetName": cs} if cs else {}
    return v1.send_email(
        Source=SENDER, Destination={"ToAddresses": list(to)},
        Message={"Subject": {"Data": "Hello"},
                 "Body": {"Text": {"Data": "Hi"}}},
        Tags=[{"Name": k, "Value": v} for k, v in tags], **kw)["MessageId"]


def publications(srv, mid):
    srv.flush()
    r = srv.get("/_sesbox/api/v1/messages/" + mid)
    assert r.status_code == 200, r.text
    return r.json()["Publications"]


def firehose(types, enabled=True):
    return {"Enabled": enabled, "MatchingEventTypes": types,
            "KinesisFirehoseDestination": {"IamRoleArn": ROLE,
                                           "DeliveryStreamArn": STREAM}}


def test_firehose_gets_matching_events_as_json_lines(tmp_path, start_server,
                                                     ses, sesv2):
    srv = start_server("--data", str(tmp_path / "d"), ephemeral=False)
    v1 = set_up(srv, ses, sesv2, {"fh": firehose(["SEND", "BOUNCE"])})
    mid = send(v1, "success@" + SIM, "bounce@" + SIM)
    pubs = [p for p in publications(srv, mid) if p["Format"] == "event"]
    assert [(p["Type"], p["Format"], p["Origin"], p["TargetKind"],
             p["Target"], p["Status"]) for p in pubs] == [
        ("Send", "event", "fh", "firehose", STREAM, "published"),
        ("Bounce", "event", "fh", "firehose", STREAM, "published")]
    send_event = pubs[0]["Payload"]
    assert list(send_event) == ["eventType", "mail", "send"]
    assert send_event["eventType"] == "Send"
    assert send_event["send"] == {}
    mail = send_event["mail"]
    assert mail["messageId"] == mid
    assert mail["source"] == SENDER
    assert mail["sourceArn"] == \
        "arn:aws:ses:us-east-1:000000000000:identity/" + SENDER
    assert mail["sendingAccountId"] == "000000000000"
    assert mail["destination"] == ["success@" + SIM, "bounce@" + SIM]
    assert mail["timestamp"] == "2023-11-14T22:13:20.123Z"
    assert mail["tags"]["ses:configuration-set"] == ["cs1"]
    assert mail["commonHeaders"]["subject"] == "Hello"
    bounce = pubs[1]["Payload"]
    assert list(bounce) == ["eventType", "bounce", "mail"]
    assert bounce["bounce"]["bounceSubType"] == "General"
    # What Firehose would leave in S3: one JSON document per line.
    day = tmp_path / "d" / "firehose" / "ses-events" / "2023" / "11" / "14" \
        / "22" / "ses-events"
    lines = day.read_text().splitlines()
    assert [json.loads(line)["eventType"] for line in lines] == [
        "Send", "Bounce"]
    assert json.loads(lines[0]) == send_event


def test_only_enabled_matching_destinations_of_the_named_set(server, ses,
                                                             sesv2):
    v1 = set_up(server, ses, sesv2, {
        "on": firehose(["DELIVERY"]),
        "off": firehose(["DELIVERY"], enabled=False),
        "other": firehose(["BOUNCE"])})
    mid = send(v1, "success@" + SIM)
    assert [(p["Type"], p["Origin"]) for p in publications(server, mid)] == [
        ("Delivery", "on")]
    # Without the configuration set nothing is published.
    mid = send(v1, "success@" + SIM, cs=None)
    assert publications(server, mid) == []


def test_delivery_event_form_has_no_remote_mta_ip(server, ses, sesv2):
    v1 = set_up(server, ses, sesv2, {"fh": firehose(["DELIVERY"])})
    mid = send(v1, "success@" + SIM)
    delivery = publications(server, mid)[0]["Payload"]["delivery"]
    assert list(delivery) == ["timestamp", "processingTimeMillis",
                              "recipients", "smtpResponse", "reportingMTA"]


@pytest.mark.parametrize("own", [True, False])
def test_events_list_the_headers_as_submitted(server, ses, sesv2, own):
    """SES writes its own Message-ID and Date into the mail it sends;
    events list the sender's (or none)."""
    v1 = set_up(server, ses, sesv2, {"fh": firehose(["SEND"])})
    head = ("Message-ID: <abc@client.example>\r\n"
            "Date: Sun, 13 Feb 2022 12:18:05 +0800\r\n") if own else ""
    raw = (head + "From: " + SENDER + "\r\nTo: success@" + SIM +
           "\r\nSubject: raw\r\n\r\nbody\r\n")
    mid = v1.send_raw_email(RawMessage={"Data": raw},
                            ConfigurationSetName="cs1")["MessageId"]
    mail = publications(server, mid)[0]["Payload"]["mail"]
    expected = [("From", SENDER), ("To", "success@" + SIM),
                ("Subject", "raw")]
    if own:
        expected[:0] = [("Message-ID", "<abc@client.example>"),
                        ("Date", "Sun, 13 Feb 2022 12:18:05 +0800")]
    assert [(h["name"], h["value"]) for h in mail["headers"]] == expected
    common = {"from": [SENDER], "to": ["success@" + SIM], "messageId": mid,
              "subject": "raw"}
    if own:
        common["date"] = "Sun, 13 Feb 2022 12:18:05 +0800"
    assert mail["commonHeaders"] == common
    # The message as sent carries SES's.
    stored = server.get("/_sesbox/api/v1/messages/" + mid).json()["Raw"]
    assert "Message-ID: <%s@email.amazonses.com>" % mid in stored
    assert "Date: Tue, 14 Nov 2023 22:13:20 +0000" in stored


def test_eventbridge_is_recorded(server, ses, sesv2):
    v1 = set_up(server, ses, sesv2, {"eb": {
        "Enabled": True, "MatchingEventTypes": ["SEND"],
        "EventBridgeDestination": {"EventBusArn": BUS}}})
    mid = send(v1, "success@" + SIM)
    (p,) = publications(server, mid)
    assert (p["TargetKind"], p["Target"], p["Status"]) == (
        "eventbridge", BUS, "recorded")


def test_cloudwatch_counts_by_dimension(server, ses, sesv2):
    v1 = set_up(server, ses, sesv2, {"cw": {
        "Enabled": True, "MatchingEventTypes": ["SEND", "DELIVERY"],
        "CloudWatchDestination": {"DimensionConfigurations": [{
            "DimensionName": "campaign", "DimensionValueSource":
            "MESSAGE_TAG", "DefaultDimensionValue": "none"}]}}})
    send(v1, "success@" + SIM, tags=[("campaign", "spring")])
    send(v1, "success@" + SIM, tags=[("campaign", "spring")])
    mid = send(v1, "success@" + SIM)
    publications(server, mid)
    text = server.get("/_sesbox/metrics").text
    base = ('sesbox_cloudwatch_events_total{account="000000000000",'
            'region="us-east-1",configuration_set="cs1",destination="cw",')
    assert base + 'event_type="Send",campaign="spring"} 2' in text
    assert base + 'event_type="Delivery",campaign="spring"} 2' in text
    assert base + 'event_type="Send",campaign="none"} 1' in text


def test_publications_listing(server, ses, sesv2):
    v1 = set_up(server, ses, sesv2, {"fh": firehose(["SEND"])})
    mids = [send(v1, "success@" + SIM) for _ in range(3)]
    server.flush()
    got = server.get("/_sesbox/api/v1/publications",
                     params={"limit": "2"}).json()["publications"]
    assert [p["MessageId"] for p in got] == mids[::-1][:2]
    r = server.get("/_sesbox/api/v1/publications", params={"limit": "0"})
    assert (r.status_code, r.json()["message"]) == (400,
                                                   "limit must be 1-1000")


# -- feedback forwarding ----------------------------------------------------------

def captured(srv, kind):
    return srv.get("/_sesbox/api/v1/messages",
                   params={"kind": kind}).json()["messages"]


def test_bounce_and_complaint_forwarded_by_email(server, ses):
    import email
    import email.policy
    v1 = ses()
    v1.verify_email_identity(EmailAddress=SENDER)
    mid = send(v1, "bounce@" + SIM, "complaint@" + SIM, cs=None)
    server.flush()
    events = dict(server.events(mid, flush=False))
    got = {m["Source"]: m for m in captured(server, "feedback")}
    assert set(got) == {"MAILER-DAEMON@amazonses.com",
                        "complaints@email-abuse.amazonses.com"}
    dsn = got["MAILER-DAEMON@amazonses.com"]
    assert dsn["Destinations"] == [SENDER]
    assert dsn["MessageId"] == events["Bounce"]["feedbackId"]
    raw = server.get("/_sesbox/api/v1/messages/%s/raw" %
                     dsn["MessageId"]).text
    msg = email.message_from_string(raw, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "delivery-status"
    status = [p for p in msg.walk()
              if p.get_content_type() == "message/delivery-status"][0]
    text = status.as_string()
    assert "Final-Recipient: rfc822; bounce@" + SIM in text
    assert "Status: 5.1.1" in text
    assert "Diagnostic-Code: smtp; 550 5.1.1 user unknown" in text
    arf = got["complaints@email-abuse.amazonses.com"]
    raw = server.get("/_sesbox/api/v1/messages/%s/raw" %
                     arf["MessageId"]).text
    msg = email.message_from_string(raw, policy=email.policy.default)
    assert msg.get_param("report-type") == "feedback-report"
    report = [p for p in msg.walk()
              if p.get_content_type() == "message/feedback-report"][0]
    assert "Feedback-Type: abuse" in report.as_string()
    assert "Original-Rcpt-To: complaint@" + SIM in report.as_string()


def test_no_forwarding_when_disabled(server, ses):
    v1 = ses()
    v1.verify_email_identity(EmailAddress=SENDER)
    # AWS: forwarding goes off only once both topics are set.
    for kind in ("Bounce", "Complaint"):
        v1.set_identity_notification_topic(
            Identity=SENDER, NotificationType=kind,
            SnsTopic="arn:aws:sns:us-east-1:000000000000:feedback")
    v1.set_identity_feedback_forwarding_enabled(Identity=SENDER,
                                                ForwardingEnabled=False)
    send(v1, "bounce@" + SIM, cs=None)
    server.flush()
    assert captured(server, "feedback") == []


# -- SNS: events and identity notifications reach a real subscriber -------------

def confirmed_topic(srv, sns_client, subscriber, name="ses-feed"):
    import requests
    arn = sns_client().create_topic(Name=name)["TopicArn"]
    sub = subscriber()
    sns_client().subscribe(TopicArn=arn, Protocol="http", Endpoint=sub.url)
    srv.flush()
    (conf,) = sub.received
    assert conf.header("x-amz-sns-message-type") == "SubscriptionConfirmation"
    assert requests.get(conf.json()["SubscribeURL"], timeout=10).status_code \
        == 200
    sub.received.clear()
    return arn, sub


def test_events_and_notifications_through_sns(server, ses, sesv2, sns_client,
                                              subscriber):
    arn, sub = confirmed_topic(server, sns_client, subscriber)
    v1 = set_up(server, ses, sesv2, {"to-sns": {
        "Enabled": True, "MatchingEventTypes": ["BOUNCE"],
        "SnsDestination": {"TopicArn": arn}}})
    v1.set_identity_notification_topic(Identity=SENDER,
                                       NotificationType="Bounce",
                                       SnsTopic=arn)
    mid = send(v1, "bounce@" + SIM)
    pubs = publications(server, mid)
    assert [(p["Format"], p["Status"]) for p in pubs] == [
        ("event", "published"), ("notification", "published")]
    got = [r.json() for r in sub.received]
    assert len(got) == 3
    # AWS: SES validates a new SNS destination with a plain message, no
    # Subject (SES-REFERENCE §4.6, §5.1).
    (valid,) = [g for g in got if not g["Message"].startswith("{")]
    assert "Subject" not in valid
    assert valid["Message"] == ("Successfully validated SNS topic for "
                                "Amazon SES event publishing.")
    (event,) = [g for g in got if '"eventType"' in g["Message"]]
    (note,) = [g for g in got if '"notificationType"' in g["Message"]]
    assert event["Type"] == "Notification"
    assert event["Subject"] == "Amazon SES Email Event Notification"
    assert json.loads(event["Message"]) == pubs[0]["Payload"]
    assert json.loads(event["Message"])["eventType"] == "Bounce"
    assert "Subject" not in note
    payload = json.loads(note["Message"])
    assert payload == pubs[1]["Payload"]
    assert list(payload) == ["notificationType", "bounce", "mail"]
    # Headers only when the identity asks for them.
    assert "headers" not in payload["mail"]
    assert payload["mail"]["sourceArn"] == \
        "arn:aws:ses:us-east-1:000000000000:identity/" + SENDER


def test_notification_headers_when_enabled(server, ses, sns_client,
                                           subscriber):
    arn, sub = confirmed_topic(server, sns_client, subscriber)
    v1 = ses()
    v1.verify_email_identity(EmailAddress=SENDER)
    for kind in ("Delivery", "Complaint"):
        v1.set_identity_notification_topic(Identity=SENDER,
                                           NotificationType=kind,
                                           SnsTopic=arn)
    v1.set_identity_headers_in_notifications_enabled(
        Identity=SENDER, NotificationType="Delivery", Enabled=True)
    send(v1, "complaint@" + SIM, cs=None)
    server.flush()
    notes = {json.loads(r.json()["Message"])["notificationType"]:
             json.loads(r.json()["Message"]) for r in sub.received}
    assert set(notes) == {"Delivery", "Complaint"}
    assert notes["Delivery"]["mail"]["commonHeaders"]["subject"] == "Hello"
    assert "headers" not in notes["Complaint"]["mail"]


def test_publishing_to_a_deleted_topic_is_recorded_failed(server, ses,
                                                          sesv2, sns_client):
    arn = sns_client().create_topic(Name="short-lived")["TopicArn"]
    v1 = set_up(server, ses, sesv2, {"to-sns": {
        "Enabled": True, "MatchingEventTypes": ["SEND"],
        "SnsDestination": {"TopicArn": arn}}})
    sns_client().delete_topic(TopicArn=arn)
    mid = send(v1, "success@" + SIM)
    (p,) = publications(server, mid)
    assert (p["Status"], p["Error"]) == ("failed",
                                         "SNS topic %s not found." % arn)


# -- open and click tracking ------------------------------------------------------

HTML = ('<html><body><p>Hi</p>'
        '<a href="https://example.com/a?x=1&amp;y=2" ses:tags="camp:spring;'
        'ab:b;">one</a> <a ses:no-track href="https://example.com/b">two</a>'
        ' <a href="mailto:x@example.com">mail</a></body></html>')


def tracked_send(v1, html=HTML):
    return v1.send_email(
        Source=SENDER, Destination={"ToAddresses": ["success@" + SIM]},
        Message={"Subject": {"Data": "Hello"},
                 "Body": {"Text": {"Data": "Hi"}, "Html": {"Data": html}}},
        ConfigurationSetName="cs1")["MessageId"]


def html_of(srv, mid):
    import email
    import email.policy
    raw = srv.get("/_sesbox/api/v1/messages/%s/raw" % mid).text
    msg = email.message_from_string(raw, policy=email.policy.default)
    return [p for p in msg.walk()
            if p.get_content_type() == "text/html"][0].get_content()


def test_open_and_click_tracking(server, ses, sesv2):
    import re
    import requests
    v1 = set_up(server, ses, sesv2, {"fh": firehose(["OPEN", "CLICK"])})
    mid = tracked_send(v1)
    html = html_of(server, mid)
    base = server.url + "/_sesbox/t/"
    links = re.findall(r'href="([^"]*)"', html)
    assert links[0].startswith(base + "L0/https:%2F%2Fexample.com%2Fa%3F")
    assert re.search(r"/1/%s/[A-Za-z0-9_-]{28}=1$" % mid, links[0])
    # ses:no-track links stay, without the attribute; mailto is not
    # tracked; ses:tags is not delivered.
    assert links[1:] == ["https://example.com/b", "mailto:x@example.com"]
    assert "ses:" not in html
    pixel = re.search(r'<img alt="" src="([^"]*)" style="display: none; '
                      r'width: 1px; height: 1px;">', html)
    assert pixel and pixel.group(1).startswith(base + "I0/" + mid + "/")
    r = requests.get(pixel.group(1), headers={"User-Agent": "Mailer/1"},
                     timeout=10)
    assert (r.status_code, r.headers["Content-Type"]) == (200, "image/gif")
    r = requests.get(links[0], headers={"User-Agent": "Browser/2"},
                     allow_redirects=False, timeout=10)
    assert (r.status_code, r.headers["Location"]) == (
        302, "https://example.com/a?x=1&y=2")
    events = dict(server.events(mid))
    assert events["Open"]["userAgent"] == "Mailer/1"
    assert events["Open"]["ipAddress"] == "127.0.0.1"
    assert events["Click"]["link"] == "https://example.com/a?x=1&y=2"
    assert events["Click"]["linkTags"] == {"camp": ["spring"], "ab": ["b"]}
    types = [p["Type"] for p in publications(server, mid)]
    assert types == ["Open", "Click"]


def test_open_tracker_placeholder(server, ses, sesv2):
    v1 = set_up(server, ses, sesv2, {"fh": firehose(["OPEN"])})
    mid = tracked_send(v1, "<p>a</p>{{ses:openTracker}}<p>b</p>")
    html = html_of(server, mid)
    assert html.startswith('<p>a</p><img alt="" src="')
    assert html.endswith("<p>b</p>\n") or html.endswith("<p>b</p>")
    assert "{{ses:openTracker}}" not in html


def test_no_tracking_without_open_or_click_destinations(server, ses, sesv2):
    v1 = set_up(server, ses, sesv2, {"fh": firehose(["SEND"])})
    mid = tracked_send(v1)
    assert "/_sesbox/t/" not in html_of(server, mid)


def test_unknown_tracking_links(server):
    assert server.get("/_sesbox/t/I0/nope/sig").status_code == 404
    assert server.get("/_sesbox/t/L0/x/1/nope/sig=1").status_code == 404


def test_out_of_office_reply_forwarded(server, ses):
    import email
    import email.policy
    v1 = ses()
    v1.verify_email_identity(EmailAddress=SENDER)
    mid = send(v1, "ooto@" + SIM, cs=None)
    server.flush()
    (reply,) = captured(server, "feedback")
    assert (reply["Source"], reply["Destinations"]) == ("ooto@" + SIM,
                                                        [SENDER])
    raw = server.get("/_sesbox/api/v1/messages/%s/raw" %
                     reply["MessageId"]).text
    msg = email.message_from_string(raw, policy=email.policy.default)
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["Subject"] == "Auto: Hello"
    assert msg["In-Reply-To"] == "<%s@email.amazonses.com>" % mid
