#!/usr/bin/python3
"""Writes fixtures/sns/envelope/<case>/: SNS messages as SNS sends them.

Run from the project root with Debian's interpreter:

    /usr/bin/python3 tests/unit/gen_sns_goldens.py

A second implementation of the wire format of SES-REFERENCE §5.2 and the
SNS developer guide, in Python, for the C unit test (tests/unit/test_sns.c)
to be checked against. Each case directory holds
  envelope.json    the fields (input of the C test)
  string-to-sign   what SNS signs: "Key\\nValue\\n" in the documented order
  signature        base64 SHA1withRSA (version 1) or SHA256withRSA
                   (version 2) of it under fixtures/sns/keys/signing.pem,
                   made with python3-cryptography
  body.json        the POST body: Jackson's pretty printer layout
                   ("Key" : value, two-space indent, no final newline)
Cases whose envelope.json gives a "signature" (copied from AWS's
documentation) are not signed; their body must match the documented
sample byte for byte.
"""
import base64
import datetime
import json
import os
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "fixtures", "sns", "envelope")
KEY = os.path.join(ROOT, "fixtures", "sns", "keys", "signing.pem")

ARN = "arn:aws:sns:us-east-1:123456789012:ses-events"
SUB = ARN + ":c9135db0-26c4-47ec-8998-413945fb5a96"
BASE = "http://127.0.0.1:8025"
CERT = BASE + "/_sesbox/sns/SimpleNotificationService-" + "0" * 32 + ".pem"
TOKEN = ("2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768d"
         "d60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c"
         "583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594ee"
         "ac82c01f235d0e717736b5a4ed1b5ce4b62a8fd4ac15a0c4e3ea0e47e0cabeb9c6c4"
         "05dc4fb8b4d12e80a7dd99ca2db3b9e4f6b01c2ff8e7b49cbc9c7f8b2e43bc9e5a35"
         "d10a4b")[:288]
SES_EVENT = json.dumps({
    "eventType": "Send",
    "mail": {"timestamp": "2024-01-02T10:00:00.000Z",
             "source": "sender@example.com",
             "messageId": "0100018cc9a5e000-11111111-2222-4333-8444-"
                          "555555555555-000000",
             "destination": ["someone@example.net"]},
    "send": {}}, separators=(",", ":"))

CASES = {
    "notification-subject": {
        "type": "Notification", "message_id": "22b80b92-fdea-4c2c-8f9d-"
        "bdfb0c7bf324", "topic_arn": ARN,
        "subject": "Amazon SES Email Event Notification",
        "message": SES_EVENT, "timestamp_ms": 1704189600123,
        "signature_version": "1", "signing_cert_url": CERT,
        "unsubscribe_url": BASE + "/?Action=Unsubscribe&SubscriptionArn="
        + SUB},
    "notification-no-subject": {
        "type": "Notification", "message_id": "6f7c9a3e-1b2d-4e5f-8a9b-"
        "0c1d2e3f4a5b", "topic_arn": ARN, "message": SES_EVENT,
        "timestamp_ms": 1704189600000, "signature_version": "2",
        "signing_cert_url": CERT,
        "unsubscribe_url": BASE + "/?Action=Unsubscribe&SubscriptionArn="
        + SUB},
    "notification-escapes": {
        "type": "Notification", "message_id": "0a1b2c3d-4e5f-4a6b-8c7d-"
        "8e9f0a1b2c3d", "topic_arn": ARN, "subject": "quote \" and \\ / ok",
        "message": "tab\there\nline\r\nbell\x07 nul-free \x1f del\x7f "
                   "\u00e9\u00e8 \u20ac \U0001f600 \b\f </script> \u2028",
        "timestamp_ms": 1704189600999, "signature_version": "2",
        "signing_cert_url": CERT,
        "unsubscribe_url": BASE + "/?Action=Unsubscribe&SubscriptionArn="
        + SUB},
    "subscription-confirmation": {
        "type": "SubscriptionConfirmation", "message_id": "165545c9-2a5c-"
        "472c-8df2-7ff2be2b3b1b", "topic_arn": ARN, "token": TOKEN,
        "message": "You have chosen to subscribe to the topic " + ARN +
                   ".\nTo confirm the subscription, visit the SubscribeURL "
                   "included in this message.",
        "subscribe_url": BASE + "/?Action=ConfirmSubscription&TopicArn="
        + ARN + "&Token=" + TOKEN,
        "timestamp_ms": 1335472704751, "signature_version": "1",
        "signing_cert_url": CERT},
    "unsubscribe-confirmation": {
        "type": "UnsubscribeConfirmation", "message_id": "47138184-6831-"
        "46b8-8f7c-afc488602d7d", "topic_arn": ARN, "token": TOKEN,
        "message": "You have chosen to deactivate subscription " + SUB +
                   ".\nTo cancel this operation and restore the "
                   "subscription, visit the SubscribeURL included in this "
                   "message.",
        "subscribe_url": BASE + "/?Action=ConfirmSubscription&TopicArn="
        + ARN + "&Token=" + TOKEN,
        "timestamp_ms": 1335473230053, "signature_version": "2",
        "signing_cert_url": CERT},
    # The Notification sample of the SNS developer guide
    # (docs.aws.amazon.com/sns/latest/dg/http-notification-json.html).
    "docs-notification": {
        "type": "Notification", "message_id": "22b80b92-fdea-4c2c-8f9d-"
        "bdfb0c7bf324", "topic_arn": "arn:aws:sns:us-west-2:123456789012:"
        "MyTopic", "subject": "My First Message", "message": "Hello world!",
        "timestamp_ms": 1335920046655, "signature_version": "1",
        "signature": "EXAMPLEw6JRN...",
        "signing_cert_url": "https://sns.us-west-2.amazonaws.com/"
        "SimpleNotificationService-f3ecfb7224c7233fe7bb5f59f96de52f.pem",
        "unsubscribe_url": "https://sns.us-west-2.amazonaws.com/?Action="
        "Unsubscribe&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:"
        "MyTopic:c9135db0-26c4-47ec-8998-413945fb5a96"},
}


