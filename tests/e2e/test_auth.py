"""SigV4: --strict-auth verifies signatures against --credentials; without
it any signature is accepted and the access key only picks the account."""
import datetime
import json
import re
import xml.etree.ElementTree as ET

import botocore.auth
import pytest
import requests
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

import conftest
from conftest import DEFAULT_ACCOUNT, Sesbox, _watch, aws_cli, now

KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ACCOUNT = "111111111111"
NS = "{http://ses.amazonaws.com/doc/2010-12-01/}"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
V1_BODY = "Action=GetSendQuota&Version=2010-12-01"

MSG_MISMATCH = (
    "The request signature we calculated does not match the signature you "
    "provided. Check your AWS Secret Access Key and signing method. Consult "
    "the service documentation for details.")
MSG_BAD_KEY = "The security token included in the request is invalid."
MSG_MISSING = "Request is missing Authentication Token"


@pytest.fixture(scope="module")
def strict():
    # Module-scoped so that the tests here start it once; stopped (and
    # required to exit 0) at the end of the module.
    srv = Sesbox(["--strict-auth", "--credentials",
                  "%s:%s:%s" % (KEY, SECRET, ACCOUNT)])
    yield srv
    assert srv.stop() == 0, srv.log()


@pytest.fixture(autouse=True)
def _strict_each_test(request):
    """Prints the strict server's log on failure and starts it clean."""
    if "strict" in request.fixturenames:
        srv = request.getfixturevalue("strict")
        _watch(request.node, srv)
        srv.reset()


def sign(url, **kw):
    """conftest.sign with the strict server's credentials by default."""
    kw.setdefault("key", KEY)
    kw.setdefault("secret", SECRET)
    return conftest.sign(url, **kw)


def presign(url, **kw):
    kw.setdefault("key", KEY)
    kw.setdefault("secret", SECRET)
    return conftest.presign(url, **kw)


def error_of(resp):
    """(status, code, message) of a v1 (XML) or v2 (JSON) error response,
    checking its envelope."""
    rid = resp.headers["x-amzn-RequestId"]
    if resp.headers["Content-Type"].startswith("text/xml"):
        root = ET.fromstring(resp.content)
        assert root.tag == NS + "ErrorResponse", resp.text
        assert root.findtext(NS + "RequestId") == rid
        err = root.find(NS + "Error")
        assert err.findtext(NS + "Type") == "Sender"
        return (resp.status_code, err.findtext(NS + "Code"),
                err.findtext(NS + "Message"))
    assert resp.headers["Content-Type"].startswith("application/json")
    return (resp.status_code, resp.headers["x-amzn-ErrorType"],
            resp.json()["message"])


def client_error(call, *args, **kw):
    """(status, code, message) of the ClientError call raises; the last
    request id is kept in client_error.request_id."""
    with pytest.raises(ClientError) as exc:
        call(*args, **kw)
    r = exc.value.response
    client_error.request_id = r["ResponseMetadata"]["RequestId"]
    return (r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"],
            r["Error"]["Message"])


# -- strict: good signatures -------------------------------------------------

@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_strict_right_secret_v1(strict, ses, region):
    client = ses(srv=strict, key=KEY, secret=SECRET, region=region)
    resp = client.get_send_quota()
    assert resp["Max24HourSend"] == 50000.0
    client.update_account_sending_enabled(Enabled=False)
    assert client.get_account_sending_enabled()["Enabled"] is False
    line = strict.access_line(resp["ResponseMetadata"]["RequestId"])
    assert (line["status"], line["account"], line["region"]) == (
        "200", ACCOUNT, region)


def test_strict_right_secret_v2(strict, sesv2):
    client = sesv2(srv=strict, key=KEY, secret=SECRET)
    client.put_account_details(MailType="MARKETING",
                               WebsiteURL="https://example.com/a?b=c d",
                               UseCaseDescription="Ünïcödé ✓ & more")
    resp = client.get_account()
    assert resp["Details"]["UseCaseDescription"] == "Ünïcödé ✓ & more"
    assert client.list_email_identities(PageSize=7)["EmailIdentities"] == []
    line = strict.access_line(resp["ResponseMetadata"]["RequestId"])
    assert (line["status"], line["account"]) == ("200", ACCOUNT)


