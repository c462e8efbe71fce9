"""The mailbox simulator and the delivery queue: every built-in address
gives SES's outcome, settled by the delivery worker and recorded as
events (asserted after /_sesbox/api/v1/queue/flush, never by waiting)."""
import base64
import json
import re

import pytest

from conftest import ROOT, run_sesbox

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
        "reportingMTA": "dns; a8-70.smtp-out.amazonses.com"}


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
        "timestamp": T0_SECOND, "complaintSubType": None,
        "userAgent": "Amazon SES Mailbox Simulator",
        "complaintFeedbackType": "abuse", "arrivalDate": T0_ISO}


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
        "dns; a7-12.smtp-out.eu-west-1.amazonses.com"


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


# -- user rules ---------------------------------------------------------------

RULES = ROOT / "fixtures" / "simulator" / "rules.json"
T0_PLUS_14H = "2023-11-15T12:13:20.123Z"


@pytest.fixture
def rules(server, v1):
    r = server.request("PUT", "/_sesbox/api/v1/simulator/rules",
                       data=RULES.read_bytes())
    assert r.status_code == 200, r.text
    return json.loads(RULES.read_text())["rules"]


def advance(server, ms):
    r = server.post("/_sesbox/api/v1/clock", json={"advance_ms": ms})
    assert r.status_code == 200, r.text


def stats(client):
    points = client.get_send_statistics()["SendDataPoints"]
    return {k: sum(p[k] for p in points)
            for k in ("DeliveryAttempts", "Bounces", "Complaints",
                      "Rejects")}


def test_rule_bounce(server, v1, rules):
    mid = send(v1, "x@NoSuchUser.example.com")
    events = server.events(mid)
    assert [t for t, _ in events] == ["Send", "Bounce"]
    assert without_feedback_id(events[1][1]) == {
        "bounceType": "Permanent", "bounceSubType": "NoEmail",
        "bouncedRecipients": [{
            "emailAddress": "x@NoSuchUser.example.com", "action": "failed",
            "status": "5.1.1", "diagnosticCode": rules[0]["diagnosticCode"]}],
        "timestamp": T0_ISO, "remoteMtaIp": "205.251.242.49",
        "reportingMTA": "dns; a8-70.smtp-out.amazonses.com"}
    # Unlike the simulator's own addresses, rule outcomes are counted.
    assert stats(v1) == {"DeliveryAttempts": 1, "Bounces": 1,
                         "Complaints": 0, "Rejects": 0}


def delay(timestamp, delay_type, address):
    return ("DeliveryDelay", {
        "timestamp": timestamp, "delayType": delay_type,
        "expirationTime": T0_PLUS_14H,
        "delayedRecipients": [{
            "emailAddress": address, "status": "4.2.2",
            "diagnosticCode": "smtp; 452 4.2.2 Mailbox full"}]})


def test_rule_soft_bounce_retried_then_delivered(server, v1, rules):
    mid = send(v1, "full-1@example.com")
    assert server.events(mid) == [
        ("Send", {}), delay(T0_ISO, "MailboxFull", "full-1@example.com")]
    # Not due yet: nothing happens until the first retry (60 s).
    advance(server, 59999)
    assert len(server.events(mid)) == 2
    advance(server, 1)
    assert server.events(mid)[2] == delay(
        "2023-11-14T22:14:20.123Z", "MailboxFull", "full-1@example.com")
    advance(server, 5 * 60000)
    events = server.events(mid)
    assert [t for t, _ in events] == ["Send", "DeliveryDelay",
                                      "DeliveryDelay", "Delivery"]
    assert events[3][1]["processingTimeMillis"] == 6 * 60000
    assert events[3][1]["recipients"] == ["full-1@example.com"]


