"""The send path, end to end: v1 SendEmail / SendRawEmail and v2 SendEmail
(Simple, Raw) through boto3 and the AWS CLI; every captured message parsed
with Python's email package; identity checks, sandbox, pauses, the rate and
daily quotas (by the test clock), recipients, tags, sizes and raw MIME."""
import base64
import email
import email.policy
import json
import re

import pytest
from botocore.exceptions import ClientError

from conftest import ROOT, aws_cli

MSGID = re.compile(r"01[0-9a-f]{2}[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-4"
                   r"[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-000000")
SENDER = "sender@example.com"


def err(exc):
    e = exc.value.response
    return (e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Code"],
            e["Error"]["Message"])


def captured(srv, message_id):
    full = srv.get("/_sesbox/api/v1/messages/" + message_id).json()
    msg = email.message_from_string(full["Raw"], policy=email.policy.default)
    return full, msg


@pytest.fixture
def v1(ses):
    client = ses()
    client.verify_email_identity(EmailAddress=SENDER)
    return client


@pytest.fixture
def v2(sesv2, v1):
    return sesv2()


def simple(**kw):
    body = {"Destination": {"ToAddresses": ["to@example.net"]},
            "Message": {"Subject": {"Data": "Hello"},
                        "Body": {"Text": {"Data": "Hi there"}}},
            "Source": SENDER}
    body.update(kw)
    return body


def test_v1_send_email_text_and_html(server, v1):
    resp = v1.send_email(
        Source="Sender Name <%s>" % SENDER,
        Destination={"ToAddresses": ["a@example.net", "B <b@example.net>"],
                     "CcAddresses": ["c@example.net"],
                     "BccAddresses": ["hidden@example.net"]},
        Message={"Subject": {"Data": "Grüße ✓", "Charset": "UTF-8"},
                 "Body": {"Text": {"Data": "plain body"},
                          "Html": {"Data": "<p>html body</p>"}}},
        ReplyToAddresses=["reply@example.com"],
        Tags=[{"Name": "campaign", "Value": "spring-2024"}])
    mid = resp["MessageId"]
    assert MSGID.fullmatch(mid), mid
    server.flush()
    full, msg = captured(server, mid)
    assert full["Kind"] == "send"
    assert (full["Api"], full["Operation"]) == ("v1", "SendEmail")
    assert full["Source"] == SENDER
    assert full["Destinations"] == ["a@example.net", "b@example.net",
                                    "c@example.net", "hidden@example.net"]
    assert msg["Subject"] == "Grüße ✓"
    assert msg["From"] == "Sender Name <%s>" % SENDER
    assert msg["To"] == "a@example.net, B <b@example.net>"
    assert msg["Cc"] == "c@example.net"
    assert msg["Reply-To"] == "reply@example.com"
    assert msg["Bcc"] is None
    assert msg["Message-ID"] == "<%s@email.amazonses.com>" % mid
    assert msg["Date"] is not None
    assert msg.get_content_type() == "multipart/alternative"
    parts = [(p.get_content_type(), p.get_content().strip())
             for p in msg.iter_parts()]
    assert parts == [("text/plain", "plain body"),
                     ("text/html", "<p>html body</p>")]
    assert full["Tags"]["campaign"] == ["spring-2024"]
    assert full["Tags"]["ses:operation"] == ["SendEmail"]
    assert full["Tags"]["ses:from-domain"] == ["example.com"]
    assert [e["Type"] for e in full["Events"]] == ["Send", "Delivery"]
    raw = server.get("/_sesbox/api/v1/messages/%s/raw" % mid)
    assert raw.headers["Content-Type"] == "message/rfc822"
    assert raw.text == full["Raw"]


def test_regional_message_id(server, ses):
    client = ses(region="eu-west-1")
    client.verify_email_identity(EmailAddress=SENDER)
    mid = client.send_email(**simple())["MessageId"]
    assert mid.startswith("0102")
    _, msg = captured(server, mid)
    assert msg["Message-ID"] == "<%s@eu-west-1.amazonses.com>" % mid


