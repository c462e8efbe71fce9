"""The implemented account operations, through boto3 and the AWS CLI."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import DEFAULT_ACCOUNT, aws_cli

DEFAULT_QUOTA = {"Max24HourSend": 50000.0, "MaxSendRate": 14.0,
                 "SentLast24Hours": 0.0}
DEFAULT_ACCOUNT_V2 = {
    "DedicatedIpAutoWarmupEnabled": False,
    "EnforcementStatus": "HEALTHY",
    "ProductionAccessEnabled": True,
    "SendQuota": DEFAULT_QUOTA,
    "SendingEnabled": True,
    # AWS: accounts made after 2019-11-25 suppress both reasons.
    "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
}

# Two access keys mapped to two accounts; a third key is unknown.
KEY_A, SECRET_A, ACCOUNT_A = "AKIDACCOUNTA", "secretA", "111111111111"
KEY_B, SECRET_B, ACCOUNT_B = "AKIDACCOUNTB", "secretB", "222222222222"
KEY_UNKNOWN = "AKIDNOBODY"
CREDENTIALS = "%s:%s:%s,%s:%s:%s" % (KEY_A, SECRET_A, ACCOUNT_A,
                                     KEY_B, SECRET_B, ACCOUNT_B)


def body(resp):
    """A boto3 response without ResponseMetadata."""
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def request_id(resp):
    meta = resp["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200
    assert meta["RequestId"] == meta["HTTPHeaders"]["x-amzn-requestid"]
    return meta["RequestId"]


# -- v1 ----------------------------------------------------------------------

def test_get_send_quota_defaults(ses):
    resp = ses().get_send_quota()
    assert body(resp) == DEFAULT_QUOTA
    for value in body(resp).values():
        assert isinstance(value, float)
    request_id(resp)


@pytest.mark.parametrize("args, max24, rate", [
    (["--max-24h-send", "200", "--max-send-rate", "1"], 200.0, 1.0),
    (["--max-24h-send", "-1", "--max-send-rate", "0.5"], -1.0, 0.5),
])
def test_get_send_quota_configured(start_server, ses, sesv2, args, max24,
                                   rate):
    srv = start_server(*args)
    quota = {"Max24HourSend": max24, "MaxSendRate": rate,
             "SentLast24Hours": 0.0}
    assert body(ses(srv=srv).get_send_quota()) == quota
    assert sesv2(srv=srv).get_account()["SendQuota"] == quota


def test_account_sending_enabled_round_trip(ses):
    client = ses()
    assert body(client.get_account_sending_enabled()) == {"Enabled": True}
    resp = client.update_account_sending_enabled(Enabled=False)
    assert body(resp) == {}
    request_id(resp)
    assert body(client.get_account_sending_enabled()) == {"Enabled": False}
    client.update_account_sending_enabled(Enabled=True)
    assert body(client.get_account_sending_enabled()) == {"Enabled": True}


@pytest.mark.parametrize("kwargs", [{}, {"IdentityType": "EmailAddress"},
                                    {"IdentityType": "Domain"},
                                    {"MaxItems": 10}])
def test_list_identities_empty(ses, kwargs):
    assert body(ses().list_identities(**kwargs)) == {"Identities": []}


# -- v2 ----------------------------------------------------------------------

def test_get_account_defaults(sesv2):
    resp = sesv2().get_account()
    assert body(resp) == DEFAULT_ACCOUNT_V2
    request_id(resp)


def test_put_account_sending_attributes(sesv2):
    client = sesv2()
    assert body(client.put_account_sending_attributes(
        SendingEnabled=False)) == {}
    assert client.get_account()["SendingEnabled"] is False
    client.put_account_sending_attributes(SendingEnabled=True)
    assert client.get_account()["SendingEnabled"] is True


@pytest.mark.parametrize("kwargs", [{}, {"PageSize": 5}])
def test_list_email_identities_empty(sesv2, kwargs):
    assert body(sesv2().list_email_identities(**kwargs)) == {
        "EmailIdentities": []}


def test_put_account_details_minimal(sesv2):
    client = sesv2()
    resp = client.put_account_details(MailType="TRANSACTIONAL",
                                      WebsiteURL="https://example.com")
    assert body(resp) == {}
    account = body(client.get_account())
    assert account.pop("Details") == {"MailType": "TRANSACTIONAL",
                                      "WebsiteURL": "https://example.com"}
    assert account == DEFAULT_ACCOUNT_V2


def test_put_account_details_full(sesv2):
    client = sesv2()
    client.put_account_details(
        MailType="MARKETING", WebsiteURL="https://shop.example.com/",
        ContactLanguage="JA", UseCaseDescription="Order confirmations.",
        AdditionalContactEmailAddresses=["ops@example.com",
                                         "legal@example.com"],
        ProductionAccessEnabled=True)
    details = client.get_account()["Details"]
    review = details.pop("ReviewDetails")
    assert review["Status"] == "GRANTED"
    assert isinstance(review["CaseId"], str) and review["CaseId"]
    assert details == {
        "MailType": "MARKETING", "WebsiteURL": "https://shop.example.com/",
        "ContactLanguage": "JA", "UseCaseDescription": "Order confirmations.",
        "AdditionalContactEmailAddresses": ["ops@example.com",
                                            "legal@example.com"],
    }


def test_put_account_details_replaces_previous(sesv2):
    client = sesv2()
    client.put_account_details(MailType="MARKETING",
                               WebsiteURL="https://a.example.com",
                               UseCaseDescription="first",
                               ProductionAccessEnabled=True)
    client.put_account_details(MailType="TRANSACTIONAL",
                               WebsiteURL="https://b.example.com")
    details = client.get_account()["Details"]
    assert details["MailType"] == "TRANSACTIONAL"
    assert details["WebsiteURL"] == "https://b.example.com"


def test_put_account_details_invalid_enum(sesv2):
    client = sesv2(validate=False)
    with pytest.raises(ClientError) as exc:
        client.put_account_details(MailType="BULK",
                                   WebsiteURL="https://example.com")
    err = exc.value.response
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["Error"]["Code"] == "BadRequestException"
    assert err["Error"]["Message"] == (
        "1 validation error detected: Value 'BULK' at 'mailType' failed to "
        "satisfy constraint: Member must satisfy enum value set: "
        "[MARKETING, TRANSACTIONAL]")
    assert "Details" not in client.get_account()


# -- v1 and v2 share one state -----------------------------------------------

@pytest.mark.parametrize("writer", ["v1", "v2"])
def test_v1_and_v2_share_sending_enabled(ses, sesv2, writer):
    v1, v2 = ses(), sesv2()
    if writer == "v1":
        v1.update_account_sending_enabled(Enabled=False)
    else:
        v2.put_account_sending_attributes(SendingEnabled=False)
    assert v1.get_account_sending_enabled()["Enabled"] is False
    assert v2.get_account()["SendingEnabled"] is False
    if writer == "v1":
        v2.put_account_sending_attributes(SendingEnabled=True)
    else:
        v1.update_account_sending_enabled(Enabled=True)
    assert v1.get_account_sending_enabled()["Enabled"] is True
    assert v2.get_account()["SendingEnabled"] is True


# -- accounts, regions, reset ------------------------------------------------

def test_accounts_and_regions_are_isolated(start_server, ses, sesv2):
    srv = start_server("--credentials", CREDENTIALS)
    a_east = ses(srv=srv, key=KEY_A, secret=SECRET_A)
    a_west = ses(srv=srv, key=KEY_A, secret=SECRET_A, region="eu-west-1")
    b_east = ses(srv=srv, key=KEY_B, secret=SECRET_B)
    nobody = ses(srv=srv, key=KEY_UNKNOWN)

    resp = a_east.update_account_sending_enabled(Enabled=False)
    line = srv.access_line(resp["ResponseMetadata"]["RequestId"])
    assert (line["account"], line["region"]) == (ACCOUNT_A, "us-east-1")

    assert a_east.get_account_sending_enabled()["Enabled"] is False
    for other in (a_west, b_east, nobody):
        resp = other.get_account_sending_enabled()
        assert resp["Enabled"] is True, other.meta.region_name

    # The same state is visible through v2 with the same key and region.
    assert sesv2(srv=srv, key=KEY_A, secret=SECRET_A).get_account()[
        "SendingEnabled"] is False
    # v2 details are per (account, region) as well.
    sesv2(srv=srv, key=KEY_B, secret=SECRET_B, region="eu-west-1")\
        .put_account_details(MailType="MARKETING",
                             WebsiteURL="https://b.example.com")
    assert "Details" in sesv2(srv=srv, key=KEY_B, secret=SECRET_B,
                              region="eu-west-1").get_account()
    for key, secret, region in [(KEY_B, SECRET_B, "us-east-1"),
                                (KEY_A, SECRET_A, "eu-west-1"),
                                (KEY_UNKNOWN, "x", "eu-west-1")]:
        assert "Details" not in sesv2(srv=srv, key=key, secret=secret,
                                      region=region).get_account()

    # Access log lines carry the account and region of each request.
    for client, account, region in [(b_east, ACCOUNT_B, "us-east-1"),
                                    (a_west, ACCOUNT_A, "eu-west-1"),
                                    (nobody, DEFAULT_ACCOUNT, "us-east-1")]:
        rid = client.get_send_quota()["ResponseMetadata"]["RequestId"]
        line = srv.access_line(rid)
        assert (line["account"], line["region"]) == (account, region)


def test_reset_wipes_every_account_and_region(start_server, ses, sesv2):
    srv = start_server("--credentials", CREDENTIALS)
    clients = [(KEY_A, SECRET_A, "us-east-1"), (KEY_B, SECRET_B, "eu-west-1"),
               (KEY_UNKNOWN, "x", "ap-southeast-2")]
    for key, secret, region in clients:
        ses(srv=srv, key=key, secret=secret, region=region)\
            .update_account_sending_enabled(Enabled=False)
        sesv2(srv=srv, key=key, secret=secret, region=region)\
            .put_account_details(MailType="MARKETING",
                                 WebsiteURL="https://example.com",
                                 ProductionAccessEnabled=True)
    srv.reset()
    for key, secret, region in clients:
        v2 = sesv2(srv=srv, key=key, secret=secret, region=region)
        assert body(v2.get_account()) == DEFAULT_ACCOUNT_V2
        assert ses(srv=srv, key=key, secret=secret, region=region)\
            .get_account_sending_enabled()["Enabled"] is True


def test_shared_server_is_reset_between_tests_part1(ses):
    ses(region="eu-central-1").update_account_sending_enabled(Enabled=False)
    assert ses(region="eu-central-1").get_account_sending_enabled()[
        "Enabled"] is False


def test_shared_server_is_reset_between_tests_part2(ses):
    # Runs after part 1 (file order); the autouse reset must have wiped it.
    assert ses(region="eu-central-1").get_account_sending_enabled()[
        "Enabled"] is True


def test_reset_endpoint_answers_json(server):
    r = server.post("/_sesbox/api/v1/reset")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"reset": True, "scope": "all"}


# -- AWS CLI -----------------------------------------------------------------

def cli_json(srv, *args, **kw):
    proc = aws_cli(srv, *args, **kw)
    return json.loads(proc.stdout) if proc.stdout.strip() else None


def test_cli_v1_account(server):
    assert cli_json(server, "ses", "get-send-quota") == DEFAULT_QUOTA
    assert cli_json(server, "ses", "get-account-sending-enabled") == {
        "Enabled": True}
    assert cli_json(server, "ses", "update-account-sending-enabled",
                    "--no-enabled") is None
    assert cli_json(server, "ses", "get-account-sending-enabled") == {
        "Enabled": False}
    assert cli_json(server, "ses", "list-identities") == {"Identities": []}


def test_cli_v2_account(server):
    assert cli_json(server, "sesv2", "get-account") == DEFAULT_ACCOUNT_V2
    cli_json(server, "sesv2", "put-account-sending-attributes",
             "--no-sending-enabled")
    cli_json(server, "sesv2", "put-account-details", "--mail-type",
             "TRANSACTIONAL", "--website-url", "https://example.com",
             "--use-case-description", "receipts")
    account = cli_json(server, "sesv2", "get-account")
    assert account["SendingEnabled"] is False
    assert account["Details"] == {"MailType": "TRANSACTIONAL",
                                  "WebsiteURL": "https://example.com",
                                  "UseCaseDescription": "receipts"}
    assert cli_json(server, "sesv2", "list-email-identities") == {
        "EmailIdentities": []}


def test_cli_not_implemented(server):
    # An operation of a later area (deliverability dashboard).
    proc = aws_cli(server, "sesv2", "get-deliverability-dashboard-options",
                   check=False)
    assert proc.returncode == 254, proc
    assert ("An error occurred (NotImplemented) when calling the "
            "GetDeliverabilityDashboardOptions operation") in proc.stderr
    assert proc.stderr.rstrip().endswith(
        ": sesbox does not implement GetDeliverabilityDashboardOptions "
        "(sesv2 2019-09-27) yet")