def test_rule_soft_bounce_until_expiry(server, v1, rules):
    mid = send(v1, "gone-soft@example.com")
    assert server.events(mid) == [("Send", {}), delay(
        T0_ISO, "RecipientServerError", "gone-soft@example.com")]
    advance(server, 15 * 3600 * 1000)
    events = server.events(mid)
    assert [t for t, _ in events] == ["Send", "DeliveryDelay", "Bounce"]
    assert without_feedback_id(events[2][1]) == {
        "bounceType": "Transient", "bounceSubType": "MailboxFull",
        "bouncedRecipients": [{
            "emailAddress": "gone-soft@example.com", "action": "failed",
            "status": "4.4.7",
            "diagnosticCode": "smtp; 550 4.4.7 Message expired: unable to "
            "deliver in 840 minutes.<452 4.2.2 Mailbox full>"}],
        "timestamp": "2023-11-15T13:13:20.123Z",
        "remoteMtaIp": "205.251.242.49",
        "reportingMTA": "dns; a8-70.smtp-out.amazonses.com"}
    # AWS: soft bounces stay out of the bounce count.
    assert stats(v1)["Bounces"] == 0


def test_rule_complaint_after_a_delay(server, v1, rules):
    mid = send(v1, "angry@example.com")
    assert [t for t, _ in server.events(mid)] == ["Send", "Delivery"]
    advance(server, 3600 * 1000 - 1)
    assert len(server.events(mid)) == 2
    advance(server, 1)
    events = server.events(mid)
    assert events[2][0] == "Complaint"
    assert without_feedback_id(events[2][1]) == {
        "complainedRecipients": [{"emailAddress": "angry@example.com"}],
        "timestamp": "2023-11-14T23:13:20.000Z", "complaintSubType": None,
        "userAgent": "ExampleMail/1.0", "complaintFeedbackType": "fraud",
        "arrivalDate": "2023-11-14T23:13:20.123Z"}
    assert stats(v1)["Complaints"] == 1


def test_rule_auto_reply(server, v1, rules):
    mid = send(v1, "away@example.com")
    events = server.events(mid)
    assert [t for t, _ in events] == ["Send", "Delivery", "Bounce"]
    assert events[2][1]["bounceType"] == "Transient"
    assert events[2][1]["bouncedRecipients"] == [
        {"emailAddress": "away@example.com"}]


def test_rule_reject_and_deliver(server, v1, rules):
    mid = send(v1, "filtered@example.com", "a@relay.example.com")
    assert server.events(mid) == [
        ("Send", {}), ("Reject", {"reason": "Bad content"})]
    mid = send(v1, "b@relay.example.com")
    assert server.events(mid)[1][1]["smtpResponse"] == \
        "250 2.0.0 OK queued as 42"
    assert stats(v1)["Rejects"] == 2


EICAR = (r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE"
         r"!$H+H*")


def test_eicar_attachment_is_rejected(server, v1, sesv2):
    mid = sesv2().send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["someone@example.net"]},
        Content={"Simple": {
            "Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}},
            "Attachments": [{"FileName": "eicar.com",
                             "RawContent": EICAR.encode()}]}})["MessageId"]
    assert server.events(mid) == [("Send", {}),
                                  ("Reject", {"reason": "Bad content"})]
    raw = ("From: %s\r\nTo: x@example.net\r\nSubject: v\r\nMIME-Version: 1.0"
           "\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
           "Content-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: "
           "application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
           "\r\n%s\r\n--b--\r\n" % (SENDER, base64.b64encode(
               EICAR.encode()).decode()))
    mid = v1.send_raw_email(RawMessage={"Data": raw})["MessageId"]
    assert server.events(mid) == [("Send", {}),
                                  ("Reject", {"reason": "Bad content"})]
    assert stats(v1)["Rejects"] == 2