@pytest.mark.parametrize("source, shown", [
    ("unverified@example.org", "unverified@example.org"),
    ("Someone <unverified@example.org>", "Someone <unverified@example.org>"),
])
def test_unverified_sender(ses, source, shown):
    with pytest.raises(ClientError) as exc:
        ses().send_email(**simple(Source=source))
    assert err(exc) == (400, "MessageRejected", "Email address is not "
                        "verified. The following identities failed the "
                        "check in region US-EAST-1: " + shown)


def test_verified_domain_and_label(ses):
    client = ses()
    client.verify_domain_identity(Domain="example.org")
    client.send_email(**simple(Source="anyone@example.org"))
    client.verify_email_identity(EmailAddress="me@example.io")
    client.send_email(**simple(Source="me+news@example.io"))


@pytest.mark.parametrize("address, why", [
    ("no-at-sign", "Missing final '@domain'"),
    ("a@", "Missing domain"),
    ("@example.com", "Missing local name"),
    ("a b@example.com", "Local address contains control or whitespace"),
    ("a@exa mple.com", "Domain contains control or whitespace"),
    ("a]b@example.com", "Local address contains illegal character"),
    ("a(b@example.com", "Missing ')'"),
    ("Karen, Chan <k@example.com>", "Illegal address"),
    ("a@exa_mple.com", "Domain contains illegal character"),
])
def test_bad_recipient_address(v1, address, why):
    with pytest.raises(ClientError) as exc:
        v1.send_email(**simple(Destination={"ToAddresses": [address]}))
    assert err(exc) == (400, "InvalidParameterValue", why)


def test_recipient_limit(v1):
    many = ["r%d@example.net" % i for i in range(51)]
    with pytest.raises(ClientError) as exc:
        v1.send_email(**simple(Destination={"ToAddresses": many}))
    assert err(exc) == (400, "InvalidParameterValue",
                        "Recipient count exceeds 50.")
    v1.send_email(**simple(Destination={"ToAddresses": many[:50]}))


@pytest.mark.parametrize("tag, message", [
    ({"Name": "bad name", "Value": "v"}, "Invalid tag name <bad name>: only "
     "alphanumeric ASCII characters, '_',  '-' are allowed."),
    ({"Name": "n", "Value": "bad value"}, "Invalid tag value <bad value>: "
     "only alphanumeric ASCII characters, '_',  '-' , '.', '@' are "
     "allowed."),
    ({"Name": "n" * 256, "Value": "v"}, "Tag name cannot exceed 255 "
     "characters."),
    ({"Name": "n", "Value": "v" * 256}, "Tag value cannot exceed 255 "
     "characters."),
    ({"Name": "", "Value": "v"}, "The tag name must be specified."),
    ({"Name": "n", "Value": ""}, "The tag value must be specified."),
])
def test_bad_tags(v1, tag, message):
    with pytest.raises(ClientError) as exc:
        v1.send_email(**simple(Tags=[tag]))
    assert err(exc) == (400, "InvalidParameterValue", message)


def test_special_tags_allowed(server, v1):
    mid = v1.send_email(**simple(Tags=[
        {"Name": "ses:feedback-id-a", "Value": "x.y@z"}]))["MessageId"]
    full, _ = captured(server, mid)
    assert full["Tags"]["ses:feedback-id-a"] == ["x.y@z"]


def test_account_pause(v1, v2):
    v1.update_account_sending_enabled(Enabled=False)
    with pytest.raises(ClientError) as exc:
        v1.send_email(**simple())
    assert err(exc)[:2] == (400, "AccountSendingPausedException")
    with pytest.raises(ClientError) as exc:
        v2.send_email(FromEmailAddress=SENDER,
                      Destination={"ToAddresses": ["t@example.net"]},
                      Content={"Simple": {"Subject": {"Data": "s"},
                                          "Body": {"Text": {"Data": "b"}}}})
    assert err(exc)[:2] == (400, "SendingPausedException")
    v2.put_account_sending_attributes(SendingEnabled=True)
    v1.send_email(**simple())


