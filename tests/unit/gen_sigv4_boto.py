#!/usr/bin/python3
"""Writes fixtures/sigv4/boto-*/: SES requests as botocore signs them.

Run from the project root with Debian's interpreter (its boto3/botocore):

    /usr/bin/python3 tests/unit/gen_sigv4_boto.py

Each case directory gets
  request.txt            the request as sent on the wire (request line,
                         headers "Name: value", blank line, body)
  canonical-request.txt  botocore's CanonicalRequest (its debug log)
  string-to-sign.txt     botocore's StringToSign (its debug log)
  context.json           credentials, region, service, signing time,
                         signature, botocore version
The clock is frozen and nothing is sent: a before-send hook records the
prepared request and stops the call. The C unit test reads these files;
it never runs Python.

botocore signs with awscrt (botocore.crt.auth) when that is installed, as
on Debian, and with its pure-Python SigV4Auth otherwise (plain pip
installs). The boto-* cases force the Python signer, which logs its
canonical request; the boto-crt-* case uses the CRT signer and has no
canonical-request.txt / string-to-sign.txt.
"""

import datetime
import json
import logging
import os
import sys
import types
from unittest import mock
from urllib.parse import urlsplit

import botocore
import botocore.auth
import botocore.session

try:
    import botocore.crt.auth as crt_auth
except ImportError:
    crt_auth = None

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
REGION = "us-west-2"
FROZEN = datetime.datetime(2024, 5, 6, 7, 8, 9)
OUT = os.path.join("fixtures", "sigv4")


class FrozenDateTime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return FROZEN

    @classmethod
    def now(cls, tz=None):
        return FROZEN.replace(tzinfo=tz) if tz else FROZEN


FAKE_DATETIME = types.SimpleNamespace(
    datetime=FrozenDateTime, timezone=datetime.timezone,
    timedelta=datetime.timedelta)


class Captured(Exception):
    pass


class SigningLog(logging.Handler):
    """Keeps botocore.auth's CanonicalRequest and StringToSign."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.found = {}

    def emit(self, record):
        if record.msg in ("CanonicalRequest:\n%s", "StringToSign:\n%s"):
            self.found[record.msg.split(":")[0]] = record.args[0]


def client(name):
    """A client that never needs the network or the environment."""
    session = botocore.session.get_session()
    c = session.create_client(
        name, region_name=REGION, aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY)
    return c


def wire(method, url, headers, body):
    parts = urlsplit(url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    lines = ["%s %s HTTP/1.1" % (method, target)]
    # urllib3 adds Host unless the signer already put one in (awscrt does)
    if not any(k.lower() == "host" for k in headers):
        lines.append("Host: %s" % parts.netloc)
    for k, v in headers.items():
        if isinstance(v, bytes):
            v = v.decode("ascii")
        lines.append("%s: %s" % (k, v))
    if body is None:
        body = b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return ("\n".join(lines) + "\n\n").encode("utf-8") + body


def write_case(case, raw, log, signature, service, presigned=False,
               expires=0):
    d = os.path.join(OUT, case)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "request.txt"), "wb") as f:
        f.write(raw)
    for key, name in (("CanonicalRequest", "canonical-request.txt"),
                      ("StringToSign", "string-to-sign.txt")):
        if key in log.found:
            with open(os.path.join(d, name), "w", encoding="utf-8",
                      newline="") as f:
                f.write(log.found[key])
    epoch = datetime.datetime(1970, 1, 1)
    ctx = {
        "generator": "tests/unit/gen_sigv4_boto.py",
        "botocore_version": botocore.__version__,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "region": REGION,
        "service": service,
        "signing_time": FROZEN.strftime("%Y%m%dT%H%M%SZ"),
        "signing_time_ms": int((FROZEN - epoch).total_seconds()) * 1000,
        "presigned": presigned,
        "expires_s": expires,
        "signature": signature,
    }
    with open(os.path.join(d, "context.json"), "w") as f:
        json.dump(ctx, f, indent=2, sort_keys=True)
        f.write("\n")
    print(case, signature)


def capture_call(c, op, **params):
    seen = {}

    def before_send(request, **kwargs):
        seen["request"] = request
        raise Captured()

    c.meta.events.register("before-send", before_send)
    try:
        getattr(c, op)(**params)
    except Captured:
        pass
    return seen["request"]


def signed_case(case, name, op, log, **params):
    """Header-signed call through the signer botocore picks."""
    log.found.clear()
    c = client(name)
    req = capture_call(c, op, **params)
    authz = req.headers["Authorization"]
    if isinstance(authz, bytes):
        authz = authz.decode("ascii")
    signature = authz.rsplit("Signature=", 1)[1]
    service = authz.split("Credential=")[1].split("/")[3]
    write_case(case, wire(req.method, req.url, req.headers, req.body), log,
               signature, service)


def presigned_case(case, name, op, expires, log):
    log.found.clear()
    c = client(name)
    url = c.generate_presigned_url(op, ExpiresIn=expires)
    query = urlsplit(url).query
    signature = query.rsplit("X-Amz-Signature=", 1)[1]
    cred = query.split("X-Amz-Credential=")[1].split("&")[0]
    service = cred.replace("%2F", "/").split("/")[3]
    write_case(case, wire("GET", url, {}, b""), log, signature, service,
               presigned=True, expires=expires)


def main():
    if not os.path.isdir(OUT):
        sys.exit("run from the project root (no %s)" % OUT)
    log = SigningLog()
    logger = logging.getLogger("botocore.auth")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(log)
    python_signers = {"v4": botocore.auth.SigV4Auth,
                      "v4-query": botocore.auth.SigV4QueryAuth}
    with mock.patch.object(botocore.auth, "datetime", FAKE_DATETIME), \
            mock.patch.dict(botocore.auth.AUTH_TYPE_MAPS, python_signers):
        signed_case(
            "boto-v1-send-email", "ses", "send_email", log,
            Source="sender@example.com",
            Destination={"ToAddresses": ["recipient@example.com"]},
            Message={"Subject": {"Data": "Hello"},
                     "Body": {"Text": {"Data": "Hi there, 100% sure?"}}})
        signed_case("boto-v2-get-account", "sesv2", "get_account", log)
        signed_case("boto-v2-get-email-identity", "sesv2",
                    "get_email_identity", log,
                    EmailIdentity="user@example.com")
        presigned_case("boto-v2-presigned-get-account", "sesv2",
                       "get_account", 300, log)
    if crt_auth is None:
        print("awscrt not installed: no boto-crt-* case")
        return
    with mock.patch.object(crt_auth, "datetime", FAKE_DATETIME):
        signed_case("boto-crt-v2-get-email-identity", "sesv2",
                    "get_email_identity", log,
                    EmailIdentity="user+tag@example.com")


if __name__ == "__main__":
    main()
