"""Bad input over raw HTTP: each case asserts the exact SES error, and the
server must keep serving afterwards."""
import json
import re
import socket
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


# -- v1 Query ----------------------------------------------------------------

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
    (b"Action=ListIdentities&IdentityType", 400, "ValidationError",
     "1 validation error detected: Value '' at 'identityType' failed "
     "to satisfy constraint: Member must satisfy enum value set: "
     "[EmailAddress, Domain]"),
    (b"Action=GetSendQuota&Foo", 400, "ValidationError",
     "1 validation error detected: Parameter 'Foo' is not a member of "
     "GetSendQuota's input"),
    (b"Action", 400, "MissingAction", "Missing Action"),
    (b"&", 400, "MissingAction", "Missing Action"),
    (b"=", 400, "MissingAction", "Missing Action"),
], ids=["empty", "no-action", "empty-action", "unknown-action",
        "action-case", "v2-action", "missing-required", "not-integer",
        "unknown-param", "bad-enum", "not-boolean", "key-without-value",
        "unknown-key-without-value", "action-without-value", "lone-amp",
        "lone-equals"])
def test_v1_request_errors(server, body, status, code, message):
    assert v1(server, body) == (status, "Sender", code, message)


@pytest.mark.parametrize("body", [
    b"Action=ListIdentities&&&", b"&Action=ListIdentities&",
    b"%41ction=ListIdentities", b"Action=List%49dentities",
    b"Action=ListIdentities&IdentityType=Email%41ddress",
    b"Action=ListIdentities&MaxItems=%2B5",
], ids=["empty-pairs", "edge-amps", "escaped-key", "escaped-action",
        "escaped-value", "plus-sign"])
def test_v1_odd_but_valid_forms(server, body):
    resp = server.post("/", data=body, headers=FORM)
    assert resp.status_code == 200, resp.text
    root = ET.fromstring(resp.content)
    assert root.tag == NS + "ListIdentitiesResponse"


def test_v1_errors_are_logged_with_their_code(server):
    resp = server.post("/", data="Action=Foo", headers=FORM)
    line = server.access_line(resp.headers["x-amzn-RequestId"])
    assert (line["status"], line["error"]) == ("400", "InvalidAction")


def test_v1_ten_thousand_list_members(server):
    members = "&".join("Identities.member.%d=user%d%%40example.com" % (i, i)
                       for i in range(1, 10001))
    body = "Action=GetIdentityVerificationAttributes&" + members
    start = time.monotonic()
    resp = server.post("/", data=body, headers=FORM)
    elapsed = time.monotonic() - start
    # None of them exist, so the map is empty (unknown ones are left out).
    assert resp.status_code == 200, resp.text
    assert "<VerificationAttributes></VerificationAttributes>" in resp.text
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


# -- v2 REST-JSON ------------------------------------------------------------

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


@pytest.mark.parametrize("query, message", [
    ("PageSize=abc",
     "Value at 'pageSize' failed to deserialize: expected an integer"),
    ("PageSize=1.5",
     "Value at 'pageSize' failed to deserialize: expected an integer"),
    ("PageSize=99999999999999999999",
     "Value at 'pageSize' failed to deserialize: expected an integer"),
], ids=["letters", "fraction", "overflow"])
def test_v2_bad_query_parameter(server, query, message):
    assert v2(server, "GET", "/v2/email/identities?" + query) == (
        400, "BadRequestException", message)


# -- escaping of echoed input ------------------------------------------------

def test_v1_error_message_is_xml_escaped(server):
    status, _, code, message = v1(server, "Action=%3Cx%3E%26%22%27%5D%5D%3E")
    assert (status, code) == (400, "InvalidAction")
    assert message == ("The action <x>&\"']]> is not valid for this web "
                       "service.")


def test_v2_error_message_is_json_escaped(server):
    status, code, message = v2(server, *PUT_SENDING,
                               body=b'{"a\\"b\\\\c\\n\\u0001\\u00e9<": 1}')
    assert (status, code) == (400, "BadRequestException")
    assert message == "Unknown field 'a\"b\\c\n\u0001\u00e9<' in the " \
                      "request body"


# -- HTTP level --------------------------------------------------------------

def _raw(server, data, timeout=2):
    """Sends raw bytes on a fresh connection; returns what comes back
    until the server closes or stops sending."""
    out = b""
    with socket.create_connection((server.host, server.port),
                                  timeout=timeout) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
        except (ConnectionResetError, socket.timeout):
            pass
    return out


@pytest.mark.parametrize("data", [
    b"GARBAGE\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" * 8 + b"\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"zz\r\nAction=GetSendQuota\r\n0\r\n\r\n",
], ids=["garbage", "tls-hello", "http-9", "negative-length", "bad-chunk"])
def test_broken_http_is_refused(server, data):
    out = _raw(server, data)
    # Either a 4xx/5xx status line or a closed connection; never a 200.
    if out:
        assert re.match(rb"HTTP/1\.[01] [45]\d\d ", out), out[:200]