def test_configuration_set_checks(v1, v2):
    with pytest.raises(ClientError) as exc:
        v1.send_email(**simple(ConfigurationSetName="nope"))
    assert err(exc) == (400, "ConfigurationSetDoesNotExist",
                        "Configuration set <nope> does not exist.")
    v1.create_configuration_set(ConfigurationSet={"Name": "cs1"})
    v1.send_email(**simple(ConfigurationSetName="cs1"))
    v1.update_configuration_set_sending_enabled(ConfigurationSetName="cs1",
                                                Enabled=False)
    with pytest.raises(ClientError) as exc:
        v1.send_email(**simple(ConfigurationSetName="cs1"))
    assert err(exc)[:2] == (400, "ConfigurationSetSendingPausedException")


def test_sandbox(start_server, ses):
    srv = start_server("--sandbox")
    client = ses(srv=srv)
    quota = client.get_send_quota()
    assert (quota["Max24HourSend"], quota["MaxSendRate"]) == (200.0, 1.0)
    client.verify_email_identity(EmailAddress=SENDER)
    with pytest.raises(ClientError) as exc:
        client.send_email(**simple(Destination={"ToAddresses": [
            "success@simulator.amazonses.com", "stranger@example.net"]}))
    assert err(exc) == (400, "MessageRejected", "Email address is not "
                        "verified. The following identities failed the "
                        "check in region US-EAST-1: stranger@example.net")
    client.send_email(**simple(Destination={"ToAddresses": [
        "success+label@simulator.amazonses.com"]}))


def test_rate_limit_by_test_clock(start_server, ses):
    srv = start_server("--max-send-rate", "2")
    client = ses(srv=srv)
    client.verify_email_identity(EmailAddress=SENDER)
    srv.post("/_sesbox/api/v1/clock", json={"set_ms": 1800000000000})
    client.send_email(**simple())
    client.send_email(**simple())
    with pytest.raises(ClientError) as exc:
        client.send_email(**simple())
    assert err(exc) == (400, "Throttling", "Maximum sending rate exceeded.")
    srv.post("/_sesbox/api/v1/clock", json={"advance_ms": 500})
    client.send_email(**simple())
    # A burst to many recipients goes while any budget remains, then waits.
    srv.post("/_sesbox/api/v1/clock", json={"advance_ms": 1000})
    client.send_email(**simple(Destination={"ToAddresses": [
        "r%d@example.net" % i for i in range(10)]}))
    srv.post("/_sesbox/api/v1/clock", json={"advance_ms": 4000})
    with pytest.raises(ClientError) as exc:
        client.send_email(**simple())
    assert err(exc)[1] == "Throttling"


def test_daily_quota(start_server, ses, sesv2):
    srv = start_server("--max-24h-send", "3", "--max-send-rate", "1000")
    client = ses(srv=srv)
    client.verify_email_identity(EmailAddress=SENDER)
    srv.post("/_sesbox/api/v1/clock", json={"set_ms": 1800000000000})
    client.send_email(**simple(Destination={"ToAddresses": [
        "a@example.net", "b@example.net",
        "success@simulator.amazonses.com"]}))
    assert client.get_send_quota()["SentLast24Hours"] == 2.0
    client.send_email(**simple())
    with pytest.raises(ClientError) as exc:
        client.send_email(**simple())
    assert err(exc) == (400, "Throttling", "Daily message quota exceeded.")
    with pytest.raises(ClientError) as exc:
        sesv2(srv=srv).send_email(
            FromEmailAddress=SENDER,
            Destination={"ToAddresses": ["t@example.net"]},
            Content={"Simple": {"Subject": {"Data": "s"},
                                "Body": {"Text": {"Data": "b"}}}})
    assert err(exc) == (400, "LimitExceededException",
                        "Daily message quota exceeded.")
    # Simulator recipients do not count against the daily quota.
    client.send_email(**simple(Destination={"ToAddresses": [
        "bounce@simulator.amazonses.com"]}))
    srv.post("/_sesbox/api/v1/clock", json={"advance_ms": 24 * 3600 * 1000})
    client.send_email(**simple())
    points = client.get_send_statistics()["SendDataPoints"]
    assert sum(p["DeliveryAttempts"] for p in points) == 4


