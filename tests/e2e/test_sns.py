"""SNS on sesbox's port: the topic and subscription API through boto3 and
the AWS CLI, and delivery to a real HTTP subscriber inside the test (stdlib
http.server on 127.0.0.1): SubscriptionConfirmation, confirmation through
the SubscribeURL, Notifications (JSON and raw), UnsubscribeConfirmation,
the exact headers and body bytes, both signature versions checked with
python3-cryptography against the certificate at SigningCertURL, and
retries driven by the test clock (flush, never sleep)."""
import base64
import datetime
import http.server
import json
import re
import socket
import threading
import xml.etree.ElementTree as ET

import pytest
import requests
from botocore import xform_name
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from conftest import (DEFAULT_ACCOUNT, DEFAULT_REGION, DUMMY_KEY,
                      DUMMY_SECRET, HTTP_TIMEOUT_S, aws_cli, make_client)
from test_all_operations import minimal

T0 = 1700000000123            # 2023-11-14T22:13:20.123Z
T0_ISO = "2023-11-14T22:13:20.123Z"
NS = "{http://sns.amazonaws.com/doc/2010-03-31/}"
SES_NS = "{http://ses.amazonaws.com/doc/2010-12-01/}"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                  r"[0-9a-f]{12}$")
TOKEN = re.compile(r"^[0-9a-f]{288}$")
CERT_NAME = re.compile(r"/_sesbox/sns/SimpleNotificationService-[0-9a-f]{32}"
                       r"\.pem$")
IMPLEMENTED = {
    "ConfirmSubscription", "CreateTopic", "DeleteTopic",
    "GetSubscriptionAttributes", "GetTopicAttributes", "ListSubscriptions",
    "ListSubscriptionsByTopic", "ListTopics", "Publish",
    "SetSubscriptionAttributes", "SetTopicAttributes", "Subscribe",
    "Unsubscribe",
}
CONFIRM_TEXT = ("You have chosen to subscribe to the topic %s.\nTo confirm "
                "the subscription, visit the SubscribeURL included in this "
                "message.")
UNSUB_TEXT = ("You have chosen to deactivate subscription %s.\nTo cancel "
              "this operation and restore the subscription, visit the "
              "SubscribeURL included in this message.")
NOTE_KEYS = ["Type", "MessageId", "TopicArn", "Subject", "Message",
             "Timestamp", "SignatureVersion", "Signature", "SigningCertURL",
             "UnsubscribeURL"]
CONFIRM_KEYS = ["Type", "MessageId", "Token", "TopicArn", "Message",
                "SubscribeURL", "Timestamp", "SignatureVersion", "Signature",
                "SigningCertURL"]
RETRY_POLICY = ('{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,'
                '"numMaxDelayRetries":0,"numNoDelayRetries":0,'
                '"numMinDelayRetries":0,"backoffFunction":"linear"}')


# -- helpers ------------------------------------------------------------------

@pytest.fixture
def sns(server):
    """sns(region=..., key=..., srv=None) -> a boto3 SNS client."""
    def factory(region=DEFAULT_REGION, key=DUMMY_KEY, secret=DUMMY_SECRET,
                srv=None):
        return make_client("sns", (srv or server).url, region, key, secret)
    return factory


def freeze(srv, ms=T0):
    r = srv.post("/_sesbox/api/v1/clock", json={"set_ms": ms})
    assert r.status_code == 200, r.text


def advance(srv, ms):
    r = srv.post("/_sesbox/api/v1/clock", json={"advance_ms": ms})
    assert r.status_code == 200, r.text


def flush(srv):
    r = srv.post("/_sesbox/api/v1/sns/flush")
    assert r.status_code == 200, r.text
    assert r.json() == {"flushed": True}


def deliveries(srv, topic=None, limit=None):
    params = {}
    if topic is not None:
        params["topic"] = topic
    if limit is not None:
        params["limit"] = limit
    r = srv.get("/_sesbox/api/v1/sns/deliveries", params=params)
    assert r.status_code == 200, r.text
    return r.json()["deliveries"]


def error_of(exc):
    e = exc.value.response
    return (e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Code"],
            e["Error"]["Message"], e["Error"].get("Type"))


def jackson_string(s):
    """A JSON string as SNS's serializer (Jackson) writes it."""
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t",
             "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    return '"' + "".join(short.get(c) or ("\\u%04X" % ord(c)
                                          if ord(c) < 0x20 else c)
                         for c in s) + '"'


def sns_body(fields, keys):
    """The body SNS sends: keys in order, "Key" : value, no final
    newline."""
    return ("{\n" + ",\n".join("  %s : %s" % (jackson_string(k),
                                               jackson_string(fields[k]))
                               for k in keys if k in fields) + "\n}"
            ).encode("utf-8")


def string_to_sign(m):
    if m["Type"] == "Notification":
        keys = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn",
                "Type"]
    else:
        keys = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token",
                "TopicArn", "Type"]
    return "".join("%s\n%s\n" % (k, m[k]) for k in keys if k in m)


def verify_signature(m, version):
    """Checks m's signature against the certificate at its
    SigningCertURL, fetched over HTTP like a subscriber would."""
    assert CERT_NAME.search(m["SigningCertURL"]), m["SigningCertURL"]
    r = requests.get(m["SigningCertURL"], timeout=HTTP_TIMEOUT_S)
    assert r.status_code == 200, r.text
    cert = x509.load_pem_x509_certificate(r.content)
    algo = hashes.SHA1() if version == "1" else hashes.SHA256()
    cert.public_key().verify(base64.b64decode(m["Signature"]),
                             string_to_sign(m).encode("utf-8"),
                             padding.PKCS1v15(), algo)
    return cert


def expected_headers(msg_type, message_id, topic_arn, sub_arn=None,
                     raw=False):
    h = {"x-amz-sns-message-type": msg_type,
         "x-amz-sns-message-id": message_id,
         "x-amz-sns-topic-arn": topic_arn,
         "Content-Type": "text/plain; charset=UTF-8",
         "Connection": "Keep-Alive",
         "User-Agent": "Amazon Simple Notification Service Agent",
         "Accept-Encoding": "gzip,deflate"}
    if sub_arn is not None:
        h["x-amz-sns-subscription-arn"] = sub_arn
    if raw:
        h["x-amz-sns-rawdelivery"] = "true"
    return h