def timestamp(ms):
    t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def string_to_sign(c):
    if c["type"] == "Notification":
        keys = [("Message", c["message"]), ("MessageId", c["message_id"])]
        if "subject" in c:
            keys.append(("Subject", c["subject"]))
        keys += [("Timestamp", timestamp(c["timestamp_ms"])),
                 ("TopicArn", c["topic_arn"]), ("Type", c["type"])]
    else:
        keys = [("Message", c["message"]), ("MessageId", c["message_id"]),
                ("SubscribeURL", c["subscribe_url"]),
                ("Timestamp", timestamp(c["timestamp_ms"])),
                ("Token", c["token"]), ("TopicArn", c["topic_arn"]),
                ("Type", c["type"])]
    return "".join("%s\n%s\n" % kv for kv in keys)


def jackson_string(s):
    """A JSON string as Jackson writes it by default."""
    out = ['"']
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t",
             "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    for ch in s:
        if ch in short:
            out.append(short[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04X" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def body(c, signature):
    ts = timestamp(c["timestamp_ms"])
    if c["type"] == "Notification":
        fields = [("Type", c["type"]), ("MessageId", c["message_id"]),
                  ("TopicArn", c["topic_arn"])]
        if "subject" in c:
            fields.append(("Subject", c["subject"]))
        fields += [("Message", c["message"]), ("Timestamp", ts),
                   ("SignatureVersion", c["signature_version"]),
                   ("Signature", signature),
                   ("SigningCertURL", c["signing_cert_url"]),
                   ("UnsubscribeURL", c["unsubscribe_url"])]
    else:
        fields = [("Type", c["type"]), ("MessageId", c["message_id"]),
                  ("Token", c["token"]), ("TopicArn", c["topic_arn"]),
                  ("Message", c["message"]),
                  ("SubscribeURL", c["subscribe_url"]), ("Timestamp", ts),
                  ("SignatureVersion", c["signature_version"]),
                  ("Signature", signature),
                  ("SigningCertURL", c["signing_cert_url"])]
    return "{\n" + ",\n".join("  %s : %s" % (jackson_string(k),
                                              jackson_string(v))
                              for k, v in fields) + "\n}"


def main():
    with open(KEY, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    for name, c in CASES.items():
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        sts = string_to_sign(c)
        if "signature" in c:
            sig = c["signature"]
        else:
            algo = hashes.SHA1() if c["signature_version"] == "1" \
                else hashes.SHA256()
            sig = base64.b64encode(key.sign(sts.encode(), padding.PKCS1v15(),
                                            algo)).decode()
            with open(os.path.join(d, "signature"), "w") as f:
                f.write(sig + "\n")
        with open(os.path.join(d, "envelope.json"), "w",
                  encoding="utf-8") as f:
            json.dump(c, f, indent=2, ensure_ascii=False)
            f.write("\n")
        with open(os.path.join(d, "string-to-sign"), "w", encoding="utf-8",
                  newline="") as f:
            f.write(sts)
        with open(os.path.join(d, "body.json"), "w", encoding="utf-8",
                  newline="") as f:
            f.write(body(c, sig) + "\n")
        print("wrote", d, file=sys.stderr)


if __name__ == "__main__":
    main()