@pytest.mark.parametrize("service, op, params, expected", [
    # Paths and query strings that need canonical encoding still verify
    # (the answer is the operation's own, not a signature error).
    ("sesv2", "get_email_identity", {"EmailIdentity": "a+b=c@example.com"},
     (404, "NotFoundException")),
    ("sesv2", "get_email_identity", {"EmailIdentity": "we ird/%2F@ex.com"},
     (404, "NotFoundException")),
    ("sesv2", "list_suppressed_destinations", {
        "Reasons": ["BOUNCE", "COMPLAINT"], "PageSize": 3,
        "NextToken": "YWJj+/==",
        "StartDate": datetime.datetime(2024, 1, 2, 3, 4, 5)},
     (400, "InvalidNextTokenException")),
    ("ses", "send_email", {
        "Source": "Ünï <a@example.com>",
        "Destination": {"ToAddresses": ["b+tag@example.com"]},
        "Message": {"Subject": {"Data": "~!@#$%^&*()_+ ü"},
                    "Body": {"Text": {"Data": "line1\nline2 = 100%"}}}},
     (400, "MessageRejected")),
], ids=["path-plus-equals", "path-space-slash", "query-list-time",
        "v1-unicode-body"])
def test_strict_canonicalization(strict, ses, sesv2, service, op, params,
                                 expected):
    factory = ses if service == "ses" else sesv2
    client = factory(srv=strict, key=KEY, secret=SECRET)
    status, code, _ = client_error(getattr(client, op), **params)
    assert (status, code) == expected


# -- strict: bad signatures --------------------------------------------------

@pytest.mark.parametrize("service", ["ses", "sesv2"])
@pytest.mark.parametrize("key, secret, expected", [
    (KEY, SECRET + "x", (403, "SignatureDoesNotMatch", MSG_MISMATCH)),
    (KEY, SECRET.lower(), (403, "SignatureDoesNotMatch", MSG_MISMATCH)),
    ("AKIDUNKNOWN0000000", SECRET, (403, "InvalidClientTokenId",
                                    MSG_BAD_KEY)),
], ids=["wrong-secret", "lower-case-secret", "unknown-key"])
def test_strict_bad_credentials(strict, ses, sesv2, service, key, secret,
                                expected):
    factory = ses if service == "ses" else sesv2
    client = factory(srv=strict, key=key, secret=secret)
    call = (client.get_send_quota if service == "ses" else
            client.get_account)
    assert client_error(call) == expected
    line = strict.access_line(client_error.request_id)
    assert (line["status"], line["error"]) == ("403", expected[1])


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/", V1_BODY),
    ("GET", "/v2/email/account", None),
    ("PUT", "/v2/email/account/sending", '{"SendingEnabled": false}'),
], ids=["v1", "v2-get", "v2-put"])
def test_strict_unsigned(strict, method, path, body):
    resp = requests.request(method, strict.url + path, data=body,
                            headers=FORM if path == "/" else {}, timeout=10)
    assert error_of(resp) == (403, "MissingAuthenticationToken", MSG_MISSING)
    line = strict.access_line(resp.headers["x-amzn-RequestId"])
    assert (line["status"], line["error"]) == ("403",
                                              "MissingAuthenticationToken")


@pytest.mark.parametrize("authorization, message", [
    ("AWS4-HMAC-SHA256 garbage",
     "'garbage' not a valid key=value pair (missing equal-sign) in "
     "Authorization header: 'AWS4-HMAC-SHA256 garbage'."),
    ("AWS4-HMAC-SHA256 Credential=%s/20240101/us-east-1/ses/aws4_request"
     % KEY, None),
    ("AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=host, Signature=00"
     % KEY, None),
    ("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=" + "0" * 64,
     None),
    ("AWS4-HMAC-SHA256", None),
    ("Basic Zm9vOmJhcg==", None),
], ids=["no-equals", "credential-only", "short-credential",
        "no-credential", "algorithm-only", "basic"])
@pytest.mark.parametrize("api", ["v1", "v2"])
def test_strict_malformed_authorization(strict, authorization, message, api):
    headers = {"Authorization": authorization,
               "X-Amz-Date": now().strftime("%Y%m%dT%H%M%SZ")}
    if api == "v1":
        resp = requests.post(strict.url + "/", data=V1_BODY,
                             headers={**FORM, **headers}, timeout=10)
    else:
        resp = requests.get(strict.url + "/v2/email/account",
                            headers=headers, timeout=10)
    status, code, got = error_of(resp)
    assert (status, code) == (400, "IncompleteSignature"), got
    if message is not None:
        assert got == message


