"""Bad input over raw HTTP: each case asserts the exact SES error, and the
server must keep serving afterwards."""
import json
import time
import xml.etree.ElementTree as ET

import pytest

NS = "{http://ses.amazonaws.com/doc/2010-12-01/}"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
JSON = {"Content-Type": "application/json"}
BODY_MAX = 42 * 1024 * 1024  # 44040192 bytes
TOO_LARGE_MESSAGE = "Request body exceeds the maximum of 44040192 bytes"


@pytest.fixture(autouse=True)
def still_serving(server):
    """After every case the server is alive and answers a real request."""
    yield
    assert server.alive(), server.log()
    server.health()
    r = server.post("/", data="Action=GetSendQuota&Version=2010-12-01",
                    headers=FORM)
    assert r.status_code == 200, r.text


def v1_error(resp):
    """(HTTP status, Type, Code, Message) of a v1 XML error; checks the
    envelope and that the RequestId matches the header."""
    assert resp.headers["Content-Type"].startswith("text/xml"), resp.headers
    root = ET.fromstring(resp.content)
    assert root.tag == NS + "ErrorResponse", resp.text
    err = root.find(NS + "Error")
    assert err is not None, resp.text
    rid = root.find(NS + "RequestId").text
    assert rid and rid == resp.headers["x-amzn-RequestId"], resp.text
    return (resp.status_code, err.findtext(NS + "Type"),
            err.findtext(NS + "Code"), err.findtext(NS + "Message"))


def v2_error(resp):
    """(HTTP status, error type, message) of a v2 JSON error."""
    assert resp.headers["Content-Type"].startswith("application/json")
    assert resp.headers.get("x-amzn-RequestId"), resp.headers
    body = resp.json()
    assert isinstance(body, dict) and isinstance(body.get("message"), str)
    code = resp.headers["x-amzn-ErrorType"].split(":")[0].split("#")[-1]
    return resp.status_code, code, body["message"]


def v1(server, body, **kw):
    return v1_error(server.post("/", data=body, headers=FORM, **kw))


def v2(server, method, path, body=None, **kw):
    return v2_error(server.request(method, path, data=body, headers=JSON,
                                   **kw))


# -- v1 Query ---------------------------------------------------------------

MALFORMED = "The query string contains a syntax error: "


@pytest.mark.parametrize("body", [
    b"Action=GetSendQuota&X=%4",                       # cut mid-escape
    b"Action=GetSendQuota&Version=2010-12-01&X=%",
    b"Action=GetSendQuota&X=%zz",                      # not hex
    b"Action=GetSendQuota&X=%g1",
    b"Action=GetSendQuota&%4=1",                       # in a key
    b"Action=ListIdentities&IdentityType=%FF",         # not UTF-8, escaped
    b"Action=ListIdentities&IdentityType=\xff\xfe",    # not UTF-8, raw
    b"Action=ListIdentities&IdentityType=%C3%28",      # invalid sequence
    b"Action=ListIdentities&IdentityType=%ED%A0%80",   # UTF-16 surrogate
    b"Action=ListIdentities&IdentityType=%C0%AF",      # overlong '/'
    b"Action=Get%FFSendQuota",                         # in the Action
], ids=["cut-escape", "lone-percent", "non-hex", "non-hex-2", "key-escape",
        "escaped-ff", "raw-ff", "bad-sequence", "surrogate", "overlong",
        "action-ff"])
def test_malformed_query_string(server, body):
    status, kind, code, message = v1(server, body)
    assert (status, kind, code) == (404, "Sender", "MalformedQueryString")
    assert message.startswith(MALFORMED) and len(message) > len(MALFORMED)


@pytest.mark.parametrize("body, status, code, message", [
    (b"", 400, "MissingAction", "Missing Action"),
    (b"Version=2010-12-01", 400, "MissingAction", "Missing Action"),
    (b"Action=", 400, "MissingAction", "Missing Action"),
    (b"Action=Foo&Version=2010-12-01", 400, "InvalidAction",
     "The action Foo is not valid for this web service."),
    (b"Action=getsendquota", 400, "InvalidAction",
     "The action getsendquota is not valid for this web service."),
    (b"Action=GetAccount", 400, "InvalidAction",   # a v2-only operation
     "The action GetAccount is not valid for this web service."),
    (b"Action=SendEmail", 400, "ValidationError",
     "3 validation errors detected: "
     "Value null at 'source' failed to satisfy constraint: "
     "Member must not be null; "
     "Value null at 'destination' failed to satisfy constraint: "
     "Member must not be null; "
     "Value null at 'message' failed to satisfy constraint: "
     "Member must not be null"),
    (b"Action=ListIdentities&MaxItems=abc", 400, "ValidationError",
     "1 validation error detected: Value 'abc' at 'maxItems' failed to "
     "satisfy constraint: Member must be an integer"),
    (b"Action=ListIdentities&Foo=1", 400, "ValidationError",
     "1 validation error detected: Parameter 'Foo' is not a member of "
     "ListIdentities's input"),
    (b"Action=ListIdentities&IdentityType=Bogus", 400, "ValidationError",
     "1 validation error detected: Value 'Bogus' at 'identityType' failed "
     "to satisfy constraint: Member must satisfy enum value set: "
     "[EmailAddress, Domain]"),
    (b"Action=UpdateAccountSendingEnabled&Enabled=maybe", 400,
     "ValidationError",
     "1 validation error detected: Value 'maybe' at 'enabled' failed to "
     "satisfy constraint: Member must be a boolean (true or false)"),
], ids=["empty", "no-action", "empty-action", "unknown-action",
        "action-case", "v2-action", "missing-required", "not-integer",
        "unknown-param", "bad-enum", "not-boolean"])