RAW = ("From: Raw Sender <sender@example.com>\r\n"
       "To: a@example.net, b@example.net\r\n"
       "Bcc: secret@example.net\r\n"
       "Subject: =?UTF-8?B?w5xiZXI=?=\r\n"
       "Message-ID: <mine@client.example>\r\n"
       "X-SES-CONFIGURATION-SET: cs1\r\n"
       "X-SES-MESSAGE-TAGS: team=mail, kind=raw\r\n"
       "MIME-Version: 1.0\r\n"
       "Content-Type: text/plain; charset=UTF-8\r\n\r\n"
       "raw body\r\n")


def test_send_raw_email(server, v1):
    v1.create_configuration_set(ConfigurationSet={"Name": "cs1"})
    mid = v1.send_raw_email(RawMessage={"Data": RAW})["MessageId"]
    full, msg = captured(server, mid)
    assert full["Operation"] == "SendRawEmail"
    assert full["Destinations"] == ["a@example.net", "b@example.net",
                                    "secret@example.net"]
    assert full["Subject"] == "Über"
    assert full["ConfigurationSet"] == "cs1"
    assert full["Tags"]["team"] == ["mail"]
    assert full["Tags"]["kind"] == ["raw"]
    assert msg["X-SES-CONFIGURATION-SET"] is None
    assert msg["X-SES-MESSAGE-TAGS"] is None
    assert msg["Bcc"] is None
    assert msg["Message-ID"] == "<%s@email.amazonses.com>" % mid
    assert msg.get_content().strip() == "raw body"


def test_send_raw_email_destinations_and_source(server, v1):
    mid = v1.send_raw_email(Source=SENDER, Destinations=["only@example.net"],
                            RawMessage={"Data": RAW.replace(
                                "X-SES-CONFIGURATION-SET: cs1\r\n", "")})[
        "MessageId"]
    full, _ = captured(server, mid)
    assert full["Destinations"] == ["only@example.net"]


@pytest.mark.parametrize("raw", [
    "To: a@example.net\r\nSubject: no from\r\n\r\nbody\r\n",
])
def test_send_raw_email_missing_from(v1, raw):
    with pytest.raises(ClientError) as exc:
        v1.send_raw_email(RawMessage={"Data": raw})
    assert err(exc) == (400, "InvalidParameterValue",
                        "Missing required header 'From'.")


BAD_MIME = sorted(p.parent for p in (ROOT / "fixtures" / "mime" / "parse")
                  .glob("*/expected-error.txt"))


@pytest.mark.parametrize("case", BAD_MIME, ids=[c.name for c in BAD_MIME])
def test_send_raw_email_malformed(server, v1, v2, case):
    # Every malformed-MIME golden case, through both APIs: SES's text,
    # nothing captured.
    raw = (case / "input.eml").read_bytes()
    want = (case / "expected-error.txt").read_text().rstrip("\n")
    with pytest.raises(ClientError) as exc:
        v1.send_raw_email(Source=SENDER, Destinations=["to@example.net"],
                          RawMessage={"Data": raw})
    assert err(exc) == (400, "InvalidParameterValue", want)
    with pytest.raises(ClientError) as exc:
        v2.send_email(FromEmailAddress=SENDER,
                      Destination={"ToAddresses": ["to@example.net"]},
                      Content={"Raw": {"Data": raw}})
    assert err(exc) == (400, "BadRequestException", want)
    assert server.get("/_sesbox/api/v1/messages").json()["messages"] == []


def test_send_raw_email_long_lines_accepted(server, v1):
    # AWS: SES takes lines over RFC 5322's 998 characters at the API; it is
    # receiving servers that refuse them ("552 message line is too long").
    raw = ("From: " + SENDER + "\r\nTo: to@example.net\r\nSubject: long"
           "\r\n\r\n" + "x" * 5000 + "\r\n")
    mid = v1.send_raw_email(RawMessage={"Data": raw})["MessageId"]
    full, _ = captured(server, mid)
    assert "x" * 5000 in full["Raw"]