@pytest.mark.parametrize("body, message", [
    ('{"rules": [{"match": "x"}]}', "rules[0]: needs match and outcome"),
    ('{"rules": [{"match": "x", "outcome": "explode"}]}',
     "rules[0].outcome: must be one of deliver, bounce, soft-bounce, "
     "complaint, auto-reply, reject"),
    ('{"rules": [{"match": "x", "outcome": "bounce", "bounceType": "Soft"}]}',
     "rules[0].bounceType: must be one of Undetermined, Permanent, "
     "Transient"),
    ('{"rules": [{"match": "x", "outcome": "complaint", '
     '"feedbackType": "angry"}]}',
     "rules[0].feedbackType: must be one of abuse, auth-failure, fraud, "
     "not-spam, other, virus"),
    ('{"rules": [{"match": "x", "outcome": "complaint", "delayMs": -1}]}',
     "rules[0].delayMs: must be a non-negative integer"),
    ('{"rules": [{"match": "x", "outcome": "deliver", "status": "5.0.0"}]}',
     "rules[0].status: not a field of outcome deliver"),
    ('{"rules": [{"match": "", "outcome": "deliver"}]}',
     "rules[0].match: must be a non-empty string"),
    ('{"rules": {}}', 'rules: expected {"rules": [...]}'),
    ('{"rules": [], "extra": 1}', "extra: unknown key"),
    ('[]', "the body must be a JSON object"),
])
def test_bad_rules_are_refused_and_change_nothing(server, rules, body,
                                                  message):
    r = server.request("PUT", "/_sesbox/api/v1/simulator/rules", data=body)
    assert (r.status_code, r.json()) == (400, {"code": "BadRequest",
                                               "message": message})
    assert server.get("/_sesbox/api/v1/simulator/rules").json()[
        "rules"] == rules


def test_rules_file_reload_and_reset(tmp_path, start_server, ses):
    path = tmp_path / "rules.json"
    path.write_text(RULES.read_text())
    srv = start_server("--simulator-rules", str(path))
    got = srv.get("/_sesbox/api/v1/simulator/rules").json()
    assert got["file"] == str(path)
    assert len(got["rules"]) == len(json.loads(RULES.read_text())["rules"])
    path.write_text('{"rules": [{"match": "*", "outcome": "reject"}]}')
    r = srv.post("/_sesbox/api/v1/simulator/rules/reload")
    assert r.json()["rules"] == [{"match": "*", "outcome": "reject"}]
    srv.request("PUT", "/_sesbox/api/v1/simulator/rules", data='{"rules": []}')
    srv.reset()         # back to the file
    assert srv.get("/_sesbox/api/v1/simulator/rules").json()["rules"] == [
        {"match": "*", "outcome": "reject"}]
    path.write_text('{"rules": [')
    r = srv.post("/_sesbox/api/v1/simulator/rules/reload")
    assert r.status_code == 400
    assert r.json()["message"].startswith(str(path) + ":1:")


def test_reload_without_a_file(server):
    r = server.post("/_sesbox/api/v1/simulator/rules/reload")
    assert (r.status_code, r.json()["message"]) == (
        400, "no rules file was given (--simulator-rules)")


@pytest.mark.parametrize("content, message", [
    ('{"rules": [', "{path}:1:11: "),
    ('{"rules": [{"match": "a", "outcome": "nope"}]}',
     "{path}: rules[0].outcome: must be one of"),
])
def test_bad_rules_file_fails_start(tmp_path, content, message):
    path = tmp_path / "rules.json"
    path.write_text(content)
    proc = run_sesbox(["--ephemeral", "--listen", "127.0.0.1:0",
                       "--simulator-rules", str(path)])
    assert proc.returncode != 0
    want = "sesbox: simulator-rules: " + message.format(path=path)
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith(want), proc.stderr


def test_event_objects_keep_ses_key_order(server, v1, rules):
    # Byte-for-byte payloads need SES's key order (real captures, evt.c).
    mid = send(v1, "success@" + SIM, "bounce@" + SIM, "complaint@" + SIM,
               "full-2@example.com")
    keys = [(t, list(d)) for t, d in server.events(mid)]
    assert keys == [
        ("Send", []),
        ("Delivery", ["timestamp", "processingTimeMillis", "recipients",
                      "smtpResponse", "remoteMtaIp", "reportingMTA"]),
        ("Bounce", ["feedbackId", "bounceType", "bounceSubType",
                    "bouncedRecipients", "timestamp", "remoteMtaIp",
                    "reportingMTA"]),
        ("Complaint", ["feedbackId", "complaintSubType",
                       "complainedRecipients", "timestamp", "userAgent",
                       "complaintFeedbackType", "arrivalDate"]),
        ("DeliveryDelay", ["timestamp", "delayType", "expirationTime",
                           "delayedRecipients"]),
    ]