def check_headers(r, want):
    """The request's headers are exactly want plus Host and
    Content-Length."""
    got = {k: v for k, v in r.headers}
    assert len(got) == len(r.headers), r.headers      # no repeats
    assert got.pop("Host") == r.host
    assert int(got.pop("Content-Length")) == len(r.body)
    assert got == want


def subscribe_confirmed(srv, client, topic, sub, raw=False):
    """Subscribes sub to topic and confirms through the SubscribeURL;
    returns the subscription ARN."""
    attrs = {"RawMessageDelivery": "true"} if raw else {}
    n = len(sub.received)   # before: the sender may beat the flush
    resp = client.subscribe(TopicArn=topic, Protocol="http",
                            Endpoint=sub.url, Attributes=attrs)
    assert resp["SubscriptionArn"] == "pending confirmation"
    flush(srv)
    confirmation = sub.received[n].json()
    assert confirmation["Type"] == "SubscriptionConfirmation"
    r = requests.get(confirmation["SubscribeURL"], timeout=HTTP_TIMEOUT_S)
    assert r.status_code == 200, r.text
    arn = ET.fromstring(r.text).find(
        NS + "ConfirmSubscriptionResult/" + NS + "SubscriptionArn").text
    assert arn.startswith(topic + ":")
    return arn


# -- topics -------------------------------------------------------------------

def test_topic_crud(server, sns):
    c = sns()
    arn = c.create_topic(Name="orders")["TopicArn"]
    assert arn == "arn:aws:sns:us-east-1:%s:orders" % DEFAULT_ACCOUNT
    # AWS: CreateTopic is idempotent by name.
    assert c.create_topic(Name="orders")["TopicArn"] == arn
    attrs = c.get_topic_attributes(TopicArn=arn)["Attributes"]
    policy = json.loads(attrs.pop("Policy"))
    assert policy["Statement"][0]["Resource"] == arn
    assert policy["Statement"][0]["Condition"] == {
        "StringEquals": {"AWS:SourceOwner": DEFAULT_ACCOUNT}}
    assert attrs == {
        "DisplayName": "", "Owner": DEFAULT_ACCOUNT, "TopicArn": arn,
        "SubscriptionsConfirmed": "0", "SubscriptionsPending": "0",
        "SubscriptionsDeleted": "0",
        "EffectiveDeliveryPolicy": '{"http":{"defaultHealthyRetryPolicy":'
        + RETRY_POLICY + ',"disableSubscriptionOverrides":false,'
        '"defaultRequestPolicy":{"headerContentType":"text/plain; '
        'charset=UTF-8"}}}'}
    c.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName",
                           AttributeValue="Orders")
    c.set_topic_attributes(TopicArn=arn, AttributeName="SignatureVersion",
                           AttributeValue="2")
    attrs = c.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attrs["DisplayName"] == "Orders"
    assert attrs["SignatureVersion"] == "2"
    # Same name, same attributes: still the same topic.
    assert c.create_topic(Name="orders", Attributes={
        "DisplayName": "Orders"})["TopicArn"] == arn
    second = c.create_topic(Name="b-topic", Attributes={
        "DisplayName": "B", "SignatureVersion": "1"})["TopicArn"]
    assert c.get_topic_attributes(TopicArn=second)["Attributes"][
        "SignatureVersion"] == "1"
    assert c.list_topics()["Topics"] == [{"TopicArn": second},
                                         {"TopicArn": arn}]
    c.delete_topic(TopicArn=arn)
    c.delete_topic(TopicArn=arn)        # AWS: idempotent
    assert c.list_topics()["Topics"] == [{"TopicArn": second}]
    with pytest.raises(ClientError) as exc:
        c.get_topic_attributes(TopicArn=arn)
    assert error_of(exc) == (404, "NotFound", "Topic does not exist",
                             "Sender")


def test_topic_errors(server, sns):
    c = sns()
    arn = c.create_topic(Name="t")["TopicArn"]
    cases = [
        (lambda: c.create_topic(Name="bad name"),
         (400, "InvalidParameter", "Invalid parameter: Topic Name")),
        (lambda: c.create_topic(Name="x" * 257),
         (400, "InvalidParameter", "Invalid parameter: Topic Name")),
        (lambda: c.create_topic(Name="t.fifo"),
         (400, "InvalidParameter", "Invalid parameter: Topic Name")),
        (lambda: c.create_topic(Name="t", Attributes={"DisplayName": "X"}),
         (400, "InvalidParameter", "Invalid parameter: Attributes Reason: "
          "Topic already exists with different attributes")),
        (lambda: c.create_topic(Name="u", Attributes={"Nope": "1"}),
         (400, "InvalidParameter", "Invalid parameter: AttributeName")),
        (lambda: c.get_topic_attributes(TopicArn="not-an-arn"),
         (400, "InvalidParameter", "Invalid parameter: TopicArn Reason: An "
          "ARN must have at least 6 elements, not 1")),
        (lambda: c.get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:1"),
         (400, "InvalidParameter", "Invalid parameter: TopicArn Reason: An "
          "ARN must have at least 6 elements, not 5")),
        (lambda: c.get_topic_attributes(
            TopicArn=arn.replace("us-east-1", "eu-west-1")),
         (400, "InvalidParameter", "Invalid parameter: TopicArn")),
        (lambda: c.get_topic_attributes(TopicArn=arn + "x"),
         (404, "NotFound", "Topic does not exist")),
        (lambda: c.set_topic_attributes(TopicArn=arn, AttributeName="Nope",
                                        AttributeValue="1"),
         (400, "InvalidParameter", "Invalid parameter: AttributeName")),
        (lambda: c.set_topic_attributes(TopicArn=arn,
                                        AttributeName="SignatureVersion",
                                        AttributeValue="3"),
         (400, "InvalidParameter", "Invalid parameter: SignatureVersion")),
        (lambda: c.set_topic_attributes(TopicArn=arn,
                                        AttributeName="DisplayName",
                                        AttributeValue="x" * 101),
         (400, "InvalidParameter", "Invalid parameter: DisplayName")),
        (lambda: c.set_topic_attributes(TopicArn=arn,
                                        AttributeName="Policy",
                                        AttributeValue="{}"),
         (501, "NotImplemented", "sesbox does not implement the topic "
          "attribute Policy yet")),
        (lambda: c.create_topic(Name="f.fifo",
                                Attributes={"FifoTopic": "true"}),
         (501, "NotImplemented", "sesbox does not implement FIFO topics "
          "yet")),
    ]
    for call, want in cases:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == want + ("Receiver" if want[0] >= 500 else
                                        "Sender",)