def test_strict_tampered_body(strict):
    headers = sign(strict.url + "/", body=V1_BODY, headers=FORM)
    resp = requests.post(strict.url + "/",
                         data=V1_BODY.replace("GetSendQuota",
                                              "GetAccountSendingEnabled"),
                         headers=headers, timeout=10)
    assert error_of(resp) == (403, "SignatureDoesNotMatch", MSG_MISMATCH)


def test_strict_tampered_v2_body(strict):
    url = strict.url + "/v2/email/account/sending"
    headers = sign(url, method="PUT", body='{"SendingEnabled": true}',
                   headers={"Content-Type": "application/json"})
    resp = requests.put(url, data='{"SendingEnabled": false}',
                        headers=headers, timeout=10)
    assert error_of(resp) == (403, "SignatureDoesNotMatch", MSG_MISMATCH)
    r = requests.get(presign(strict.url + "/v2/email/account"), timeout=10)
    assert r.json()["SendingEnabled"] is True


def test_strict_header_signature_works(strict):
    headers = sign(strict.url + "/", body=V1_BODY, headers=FORM)
    resp = requests.post(strict.url + "/", data=V1_BODY, headers=headers,
                         timeout=10)
    assert resp.status_code == 200, resp.text


STAMP = r"(\d{8}T\d{6}Z)"


@pytest.mark.parametrize("skew, pattern", [
    (datetime.timedelta(minutes=-6), "Signature expired: %s is now earlier "
     "than %s \\(%s - 5 min\\.\\)"),
    (datetime.timedelta(days=-400), "Signature expired: %s is now earlier "
     "than %s \\(%s - 5 min\\.\\)"),
    (datetime.timedelta(minutes=6), "Signature not yet current: %s is "
     "still later than %s \\(%s \\+ 5 min\\.\\)"),
], ids=["6-min-ago", "last-year", "6-min-ahead"])
@pytest.mark.parametrize("api", ["v1", "v2"])
def test_strict_stale_header_signature(strict, skew, pattern, api):
    # AWS answers a header-signed request outside its 5 minute window with
    # SignatureDoesNotMatch (RequestExpired is for presigned URLs).
    when = (now() + skew).replace(microsecond=0)
    if api == "v1":
        headers = sign(strict.url + "/", body=V1_BODY, headers=FORM,
                       when=when)
        resp = requests.post(strict.url + "/", data=V1_BODY,
                             headers=headers, timeout=10)
    else:
        url = strict.url + "/v2/email/account"
        resp = requests.get(url, headers=sign(url, method="GET", when=when),
                            timeout=10)
    status, code, message = error_of(resp)
    assert (status, code) == (403, "SignatureDoesNotMatch"), message
    m = re.fullmatch(pattern % (STAMP, STAMP, STAMP), message)
    assert m, message
    assert m.group(1) == when.strftime("%Y%m%dT%H%M%SZ")


@pytest.mark.parametrize("skew", [datetime.timedelta(minutes=-4),
                                  datetime.timedelta(minutes=4)],
                         ids=["4-min-ago", "4-min-ahead"])
def test_strict_small_clock_skew_is_accepted(strict, skew):
    headers = sign(strict.url + "/", body=V1_BODY, headers=FORM,
                   when=now() + skew)
    resp = requests.post(strict.url + "/", data=V1_BODY, headers=headers,
                         timeout=10)
    assert resp.status_code == 200, resp.text


def test_strict_presigned_url_works(strict):
    url = presign(strict.url + "/v2/email/account")
    assert "X-Amz-Signature=" in url and "Authorization" not in url
    resp = requests.get(url, timeout=10)
    assert resp.status_code == 200, resp.text
    assert resp.json()["EnforcementStatus"] == "HEALTHY"
    line = strict.access_line(resp.headers["x-amzn-RequestId"])
    assert (line["account"], line["region"]) == (ACCOUNT, "us-east-1")


def test_strict_presigned_url_region(strict):
    resp = requests.get(presign(strict.url + "/v2/email/account",
                                region="ap-south-1"), timeout=10)
    assert resp.status_code == 200, resp.text
    line = strict.access_line(resp.headers["x-amzn-RequestId"])
    assert (line["account"], line["region"]) == (ACCOUNT, "ap-south-1")