def test_v1_request_errors(server, body, status, code, message):
    assert v1(server, body) == (status, "Sender", code, message)


def test_v1_errors_are_logged_with_their_code(server):
    resp = server.post("/", data="Action=Foo", headers=FORM)
    line = server.access_line(resp.headers["x-amzn-RequestId"])
    assert (line["status"], line["error"]) == ("400", "InvalidAction")


def test_v1_ten_thousand_list_members(server):
    members = "&".join("Identities.member.%d=user%d%%40example.com" % (i, i)
                       for i in range(1, 10001))
    body = "Action=GetIdentityVerificationAttributes&" + members
    start = time.monotonic()
    status, kind, code, message = v1(server, body)
    elapsed = time.monotonic() - start
    assert (status, kind, code) == (501, "Receiver", "NotImplemented")
    assert message == ("sesbox does not implement "
                       "GetIdentityVerificationAttributes (ses 2010-12-01) "
                       "yet")
    assert elapsed < 2, "10,000 list members took %.2fs" % elapsed


def test_v1_ten_thousand_unknown_params(server):
    params = "&".join("Foo.member.%d=x" % i for i in range(1, 10001))
    start = time.monotonic()
    status, _, code, message = v1(server, "Action=ListIdentities&" + params)
    assert time.monotonic() - start < 2
    assert (status, code) == (400, "ValidationError")
    # How many of the 10,000 are reported is the server's choice.
    assert " validation error" in message
    assert "Parameter 'Foo" in message
    assert "is not a member of ListIdentities's input" in message


# -- body size (both APIs) ---------------------------------------------------

def _chunks(total, size=1024 * 1024, first=b""):
    yield first
    sent = len(first)
    while sent < total:
        n = min(size, total - sent)
        yield b" " * n
        sent += n


def test_v1_body_too_large(server):
    body = b"Action=GetSendQuota&X=" + b"a" * (50 * 1000 * 1000)
    resp = server.post("/", data=body, headers=FORM, timeout=60)
    assert v1_error(resp) == (413, "Sender", "RequestEntityTooLarge",
                              TOO_LARGE_MESSAGE)


@pytest.mark.parametrize("chunked", [False, True], ids=["length", "chunked"])
def test_v2_body_too_large(server, chunked):
    head = b'{"SendingEnabled": false'
    if chunked:
        data = _chunks(50 * 1000 * 1000, first=head)
    else:
        data = head + b" " * (50 * 1000 * 1000) + b"}"
    resp = server.request("PUT", "/v2/email/account/sending", data=data,
                          headers=JSON, timeout=60)
    assert v2_error(resp) == (413, "RequestEntityTooLarge",
                              TOO_LARGE_MESSAGE)
    # Nothing of the rejected request took effect.
    assert server.get("/v2/email/account").json()["SendingEnabled"] is True


def test_body_one_byte_over_the_limit(server):
    head = b'{"SendingEnabled": false}'
    resp = server.request("PUT", "/v2/email/account/sending",
                          data=head + b" " * (BODY_MAX + 1 - len(head)),
                          headers=JSON, timeout=60)
    assert v2_error(resp)[:2] == (413, "RequestEntityTooLarge")


def test_body_exactly_at_the_limit_is_accepted(server):
    head = b'{"SendingEnabled": false}'
    resp = server.request("PUT", "/v2/email/account/sending",
                          data=head + b" " * (BODY_MAX - len(head)),
                          headers=JSON, timeout=60)
    assert resp.status_code == 200, resp.text
    assert server.get("/v2/email/account").json()["SendingEnabled"] is False


# -- v2 REST-JSON -------------------------------------------------------------

PUT_SENDING = ("PUT", "/v2/email/account/sending")
POST_DETAILS = ("POST", "/v2/email/account/details")


@pytest.mark.parametrize("body", [
    b"[" * 100000,
    b'{"a":' * 100000,
    b'{"MailType": "MARKETING", "WebsiteURL": "https://example.com", '
    b'"UseCaseDescription": ' + b"[" * 100000 + b"]" * 100000 + b"}",
    b"[" * 2049 + b"]" * 2049,
], ids=["arrays-100000", "objects-100000", "balanced-100000", "arrays-2049"])
def test_v2_too_deep_json(server, body):
    status, code, message = v2(server, *POST_DETAILS, body=body)
    assert (status, code) == (400, "BadRequestException")
    assert message.startswith("Malformed JSON body: "), message