def test_send_raw_email_oversize(v1):
    big = RAW.replace("X-SES-CONFIGURATION-SET: cs1\r\n", "") + (
        "x" * 998 + "\r\n") * 10600
    with pytest.raises(ClientError) as exc:
        v1.send_raw_email(RawMessage={"Data": big})
    code, message = err(exc)[1:]
    assert code == "InvalidParameterValue"
    assert message.startswith("Message length is more than 10485760 bytes")


def test_v2_send_simple_with_attachments_and_headers(server, v2):
    resp = v2.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["to@example.net"]},
        Content={"Simple": {
            "Subject": {"Data": "Files"},
            "Body": {"Text": {"Data": "see attached"}},
            "Headers": [{"Name": "X-Custom", "Value": "42"}],
            "Attachments": [{"FileName": "a.txt",
                             "RawContent": b"attachment text",
                             "ContentType": "text/plain"}]}},
        EmailTags=[{"Name": "k", "Value": "v"}])
    full, msg = captured(server, resp["MessageId"])
    assert (full["Api"], full["Operation"]) == ("v2", "SendEmail")
    assert msg["X-Custom"] == "42"
    assert msg.get_content_type() == "multipart/mixed"
    atts = list(msg.iter_attachments())
    assert [(a.get_filename(), a.get_content()) for a in atts] == [
        ("a.txt", "attachment text")]
    assert full["Tags"]["k"] == ["v"]


@pytest.mark.parametrize("headers, message", [
    ([{"Name": "X:Bad", "Value": "v"}], "1 validation error detected: "
     "Value 'X:Bad' at 'content.simple.headers.1.member.name' failed to "
     "satisfy constraint: Member must satisfy regular expression pattern: "
     "^[!-9;-@A-~]+$"),
    ([{"Name": "X-Ok", "Value": "v\r\nBcc: injected@example.net"}],
     "1 validation error detected: Value 'v\r\nBcc: injected@example.net' "
     "at 'content.simple.headers.1.member.value' failed to satisfy "
     "constraint: Member must satisfy regular expression pattern: [ -~]*"),
    ([{"Name": "X-" + "n" * 100, "Value": "v" * 900}], "The combined length "
     "of the header name and value must not exceed 996 characters: 'X-"
     + "n" * 100 + "'."),
    ([{"Name": "subject", "Value": "again"}], "Duplicate header 'Subject'."),
    ([{"Name": "From", "Value": "x@example.com"}],
     "Duplicate header 'From'."),
    ([{"Name": "Sender", "Value": "a@example.com"},
      {"Name": "SENDER", "Value": "b@example.com"}],
     "Duplicate header 'Sender'."),
], ids=["name-colon", "value-crlf", "too-long", "subject", "from",
        "sender-twice"])
def test_v2_bad_custom_headers(server, v2, headers, message):
    with pytest.raises(ClientError) as exc:
        v2.send_email(FromEmailAddress=SENDER,
                      Destination={"ToAddresses": ["to@example.net"]},
                      Content={"Simple": {"Subject": {"Data": "s"},
                                          "Body": {"Text": {"Data": "b"}},
                                          "Headers": headers}})
    assert err(exc) == (400, "BadRequestException", message)
    assert server.get("/_sesbox/api/v1/messages").json()["messages"] == []


def test_v2_repeatable_custom_headers(server, v2):
    # Fields SES lets a message carry more than once pass as given.
    mid = v2.send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["to@example.net"]},
        Content={"Simple": {"Subject": {"Data": "s"},
                            "Body": {"Text": {"Data": "b"}},
                            "Headers": [{"Name": "X-Tag", "Value": "1"},
                                        {"Name": "X-Tag", "Value": "2"},
                                        {"Name": "Sender",
                                         "Value": "a@example.com"}]}}
    )["MessageId"]
    _, msg = captured(server, mid)
    assert msg.get_all("X-Tag") == ["1", "2"]
    assert msg["Sender"] == "a@example.com"