def test_list_topics_pages(server, sns):
    c = sns()
    names = sorted("topic-%03d" % i for i in range(101))
    for name in names:
        c.create_topic(Name=name)
    page = c.list_topics()
    assert len(page["Topics"]) == 100
    assert page["Topics"][0]["TopicArn"].endswith(":topic-000")
    page2 = c.list_topics(NextToken=page["NextToken"])
    assert page2["Topics"] == [{"TopicArn": "arn:aws:sns:us-east-1:%s:"
                                "topic-100" % DEFAULT_ACCOUNT}]
    assert "NextToken" not in page2
    with pytest.raises(ClientError) as exc:
        c.list_topics(NextToken="!!")
    assert error_of(exc)[:2] == (400, "InvalidParameter")


def test_isolation_by_account_and_region(start_server):
    srv = start_server("--credentials", "AKIDONE:s1:111111111111,"
                       "AKIDTWO:s2:222222222222")
    one = make_client("sns", srv.url, "us-east-1", "AKIDONE", "s1")
    two = make_client("sns", srv.url, "us-east-1", "AKIDTWO", "s2")
    west = make_client("sns", srv.url, "us-west-2", "AKIDONE", "s1")
    arn = one.create_topic(Name="shared-name")["TopicArn"]
    assert arn == "arn:aws:sns:us-east-1:111111111111:shared-name"
    assert two.list_topics()["Topics"] == []
    assert west.list_topics()["Topics"] == []
    # The same name is another topic elsewhere.
    assert two.create_topic(Name="shared-name")["TopicArn"] == \
        "arn:aws:sns:us-east-1:222222222222:shared-name"
    with pytest.raises(ClientError) as exc:
        two.publish(TopicArn=arn, Message="m")
    assert error_of(exc) == (
        403, "AuthorizationError", "User: arn:aws:iam::222222222222:root is "
        "not authorized to perform: SNS:Publish on resource: %s because no "
        "resource-based policy allows the SNS:Publish action" % arn,
        "Sender")
    # AWS: an ARN of another region is "Invalid parameter: TopicArn".
    with pytest.raises(ClientError) as exc:
        west.get_topic_attributes(TopicArn=arn)
    assert error_of(exc) == (400, "InvalidParameter",
                             "Invalid parameter: TopicArn", "Sender")
    assert one.list_topics()["Topics"] == [{"TopicArn": arn}]


# -- subscriptions and delivery ---------------------------------------------

def test_http_subscription_and_notifications(server, sns, subscriber):
    """SignatureVersion 1: confirmation, confirm by URL, notifications with
    and without a subject; headers and bytes exact, signatures checked."""
    freeze(server)
    c = sns()
    topic = c.create_topic(Name="ses-events")["TopicArn"]
    sub = subscriber()
    resp = c.subscribe(TopicArn=topic, Protocol="http", Endpoint=sub.url)
    # AWS: "pending confirmation" until confirmed.
    assert resp["SubscriptionArn"] == "pending confirmation"
    listed = c.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed == [{"SubscriptionArn": "PendingConfirmation",
                       "Owner": DEFAULT_ACCOUNT, "Protocol": "http",
                       "Endpoint": sub.url, "TopicArn": topic}]
    assert c.get_topic_attributes(TopicArn=topic)["Attributes"][
        "SubscriptionsPending"] == "1"
    flush(server)
    assert len(sub.received) == 1
    r = sub.received[0]
    assert r.path == "/sns-hook"
    m = r.json()
    assert list(m) == CONFIRM_KEYS
    assert UUID.match(m["MessageId"]) and TOKEN.match(m["Token"])
    assert m["Message"] == CONFIRM_TEXT % topic
    assert m["SubscribeURL"] == ("%s/?Action=ConfirmSubscription&TopicArn=%s"
                                 "&Token=%s" % (server.url, topic,
                                                m["Token"]))
    assert m["Timestamp"] == T0_ISO
    assert m["SignatureVersion"] == "1"
    assert m["SigningCertURL"].startswith(server.url + "/_sesbox/sns/")
    assert r.body == sns_body(m, CONFIRM_KEYS)
    check_headers(r, expected_headers("SubscriptionConfirmation",
                                      m["MessageId"], topic))
    verify_signature(m, "1")

    # Confirming through the SubscribeURL: an unsigned GET.
    got = requests.get(m["SubscribeURL"], timeout=HTTP_TIMEOUT_S)
    assert got.status_code == 200
    root = ET.fromstring(got.text)
    assert root.tag == NS + "ConfirmSubscriptionResponse"
    sub_arn = root.find(NS + "ConfirmSubscriptionResult/" + NS +
                        "SubscriptionArn").text
    assert sub_arn.startswith(topic + ":")
    assert UUID.match(sub_arn[len(topic) + 1:])
    # AWS: confirming again is idempotent.
    assert c.confirm_subscription(TopicArn=topic, Token=m["Token"])[
        "SubscriptionArn"] == sub_arn
    attrs = c.get_subscription_attributes(SubscriptionArn=sub_arn)[
        "Attributes"]
    assert attrs == {
        "ConfirmationWasAuthenticated": "false", "Endpoint": sub.url,
        "Owner": DEFAULT_ACCOUNT, "PendingConfirmation": "false",
        "Protocol": "http", "RawMessageDelivery": "false",
        "SubscriptionArn": sub_arn, "TopicArn": topic,
        "SubscriptionPrincipal": "arn:aws:iam::%s:root" % DEFAULT_ACCOUNT,
        "EffectiveDeliveryPolicy": '{"healthyRetryPolicy":' + RETRY_POLICY +
        ',"sicklyRetryPolicy":null,"throttlePolicy":null,"requestPolicy":'
        '{"headerContentType":"text/plain; charset=UTF-8"},'
        '"guaranteed":false}'}
    assert c.list_subscriptions()["Subscriptions"] == [{
        "SubscriptionArn": sub_arn, "Owner": DEFAULT_ACCOUNT,
        "Protocol": "http", "Endpoint": sub.url, "TopicArn": topic}]
    counts = c.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert (counts["SubscriptionsConfirmed"], counts["SubscriptionsPending"]
            ) == ("1", "0")

    event = json.dumps({"eventType": "Send", "mail": {"messageId": "x"}},
                       separators=(",", ":"))
    mid = c.publish(TopicArn=topic, Message=event,
                    Subject="Amazon SES Email Event Notification")[
        "MessageId"]
    c.publish(TopicArn=topic, Message="line 1\nline 2\t\"quoted\" \u00e9\x01")
    flush(server)
    assert len(sub.received) == 3
    for r in sub.received[1:]:
        m = r.json()
        assert m["Type"] == "Notification"
        assert r.body == sns_body(m, NOTE_KEYS)
        assert m["Timestamp"] == T0_ISO and m["SignatureVersion"] == "1"
        assert m["UnsubscribeURL"] == ("%s/?Action=Unsubscribe&"
                                       "SubscriptionArn=%s" % (server.url,
                                                               sub_arn))
        check_headers(r, expected_headers("Notification", m["MessageId"],
                                          topic, sub_arn))
        verify_signature(m, "1")
    first, second = (r.json() for r in sub.received[1:])
    assert first["MessageId"] == mid
    assert first["Message"] == event
    assert first["Subject"] == "Amazon SES Email Event Notification"
    assert "Subject" not in second          # AWS: absent without one
    assert second["Message"] == "line 1\nline 2\t\"quoted\" \u00e9\x01"
    assert b'\\u0001' in sub.received[2].body

    # The record of every attempt.
    listed = deliveries(server, topic=topic)
    assert [d["Type"] for d in listed] == ["Notification", "Notification",
                                           "SubscriptionConfirmation"]
    assert listed[1]["MessageId"] == mid
    for d in listed:
        assert d["State"] == "delivered" and d["NextAttempt"] is None
        assert d["Endpoint"] == sub.url and d["Timestamp"] == T0_ISO
        assert d["Attempts"] == [{"Attempt": 1, "Timestamp": T0_ISO,
                                  "Status": "delivered", "HttpStatus": 200,
                                  "Error": None}]
    assert len(deliveries(server, topic=topic, limit=1)) == 1
    assert deliveries(server, topic=topic + "-other") == []