# -- account-level suppression ---------------------------------------------------

ACCOUNT_SUPPRESSED = (
    "Amazon SES did not send the message to this address because it is on "
    "the suppression list for your account. For more information about "
    "removing addresses from the suppression list, see the Amazon SES "
    "Developer Guide at https://docs.aws.amazon.com/ses/latest/"
    "DeveloperGuide/sending-email-suppression-list.html")


def test_suppressed_address_bounces_on_account_list(server, v1, sesv2):
    sesv2().put_suppressed_destination(EmailAddress="gone@example.com",
                                       Reason="BOUNCE")
    mid = send(v1, "gone@example.com", "here@example.com")
    events = server.events(mid)
    assert [t for t, _ in events] == ["Send", "Bounce", "Delivery"]
    assert without_feedback_id(events[1][1]) == {
        "bounceType": "Permanent", "bounceSubType": "OnAccountSuppressionList",
        "bouncedRecipients": [{
            "emailAddress": "gone@example.com", "action": "failed",
            "status": "5.1.1", "diagnosticCode": ACCOUNT_SUPPRESSED}],
        "timestamp": T0_ISO, "reportingMTA": "dns; amazonses.com"}
    # AWS: not counted in the bounce rate.
    assert stats(v1)["Bounces"] == 0


def test_hard_bounce_and_complaint_suppress_the_address(server, v1, sesv2,
                                                        rules):
    client = sesv2()
    mid = send(v1, "x@nosuchuser.example.com", "angry@example.com")
    server.flush()
    advance(server, 3600 * 1000)
    events = dict(server.events(mid))
    got = client.get_suppressed_destination(
        EmailAddress="x@nosuchuser.example.com")["SuppressedDestination"]
    assert (got["Reason"], got["Attributes"]) == ("BOUNCE", {
        "MessageId": mid, "FeedbackId": events["Bounce"]["feedbackId"]})
    got = client.get_suppressed_destination(
        EmailAddress="angry@example.com")["SuppressedDestination"]
    assert (got["Reason"], got["Attributes"]["FeedbackId"]) == (
        "COMPLAINT", events["Complaint"]["feedbackId"])
    # The next send to them is not attempted.
    mid = send(v1, "x@nosuchuser.example.com")
    assert server.events(mid)[1][1]["bounceSubType"] == \
        "OnAccountSuppressionList"


def test_simulator_and_disabled_reasons_do_not_suppress(server, v1, sesv2,
                                                        rules):
    client = sesv2()
    client.put_account_suppression_attributes(SuppressedReasons=["COMPLAINT"])
    send(v1, "bounce@" + SIM, "x@nosuchuser.example.com")
    server.flush()
    assert client.list_suppressed_destinations()[
        "SuppressedDestinationSummaries"] == []
    client.put_suppressed_destination(EmailAddress="held@example.com",
                                      Reason="BOUNCE")
    # BOUNCE is not in force: the listed address is delivered.
    mid = send(v1, "held@example.com")
    assert [t for t, _ in server.events(mid)] == ["Send", "Delivery"]


def test_configuration_set_overrides_the_account_reasons(server, v1, sesv2):
    client = sesv2()
    client.create_configuration_set(
        ConfigurationSetName="nosupp",
        SuppressionOptions={"SuppressedReasons": []})
    client.put_suppressed_destination(EmailAddress="held@example.com",
                                      Reason="BOUNCE")
    mid = v1.send_email(
        Source=SENDER, Destination={"ToAddresses": ["held@example.com"]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
        ConfigurationSetName="nosupp")["MessageId"]
    assert [t for t, _ in server.events(mid)] == ["Send", "Delivery"]