def test_v2_send_raw(server, v2):
    mid = v2.send_email(Content={"Raw": {"Data": RAW.replace(
        "X-SES-CONFIGURATION-SET: cs1\r\n", "").encode()}})["MessageId"]
    full, _ = captured(server, mid)
    assert full["Source"] == SENDER


def test_v2_send_unverified(sesv2):
    with pytest.raises(ClientError) as exc:
        sesv2().send_email(FromEmailAddress="x@nowhere.example",
                           Destination={"ToAddresses": ["t@example.net"]},
                           Content={"Simple": {
                               "Subject": {"Data": "s"},
                               "Body": {"Text": {"Data": "b"}}}})
    assert err(exc)[:2] == (400, "MessageRejected")


def test_cli_send(server, v1):
    out = aws_cli(server, "ses", "send-email", "--from", SENDER,
                  "--destination", "ToAddresses=cli@example.net",
                  "--message", "Subject={Data=CLI},Body={Text={Data=hi}}")
    mid = json.loads(out.stdout)["MessageId"]
    assert MSGID.fullmatch(mid)
    out = aws_cli(server, "sesv2", "send-email", "--from-email-address",
                  SENDER, "--destination", "ToAddresses=cli2@example.net",
                  "--content", "Simple={Subject={Data=CLI2},"
                  "Body={Text={Data=hi}}}")
    full, msg = captured(server, json.loads(out.stdout)["MessageId"])
    assert msg["Subject"] == "CLI2"


def test_messages_filter_by_recipient(server, v1):
    v1.send_email(**simple(Destination={"ToAddresses": ["x@example.net"]}))
    v1.send_email(**simple(Destination={"ToAddresses": ["y@example.net"]}))
    got = server.get("/_sesbox/api/v1/messages",
                     params={"to": "y@example.net", "kind": "send"}).json()
    assert [m["Destinations"] for m in got["messages"]] == [
        ["y@example.net"]]


# -- templated sends --------------------------------------------------------

TPL = {"TemplateName": "welcome", "SubjectPart": "Hi {{name}}",
       "TextPart": "Hello {{name}}, code {{code}}",
       "HtmlPart": "<p>Hello {{name}}</p>"}


def test_send_templated_email(server, v1):
    v1.create_template(Template=TPL)
    mid = v1.send_templated_email(
        Source=SENDER, Destination={"ToAddresses": ["t@example.net"]},
        Template="welcome", TemplateData='{"name": "Ann", "code": 7}')[
        "MessageId"]
    server.flush()
    full, msg = captured(server, mid)
    assert full["Operation"] == "SendTemplatedEmail"
    assert msg["Subject"] == "Hi Ann"
    parts = [p.get_content().strip() for p in msg.iter_parts()]
    assert parts == ["Hello Ann, code 7", "<p>Hello Ann</p>"]
    assert [e["Type"] for e in full["Events"]] == ["Send", "Delivery"]


def test_send_templated_email_rendering_failure(server, v1):
    v1.create_template(Template=TPL)
    # AWS: the call succeeds; the failure is an asynchronous event and
    # nothing is delivered (SES-REFERENCE §8.2).
    mid = v1.send_templated_email(
        Source=SENDER, Destination={"ToAddresses": ["t@example.net"]},
        Template="welcome", TemplateData='{"name": "Ann"}')["MessageId"]
    full, _ = captured(server, mid)
    assert [(e["Type"], e["Detail"]) for e in full["Events"]] == [
        ("Send", {}),
        ("Rendering Failure", {
            "errorMessage": "Attribute 'code' is not present in the "
                            "rendering data.",
            "templateName": "welcome"})]


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_templated_missing_template(v1, v2, api):
    with pytest.raises(ClientError) as exc:
        if api == "v1":
            v1.send_templated_email(
                Source=SENDER, Destination={"ToAddresses": ["t@x.net"]},
                Template="nope", TemplateData="{}")
        else:
            v2.send_email(FromEmailAddress=SENDER,
                          Destination={"ToAddresses": ["t@x.net"]},
                          Content={"Template": {"TemplateName": "nope",
                                                "TemplateData": "{}"}})
    assert err(exc) == ((400, "TemplateDoesNotExist",
                         "Template nope does not exist.") if api == "v1"
                        else (404, "NotFoundException",
                              "Template nope does not exist."))


