"""The mailbox simulator and the delivery queue: every built-in address
gives SES's outcome, settled by the delivery worker and recorded as
events (asserted after /_sesbox/api/v1/queue/flush, never by waiting)."""
import re

import pytest

SENDER = "sender@example.com"
SIM = "simulator.amazonses.com"
T0 = 1700000000123            # 2023-11-14T22:13:20.123Z
T0_ISO = "2023-11-14T22:13:20.123Z"
T0_SECOND = "2023-11-14T22:13:20.000Z"
FEEDBACK_ID = re.compile(r"^01[0-9a-f]{14}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}"
                         r"-[89ab][0-9a-f]{3}-[0-9a-f]{12}-000000$")
SUPPRESSED = (
    "Amazon SES has suppressed sending to this address because it has a "
    "recent history of bouncing as an invalid address. For more information "
    "about how to remove an address from the suppression list, see the "
    "Amazon SES Developer Guide: http://docs.aws.amazon.com/ses/latest/"
    "DeveloperGuide/remove-from-suppressionlist.html ")


@pytest.fixture
def v1(server, ses):
    client = ses()
    client.verify_email_identity(EmailAddress=SENDER)
    r = server.post("/_sesbox/api/v1/clock", json={"set_ms": T0})
    assert r.status_code == 200, r.text
    return client


def send(client, *to):
    return client.send_email(
        Source=SENDER, Destination={"ToAddresses": list(to)},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}
    )["MessageId"]


def without_feedback_id(detail):
    assert FEEDBACK_ID.match(detail.pop("feedbackId")), detail
    return detail


def delivery(*recipients):
    return ("Delivery", {
        "timestamp": T0_ISO, "processingTimeMillis": 0,
        "recipients": list(recipients),
        "smtpResponse": "250 2.6.0 Message received",
        "remoteMtaIp": "205.251.242.49",
        "reportingMTA": "a8-70.smtp-out.amazonses.com"})


def test_success_and_any_other_address_are_delivered(server, v1):
    mid = send(v1, "success@" + SIM, "someone@example.net")
    assert server.events(mid) == [("Send", {}), delivery(
        "success@" + SIM, "someone@example.net")]


def test_bounce(server, v1):
    mid = send(v1, "bounce@" + SIM)
    events = server.events(mid)
    assert [t for t, _ in events] == ["Send", "Bounce"]
    assert without_feedback_id(events[1][1]) == {
        "bounceType": "Permanent", "bounceSubType": "General",
        "bouncedRecipients": [{
            "emailAddress": "bounce@" + SIM, "action": "failed",
            "status": "5.1.1",
            "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
        "timestamp": T0_ISO, "remoteMtaIp": "205.251.242.49",
        "reportingMTA": "dsn; a8-70.smtp-out.amazonses.com"}


def test_bounces_of_one_send_are_combined(server, v1):
    # AWS: "Multiple simulated bounces from one send are combined into a
    # single notification"; labels and any case select the same address.
    mid = send(v1, "bounce+one@" + SIM, "BOUNCE@Simulator.AmazonSES.com")
    events = server.events(mid)
    assert [t for t, _ in events] == ["Send", "Bounce"]
    assert [r["emailAddress"] for r in events[1][1]["bouncedRecipients"]] == [
        "bounce+one@" + SIM, "BOUNCE@Simulator.AmazonSES.com"]


def test_ooto(server, v1):
    mid = send(v1, "ooto@" + SIM)
    events = server.events(mid)
    assert events[:2] == [("Send", {}), delivery("ooto@" + SIM)]
    assert events[2][0] == "Bounce"
    assert without_feedback_id(events[2][1]) == {
        "bounceType": "Transient", "bounceSubType": "General",
        "bouncedRecipients": [{"emailAddress": "ooto@" + SIM}],
        "timestamp": T0_SECOND}


def test_complaint(server, v1):
    mid = send(v1, "complaint+x@" + SIM)
    events = server.events(mid)
    assert events[:2] == [("Send", {}), delivery("complaint+x@" + SIM)]
    assert events[2][0] == "Complaint"
    assert without_feedback_id(events[2][1]) == {
        "complainedRecipients": [{"emailAddress": "complaint+x@" + SIM}],
        "timestamp": T0_SECOND,
        "userAgent": "Amazon SES Mailbox Simulator",
        "complaintFeedbackType": "abuse"}


def test_suppressionlist(server, v1):
    mid = send(v1, "suppressionlist@" + SIM)
    events = server.events(mid)
    assert [t for t, _ in events] == ["Send", "Bounce"]
    assert without_feedback_id(events[1][1]) == {
        "bounceType": "Permanent", "bounceSubType": "Suppressed",
        "bouncedRecipients": [{
            "emailAddress": "suppressionlist@" + SIM, "action": "failed",
            "status": "5.1.1", "diagnosticCode": SUPPRESSED}],
        "timestamp": T0_ISO, "reportingMTA": "dns; amazonses.com"}


def test_unknown_simulator_local_part_is_delivered(server, v1):
    mid = send(v1, "nobody@" + SIM)
    assert server.events(mid) == [("Send", {}), delivery("nobody@" + SIM)]


def test_regional_mtas(server, ses):
    client = ses(region="eu-west-1")
    client.verify_email_identity(EmailAddress=SENDER)
    server.post("/_sesbox/api/v1/clock", json={"set_ms": T0})
    mid = send(client, "success@" + SIM, "bounce@" + SIM)
    events = dict(server.events(mid))
    assert events["Delivery"]["reportingMTA"] == \
        "a7-12.smtp-out.eu-west-1.amazonses.com"
    assert events["Delivery"]["remoteMtaIp"] == "207.171.163.188"
    assert events["Bounce"]["reportingMTA"] == \
        "dsn; a7-12.smtp-out.eu-west-1.amazonses.com"


def test_every_outcome_of_one_send_in_a_fixed_order(server, v1):
    mid = send(v1, "success@" + SIM, "bounce@" + SIM, "ooto@" + SIM,
               "complaint@" + SIM, "suppressionlist@" + SIM)
    assert [t for t, _ in server.events(mid)] == [
        "Send", "Delivery", "Bounce", "Bounce", "Complaint", "Bounce"]


def test_simulator_feedback_stays_out_of_statistics(server, v1):
    send(v1, "bounce@" + SIM, "complaint@" + SIM)
    server.flush()
    points = v1.get_send_statistics()["SendDataPoints"]
    assert sum(p["Bounces"] for p in points) == 0
    assert sum(p["Complaints"] for p in points) == 0


def test_rendering_failure_queues_nothing(server, v1):
    v1.create_template(Template={"TemplateName": "t", "SubjectPart": "{{x}}",
                                 "TextPart": "b"})
    mid = v1.send_templated_email(
        Source=SENDER, Destination={"ToAddresses": ["success@" + SIM]},
        Template="t", TemplateData="{}")["MessageId"]
    assert [t for t, _ in server.events(mid)] == ["Send",
                                                  "Rendering Failure"]


def test_flush_takes_post_only(server):
    r = server.get("/_sesbox/api/v1/queue/flush")
    assert r.status_code == 405
    assert server.post("/_sesbox/api/v1/queue/flush").json() == {
        "flushed": True}