def test_signature_version_2(server, sns, subscriber):
    freeze(server)
    c = sns()
    topic = c.create_topic(Name="v2", Attributes={
        "SignatureVersion": "2"})["TopicArn"]
    sub = subscriber()
    c.subscribe(TopicArn=topic, Protocol="http", Endpoint=sub.url)
    flush(server)
    confirmation = sub.received[0].json()
    assert confirmation["SignatureVersion"] == "2"
    cert = verify_signature(confirmation, "2")
    with pytest.raises(InvalidSignature):
        cert.public_key().verify(
            base64.b64decode(confirmation["Signature"]),
            string_to_sign(confirmation).encode(), padding.PKCS1v15(),
            hashes.SHA1())
    requests.get(confirmation["SubscribeURL"], timeout=HTTP_TIMEOUT_S)
    c.publish(TopicArn=topic, Message="signed with SHA-256", Subject="v2")
    flush(server)
    m = sub.received[1].json()
    assert m["SignatureVersion"] == "2"
    assert sub.received[1].body == sns_body(m, NOTE_KEYS)
    verify_signature(m, "2")
    # Back to version 1.
    c.set_topic_attributes(TopicArn=topic, AttributeName="SignatureVersion",
                           AttributeValue="1")
    c.publish(TopicArn=topic, Message="SHA1 again")
    flush(server)
    verify_signature(sub.received[2].json(), "1")


def test_raw_delivery(server, sns, subscriber):
    freeze(server)
    c = sns()
    topic = c.create_topic(Name="raw")["TopicArn"]
    by_attr, by_set = subscriber(), subscriber()
    arn1 = subscribe_confirmed(server, c, topic, by_attr, raw=True)
    arn2 = subscribe_confirmed(server, c, topic, by_set)
    c.set_subscription_attributes(SubscriptionArn=arn2,
                                  AttributeName="RawMessageDelivery",
                                  AttributeValue="TRUE")
    assert c.get_subscription_attributes(SubscriptionArn=arn2)[
        "Attributes"]["RawMessageDelivery"] == "true"
    # The confirmation of a raw subscription is still the JSON envelope.
    assert by_attr.received[0].header("x-amz-sns-rawdelivery") is None
    message = '{"eventType":"Bounce"}\n'
    mid = c.publish(TopicArn=topic, Message=message, Subject="ignored")[
        "MessageId"]
    flush(server)
    for sub, arn in ((by_attr, arn1), (by_set, arn2)):
        r = sub.received[-1]
        assert r.body == message.encode()
        check_headers(r, expected_headers("Notification", mid, topic, arn,
                                          raw=True))


def test_message_structure_json(server, sns, subscriber):
    freeze(server)
    c = sns()
    topic = c.create_topic(Name="structured")["TopicArn"]
    sub = subscriber()
    subscribe_confirmed(server, c, topic, sub)
    c.publish(TopicArn=topic, MessageStructure="json", Message=json.dumps(
        {"default": "for everyone", "http": "for http", "sqs": "no"}))
    c.publish(TopicArn=topic, MessageStructure="json",
              Message=json.dumps({"default": "only default"}))
    flush(server)
    assert [r.json()["Message"] for r in sub.received[1:]] == [
        "for http", "only default"]