def test_v2_send_template_and_inline(server, v2):
    v2.create_email_template(TemplateName="t2", TemplateContent={
        "Subject": "S {{x}}", "Text": "T {{x}}"})
    mid = v2.send_email(FromEmailAddress=SENDER,
                        Destination={"ToAddresses": ["a@example.net"]},
                        Content={"Template": {"TemplateName": "t2",
                                              "TemplateData": '{"x": 1}'}})[
        "MessageId"]
    _, msg = captured(server, mid)
    assert (msg["Subject"], msg.get_content().strip()) == ("S 1", "T 1")
    mid = v2.send_email(FromEmailAddress=SENDER,
                        Destination={"ToAddresses": ["a@example.net"]},
                        Content={"Template": {
                            "TemplateContent": {"Subject": "Inline {{y}}",
                                                "Html": "<b>{{y}}</b>"},
                            "TemplateData": '{"y": "z"}'}})["MessageId"]
    _, msg = captured(server, mid)
    assert msg["Subject"] == "Inline z"
    assert msg.get_content_type() == "text/html"


def test_send_bulk_templated_email(server, v1):
    v1.create_template(Template=TPL)
    resp = v1.send_bulk_templated_email(
        Source=SENDER, Template="welcome",
        DefaultTemplateData='{"name": "friend", "code": 0}',
        DefaultTags=[{"Name": "kind", "Value": "bulk"}],
        Destinations=[
            {"Destination": {"ToAddresses": ["a@example.net"]},
             "ReplacementTemplateData": '{"name": "A", "code": 1}',
             "ReplacementTags": [{"Name": "kind", "Value": "vip"}]},
            {"Destination": {"ToAddresses": ["b@example.net"]}},
            {"Destination": {"ToAddresses": ["not an address"]}}])
    status = resp["Status"]
    assert [s["Status"] for s in status] == ["Success", "Success",
                                             "InvalidParameterValue"]
    assert status[2]["Error"] == "Missing final '@domain'"
    first, msg_a = captured(server, status[0]["MessageId"])
    second, msg_b = captured(server, status[1]["MessageId"])
    assert (msg_a["Subject"], msg_b["Subject"]) == ("Hi A", "Hi friend")
    assert first["Tags"]["kind"] == ["vip"]
    assert second["Tags"]["kind"] == ["bulk"]


def test_send_bulk_call_errors(ses, v1):
    with pytest.raises(ClientError) as exc:
        v1.send_bulk_templated_email(
            Source=SENDER, Template="missing", DefaultTemplateData="{}",
            Destinations=[{"Destination": {"ToAddresses": ["a@x.net"]}}])
    assert err(exc)[1] == "TemplateDoesNotExist"
    v1.create_template(Template=TPL)
    with pytest.raises(ClientError) as exc:
        ses().send_bulk_templated_email(
            Source="who@unverified.example", Template="welcome",
            DefaultTemplateData="{}",
            Destinations=[{"Destination": {"ToAddresses": ["a@x.net"]}}])
    assert err(exc)[1] == "MessageRejected"


def test_v2_send_bulk_email(server, v2):
    v2.create_email_template(TemplateName="b2", TemplateContent={
        "Subject": "Hi {{n}}", "Text": "x"})
    resp = v2.send_bulk_email(
        FromEmailAddress=SENDER,
        DefaultContent={"Template": {"TemplateName": "b2",
                                     "TemplateData": '{"n": "all"}'}},
        BulkEmailEntries=[
            {"Destination": {"ToAddresses": ["a@example.net"]},
             "ReplacementEmailContent": {"ReplacementTemplate": {
                 "ReplacementTemplateData": '{"n": "one"}'}}},
            {"Destination": {"ToAddresses": ["b@example.net"]}}])
    results = resp["BulkEmailEntryResults"]
    assert [r["Status"] for r in results] == ["SUCCESS", "SUCCESS"]
    subjects = [captured(server, r["MessageId"])[1]["Subject"]
                for r in results]
    assert subjects == ["Hi one", "Hi all"]