def test_strict_presigned_url_expired(strict):
    url = presign(strict.url + "/v2/email/account", expires=60,
                  when=now() - datetime.timedelta(days=2))
    assert error_of(requests.get(url, timeout=10)) == (
        400, "RequestExpired", "Request has expired.")


@pytest.mark.parametrize("tamper", [
    lambda u: u.replace("X-Amz-Signature=", "X-Amz-Signature=0")[:-1],
    lambda u: u + "&PageSize=1",
    lambda u: u.replace("/v2/email/account", "/v2/email/identities"),
    lambda u: u.replace("X-Amz-Expires=60", "X-Amz-Expires=61"),
], ids=["signature", "extra-param", "path", "expires"])
def test_strict_presigned_url_tampered(strict, tamper):
    url = tamper(presign(strict.url + "/v2/email/account"))
    assert error_of(requests.get(url, timeout=10)) == (
        403, "SignatureDoesNotMatch", MSG_MISMATCH)


def test_strict_presigned_url_wrong_secret(strict):
    url = presign(strict.url + "/v2/email/account", secret="nope")
    assert error_of(requests.get(url, timeout=10)) == (
        403, "SignatureDoesNotMatch", MSG_MISMATCH)


def test_strict_inspection_api_needs_no_signature(strict):
    assert requests.get(strict.url + "/_sesbox/health",
                        timeout=10).status_code == 200
    assert requests.post(strict.url + "/_sesbox/api/v1/reset",
                         timeout=10).json() == {"reset": True,
                                                "scope": "all"}


# -- non-strict (default) ----------------------------------------------------

MAPPED_KEY, MAPPED_ACCOUNT = "AKIDMAPPED", "333333333333"


@pytest.fixture
def lax(start_server):
    return start_server("--credentials",
                        "%s:realsecret:%s" % (MAPPED_KEY, MAPPED_ACCOUNT))


@pytest.mark.parametrize("key, secret, account", [
    (MAPPED_KEY, "realsecret", MAPPED_ACCOUNT),
    (MAPPED_KEY, "any-other-secret", MAPPED_ACCOUNT),
    ("AKIDSTRANGER", "whatever", DEFAULT_ACCOUNT),
])
def test_lax_accepts_any_signature(lax, ses, sesv2, key, secret, account):
    resp = ses(srv=lax, key=key, secret=secret).get_send_quota()
    line = lax.access_line(resp["ResponseMetadata"]["RequestId"])
    assert (line["status"], line["account"]) == ("200", account)
    resp = sesv2(srv=lax, key=key, secret=secret,
                 region="sa-east-1").get_account()
    line = lax.access_line(resp["ResponseMetadata"]["RequestId"])
    assert (line["account"], line["region"]) == (account, "sa-east-1")


def test_lax_unsigned_and_stale_requests(lax):
    r = requests.post(lax.url + "/", data=V1_BODY, headers=FORM, timeout=10)
    assert r.status_code == 200
    line = lax.access_line(r.headers["x-amzn-RequestId"])
    assert (line["account"], line["region"]) == (DEFAULT_ACCOUNT,
                                                 "us-east-1")
    headers = sign(lax.url + "/", body=V1_BODY, headers=FORM,
                   key=MAPPED_KEY, secret="x", region="eu-north-1",
                   when=now() - datetime.timedelta(days=3))
    r = requests.post(lax.url + "/", data=V1_BODY, headers=headers,
                      timeout=10)
    assert r.status_code == 200, r.text
    line = lax.access_line(r.headers["x-amzn-RequestId"])
    assert (line["account"], line["region"]) == (MAPPED_ACCOUNT,
                                                 "eu-north-1")


def test_lax_presigned_url_picks_account(lax):
    url = presign(lax.url + "/v2/email/account", key=MAPPED_KEY,
                  secret="wrong", region="eu-west-3")
    r = requests.get(url, timeout=10)
    assert r.status_code == 200, r.text
    line = lax.access_line(r.headers["x-amzn-RequestId"])
    assert (line["account"], line["region"]) == (MAPPED_ACCOUNT, "eu-west-3")


# -- strict: the credential scope --------------------------------------------