def test_unsubscribe_confirmation_and_restore(server, sns, subscriber):
    freeze(server)
    c = sns()
    topic = c.create_topic(Name="leaving")["TopicArn"]
    sub = subscriber()
    arn = subscribe_confirmed(server, c, topic, sub)
    c.unsubscribe(SubscriptionArn=arn)
    c.unsubscribe(SubscriptionArn=arn)        # AWS: idempotent
    flush(server)
    assert len(sub.received) == 2
    r = sub.received[1]
    m = r.json()
    assert list(m) == CONFIRM_KEYS
    assert m["Type"] == "UnsubscribeConfirmation"
    assert m["Message"] == UNSUB_TEXT % arn
    assert m["SubscribeURL"] == ("%s/?Action=ConfirmSubscription&TopicArn=%s"
                                 "&Token=%s" % (server.url, topic,
                                                m["Token"]))
    assert r.body == sns_body(m, CONFIRM_KEYS)
    check_headers(r, expected_headers("UnsubscribeConfirmation",
                                      m["MessageId"], topic, arn))
    verify_signature(m, "1")
    attrs = c.get_topic_attributes(TopicArn=topic)["Attributes"]
    assert (attrs["SubscriptionsConfirmed"], attrs["SubscriptionsDeleted"]
            ) == ("0", "1")
    assert c.list_subscriptions()["Subscriptions"] == []
    with pytest.raises(ClientError) as exc:
        c.get_subscription_attributes(SubscriptionArn=arn)
    assert error_of(exc) == (404, "NotFound", "Subscription does not exist",
                             "Sender")
    c.publish(TopicArn=topic, Message="nobody hears this")
    flush(server)
    assert len(sub.received) == 2
    # The SubscribeURL of the UnsubscribeConfirmation restores it.
    got = requests.get(m["SubscribeURL"], timeout=HTTP_TIMEOUT_S)
    assert got.status_code == 200, got.text
    assert arn in got.text
    c.publish(TopicArn=topic, Message="back")
    flush(server)
    assert sub.received[2].json()["Message"] == "back"
    # The UnsubscribeURL of a notification: an unsigned GET.
    got = requests.get(sub.received[2].json()["UnsubscribeURL"],
                       timeout=HTTP_TIMEOUT_S)
    assert got.status_code == 200, got.text
    assert ET.fromstring(got.text).tag == NS + "UnsubscribeResponse"
    assert c.list_subscriptions()["Subscriptions"] == []