def test_concurrent_sends_group_commit(start_server):
    # Sixteen threads sending at once share commits (group commit); a
    # request that fails inside a batch (a bad tag) rolls back alone.
    import concurrent.futures
    import requests

    srv = start_server("--http-threads", "16", "--max-send-rate", "1e9")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    srv.post("/", data="Action=VerifyEmailIdentity&EmailAddress="
             "sender%40example.com", headers=form)

    def send(i):
        tag = "bad%20tag" if i % 7 == 0 else "ok"
        with requests.Session() as http:
            r = http.post(srv.url + "/", headers=form, timeout=10, data=(
                "Action=SendEmail&Source=sender%40example.com"
                "&Destination.ToAddresses.member.1=r{0}%40example.net"
                "&Message.Subject.Data=s{0}&Message.Body.Text.Data=b"
                "&Tags.member.1.Name=t&Tags.member.1.Value={1}").format(
                    i, tag))
        return i, r.status_code, r.text

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(send, range(400)))
    ok = {i for i, status, _ in results if status == 200}
    bad = {i for i, status, _ in results if status == 400}
    assert ok | bad == set(range(400))
    assert bad == {i for i in range(400) if i % 7 == 0}
    listed = srv.get("/_sesbox/api/v1/messages",
                     params={"limit": "1000", "kind": "send"}).json()
    got = {int(m["Destinations"][0][1:].split("@")[0])
           for m in listed["messages"]}
    assert got == ok
    mids = [re.search(r"<MessageId>(.*)</MessageId>", text).group(1)
            for i, status, text in results if status == 200]
    assert len(set(mids)) == len(ok)


def test_cli_send_family(server, v1, tmp_path):
    def cli(*args):
        out = aws_cli(server, *args).stdout
        return json.loads(out) if out.strip() else {}

    raw = tmp_path / "raw.json"
    raw.write_text(json.dumps({"Data": base64.b64encode(RAW.replace(
        "X-SES-CONFIGURATION-SET: cs1\r\n", "").encode()).decode()}))
    mid = cli("ses", "send-raw-email", "--raw-message",
              "file://" + str(raw))["MessageId"]
    assert captured(server, mid)[0]["Operation"] == "SendRawEmail"
    cli("ses", "create-template", "--template",
        json.dumps({"TemplateName": "c", "SubjectPart": "Hi {{n}}",
                    "TextPart": "t"}))
    mid = cli("ses", "send-templated-email", "--source", SENDER,
              "--destination", "ToAddresses=a@example.net", "--template",
              "c", "--template-data", '{"n": "cli"}')["MessageId"]
    assert captured(server, mid)[1]["Subject"] == "Hi cli"
    status = cli("ses", "send-bulk-templated-email", "--source", SENDER,
                 "--template", "c", "--default-template-data", '{"n": 1}',
                 "--destinations", json.dumps([{"Destination": {
                     "ToAddresses": ["b@example.net"]}}]))["Status"]
    assert [s["Status"] for s in status] == ["Success"]
    results = cli("sesv2", "send-bulk-email", "--from-email-address", SENDER,
                  "--default-content", json.dumps({"Template": {
                      "TemplateName": "c", "TemplateData": '{"n": 2}'}}),
                  "--bulk-email-entries", json.dumps([{"Destination": {
                      "ToAddresses": ["c@example.net"]}}]))[
        "BulkEmailEntryResults"]
    assert [r["Status"] for r in results] == ["SUCCESS"]
    points = cli("ses", "get-send-statistics")["SendDataPoints"]
    # 3 recipients in the raw message (To, To, Bcc), then 1 + 1 + 1.
    assert sum(p["DeliveryAttempts"] for p in points) == 6