@pytest.mark.parametrize("body", [
    b'{"SendingEnabled":', b"{", b"{]", b'{"SendingEnabled": tru}',
    b"{'SendingEnabled': true}", b'{"SendingEnabled": true,}',
    b'{"SendingEnabled": true} x', b"\xff\xfe{}",
], ids=["truncated", "open", "mismatched", "bad-literal", "single-quotes",
        "trailing-comma", "trailing-text", "not-utf8"])
def test_v2_malformed_json(server, body):
    status, code, message = v2(server, *PUT_SENDING, body=body)
    assert (status, code) == (400, "BadRequestException")
    assert message.startswith("Malformed JSON body: "), message


@pytest.mark.parametrize("body", [b"[]", b'"x"', b"1", b"null", b"true",
                                  b"[{}]"])
def test_v2_body_not_an_object(server, body):
    status, code, message = v2(server, *PUT_SENDING, body=body)
    assert (status, code) == (400, "BadRequestException")
    assert message, message


@pytest.mark.parametrize("route, body, message", [
    (PUT_SENDING, {"SendingEnabled": True, "Bogus": 1},
     "Unknown field 'Bogus' in the request body"),
    (POST_DETAILS, {"MailType": "MARKETING", "WebsiteURL": "https://x.io",
                    "mailType": "MARKETING"},
     "Unknown field 'mailType' in the request body"),
    (PUT_SENDING, {"SendingEnabled": "yes"},
     "Value at 'sendingEnabled' failed to deserialize: expected a boolean"),
    (PUT_SENDING, {"SendingEnabled": 1},
     "Value at 'sendingEnabled' failed to deserialize: expected a boolean"),
    (POST_DETAILS, {"MailType": "X"},
     "2 validation errors detected: Value 'X' at 'mailType' failed to "
     "satisfy constraint: Member must satisfy enum value set: [MARKETING, "
     "TRANSACTIONAL]; Value null at 'websiteURL' failed to satisfy "
     "constraint: Member must not be null"),
    (POST_DETAILS, {},
     "2 validation errors detected: Value null at 'mailType' failed to "
     "satisfy constraint: Member must not be null; Value null at "
     "'websiteURL' failed to satisfy constraint: Member must not be null"),
    (POST_DETAILS, {"MailType": "MARKETING", "WebsiteURL": ""},
     "1 validation error detected: Value '' at 'websiteURL' failed to "
     "satisfy constraint: Member must have length greater than or equal "
     "to 1"),
    (POST_DETAILS, {"MailType": "MARKETING", "WebsiteURL": "https://x.io",
                    "AdditionalContactEmailAddresses": []},
     "1 validation error detected: Value '[]' at "
     "'additionalContactEmailAddresses' failed to satisfy constraint: "
     "Member must have length greater than or equal to 1"),
    (POST_DETAILS, {"MailType": "MARKETING", "WebsiteURL": 7},
     "Value at 'websiteURL' failed to deserialize: expected a string"),
], ids=["unknown-field", "wrong-case-field", "string-for-bool",
        "number-for-bool", "enum-and-missing", "empty-object",
        "too-short", "empty-list", "number-for-string"])
def test_v2_bad_fields(server, route, body, message):
    assert v2(server, *route, body=json.dumps(body)) == (
        400, "BadRequestException", message)
    # A rejected request changes nothing.
    account = server.get("/v2/email/account").json()
    assert account["SendingEnabled"] is True and "Details" not in account


@pytest.mark.parametrize("method, path", [
    ("GET", "/v2/email/bogus"),
    ("POST", "/v2/nothing"),
    ("GET", "/v3/email/account"),
    ("GET", "/v2/email/identities/a@example.com/bogus"),
    ("DELETE", "/v2/email/account"),               # wrong methods
    ("POST", "/v2/email/account"),
    ("GET", "/v2/email/account/sending"),
    ("PUT", "/v2/email/account/details"),
    ("PATCH", "/v2/email/identities"),
], ids=["unknown", "unknown-prefix", "v3", "deeper",
        "delete-account", "post-account", "get-sending", "put-details",
        "patch-identities"])
def test_v2_unknown_operation(server, method, path):
    status, code, message = v2(server, method, path, body=b"{}")
    assert (status, code) == (404, "UnknownOperationException"), message
    assert message


def test_v2_errors_are_logged_with_their_code(server):
    resp = server.request("PUT", "/v2/email/account/sending", data=b"{",
                          headers=JSON)
    line = server.access_line(resp.headers["x-amzn-RequestId"])
    assert (line["status"], line["error"], line["op"]) == (
        "400", "BadRequestException", "PutAccountSendingAttributes")