@pytest.mark.parametrize("data", [
    b"GARBAGE",
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-"
    b"urlencoded\r\nContent-Length: 100\r\n\r\nAction=GetSendQuota",
], ids=["incomplete-request-line", "short-body"])
def test_half_closed_incomplete_request_is_dropped(server, data):
    """A client that sends part of a request and then shuts down its
    sending side can never complete it: the server must answer (400) or
    close at once, not hold the connection until its idle timeout."""
    with socket.create_connection((server.host, server.port),
                                  timeout=2) as s:
        # Corked, the request's last bytes and the FIN travel together.
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        try:
            out = s.recv(65536)
        except socket.timeout:
            pytest.fail("connection still open 2 s after the client's EOF")
    if out:
        assert re.match(rb"HTTP/1\.[01] 400 ", out), out[:200]


def _exchange(server, data, timeout=2):
    """Sends data (without closing our side) and reads until the server
    closes; returns (bytes read, whether the server closed in time)."""
    out = b""
    with socket.create_connection((server.host, server.port),
                                  timeout=timeout) as s:
        s.sendall(data)
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    return out, True
                out += chunk
        except socket.timeout:
            return out, False


def test_conflicting_content_lengths_are_rejected(server):
    """RFC 9112 section 6.3: differing Content-Length values make the
    framing invalid; the server must answer 400 and close."""
    body = b"Action=GetSendQuota"
    out, closed = _exchange(server, (
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-"
        b"form-urlencoded\r\nContent-Length: %d\r\nContent-Length: %d\r\n"
        b"\r\n" % (len(body), len(body) + 1)) + body)
    assert out.startswith(b"HTTP/1.1 400 "), out[:300]
    assert closed, "connection left open: " + out.decode("latin-1")[:300]


def test_content_length_with_chunked_closes_the_connection(server):
    """RFC 9112 section 6.1: a request with both Content-Length and
    Transfer-Encoding may be served by its chunked framing, but the server
    must then close the connection, so the bytes after it (here a second,
    smuggled request) are never answered."""
    smuggled = b"GET /v2/email/account HTTP/1.1\r\nHost: x\r\n\r\n"
    chunked = b"0\r\n\r\n" + smuggled
    out, closed = _exchange(server, (
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-"
        b"form-urlencoded\r\nContent-Length: %d\r\nTransfer-Encoding: "
        b"chunked\r\n\r\n" % len(chunked)) + chunked)
    assert out.count(b"HTTP/1.1 ") == 1, out.decode("latin-1")
    assert closed, "connection left open: " + out.decode("latin-1")[:300]


def test_oversized_header_is_refused(server):
    resp = server.post("/", data="Action=GetSendQuota",
                       headers={**FORM, "X-Big": "v" * 100000})
    assert resp.status_code == 431, resp.status_code


def test_many_headers_are_fine(server):
    headers = {**FORM, **{"X-Extra-%d" % i: "v" for i in range(100)}}
    resp = server.post("/", data="Action=GetSendQuota", headers=headers)
    assert resp.status_code == 200, resp.text


def test_expect_100_continue(server):
    body = b"Action=GetSendQuota&Version=2010-12-01"
    with socket.create_connection((server.host, server.port),
                                  timeout=5) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: "
                  b"application/x-www-form-urlencoded\r\nContent-Length: "
                  + str(len(body)).encode() +
                  b"\r\nExpect: 100-continue\r\n\r\n")
        first = s.recv(64)
        assert first.startswith(b"HTTP/1.1 100 Continue\r\n"), first
        s.sendall(body)
        s.shutdown(socket.SHUT_WR)
        rest = first
        while b"</GetSendQuotaResponse>" not in rest:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
    assert b"HTTP/1.1 200 OK\r\n" in rest, rest


@pytest.mark.parametrize("first", [
    b"POST /v2/email/bogus HTTP/1.1\r\nHost: x\r\nContent-Length: 100000"
    b"\r\n\r\n" + b"{" * 100000,
    b"PUT /v2/email/account/sending HTTP/1.1\r\nHost: x\r\n"
    b"Content-Length: 20\r\n\r\n" + b"[" * 20,
    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 14\r\n\r\nAction=Bogus%4",
], ids=["unknown-route-with-body", "bad-json", "malformed-query"])
def test_keep_alive_after_an_error(server, first):
    """An error answer must not leave the connection out of step: either
    the server says Connection: close, or the next request on the same
    connection gets its own answer."""
    second = (b"GET /v2/email/account HTTP/1.1\r\nHost: x\r\n"
              b"Connection: close\r\n\r\n")
    with socket.create_connection((server.host, server.port),
                                  timeout=5) as s:
        s.sendall(first)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(65536)
            assert chunk, head
            head += chunk
        status_line, _, rest = head.partition(b"\r\n")
        assert re.match(rb"HTTP/1\.1 4\d\d ", status_line), head
        headers = rest.split(b"\r\n\r\n", 1)[0].lower()
        if b"connection: close" in headers:
            return
        length = int(re.search(rb"content-length: (\d+)", headers).group(1))
        body = head.split(b"\r\n\r\n", 1)[1]
        while len(body) < length:
            body += s.recv(65536)
        s.sendall(second)
        out = body[length:]
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    assert out.startswith(b"HTTP/1.1 200 OK\r\n"), out[:300]
    assert b'"EnforcementStatus":"HEALTHY"' in out


def test_413_request_id_is_logged(server):
    resp = server.post("/", data=b"Action=GetSendQuota&X=" +
                       b"a" * BODY_MAX, headers=FORM, timeout=60)
    assert resp.status_code == 413
    rid = resp.headers["x-amzn-RequestId"]
    line = server.access_line(rid)
    assert (line["status"], line["error"]) == ("413",
                                              "RequestEntityTooLarge")