def test_subscribe_idempotency(server, sns, subscriber):
    freeze(server)
    c = sns()
    topic = c.create_topic(Name="idem")["TopicArn"]
    sub = subscriber()
    arn = c.subscribe(TopicArn=topic, Protocol="http", Endpoint=sub.url,
                      ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert arn.startswith(topic + ":")
    assert c.get_subscription_attributes(SubscriptionArn=arn)[
        "Attributes"]["PendingConfirmation"] == "true"
    assert c.subscribe(TopicArn=topic, Protocol="http", Endpoint=sub.url,
                       ReturnSubscriptionArn=True)["SubscriptionArn"] == arn
    with pytest.raises(ClientError) as exc:
        c.subscribe(TopicArn=topic, Protocol="http", Endpoint=sub.url,
                    Attributes={"RawMessageDelivery": "true"})
    assert error_of(exc) == (400, "InvalidParameter", "Invalid parameter: "
                             "Attributes Reason: Subscription already "
                             "exists with different attributes", "Sender")
    flush(server)
    # EMU: a pending endpoint subscribed again is sent a new confirmation
    # with the same token.
    assert len(sub.received) == 2
    tokens = {r.json()["Token"] for r in sub.received}
    assert len(tokens) == 1
    # Confirmed, a subscription's ARN comes back even without asking.
    requests.get(sub.received[0].json()["SubscribeURL"],
                 timeout=HTTP_TIMEOUT_S)
    assert c.subscribe(TopicArn=topic, Protocol="http",
                       Endpoint=sub.url)["SubscriptionArn"] == arn


def test_subscription_errors(server, sns):
    c = sns()
    topic = c.create_topic(Name="errs")["TopicArn"]
    sub_arn = c.subscribe(TopicArn=topic, Protocol="http",
                          Endpoint="http://127.0.0.1:9/x",
                          ReturnSubscriptionArn=True)["SubscriptionArn"]
    missing = sub_arn[:-8] + "00000000"
    token_like = "51b2ff3edb475b7d" * 18
    cases = [
        (lambda: c.subscribe(TopicArn=topic, Protocol="email",
                             Endpoint="a@example.com"),
         (400, "InvalidParameter", "Invalid parameter: Amazon SNS does not "
          "support this protocol string: email")),
        (lambda: c.subscribe(TopicArn=topic, Protocol="test-protocol",
                             Endpoint="x"),
         (400, "InvalidParameter", "Invalid parameter: Amazon SNS does not "
          "support this protocol string: test-protocol")),
        (lambda: c.subscribe(TopicArn=topic, Protocol="https",
                             Endpoint="http://example.com/"),
         (400, "InvalidParameter", "Invalid parameter: Endpoint must match "
          "the specified protocol")),
        (lambda: c.subscribe(TopicArn=topic + "-nope", Protocol="http",
                             Endpoint="http://example.com/"),
         (404, "NotFound", "Topic does not exist")),
        (lambda: c.subscribe(TopicArn="randomstring", Protocol="http",
                             Endpoint="http://example.com/"),
         (400, "InvalidParameter", "Invalid parameter: TopicArn Reason: An "
          "ARN must have at least 6 elements, not 1")),
        (lambda: c.subscribe(TopicArn=topic, Protocol="http",
                             Endpoint="http://example.com/",
                             Attributes={"RawMessageDelivery": "wrong"}),
         (400, "InvalidParameter", "Invalid parameter: Attributes Reason: "
          "RawMessageDelivery: Invalid value [wrong]. Must be true or "
          "false.")),
        (lambda: c.subscribe(TopicArn=topic, Protocol="http",
                             Endpoint="http://example.com/",
                             Attributes={"FilterPolicy": "{}"}),
         (501, "NotImplemented", "sesbox does not implement the "
          "subscription attribute FilterPolicy yet")),
        (lambda: c.unsubscribe(SubscriptionArn="randomstring"),
         (400, "InvalidParameter", "Invalid parameter: SubscriptionArn "
          "Reason: An ARN must have at least 6 elements, not 1")),
        (lambda: c.unsubscribe(SubscriptionArn="arn:aws:sns:us-east-1:"
                               "random"),
         (400, "InvalidParameter", "Invalid parameter: SubscriptionArn "
          "Reason: An ARN must have at least 6 elements, not 5")),
        (lambda: c.unsubscribe(SubscriptionArn="arn:aws:sns:us-east-1:%s:"
                               "random" % DEFAULT_ACCOUNT),
         (400, "InvalidParameter", "Invalid parameter: SubscriptionId")),
        (lambda: c.unsubscribe(SubscriptionArn=""),
         (400, "InvalidParameter", "Invalid parameter: SubscriptionArn "
          "Reason: no value for required parameter")),
        (lambda: c.get_subscription_attributes(SubscriptionArn=missing),
         (404, "NotFound", "Subscription does not exist")),
        (lambda: c.get_subscription_attributes(
            SubscriptionArn="pending confirmation"),
         (400, "InvalidParameter", "Invalid parameter: SubscriptionArn "
          "Reason: An ARN must have at least 6 elements, not 1")),
        (lambda: c.set_subscription_attributes(
            SubscriptionArn=missing, AttributeName="RawMessageDelivery",
            AttributeValue="true"),
         (404, "NotFound", "Subscription does not exist")),
        (lambda: c.set_subscription_attributes(
            SubscriptionArn=sub_arn, AttributeName="RawMessageDelivery",
            AttributeValue="test-ValUe"),
         (400, "InvalidParameter", "Invalid parameter: RawMessageDelivery: "
          "Invalid value [test-ValUe]. Must be true or false.")),
        (lambda: c.set_subscription_attributes(
            SubscriptionArn=sub_arn, AttributeName="Fake",
            AttributeValue="x"),
         (400, "InvalidParameter", "Invalid parameter: AttributeName")),
        (lambda: c.confirm_subscription(TopicArn=topic, Token="randomtoken"),
         (400, "InvalidParameter", "Invalid token")),
        (lambda: c.confirm_subscription(TopicArn=topic, Token=token_like),
         (400, "InvalidParameter", "Invalid parameter: Token")),
        (lambda: c.confirm_subscription(TopicArn="not-an-arn",
                                        Token=token_like),
         (400, "InvalidParameter", "Invalid parameter: Topic")),
        (lambda: c.confirm_subscription(
            TopicArn=topic.replace("us-east-1", "eu-central-1"),
            Token=token_like),
         (400, "InvalidParameter", "Invalid parameter: Topic")),
        (lambda: c.list_subscriptions_by_topic(TopicArn=topic + "-nope"),
         (404, "NotFound", "Topic does not exist")),
    ]
    for call, want in cases:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == want + ("Receiver" if want[0] >= 500 else
                                        "Sender",)
    # Unsubscribing from nothing succeeds.
    c.unsubscribe(SubscriptionArn=missing)


def test_publish_errors(server, sns):
    c = sns()
    topic = c.create_topic(Name="pub")["TopicArn"]
    cases = [
        (lambda: c.publish(Message="m"),
         (400, "InvalidParameter", "Invalid parameter: TopicArn or TargetArn "
          "Reason: no value for required parameter")),
        (lambda: c.publish(TopicArn=topic, Message=""),
         (400, "InvalidParameter", "Invalid parameter: Empty message")),
        (lambda: c.publish(TopicArn=topic, Message="m", Subject=""),
         (400, "InvalidParameter", "Invalid parameter: Subject")),
        (lambda: c.publish(TopicArn=topic, Message="m", Subject="a\nb"),
         (400, "InvalidParameter", "Invalid parameter: Subject")),
        (lambda: c.publish(TopicArn=topic, Message="x" * (256 * 1024 + 1)),
         (400, "InvalidParameter", "Invalid parameter: Message too long")),
        (lambda: c.publish(TopicArn=topic, Message="not json",
                           MessageStructure="json"),
         (400, "InvalidParameter", "Invalid parameter: Message Structure - "
          "JSON message body failed to parse")),
        (lambda: c.publish(TopicArn=topic, Message='{"http": "x"}',
                           MessageStructure="json"),
         (400, "InvalidParameter", "Invalid parameter: Message Structure - "
          "No default entry in JSON message body")),
        (lambda: c.publish(TopicArn=topic, Message="m",
                           MessageDeduplicationId="d"),
         (400, "InvalidParameter", "Invalid parameter: "
          "MessageDeduplicationId Reason: The request includes "
          "MessageDeduplicationId parameter that is not valid for this "
          "topic type")),
        (lambda: c.publish(TopicArn=topic + "x", Message="m"),
         (404, "NotFound", "Topic does not exist")),
        (lambda: c.publish(TargetArn="randomstring", Message="m"),
         (400, "InvalidParameter", "Invalid parameter: TargetArn Reason: An "
          "ARN must have at least 6 elements, not 1")),
        (lambda: c.publish(TopicArn=topic, Message="m", MessageAttributes={
            "a": {"DataType": "String", "StringValue": "v"}}),
         (501, "NotImplemented", "sesbox does not implement SNS message "
          "attributes yet")),
        (lambda: c.publish(PhoneNumber="+15555550100", Message="m"),
         (501, "NotImplemented", "sesbox does not implement Publish to a "
          "PhoneNumber (SMS) yet")),
    ]
    for call, want in cases:
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == want + ("Receiver" if want[0] >= 500 else
                                        "Sender",)
    # Exactly 256 KiB is fine; with no subscriber nothing is queued.
    assert UUID.match(c.publish(TargetArn=topic,
                                Message="x" * (256 * 1024))["MessageId"])
    assert deliveries(server, topic=topic) == []


# -- retries on the test clock -----------------------------------------------

def test_retries_on_server_errors(server, sns, subscriber):
    """SNS's default HTTP policy: 3 retries 20 s apart, by the test clock;
    every attempt recorded."""
    freeze(server)
    c = sns()
    topic = c.create_topic(Name="flaky")["TopicArn"]
    sub = subscriber(lambda r: 200 if r.header("x-amz-sns-message-type") !=
                     "Notification" else 500)
    arn = subscribe_confirmed(server, c, topic, sub)
    mid = c.publish(TopicArn=topic, Message="again and again")["MessageId"]
    flush(server)

    def note():
        [d] = [d for d in deliveries(server, topic=topic)
               if d["Type"] == "Notification"]
        return d

    def attempt(n, status, at_ms):
        at = datetime.datetime.fromtimestamp(at_ms / 1000,
                                             datetime.timezone.utc)
        return {"Attempt": n, "Status": status, "HttpStatus": 500,
                "Error": None, "Timestamp": at.strftime(
                    "%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (at_ms % 1000)}

    d = note()
    assert d["MessageId"] == mid and d["SubscriptionArn"] == arn
    assert d["State"] == "queued"
    assert d["Attempts"] == [attempt(1, "retry", T0)]
    assert d["NextAttempt"] == "2023-11-14T22:13:40.123Z"
    advance(server, 19999)
    flush(server)
    assert len(note()["Attempts"]) == 1
    advance(server, 1)
    flush(server)
    assert note()["Attempts"] == [attempt(1, "retry", T0),
                                  attempt(2, "retry", T0 + 20000)]
    advance(server, 20000)
    flush(server)
    advance(server, 20000)
    flush(server)
    d = note()
    assert d["State"] == "failed" and d["NextAttempt"] is None
    assert d["Attempts"] == [attempt(1, "retry", T0),
                             attempt(2, "retry", T0 + 20000),
                             attempt(3, "retry", T0 + 40000),
                             attempt(4, "failed", T0 + 60000)]
    advance(server, 3600 * 1000)
    flush(server)
    assert len(note()["Attempts"]) == 4
    # Every retry sent the same bytes (MessageId, Timestamp, signature).
    bodies = [r.body for r in sub.received
              if r.header("x-amz-sns-message-type") == "Notification"]
    assert len(bodies) == 4 and len(set(bodies)) == 1
    verify_signature(json.loads(bodies[0]), "1")


def test_retries_unreachable_and_client_errors(server, sns, subscriber):
    freeze(server)
    c = sns()
    topic = c.create_topic(Name="unreachable")["TopicArn"]
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = "http://127.0.0.1:%d/gone" % s.getsockname()[1]
    s.close()
    c.subscribe(TopicArn=topic, Protocol="http", Endpoint=dead)
    not_found = subscriber(lambda r: 404)
    c.subscribe(TopicArn=topic, Protocol="http", Endpoint=not_found.url)
    flush(server)
    by_endpoint = {d["Endpoint"]: d for d in deliveries(server, topic=topic)}
    [a] = by_endpoint[dead]["Attempts"]
    assert a["Status"] == "retry" and a["HttpStatus"] is None
    assert "onnect" in a["Error"], a
    # EMU: a 4xx answer (but 429) is final.
    d = by_endpoint[not_found.url]
    assert d["State"] == "failed"
    assert [(a["Status"], a["HttpStatus"]) for a in d["Attempts"]] == [
        ("failed", 404)]
    for _ in range(3):
        advance(server, 20000)
        flush(server)
    d = {d["Endpoint"]: d for d in deliveries(server, topic=topic)}[dead]
    assert [a["Status"] for a in d["Attempts"]] == ["retry"] * 3 + ["failed"]
    assert d["State"] == "failed"


def test_deliveries_survive_a_restart(start_server, subscriber, tmp_path):
    """An acknowledged publish is delivered even when the subscriber was
    down and sesbox restarted meanwhile; the signing key stays."""
    data = str(tmp_path / "data")
    srv = start_server("--data", data, ephemeral=False)
    c = make_client("sns", srv.url)
    topic = c.create_topic(Name="durable")["TopicArn"]
    answer = {"status": 200}
    sub = subscriber(lambda r: answer["status"])
    arn = subscribe_confirmed(srv, c, topic, sub)
    cert_url = sub.received[0].json()["SigningCertURL"]
    answer["status"] = 503
    c.publish(TopicArn=topic, Message="kept")
    flush(srv)
    assert [d["State"] for d in deliveries(srv, topic=topic)][0] == "queued"
    assert srv.stop() == 0
    srv = start_server("--data", data, ephemeral=False)
    answer["status"] = 200
    advance(srv, 20000)
    flush(srv)
    d = deliveries(srv, topic=topic)[0]
    assert d["State"] == "delivered"
    assert [a["Status"] for a in d["Attempts"]] == ["retry", "delivered"]
    m = sub.received[-1].json()
    assert m["Message"] == "kept" and m["UnsubscribeURL"].endswith(arn)
    # Same key and certificate after the restart (new port, same name).
    assert m["SigningCertURL"].rsplit("/", 1)[1] == \
        cert_url.rsplit("/", 1)[1]
    verify_signature(m, "1")


def test_public_url_in_links(start_server, subscriber):
    srv = start_server("--public-url", "https://sesbox.example.test:8443/")
    c = make_client("sns", srv.url)
    topic = c.create_topic(Name="links")["TopicArn"]
    sub = subscriber()
    c.subscribe(TopicArn=topic, Protocol="http", Endpoint=sub.url)
    flush(srv)
    m = sub.received[0].json()
    assert m["SubscribeURL"].startswith(
        "https://sesbox.example.test:8443/?Action=ConfirmSubscription&"
        "TopicArn=" + topic + "&Token=")
    assert m["SigningCertURL"].startswith(
        "https://sesbox.example.test:8443/_sesbox/sns/"
        "SimpleNotificationService-")
    cert = srv.get(m["SigningCertURL"][len("https://sesbox.example.test:"
                                           "8443"):])
    assert cert.status_code == 200
    assert cert.text.startswith("-----BEGIN CERTIFICATE-----\n")
    assert srv.get("/_sesbox/sns/SimpleNotificationService-" + "0" * 32 +
                   ".pem").status_code == 404


# -- the door -----------------------------------------------------------------

def signed_post(srv, body, service):
    """POSTs a Query body SigV4-signed for service."""
    req = AWSRequest(method="POST", url=srv.url + "/", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    SigV4Auth(Credentials(DUMMY_KEY, DUMMY_SECRET), service,
              DEFAULT_REGION).add_auth(req)
    return requests.post(srv.url + "/", data=body, headers=dict(req.headers),
                         timeout=HTTP_TIMEOUT_S)


def test_routing(server, sns):
    sns().create_topic(Name="routed")
    # Unsigned and naming an SNS action: SNS.
    r = server.get("/?Action=ListTopics")
    assert r.status_code == 200, r.text
    assert ET.fromstring(r.text).tag == NS + "ListTopicsResponse"
    # An SES action is still SES.
    r = server.get("/?Action=GetSendQuota")
    assert ET.fromstring(r.text).tag == SES_NS + "GetSendQuotaResponse"
    # Signed for sns, an action SNS lacks answers in SNS's shape ...
    r = signed_post(server, "Action=SendEmail&Version=2010-03-31", "sns")
    assert r.status_code == 400, r.text
    root = ET.fromstring(r.text)
    assert root.tag == NS + "ErrorResponse"
    assert root.find(NS + "Error/" + NS + "Code").text == "InvalidAction"
    # ... and signed for ses, an SNS action in SES's.
    r = signed_post(server, "Action=ListTopics&Version=2010-12-01", "ses")
    assert r.status_code == 400, r.text
    root = ET.fromstring(r.text)
    assert root.tag == SES_NS + "ErrorResponse"
    assert root.find(SES_NS + "Error/" + SES_NS + "Message").text == \
        "The action ListTopics is not valid for this web service."
    r = signed_post(server, "Action=ListTopics&Version=2010-03-31", "sns")
    assert r.status_code == 200, r.text
    assert "routed" in r.text
    r = server.get("/?Action=ListTopics&Bogus=1")
    assert r.status_code == 400
    root = ET.fromstring(r.text)
    assert root.find(NS + "Error/" + NS + "Code").text == "ValidationError"


def test_strict_auth_links_stay_unsigned(start_server, subscriber):
    srv = start_server("--strict-auth", "--credentials",
                       "AKIDSTRICT:strict-secret")
    c = make_client("sns", srv.url, key="AKIDSTRICT", secret="strict-secret")
    topic = c.create_topic(Name="strict")["TopicArn"]
    sub = subscriber()
    c.subscribe(TopicArn=topic, Protocol="http", Endpoint=sub.url)
    flush(srv)
    m = sub.received[0].json()
    # AWS: the links work unsigned.
    assert requests.get(m["SubscribeURL"],
                        timeout=HTTP_TIMEOUT_S).status_code == 200
    assert c.get_subscription_attributes(SubscriptionArn=c.list_subscriptions(
    )["Subscriptions"][0]["SubscriptionArn"])["Attributes"][
        "ConfirmationWasAuthenticated"] == "false"
    # Anything else needs a signature.
    r = srv.get("/?Action=ListTopics")
    assert r.status_code == 403
    root = ET.fromstring(r.text)
    assert root.tag == NS + "ErrorResponse"
    assert root.find(NS + "Error/" + NS + "Code").text == \
        "MissingAuthenticationToken"
    with pytest.raises(ClientError) as exc:
        make_client("sns", srv.url, key="AKIDSTRICT",
                    secret="wrong").list_topics()
    assert error_of(exc)[:2] == (403, "SignatureDoesNotMatch")


def test_confirm_signed_is_authenticated(server, sns, subscriber):
    c = sns()
    topic = c.create_topic(Name="authn")["TopicArn"]
    sub = subscriber()
    c.subscribe(TopicArn=topic, Protocol="https",
                Endpoint=sub.url.replace("http://", "https://"))
    c.subscribe(TopicArn=topic, Protocol="http", Endpoint=sub.url)
    flush(server)
    [m] = [r.json() for r in sub.received]     # the https one cannot land
    arn = c.confirm_subscription(TopicArn=topic, Token=m["Token"],
                                 AuthenticateOnUnsubscribe="true")[
        "SubscriptionArn"]
    assert c.get_subscription_attributes(SubscriptionArn=arn)[
        "Attributes"]["ConfirmationWasAuthenticated"] == "true"
    https = [d for d in deliveries(server, topic=topic)
             if d["Endpoint"].startswith("https://")]
    assert https[0]["Attempts"][0]["Status"] == "retry"
    assert https[0]["Attempts"][0]["Error"]


def test_not_implemented_operations(server, sns):
    c = sns()
    model = c.meta.service_model
    others = sorted(set(model.operation_names) - IMPLEMENTED)
    assert len(others) == 29
    for op in others:
        shape = model.operation_model(op).input_shape
        params = {} if shape is None else minimal(shape, query=True)
        if op == "VerifySMSSandboxPhoneNumber":
            params["OneTimePassword"] = "12345"   # pattern ^[0-9]+$
        with pytest.raises(ClientError) as exc:
            getattr(c, xform_name(op))(**params)
        status, code, message, kind = error_of(exc)
        assert (status, code, kind) == (501, "NotImplemented", "Receiver"), \
            (op, exc.value.response)
        assert message == "sesbox does not implement %s (sns 2010-03-31) " \
            "yet" % op


# -- the AWS CLI --------------------------------------------------------------

def cli_json(srv, *args):
    out = aws_cli(srv, "sns", *args).stdout
    return json.loads(out) if out.strip() else None


def test_cli_every_operation(server, subscriber):
    freeze(server)
    topic = cli_json(server, "create-topic", "--name", "cli-topic",
                     "--attributes", "DisplayName=CLI")["TopicArn"]
    assert cli_json(server, "list-topics")["Topics"] == [
        {"TopicArn": topic}]
    cli_json(server, "set-topic-attributes", "--topic-arn", topic,
             "--attribute-name", "SignatureVersion", "--attribute-value", "2")
    attrs = cli_json(server, "get-topic-attributes", "--topic-arn",
                     topic)["Attributes"]
    assert (attrs["DisplayName"], attrs["SignatureVersion"]) == ("CLI", "2")
    sub = subscriber()
    assert cli_json(server, "subscribe", "--topic-arn", topic, "--protocol",
                    "http", "--notification-endpoint", sub.url) == {
        "SubscriptionArn": "pending confirmation"}
    flush(server)
    token = sub.received[0].json()["Token"]
    arn = cli_json(server, "confirm-subscription", "--topic-arn", topic,
                   "--token", token)["SubscriptionArn"]
    assert cli_json(server, "list-subscriptions")["Subscriptions"][0][
        "SubscriptionArn"] == arn
    assert cli_json(server, "list-subscriptions-by-topic", "--topic-arn",
                    topic)["Subscriptions"][0]["Endpoint"] == sub.url
    cli_json(server, "set-subscription-attributes", "--subscription-arn",
             arn, "--attribute-name", "RawMessageDelivery",
             "--attribute-value", "true")
    assert cli_json(server, "get-subscription-attributes",
                    "--subscription-arn", arn)["Attributes"][
        "RawMessageDelivery"] == "true"
    mid = cli_json(server, "publish", "--topic-arn", topic, "--message",
                   "from the CLI", "--subject", "cli")["MessageId"]
    flush(server)
    r = sub.received[-1]
    assert r.body == b"from the CLI"
    assert r.header("x-amz-sns-message-id") == mid
    cli_json(server, "unsubscribe", "--subscription-arn", arn)
    assert cli_json(server, "list-subscriptions")["Subscriptions"] == []
    cli_json(server, "delete-topic", "--topic-arn", topic)
    assert cli_json(server, "list-topics")["Topics"] == []
    proc = aws_cli(server, "sns", "get-topic-attributes", "--topic-arn",
                   topic, check=False)
    assert proc.returncode != 0
    assert "(NotFound)" in proc.stderr and "Topic does not exist" in \
        proc.stderr
    proc = aws_cli(server, "sns", "list-platform-applications", check=False)
    assert proc.returncode != 0
    assert "(NotImplemented)" in proc.stderr