class ScopedSigV4(botocore.auth.SigV4Auth):
    """SigV4 with a chosen scope date and terminator, still self-consistent
    (the signing key is derived from the scope sent), so that only the
    server's scope checks can reject it."""

    def __init__(self, credentials, service, region, date=None,
                 terminator="aws4_request", signed=None):
        super().__init__(credentials, service, region)
        self._date, self._terminator, self._signed = date, terminator, signed

    def _scope_date(self, request):
        return self._date or request.context["timestamp"][0:8]

    def credential_scope(self, request):
        return "/".join([self._scope_date(request), self._region_name,
                         self._service_name, self._terminator])

    def scope(self, request):
        return self.credentials.access_key + "/" + \
            self.credential_scope(request)

    def signature(self, string_to_sign, request):
        key = ("AWS4" + self.credentials.secret_key).encode("utf-8")
        key = self._sign(key, self._scope_date(request))
        for part in (self._region_name, self._service_name,
                     self._terminator):
            key = self._sign(key, part)
        return self._sign(key, string_to_sign, hex=True)

    def headers_to_sign(self, request):
        headers = super().headers_to_sign(request)
        if self._signed is not None:
            for name in list(headers.keys()):
                if name not in self._signed:
                    del headers[name]
        return headers


def scoped_post(srv, service="ses", region="us-east-1", **kw):
    req = AWSRequest(method="POST", url=srv.url + "/", data=V1_BODY,
                     headers=dict(FORM))
    ScopedSigV4(Credentials(KEY, SECRET), service, region, **kw).add_auth(req)
    return requests.post(srv.url + "/", data=V1_BODY,
                         headers=dict(req.headers.items()), timeout=10)


def test_strict_scoped_signer_is_sound(strict):
    # The helper itself produces signatures the server accepts.
    assert scoped_post(strict).status_code == 200


@pytest.mark.parametrize("kw, message", [
    ({"date": "20200101"},
     "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
     "version of date from HTTP: '20200101' != '{today}', from '{stamp}'."),
    ({"service": "s3"},
     "Credential should be scoped to correct service: 'ses'. "),
    ({"terminator": "aws4_foo"},
     "Credential should be scoped with a valid terminator: 'aws4_request', "
     "not 'aws4_foo'. "),
    ({"region": "Mars"},
     "Credential should be scoped to a valid region, not 'Mars'. "),
    ({"region": 'us-east-1"x=y'},
     "Credential should be scoped to a valid region, not 'us-east-1\"x=y'. "),
], ids=["date", "service", "terminator", "region", "region-quote"])
def test_strict_bad_credential_scope(strict, kw, message):
    resp = scoped_post(strict, **kw)
    assert resp.status_code != 200, "accepted: " + resp.text
    status, code, got = error_of(resp)
    assert (status, code) == (403, "SignatureDoesNotMatch"), got
    if "{stamp}" in message:
        stamp = re.search(r"from '(\d{8}T\d{6}Z)'", got)
        assert stamp, got
        message = message.format(today=stamp.group(1)[:8],
                                 stamp=stamp.group(1))
    # AWS ends these messages with ". " — accept it with or without.
    assert got.rstrip() == message.rstrip()
    line = strict.access_line(resp.headers["x-amzn-RequestId"])
    assert line["error"] == "SignatureDoesNotMatch"


def test_strict_host_must_be_signed(strict):
    resp = scoped_post(strict, signed={"x-amz-date", "content-type"})
    assert resp.status_code != 200, "accepted: " + resp.text
    status, code, message = error_of(resp)
    assert (status, code) == (400, "IncompleteSignature"), message
    assert "must be a 'SignedHeader' in the AWS Authorization" in message


# -- the AWS CLI against the strict server -----------------------------------

def test_strict_aws_cli(strict):
    proc = aws_cli(strict, "sesv2", "get-account", key=KEY, secret=SECRET,
                   region="eu-west-1")
    assert json.loads(proc.stdout)["EnforcementStatus"] == "HEALTHY"
    proc = aws_cli(strict, "ses", "get-send-quota", key=KEY,
                   secret="wrong", check=False)
    assert proc.returncode == 254, proc
    assert "An error occurred (SignatureDoesNotMatch) when calling the " \
           "GetSendQuota operation" in proc.stderr
    assert proc.stderr.rstrip().endswith(MSG_MISMATCH), proc.stderr
