"""The account-level suppression list through SES v2: Put, Get, Delete and
ListSuppressedDestinations (reasons, dates, paging, tokens), the account's
SuppressedReasons (GetAccount defaults, PutAccountSuppressionAttributes,
the empty list), every error with its exact code, status and message,
accounts and regions apart, the production-access rule, and a
configuration set's SuppressionOptions read back. Every operation once
more through the AWS CLI. What the list does to a send (the set's
override included) is tests/unit/test_supp.c's."""
import datetime
import json

import pytest
from botocore.exceptions import ClientError

from conftest import aws_cli

T0_MS = 1800000000000        # 2027-01-15T08:00:00Z
UTC = datetime.timezone.utc

# Two access keys mapped to two accounts.
KEY_A, SECRET_A, ACCOUNT_A = "AKIDACCOUNTA", "secretA", "111111111111"
KEY_B, SECRET_B, ACCOUNT_B = "AKIDACCOUNTB", "secretB", "222222222222"
CREDENTIALS = "%s:%s:%s,%s:%s:%s" % (KEY_A, SECRET_A, ACCOUNT_A,
                                     KEY_B, SECRET_B, ACCOUNT_B)

INVALID_TOKEN = (400, "InvalidNextTokenException", "Token is invalid.")


def error(call, **kw):
    """(HTTP status, code, message) of a call that must fail."""
    with pytest.raises(ClientError) as exc:
        call(**kw)
    resp = exc.value.response
    return (resp["ResponseMetadata"]["HTTPStatusCode"],
            resp["Error"]["Code"], resp["Error"].get("Message"))


def missing(address):
    return (404, "NotFoundException", "Email address %s does not exist on "
            "your suppression list." % address)


def invalid(address):
    return (400, "BadRequestException",
            "Invalid email address<%s>." % address)


def at(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, UTC)


def set_clock(srv, ms):
    r = srv.post("/_sesbox/api/v1/clock", json={"set_ms": ms})
    assert r.status_code == 200, r.text


def summaries(client, **kw):
    return [(s["EmailAddress"], s["Reason"])
            for s in client.list_suppressed_destinations(
                **kw)["SuppressedDestinationSummaries"]]


def body(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


# ---- put, get, delete ------------------------------------------------------

def test_put_get_delete(server, sesv2):
    client = sesv2()
    set_clock(server, T0_MS)
    assert body(client.put_suppressed_destination(
        EmailAddress="user@example.com", Reason="BOUNCE")) == {}
    got = client.get_suppressed_destination(EmailAddress="user@example.com")
    assert body(got) == {"SuppressedDestination": {
        "EmailAddress": "user@example.com", "Reason": "BOUNCE",
        "LastUpdateTime": at(T0_MS)}}
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    # A manual put has no MessageId or FeedbackId to report.
    assert "Attributes" not in got["SuppressedDestination"]
    assert summaries(client) == [("user@example.com", "BOUNCE")]
    assert body(client.delete_suppressed_destination(
        EmailAddress="user@example.com")) == {}
    assert summaries(client) == []
    assert error(client.get_suppressed_destination,
                 EmailAddress="user@example.com") == missing(
        "user@example.com")
    assert error(client.delete_suppressed_destination,
                 EmailAddress="user@example.com") == missing(
        "user@example.com")


def test_put_again_replaces_reason_and_time(server, sesv2):
    client = sesv2()
    set_clock(server, T0_MS)
    client.put_suppressed_destination(EmailAddress="a@example.com",
                                      Reason="BOUNCE")
    set_clock(server, T0_MS + 1500)
    client.put_suppressed_destination(EmailAddress="a@example.com",
                                      Reason="COMPLAINT")
    assert body(client.get_suppressed_destination(
        EmailAddress="a@example.com")) == {"SuppressedDestination": {
            "EmailAddress": "a@example.com", "Reason": "COMPLAINT",
            "LastUpdateTime": at(T0_MS + 1500)}}
    assert summaries(client) == [("a@example.com", "COMPLAINT")]


def test_domain_case_folds_local_part_does_not(sesv2):
    client = sesv2()
    client.put_suppressed_destination(EmailAddress="Foo@Example.COM",
                                      Reason="BOUNCE")
    for spelling in ("Foo@example.com", "Foo@EXAMPLE.com",
                     " Foo@Example.COM "):
        got = client.get_suppressed_destination(EmailAddress=spelling)
        assert got["SuppressedDestination"]["EmailAddress"] == (
            "Foo@example.com")
    assert error(client.get_suppressed_destination,
                 EmailAddress="foo@example.com") == missing("foo@example.com")
    client.put_suppressed_destination(EmailAddress="foo@EXAMPLE.com",
                                      Reason="COMPLAINT")
    assert summaries(client) == [("Foo@example.com", "BOUNCE"),
                                 ("foo@example.com", "COMPLAINT")]
    client.delete_suppressed_destination(EmailAddress="Foo@EXAMPLE.com")
    assert summaries(client) == [("foo@example.com", "COMPLAINT")]


def test_odd_but_valid_addresses(sesv2):
    client = sesv2()
    for address in ("a+tag@example.com", "we/ird=x@example.com",
                    "o'brien@sub.example.co.uk",
                    "bounce@simulator.amazonses.com"):
        client.put_suppressed_destination(EmailAddress=address,
                                          Reason="COMPLAINT")
        got = client.get_suppressed_destination(EmailAddress=address)
        assert got["SuppressedDestination"]["EmailAddress"] == address
        client.delete_suppressed_destination(EmailAddress=address)
    assert summaries(client) == []


@pytest.mark.parametrize("address", [
    "not-an-address", "@example.com", "user@", "two words@example.com",
    "a..b@example.com", "user@exa_mple.com", "Name <user@example.com>",
])
def test_invalid_address(sesv2, address):
    client = sesv2()
    assert error(client.put_suppressed_destination, EmailAddress=address,
                 Reason="BOUNCE") == invalid(address)
    assert error(client.get_suppressed_destination,
                 EmailAddress=address) == invalid(address)
    assert error(client.delete_suppressed_destination,
                 EmailAddress=address) == invalid(address)
    assert summaries(client) == []


def test_model_validation(sesv2):
    client = sesv2(validate=False)
    assert error(client.put_suppressed_destination,
                 EmailAddress="a@example.com", Reason="SPAM") == (
        400, "BadRequestException",
        "1 validation error detected: Value 'SPAM' at 'reason' failed to "
        "satisfy constraint: Member must satisfy enum value set: "
        "[BOUNCE, COMPLAINT]")
    assert error(client.put_suppressed_destination,
                 EmailAddress="a@example.com") == (
        400, "BadRequestException",
        "1 validation error detected: Value null at 'reason' failed to "
        "satisfy constraint: Member must not be null")
    assert error(client.list_suppressed_destinations,
                 Reasons=["BOUNCE", "bounce"])[:2] == (
        400, "BadRequestException")
    assert error(client.put_account_suppression_attributes,
                 SuppressedReasons=["HARD"])[:2] == (
        400, "BadRequestException")
    assert summaries(sesv2()) == []


def test_sandbox_account_can_add(start_server, sesv2):
    # AWS: production access is needed for bulk imports only.
    srv = start_server("--sandbox")
    client = sesv2(srv=srv)
    assert client.get_account()["ProductionAccessEnabled"] is False
    client.put_suppressed_destination(EmailAddress="a@example.com",
                                      Reason="BOUNCE")
    assert summaries(client) == [("a@example.com", "BOUNCE")]


# ---- list: filters, paging, tokens -----------------------------------------

def fill(server, client):
    """Five entries, one second apart from T0: a..e, reasons alternating."""
    entries = [("a@example.com", "BOUNCE"), ("b@example.com", "COMPLAINT"),
               ("c@example.com", "BOUNCE"), ("d@example.com", "COMPLAINT"),
               ("e@example.com", "BOUNCE")]
    # Put out of order: the list is in address order whatever the time.
    for i in (3, 0, 4, 1, 2):
        set_clock(server, T0_MS + 1000 * i)
        client.put_suppressed_destination(EmailAddress=entries[i][0],
                                          Reason=entries[i][1])
    return entries


def test_list_summaries(server, sesv2):
    client = sesv2()
    assert body(client.list_suppressed_destinations()) == {
        "SuppressedDestinationSummaries": []}
    entries = fill(server, client)
    resp = client.list_suppressed_destinations()
    assert "NextToken" not in resp
    assert resp["SuppressedDestinationSummaries"] == [
        {"EmailAddress": a, "Reason": r,
         "LastUpdateTime": at(T0_MS + 1000 * i)}
        for i, (a, r) in enumerate(entries)]


def test_list_reason_filter(server, sesv2):
    client = sesv2()
    entries = fill(server, client)
    bounces = [e for e in entries if e[1] == "BOUNCE"]
    complaints = [e for e in entries if e[1] == "COMPLAINT"]
    assert summaries(client, Reasons=["BOUNCE"]) == bounces
    assert summaries(client, Reasons=["COMPLAINT"]) == complaints
    assert summaries(client, Reasons=["COMPLAINT", "BOUNCE"]) == entries
    assert summaries(client, Reasons=[]) == entries


def test_list_date_filters(server, sesv2):
    client = sesv2()
    entries = fill(server, client)
    # Both edges include their instant.
    assert summaries(client, StartDate=at(T0_MS + 2000)) == entries[2:]
    assert summaries(client, EndDate=at(T0_MS + 2000)) == entries[:3]
    assert summaries(client, StartDate=at(T0_MS + 1000),
                     EndDate=at(T0_MS + 3000)) == entries[1:4]
    assert summaries(client, StartDate=at(T0_MS + 1000),
                     EndDate=at(T0_MS + 3000),
                     Reasons=["BOUNCE"]) == [entries[2]]
    assert summaries(client, StartDate=at(T0_MS + 5000)) == []
    assert summaries(client, StartDate=at(T0_MS + 3000),
                     EndDate=at(T0_MS + 1000)) == []


def test_list_paging(server, sesv2):
    client = sesv2()
    entries = fill(server, client)
    seen, token, pages = [], None, 0
    while True:
        kw = {"PageSize": 2}
        if token:
            kw["NextToken"] = token
        resp = client.list_suppressed_destinations(**kw)
        pages += 1
        page = resp["SuppressedDestinationSummaries"]
        assert len(page) == (2 if pages < 3 else 1)
        seen += [(s["EmailAddress"], s["Reason"]) for s in page]
        token = resp.get("NextToken")
        if not token:
            break
    assert (seen, pages) == (entries, 3)
    # A page that ends exactly at the end has no token.
    resp = client.list_suppressed_destinations(PageSize=5)
    assert len(resp["SuppressedDestinationSummaries"]) == 5
    assert "NextToken" not in resp
    resp = client.list_suppressed_destinations(PageSize=1000)
    assert len(resp["SuppressedDestinationSummaries"]) == 5


def test_list_paging_with_filter(server, sesv2):
    client = sesv2()
    entries = fill(server, client)
    first = client.list_suppressed_destinations(Reasons=["BOUNCE"],
                                                PageSize=2)
    assert [s["EmailAddress"] for s in first[
        "SuppressedDestinationSummaries"]] == ["a@example.com",
                                               "c@example.com"]
    token = first["NextToken"]
    rest = client.list_suppressed_destinations(Reasons=["BOUNCE"],
                                               NextToken=token)
    assert summaries(client, Reasons=["BOUNCE"], NextToken=token) == [
        entries[4]]
    assert "NextToken" not in rest
    # The token belongs to its Reason filter.
    assert error(client.list_suppressed_destinations,
                 NextToken=token) == INVALID_TOKEN
    assert error(client.list_suppressed_destinations, NextToken=token,
                 Reasons=["COMPLAINT"]) == INVALID_TOKEN
    assert error(client.list_suppressed_destinations, NextToken=token,
                 Reasons=["BOUNCE", "COMPLAINT"]) == INVALID_TOKEN


def test_list_page_continues_after_deleted_entry(server, sesv2):
    client = sesv2()
    entries = fill(server, client)
    first = client.list_suppressed_destinations(PageSize=2)
    client.delete_suppressed_destination(EmailAddress="b@example.com")
    client.put_suppressed_destination(EmailAddress="a@example.com",
                                      Reason="COMPLAINT")
    assert summaries(client, NextToken=first["NextToken"]) == entries[2:]


@pytest.mark.parametrize("size", [0, -1, 1001, 2 ** 31 - 1])
def test_list_page_size_out_of_range(sesv2, size):
    client = sesv2(validate=False)
    assert error(client.list_suppressed_destinations, PageSize=size) == (
        400, "BadRequestException", "Page size %d is invalid, expected a "
        "number between 1 and 1000" % size)


@pytest.mark.parametrize("token", ["", "not-a-token", "YWJj", "Lw==",
                                   "MC8=", "NC9hQGV4YW1wbGUuY29t"])
def test_list_invalid_token(sesv2, token):
    client = sesv2(validate=False)
    assert error(client.list_suppressed_destinations,
                 NextToken=token) == INVALID_TOKEN


def test_list_page_size_is_checked_before_token(sesv2):
    client = sesv2(validate=False)
    assert error(client.list_suppressed_destinations, PageSize=0,
                 NextToken="x")[2].startswith("Page size 0 is invalid")


# ---- account settings -------------------------------------------------------

def test_get_account_defaults_to_both_reasons(sesv2):
    assert sesv2().get_account()["SuppressionAttributes"] == {
        "SuppressedReasons": ["BOUNCE", "COMPLAINT"]}


@pytest.mark.parametrize("reasons, expected", [
    (["BOUNCE"], ["BOUNCE"]),
    (["COMPLAINT"], ["COMPLAINT"]),
    (["COMPLAINT", "BOUNCE"], ["BOUNCE", "COMPLAINT"]),
    (["BOUNCE", "BOUNCE"], ["BOUNCE"]),
    ([], []),
])
def test_put_account_suppression_attributes(sesv2, reasons, expected):
    client = sesv2()
    resp = client.put_account_suppression_attributes(
        SuppressedReasons=reasons)
    assert body(resp) == {}
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert client.get_account()["SuppressionAttributes"] == {
        "SuppressedReasons": expected}


def test_put_account_suppression_attributes_round_trip(sesv2):
    client = sesv2()
    client.put_account_suppression_attributes(SuppressedReasons=[])
    assert client.get_account()["SuppressionAttributes"] == {
        "SuppressedReasons": []}
    # Without the member the list is empty too: the request replaces all.
    client.put_account_suppression_attributes(
        SuppressedReasons=["COMPLAINT"])
    client.put_account_suppression_attributes()
    assert client.get_account()["SuppressionAttributes"] == {
        "SuppressedReasons": []}
    client.put_account_suppression_attributes(
        SuppressedReasons=["BOUNCE", "COMPLAINT"])
    assert client.get_account()["SuppressionAttributes"] == {
        "SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    # Turning the list off keeps what is on it; only sends change.
    client.put_suppressed_destination(EmailAddress="kept@example.com",
                                      Reason="BOUNCE")
    client.put_account_suppression_attributes(SuppressedReasons=[])
    assert summaries(client) == [("kept@example.com", "BOUNCE")]
    # The rest of GetAccount is untouched.
    account = client.get_account()
    assert account["SendingEnabled"] is True
    assert account["ProductionAccessEnabled"] is True


def test_validation_attributes_read_back(sesv2):
    client = sesv2()
    validation = {"ConditionThreshold": {
        "ConditionThresholdEnabled": "ENABLED",
        "OverallConfidenceThreshold": {"ConfidenceVerdictThreshold":
                                       "HIGH"}}}
    client.put_account_suppression_attributes(
        SuppressedReasons=["BOUNCE"], ValidationAttributes=validation)
    assert client.get_account()["SuppressionAttributes"] == {
        "SuppressedReasons": ["BOUNCE"], "ValidationAttributes": validation}
    client.put_account_suppression_attributes(SuppressedReasons=["BOUNCE"])
    assert client.get_account()["SuppressionAttributes"] == {
        "SuppressedReasons": ["BOUNCE"]}


def test_reset_restores_defaults(server, sesv2):
    client = sesv2()
    client.put_account_suppression_attributes(SuppressedReasons=[])
    client.put_suppressed_destination(EmailAddress="a@example.com",
                                      Reason="BOUNCE")
    server.reset()
    assert client.get_account()["SuppressionAttributes"] == {
        "SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    assert summaries(client) == []


# ---- configuration sets -----------------------------------------------------

def test_configuration_set_suppression_options_read_back(sesv2):
    client = sesv2()
    client.create_configuration_set(
        ConfigurationSetName="with-options",
        SuppressionOptions={"SuppressedReasons": ["COMPLAINT"]})
    client.create_configuration_set(ConfigurationSetName="without")
    assert client.get_configuration_set(
        ConfigurationSetName="with-options")["SuppressionOptions"] == {
        "SuppressedReasons": ["COMPLAINT"]}
    assert "SuppressionOptions" not in client.get_configuration_set(
        ConfigurationSetName="without")
    client.put_configuration_set_suppression_options(
        ConfigurationSetName="without", SuppressedReasons=["BOUNCE"])
    assert client.get_configuration_set(
        ConfigurationSetName="without")["SuppressionOptions"] == {
        "SuppressedReasons": ["BOUNCE"]}
    client.put_configuration_set_suppression_options(
        ConfigurationSetName="with-options", SuppressedReasons=[])
    assert client.get_configuration_set(
        ConfigurationSetName="with-options")["SuppressionOptions"] == {
        "SuppressedReasons": []}
    # A set's options do not touch the account's.
    assert client.get_account()["SuppressionAttributes"] == {
        "SuppressedReasons": ["BOUNCE", "COMPLAINT"]}


# ---- accounts and regions ---------------------------------------------------

def test_accounts_and_regions_are_isolated(start_server, sesv2):
    srv = start_server("--credentials", CREDENTIALS)
    a_east = sesv2(srv=srv, key=KEY_A, secret=SECRET_A)
    a_west = sesv2(srv=srv, key=KEY_A, secret=SECRET_A, region="eu-west-1")
    b_east = sesv2(srv=srv, key=KEY_B, secret=SECRET_B)

    resp = a_east.put_suppressed_destination(EmailAddress="a@example.com",
                                             Reason="BOUNCE")
    line = srv.access_line(resp["ResponseMetadata"]["RequestId"])
    assert (line["account"], line["region"], line["op"]) == (
        ACCOUNT_A, "us-east-1", "PutSuppressedDestination")
    a_east.put_account_suppression_attributes(SuppressedReasons=["BOUNCE"])
    b_east.put_suppressed_destination(EmailAddress="b@example.com",
                                      Reason="COMPLAINT")

    assert summaries(a_east) == [("a@example.com", "BOUNCE")]
    assert summaries(b_east) == [("b@example.com", "COMPLAINT")]
    assert summaries(a_west) == []
    for other in (a_west, b_east):
        assert error(other.get_suppressed_destination,
                     EmailAddress="a@example.com") == missing(
            "a@example.com")
        assert error(other.delete_suppressed_destination,
                     EmailAddress="a@example.com") == missing(
            "a@example.com")
        assert other.get_account()["SuppressionAttributes"] == {
            "SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    assert a_east.get_account()["SuppressionAttributes"] == {
        "SuppressedReasons": ["BOUNCE"]}
    # A token belongs to its account and region.
    a_east.put_suppressed_destination(EmailAddress="c@example.com",
                                      Reason="BOUNCE")
    token = a_east.list_suppressed_destinations(PageSize=1)["NextToken"]
    assert summaries(a_east, NextToken=token) == [("c@example.com",
                                                   "BOUNCE")]
    for other in (a_west, b_east):
        assert error(other.list_suppressed_destinations,
                     NextToken=token) == INVALID_TOKEN


# ---- the AWS CLI ------------------------------------------------------------

def cli_json(srv, *args):
    out = aws_cli(srv, *args).stdout
    return json.loads(out) if out.strip() else None


def test_cli_round_trip(server):
    set_clock(server, T0_MS)
    assert cli_json(server, "sesv2", "put-suppressed-destination",
                    "--email-address", "cli@Example.com",
                    "--reason", "COMPLAINT") is None
    assert cli_json(server, "sesv2", "get-suppressed-destination",
                    "--email-address", "cli@example.com") == {
        "SuppressedDestination": {
            "EmailAddress": "cli@example.com", "Reason": "COMPLAINT",
            "LastUpdateTime": "2027-01-15T08:00:00+00:00"}}
    out = cli_json(server, "sesv2", "list-suppressed-destinations",
                   "--reasons", "COMPLAINT")
    assert [s["EmailAddress"] for s in out[
        "SuppressedDestinationSummaries"]] == ["cli@example.com"]
    assert cli_json(server, "sesv2", "list-suppressed-destinations",
                    "--reasons", "BOUNCE") == {
        "SuppressedDestinationSummaries": []}
    assert cli_json(server, "sesv2", "put-account-suppression-attributes",
                    "--suppressed-reasons", "[]") is None
    assert cli_json(server, "sesv2", "get-account")[
        "SuppressionAttributes"] == {"SuppressedReasons": []}
    assert cli_json(server, "sesv2", "put-account-suppression-attributes",
                    "--suppressed-reasons", "BOUNCE", "COMPLAINT") is None
    assert cli_json(server, "sesv2", "get-account")[
        "SuppressionAttributes"] == {"SuppressedReasons": ["BOUNCE",
                                                           "COMPLAINT"]}
    assert cli_json(server, "sesv2", "delete-suppressed-destination",
                    "--email-address", "cli@example.com") is None
    proc = aws_cli(server, "sesv2", "get-suppressed-destination",
                   "--email-address", "cli@example.com", check=False)
    assert proc.returncode == 254, proc
    assert ("An error occurred (NotFoundException) when calling the "
            "GetSuppressedDestination operation") in proc.stderr
    assert proc.stderr.rstrip().endswith(
        ": Email address cli@example.com does not exist on your "
        "suppression list."), proc.stderr


def test_cli_paginates(server):
    for i in range(5):
        aws_cli(server, "sesv2", "put-suppressed-destination",
                "--email-address", "p%d@example.com" % i, "--reason",
                "BOUNCE")
    out = cli_json(server, "sesv2", "list-suppressed-destinations",
                   "--page-size", "2")
    assert len(out["SuppressedDestinationSummaries"]) == 2
    token = out["NextToken"]
    out = cli_json(server, "sesv2", "list-suppressed-destinations",
                   "--page-size", "2", "--next-token", token)
    assert [s["EmailAddress"] for s in out[
        "SuppressedDestinationSummaries"]] == ["p2@example.com",
                                               "p3@example.com"]
    proc = aws_cli(server, "sesv2", "list-suppressed-destinations",
                   "--next-token", "bogus", check=False)
    assert proc.returncode == 254, proc
    assert ("An error occurred (InvalidNextTokenException) when calling "
            "the ListSuppressedDestinations operation") in proc.stderr
    assert proc.stderr.rstrip().endswith(": Token is invalid."), proc.stderr
