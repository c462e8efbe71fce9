"""Identity operations, v1 and v2, in the default `auto` verification mode
(identities verify at once), through boto3 and the AWS CLI.

Layout: helpers and tables first, then v1 verification, listing, deletion,
the v1 attribute getters and setters, identities by ARN, v2, v1 <-> v2,
accounts and regions, persistence, and the AWS CLI.
"""
import datetime
import functools
import json
import math
import re
import subprocess

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import DEFAULT_ACCOUNT, DEFAULT_REGION, aws_cli

# AWS: a domain verification token is 44-char base64 of 32 bytes; an Easy
# DKIM token is 32 chars of lowercase base32 (SES-REFERENCE §3.3).
VERIFICATION_TOKEN = re.compile(r"^[A-Za-z0-9+/]{43}=$")
DKIM_TOKEN = re.compile(r"^[a-z2-7]{32}$")

TOPIC = "arn:aws:sns:us-east-1:000000000000:"
BOUNCE_TOPIC, COMPLAINT_TOPIC, DELIVERY_TOPIC = (
    TOPIC + "bounces", TOPIC + "complaints", TOPIC + "deliveries")
TOPIC_KEYS = {"Bounce": "BounceTopic", "Complaint": "ComplaintTopic",
              "Delivery": "DeliveryTopic"}
HEADER_KEYS = {t: "HeadersIn%sNotificationsEnabled" % t
               for t in ("Bounce", "Complaint", "Delivery")}
DEFAULT_NOTIFICATIONS = {"ForwardingEnabled": True,
                         **{k: False for k in HEADER_KEYS.values()}}
DEFAULT_MAIL_FROM = {"BehaviorOnMXFailure": "UseDefaultValue"}
EMAIL_DKIM_V1 = {"DkimEnabled": False, "DkimVerificationStatus": "NotStarted"}
EMAIL_DKIM_V2 = {"SigningEnabled": False, "Status": "NOT_STARTED"}

# Two access keys mapped to two accounts (as in test_account.py).
KEY_A, SECRET_A, ACCOUNT_A = "AKIDIDENTA", "secretA", "111111111111"
KEY_B, SECRET_B, ACCOUNT_B = "AKIDIDENTB", "secretB", "222222222222"
CREDENTIALS = "%s:%s:%s,%s:%s:%s" % (KEY_A, SECRET_A, ACCOUNT_A,
                                     KEY_B, SECRET_B, ACCOUNT_B)


def body(resp):
    """A boto3 response without ResponseMetadata (checked to be a 200)."""
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def error(call, **kwargs):
    """Calls a boto3 operation that must fail; returns (HTTP status, code,
    message). v1 errors are also checked to be Sender faults."""
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    resp = exc.value.response
    if "Type" in resp["Error"]:
        assert resp["Error"]["Type"] == "Sender", resp
    return (resp["ResponseMetadata"]["HTTPStatusCode"], resp["Error"]["Code"],
            resp["Error"]["Message"])


def arn(name, region=DEFAULT_REGION, account=DEFAULT_ACCOUNT):
    return "arn:aws:ses:%s:%s:identity/%s" % (region, account, name)


def not_verified(name):
    """AWS: the v1 answer for an identity that does not exist (LS-SES,
    SetIdentityHeadersInNotificationsEnabled)."""
    return 400, "MessageRejected", (
        "Identity %s is not verified or does not exist." % name)


def not_subdomain(mail_from, identity):
    return ("Provided MAIL-FROM domain '%s' is not subdomain of the domain "
            "of the identity '%s'." % (mail_from, identity))


def identities(client, **kwargs):
    return body(client.list_identities(**kwargs))["Identities"]


def attrs(client, op, *names):
    """One v1 Get*Attributes map: op is Verification, Dkim, MailFromDomain
    or Notification."""
    snake = {"Verification": "verification", "Dkim": "dkim",
             "MailFromDomain": "mail_from_domain",
             "Notification": "notification"}[op]
    resp = getattr(client, "get_identity_%s_attributes" % snake)(
        Identities=list(names))
    return body(resp)["%sAttributes" % op]


def one_attrs(client, op, name):
    got = attrs(client, op, name)
    assert list(got) == [name], got
    return got[name]


def email_identity(client, name):
    return body(client.get_email_identity(EmailIdentity=name))


def pages(call, size_key, size, token_key="NextToken", **kwargs):
    """Follows NextToken through every page; returns the list of pages."""
    out, token = [], None
    while True:
        args = dict(kwargs, **{size_key: size})
        if token is not None:
            args[token_key] = token
        page = body(call(**args))
        out.append(page)
        token = page.get("NextToken")
        if token is None:
            return out
        assert len(out) < 100, out


def set_feedback_topics(client, name, *types):
    for t in types:
        client.set_identity_notification_topic(
            Identity=name, NotificationType=t,
            SnsTopic={"Bounce": BOUNCE_TOPIC, "Complaint": COMPLAINT_TOPIC,
                      "Delivery": DELIVERY_TOPIC}[t])


# -- DKIM keys made with the openssl command line ----------------------------

@pytest.fixture(scope="session")
def dkim_key(tmp_path_factory):
    """dkim_key(kind, bits) -> a private key as SES takes it: the base64 of
    the DER without armour or line breaks. kind is "pkcs8" (what openssl 3
    genrsa writes, the form the SES guide has you strip), "pkcs1" or
    "ec"."""
    where = tmp_path_factory.mktemp("dkim")

    @functools.lru_cache(maxsize=None)
    def make(kind, bits=2048):
        path = where / ("%s-%d.pem" % (kind, bits))
        if kind == "ec":
            argv = ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-out", str(path)]
        else:
            argv = ["openssl", "genrsa", "-out", str(path)]
            if kind == "pkcs1":
                argv.insert(2, "-traditional")
            argv.append(str(bits))
        subprocess.run(argv, check=True, capture_output=True, timeout=120)
        lines = path.read_text().splitlines()
        assert lines[0].startswith("-----BEGIN "), lines[0]
        return "".join(line for line in lines
                       if not line.startswith("-----"))
    return make


def byodkim(selector, key):
    return {"DomainSigningSelector": selector, "DomainSigningPrivateKey": key}


# == v1: verifying ============================================================

@pytest.mark.parametrize("op", ["verify_email_identity",
                                "verify_email_address"])
def test_verify_email_creates_verified_address(ses, op):
    client = ses()
    resp = getattr(client, op)(EmailAddress="sender@example.com")
    assert body(resp) == {}
    assert identities(client) == ["sender@example.com"]
    assert identities(client, IdentityType="EmailAddress") == [
        "sender@example.com"]
    assert identities(client, IdentityType="Domain") == []
    # AWS: an address has no VerificationToken (SES-REFERENCE §1.7).
    assert attrs(client, "Verification", "sender@example.com") == {
        "sender@example.com": {"VerificationStatus": "Success"}}
    assert body(client.list_verified_email_addresses()) == {
        "VerifiedEmailAddresses": ["sender@example.com"]}


@pytest.mark.parametrize("address", [
    "user+tag@example.com", "first.last@example.com",
    "o'brien&co=x%y@example.com", "a@sub.domain.example.com",
    "UPPER@EXAMPLE.COM", "x_y-z@example-mail.co.uk",
])
def test_verify_email_accepts_valid_addresses(ses, sesv2, address):
    client = ses()
    client.verify_email_identity(EmailAddress=address)
    assert identities(client) == [address]
    assert one_attrs(client, "Verification", address) == {
        "VerificationStatus": "Success"}
    # The v2 path parameter carries the same name (URL-encoded).
    assert email_identity(sesv2(), address)["IdentityType"] == \
        "EMAIL_ADDRESS"


MALFORMED_ADDRESSES = [
    ("noatsign.example.com", "missing-at"),
    ("@example.com", "empty-local-part"),
    ("a..b@example.com", "local-dot-dot"),
    (".a@example.com", "local-leading-dot"),
    ("a.@example.com", "local-trailing-dot"),
    ("a b@example.com", "local-space"),
    ("a\tb@example.com", "local-tab"),
    ("a(b)@example.com", "local-parens"),
    ("a<b@example.com", "local-angle"),
    ("a,b@example.com", "local-comma"),
    ("a;b@example.com", "local-semicolon"),
    ("a@b@example.com", "two-ats"),
    ("a@", "missing-domain"),
    ("a@exa mple.com", "domain-space"),
    ("a@exa_mple.com", "domain-underscore"),
    ("a@example..com", "domain-dot-dot"),
    ("a@.example.com", "domain-leading-dot"),
    ("a@example.com.", "domain-trailing-dot"),
    ("a@[192.0.2.1]", "domain-literal"),
]


@pytest.mark.parametrize("op", ["verify_email_identity",
                                "verify_email_address"])
@pytest.mark.parametrize("address", [a for a, _ in MALFORMED_ADDRESSES],
                         ids=[i for _, i in MALFORMED_ADDRESSES])
def test_verify_email_rejects_malformed_address(ses, op, address):
    client = ses()
    # AWS: "Invalid email address<ADDR>." with no space (GH Optum/dce#143).
    assert error(getattr(client, op), EmailAddress=address) == (
        400, "InvalidParameterValue", "Invalid email address<%s>." % address)
    assert identities(client) == []


def test_verify_email_again_keeps_identity_and_settings(ses):
    client = ses()
    client.verify_email_identity(EmailAddress="a@example.com")
    client.set_identity_notification_topic(
        Identity="a@example.com", NotificationType="Bounce",
        SnsTopic=BOUNCE_TOPIC)
    client.verify_email_identity(EmailAddress="a@example.com")
    client.verify_email_address(EmailAddress="a@example.com")
    assert identities(client) == ["a@example.com"]
    assert one_attrs(client, "Notification", "a@example.com")[
        "BounceTopic"] == BOUNCE_TOPIC


def test_verify_domain_identity_token(ses):
    client = ses()
    token = body(client.verify_domain_identity(Domain="example.com"))[
        "VerificationToken"]
    assert VERIFICATION_TOKEN.match(token), token
    # AWS: verifying a domain again answers the same token.
    for _ in range(2):
        assert body(client.verify_domain_identity(Domain="example.com")) == {
            "VerificationToken": token}
    assert identities(client) == ["example.com"]
    assert identities(client, IdentityType="Domain") == ["example.com"]
    assert identities(client, IdentityType="EmailAddress") == []
    assert attrs(client, "Verification", "example.com") == {
        "example.com": {"VerificationStatus": "Success",
                        "VerificationToken": token}}
    # A domain is not a verified email address.
    assert body(client.list_verified_email_addresses()) == {
        "VerifiedEmailAddresses": []}


def test_verify_domain_identity_tokens_differ_per_domain(ses):
    client = ses()
    tokens = {client.verify_domain_identity(Domain=d)["VerificationToken"]
              for d in ("a.example.com", "b.example.com", "example.org")}
    assert len(tokens) == 3


def test_domain_names_are_case_insensitive(ses):
    # AWS: domain verification is case-insensitive (SES developer guide,
    # "Verifying email addresses": only addresses are case-sensitive).
    client = ses()
    token = client.verify_domain_identity(Domain="Example.COM")[
        "VerificationToken"]
    assert client.verify_domain_identity(Domain="example.com")[
        "VerificationToken"] == token
    assert identities(client) == ["example.com"]


def test_email_addresses_are_case_sensitive(ses, sesv2):
    # AWS: "The entire email address is case-sensitive" (SES developer
    # guide, "Verifying email addresses").
    client = ses()
    client.verify_email_identity(EmailAddress="User@example.com")
    client.verify_email_identity(EmailAddress="user@example.com")
    assert identities(client) == ["User@example.com", "user@example.com"]
    with pytest.raises(ClientError) as exc:
        sesv2().get_email_identity(EmailIdentity="USER@example.com")
    assert exc.value.response["Error"]["Code"] == "NotFoundException"


MALFORMED_DOMAINS = [
    ("exa_mple.com", "underscore"),
    ("exa mple.com", "space"),
    ("a@example.com", "address"),
    ("example..com", "dot-dot"),
    (".example.com", "leading-dot"),
    ("example.com.", "trailing-dot"),
    ("x" * 64 + ".com", "label-over-63"),
]


@pytest.mark.parametrize("op", ["verify_domain_identity",
                                "verify_domain_dkim"])
@pytest.mark.parametrize("domain", [d for d, _ in MALFORMED_DOMAINS],
                         ids=[i for _, i in MALFORMED_DOMAINS])
def test_verify_domain_rejects_malformed_domain(ses, op, domain):
    client = ses()
    status, code, message = error(getattr(client, op), Domain=domain)
    # EMU: SES's text for a bad domain is not captured; the code is.
    assert (status, code) == (400, "InvalidParameterValue")
    assert message.startswith("Invalid domain name %s: " % domain), message
    assert identities(client) == []


def test_verify_domain_dkim_tokens(ses):
    client = ses()
    tokens = body(client.verify_domain_dkim(Domain="example.com"))[
        "DkimTokens"]
    assert len(tokens) == 3 and len(set(tokens)) == 3, tokens
    for token in tokens:
        assert DKIM_TOKEN.match(token), token
    # Stable on repeat.
    assert body(client.verify_domain_dkim(Domain="example.com")) == {
        "DkimTokens": tokens}
    # AWS: VerifyDomainDkim adds the domain identity when it is new.
    assert identities(client, IdentityType="Domain") == ["example.com"]
    verification = one_attrs(client, "Verification", "example.com")
    assert verification["VerificationStatus"] == "Success"
    assert VERIFICATION_TOKEN.match(verification["VerificationToken"])
    assert one_attrs(client, "Dkim", "example.com") == {
        "DkimEnabled": True, "DkimVerificationStatus": "Success",
        "DkimTokens": tokens}


def test_verify_domain_dkim_keeps_verification_token(ses):
    client = ses()
    token = client.verify_domain_identity(Domain="example.com")[
        "VerificationToken"]
    assert one_attrs(client, "Dkim", "example.com") == {
        "DkimEnabled": False, "DkimVerificationStatus": "NotStarted"}
    client.verify_domain_dkim(Domain="example.com")
    assert client.verify_domain_identity(Domain="example.com")[
        "VerificationToken"] == token
    assert identities(client) == ["example.com"]


# == v1: listing ==============================================================

EMAILS = ["a@example.com", "b@example.com", "c@example.org"]
DOMAINS = ["example.com", "example.net"]


@pytest.fixture
def five_identities(ses):
    client = ses()
    for address in EMAILS:
        client.verify_email_identity(EmailAddress=address)
    for domain in DOMAINS:
        client.verify_domain_identity(Domain=domain)
    return client


@pytest.mark.parametrize("kwargs, expected", [
    ({}, EMAILS + DOMAINS),
    ({"IdentityType": "EmailAddress"}, EMAILS),
    ({"IdentityType": "Domain"}, DOMAINS),
], ids=["all", "email", "domain"])
def test_list_identities_type_filter(five_identities, kwargs, expected):
    assert sorted(identities(five_identities, **kwargs)) == sorted(expected)


@pytest.mark.parametrize("kwargs, expected", [
    ({}, EMAILS + DOMAINS),
    ({"IdentityType": "EmailAddress"}, EMAILS),
    ({"IdentityType": "Domain"}, DOMAINS),
], ids=["all", "email", "domain"])
@pytest.mark.parametrize("size", [1, 2, 3, 5, 6])
def test_list_identities_paging(five_identities, kwargs, expected, size):
    got = pages(five_identities.list_identities, "MaxItems", size, **kwargs)
    assert len(got) == max(1, math.ceil(len(expected) / size)), got
    names = []
    for page in got:
        assert 1 <= len(page["Identities"]) <= size, page
        names += page["Identities"]
    # Every identity exactly once, and no NextToken on the last page.
    assert sorted(names) == sorted(expected)
    assert len(names) == len(set(names))
    assert "NextToken" not in got[-1]
    for page in got[:-1]:
        assert isinstance(page["NextToken"], str) and page["NextToken"]


def test_list_identities_boto3_paginator(five_identities):
    paginator = five_identities.get_paginator("list_identities")
    got = [page["Identities"] for page in
           paginator.paginate(PaginationConfig={"PageSize": 2})]
    assert [len(p) for p in got] == [2, 2, 1]
    assert sorted(sum(got, [])) == sorted(EMAILS + DOMAINS)


@pytest.mark.parametrize("token", ["!!!", "abc", "not base64 at all"])
def test_list_identities_invalid_next_token(five_identities, token):
    status, code, message = error(five_identities.list_identities,
                                  NextToken=token)
    assert (status, code) == (400, "InvalidParameterValue")
    assert token in message


def test_list_verified_email_addresses_excludes_domains(five_identities):
    got = body(five_identities.list_verified_email_addresses())
    assert sorted(got["VerifiedEmailAddresses"]) == sorted(EMAILS)


# == v1: deleting =============================================================

@pytest.mark.parametrize("name", ["a@example.com", "example.com"])
@pytest.mark.parametrize("by_arn", [False, True], ids=["name", "arn"])
def test_delete_identity(five_identities, name, by_arn):
    client = five_identities
    resp = client.delete_identity(Identity=arn(name) if by_arn else name)
    assert body(resp) == {}
    left = sorted(set(EMAILS + DOMAINS) - {name})
    assert sorted(identities(client)) == left
    for op in ("Verification", "Dkim", "MailFromDomain", "Notification"):
        assert attrs(client, op, name) == {}


@pytest.mark.parametrize("name", ["nobody@example.com", "nowhere.example",
                                  arn("nobody@example.com")])
def test_delete_identity_missing_succeeds(five_identities, name):
    # AWS: v1 DeleteIdentity is idempotent (only v2 answers NotFound).
    assert body(five_identities.delete_identity(Identity=name)) == {}
    assert len(identities(five_identities)) == 5


def test_delete_identity_then_verify_again_starts_fresh(ses):
    client = ses()
    old = client.verify_domain_identity(Domain="example.com")[
        "VerificationToken"]
    client.verify_domain_dkim(Domain="example.com")
    client.delete_identity(Identity="example.com")
    new = client.verify_domain_identity(Domain="example.com")[
        "VerificationToken"]
    assert new != old
    assert one_attrs(client, "Dkim", "example.com") == {
        "DkimEnabled": False, "DkimVerificationStatus": "NotStarted"}


def test_delete_verified_email_address(five_identities):
    client = five_identities
    resp = client.delete_verified_email_address(EmailAddress="b@example.com")
    assert body(resp) == {}
    assert sorted(client.list_verified_email_addresses()[
        "VerifiedEmailAddresses"]) == ["a@example.com", "c@example.org"]
    assert "b@example.com" not in identities(client)
    # Deleting it again is harmless.
    assert body(client.delete_verified_email_address(
        EmailAddress="b@example.com")) == {}


# == v1: attribute getters ====================================================

@pytest.mark.parametrize("op", ["Verification", "Dkim", "MailFromDomain",
                                "Notification"])
def test_get_attributes_omit_unknown_identities(five_identities, op):
    # AWS: unknown identities are left out of the map (SES-REFERENCE §1.7).
    got = attrs(five_identities, op, "a@example.com", "nobody@example.com",
                "example.com", "nowhere.example")
    assert sorted(got) == ["a@example.com", "example.com"]
    assert attrs(five_identities, op, "nobody@example.com") == {}
    assert attrs(five_identities, op) == {}


def test_get_verification_attributes_token_only_for_domains(five_identities):
    got = attrs(five_identities, "Verification", *EMAILS, *DOMAINS)
    for name in EMAILS:
        assert got[name] == {"VerificationStatus": "Success"}
    for name in DOMAINS:
        assert got[name]["VerificationStatus"] == "Success"
        assert VERIFICATION_TOKEN.match(got[name]["VerificationToken"])


def test_get_dkim_attributes_defaults(five_identities):
    got = attrs(five_identities, "Dkim", "a@example.com", "example.com")
    # AWS: email {DkimEnabled: false, NotStarted} (BC-SES-EX).
    assert got == {"a@example.com": EMAIL_DKIM_V1,
                   "example.com": EMAIL_DKIM_V1}


def test_get_mail_from_and_notification_defaults(five_identities):
    names = EMAILS + DOMAINS
    # AWS: without a custom MAIL FROM only BehaviorOnMXFailure is answered.
    assert attrs(five_identities, "MailFromDomain", *names) == {
        n: DEFAULT_MAIL_FROM for n in names}
    assert attrs(five_identities, "Notification", *names) == {
        n: DEFAULT_NOTIFICATIONS for n in names}


# == v1: DKIM ================================================================

@pytest.mark.parametrize("setup, identity", [
    ("domain", "example.com"),
    ("email", "a@example.com"),
    ("email+domain", "a@example.com"),
], ids=["domain", "email-no-domain", "email-under-plain-domain"])
def test_set_identity_dkim_enabled_needs_dkim_domain(ses, setup, identity):
    client = ses()
    if "domain" in setup:
        client.verify_domain_identity(Domain="example.com")
    if "email" in setup:
        client.verify_email_identity(EmailAddress="a@example.com")
    # AWS: "Domain example.com is not verified for DKIM signing."
    assert error(client.set_identity_dkim_enabled, Identity=identity,
                 DkimEnabled=True) == (
        400, "InvalidParameterValue",
        "Domain example.com is not verified for DKIM signing.")
    assert one_attrs(client, "Dkim", identity) == EMAIL_DKIM_V1


def test_set_identity_dkim_enabled_on_dkim_domain(ses, sesv2):
    client = ses()
    tokens = client.verify_domain_dkim(Domain="example.com")["DkimTokens"]
    assert body(client.set_identity_dkim_enabled(
        Identity="example.com", DkimEnabled=False)) == {}
    assert one_attrs(client, "Dkim", "example.com") == {
        "DkimEnabled": False, "DkimVerificationStatus": "Success",
        "DkimTokens": tokens}
    assert email_identity(sesv2(), "example.com")["DkimAttributes"][
        "SigningEnabled"] is False
    client.set_identity_dkim_enabled(Identity="example.com", DkimEnabled=True)
    assert one_attrs(client, "Dkim", "example.com")["DkimEnabled"] is True


def test_set_identity_dkim_enabled_email_under_dkim_domain(ses):
    client = ses()
    client.verify_domain_dkim(Domain="example.com")
    client.verify_email_identity(EmailAddress="a@example.com")
    assert body(client.set_identity_dkim_enabled(
        Identity="a@example.com", DkimEnabled=True)) == {}
    assert one_attrs(client, "Dkim", "a@example.com")["DkimEnabled"] is True
    client.set_identity_dkim_enabled(Identity="a@example.com",
                                     DkimEnabled=False)
    assert one_attrs(client, "Dkim", "a@example.com")["DkimEnabled"] is False


# == v1: MAIL FROM ===========================================================

@pytest.mark.parametrize("identity, mail_from", [
    ("example.com", "mail.example.com"),
    ("example.com", "a.b.example.com"),
    ("example.com", "Bounce.EXAMPLE.com"),
    ("a@example.com", "bounce.example.com"),
    ("a@sub.example.com", "mail.sub.example.com"),
])
@pytest.mark.parametrize("behavior", [None, "UseDefaultValue",
                                      "RejectMessage"])
def test_set_identity_mail_from_domain(ses, identity, mail_from, behavior):
    client = ses()
    client.verify_domain_identity(Domain="example.com")
    if "@" in identity:
        client.verify_email_identity(EmailAddress=identity)
    kwargs = {"BehaviorOnMXFailure": behavior} if behavior else {}
    assert body(client.set_identity_mail_from_domain(
        Identity=identity, MailFromDomain=mail_from, **kwargs)) == {}
    assert one_attrs(client, "MailFromDomain", identity) == {
        "MailFromDomain": mail_from, "MailFromDomainStatus": "Success",
        "BehaviorOnMXFailure": behavior or "UseDefaultValue"}


@pytest.mark.parametrize("identity, mail_from", [
    ("example.com", "mail.example.org"),
    ("example.com", "example.com"),
    ("example.com", "notexample.com"),
    ("example.com", "mail.example.com.evil.org"),
    ("a@example.com", "example.com"),
    ("a@sub.example.com", "mail.example.com"),
    ("a@example.com", "bad_label.example.com"),
])
def test_set_identity_mail_from_domain_not_subdomain(ses, identity,
                                                     mail_from):
    client = ses()
    client.verify_domain_identity(Domain="example.com")
    if "@" in identity:
        client.verify_email_identity(EmailAddress=identity)
    assert error(client.set_identity_mail_from_domain, Identity=identity,
                 MailFromDomain=mail_from) == (
        400, "InvalidParameterValue", not_subdomain(mail_from, identity))
    assert one_attrs(client, "MailFromDomain", identity) == DEFAULT_MAIL_FROM


def test_set_identity_mail_from_domain_clear(ses, sesv2):
    client = ses()
    client.verify_domain_identity(Domain="example.com")
    client.set_identity_mail_from_domain(Identity="example.com",
                                         MailFromDomain="mail.example.com")
    assert "MailFromAttributes" in email_identity(sesv2(), "example.com")
    # Omitting MailFromDomain turns the custom MAIL FROM off.
    assert body(client.set_identity_mail_from_domain(
        Identity="example.com")) == {}
    assert one_attrs(client, "MailFromDomain", "example.com") == \
        DEFAULT_MAIL_FROM
    assert "MailFromAttributes" not in email_identity(sesv2(), "example.com")


# == v1: notifications =======================================================

@pytest.mark.parametrize("ntype", ["Bounce", "Complaint", "Delivery"])
def test_set_identity_notification_topic_set_and_clear(ses, ntype):
    client = ses()
    client.verify_email_identity(EmailAddress="a@example.com")
    assert body(client.set_identity_notification_topic(
        Identity="a@example.com", NotificationType=ntype,
        SnsTopic=TOPIC + ntype)) == {}
    assert one_attrs(client, "Notification", "a@example.com") == dict(
        DEFAULT_NOTIFICATIONS, **{TOPIC_KEYS[ntype]: TOPIC + ntype})
    # Omitting SnsTopic clears it.
    assert body(client.set_identity_notification_topic(
        Identity="a@example.com", NotificationType=ntype)) == {}
    assert one_attrs(client, "Notification", "a@example.com") == \
        DEFAULT_NOTIFICATIONS


@pytest.mark.parametrize("topics", [(), ("Bounce",), ("Complaint",),
                                    ("Delivery",), ("Bounce", "Delivery")],
                         ids=lambda t: "+".join(t) or "none")
@pytest.mark.parametrize("api", ["v1", "v2"])
def test_feedback_forwarding_off_needs_bounce_and_complaint_topics(
        ses, sesv2, topics, api):
    client = ses()
    client.verify_email_identity(EmailAddress="a@example.com")
    set_feedback_topics(client, "a@example.com", *topics)
    # AWS: forwarding can be disabled only when bounce and complaint
    # notifications go to SNS topics (BC-SES, SES-REFERENCE §9.5).
    if api == "v1":
        status, code, message = error(
            client.set_identity_feedback_forwarding_enabled,
            Identity="a@example.com", ForwardingEnabled=False)
        assert (status, code) == (400, "InvalidParameterValue")
    else:
        status, code, message = error(
            sesv2().put_email_identity_feedback_attributes,
            EmailIdentity="a@example.com", EmailForwardingEnabled=False)
        assert (status, code) == (400, "BadRequestException")
    assert "a@example.com" in message
    assert one_attrs(client, "Notification", "a@example.com")[
        "ForwardingEnabled"] is True


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_feedback_forwarding_off_with_topics(ses, sesv2, api):
    client, v2 = ses(), sesv2()
    client.verify_domain_identity(Domain="example.com")
    set_feedback_topics(client, "example.com", "Bounce", "Complaint",
                        "Delivery")
    if api == "v1":
        assert body(client.set_identity_feedback_forwarding_enabled(
            Identity="example.com", ForwardingEnabled=False)) == {}
    else:
        assert body(v2.put_email_identity_feedback_attributes(
            EmailIdentity="example.com", EmailForwardingEnabled=False)) == {}
    assert one_attrs(client, "Notification", "example.com") == dict(
        DEFAULT_NOTIFICATIONS, ForwardingEnabled=False,
        BounceTopic=BOUNCE_TOPIC, ComplaintTopic=COMPLAINT_TOPIC,
        DeliveryTopic=DELIVERY_TOPIC)
    assert email_identity(v2, "example.com")[
        "FeedbackForwardingStatus"] is False

    # With forwarding off, bounce and complaint topics cannot be cleared;
    # the delivery topic can.
    for ntype in ("Bounce", "Complaint"):
        status, code, message = error(
            client.set_identity_notification_topic, Identity="example.com",
            NotificationType=ntype)
        assert (status, code) == (400, "InvalidParameterValue")
        assert "example.com" in message
    client.set_identity_notification_topic(Identity="example.com",
                                           NotificationType="Delivery")
    got = one_attrs(client, "Notification", "example.com")
    assert (got.get("BounceTopic"), got.get("ComplaintTopic"),
            got.get("DeliveryTopic")) == (BOUNCE_TOPIC, COMPLAINT_TOPIC, None)

    # Forwarding back on: now they can.
    client.set_identity_feedback_forwarding_enabled(Identity="example.com",
                                                    ForwardingEnabled=True)
    for ntype in ("Bounce", "Complaint"):
        client.set_identity_notification_topic(Identity="example.com",
                                               NotificationType=ntype)
    assert one_attrs(client, "Notification", "example.com") == \
        DEFAULT_NOTIFICATIONS


@pytest.mark.parametrize("ntype", ["Bounce", "Complaint", "Delivery"])
def test_set_identity_headers_in_notifications_enabled(ses, ntype):
    client = ses()
    client.verify_email_identity(EmailAddress="a@example.com")
    assert body(client.set_identity_headers_in_notifications_enabled(
        Identity="a@example.com", NotificationType=ntype,
        Enabled=True)) == {}
    assert one_attrs(client, "Notification", "a@example.com") == dict(
        DEFAULT_NOTIFICATIONS, **{HEADER_KEYS[ntype]: True})
    client.set_identity_headers_in_notifications_enabled(
        Identity="a@example.com", NotificationType=ntype, Enabled=False)
    assert one_attrs(client, "Notification", "a@example.com") == \
        DEFAULT_NOTIFICATIONS


@pytest.mark.parametrize("ntype", ["InvalidType", "bounce", "Open"])
def test_set_identity_headers_in_notifications_bad_type(ses, ntype):
    client = ses()
    client.verify_email_identity(EmailAddress="a@example.com")
    # AWS: LS-SES capture against real SES (SES-REFERENCE §1.5).
    assert error(client.set_identity_headers_in_notifications_enabled,
                 Identity="a@example.com", NotificationType=ntype,
                 Enabled=True) == (
        400, "InvalidParameterValue",
        "Invalid notification type: %s. Valid values are: Bounce, "
        "Complaint, Delivery." % ntype)


def test_set_identity_headers_in_notifications_unknown_identity(ses):
    # AWS: LS-SES capture (SES-REFERENCE §1.5).
    assert error(ses().set_identity_headers_in_notifications_enabled,
                 Identity="unknown@example.com", NotificationType="Bounce",
                 Enabled=True) == not_verified("unknown@example.com")


V1_SETTERS = [
    ("set_identity_dkim_enabled", {"DkimEnabled": True}),
    ("set_identity_mail_from_domain", {"MailFromDomain": "m.example.com"}),
    ("set_identity_notification_topic",
     {"NotificationType": "Bounce", "SnsTopic": BOUNCE_TOPIC}),
    ("set_identity_feedback_forwarding_enabled", {"ForwardingEnabled": True}),
    ("set_identity_headers_in_notifications_enabled",
     {"NotificationType": "Delivery", "Enabled": True}),
]


@pytest.mark.parametrize("op, kwargs", V1_SETTERS,
                         ids=[op for op, _ in V1_SETTERS])
@pytest.mark.parametrize("name", ["unknown@example.com", "example.com"])
def test_v1_setters_on_unknown_identity(ses, op, kwargs, name):
    assert error(getattr(ses(), op), Identity=name, **kwargs) == \
        not_verified(name)
    assert identities(ses()) == []


# == identities by ARN =======================================================

ARN_CASES = [
    ("set_identity_dkim_enabled", {"DkimEnabled": False}, "Dkim",
     {"DkimEnabled": False}),
    ("set_identity_mail_from_domain",
     {"MailFromDomain": "mail.example.com",
      "BehaviorOnMXFailure": "RejectMessage"}, "MailFromDomain",
     {"MailFromDomain": "mail.example.com",
      "BehaviorOnMXFailure": "RejectMessage"}),
    ("set_identity_notification_topic",
     {"NotificationType": "Complaint", "SnsTopic": COMPLAINT_TOPIC},
     "Notification", {"ComplaintTopic": COMPLAINT_TOPIC}),
    ("set_identity_headers_in_notifications_enabled",
     {"NotificationType": "Bounce", "Enabled": True}, "Notification",
     {"HeadersInBounceNotificationsEnabled": True}),
]


@pytest.mark.parametrize("op, kwargs, getter, expected", ARN_CASES,
                         ids=[c[0] for c in ARN_CASES])
def test_v1_setters_take_an_identity_arn(ses, op, kwargs, getter, expected):
    client = ses()
    client.verify_domain_dkim(Domain="example.com")
    assert body(getattr(client, op)(Identity=arn("example.com"),
                                    **kwargs)) == {}
    got = one_attrs(client, getter, "example.com")
    assert {k: got.get(k) for k in expected} == expected


def test_feedback_forwarding_by_arn(ses):
    client = ses()
    client.verify_email_identity(EmailAddress="a@example.com")
    set_feedback_topics(client, arn("a@example.com"), "Bounce", "Complaint")
    client.set_identity_feedback_forwarding_enabled(
        Identity=arn("a@example.com"), ForwardingEnabled=False)
    assert one_attrs(client, "Notification", "a@example.com")[
        "ForwardingEnabled"] is False


# == v2 ======================================================================

def assert_easy_dkim(dkim, key_length="RSA_2048_BIT", enabled=True):
    tokens = dkim["Tokens"]
    assert len(tokens) == 3 and len(set(tokens)) == 3, dkim
    for token in tokens:
        assert DKIM_TOKEN.match(token), token
    stamp = dkim.pop("LastKeyGenerationTimestamp")
    assert isinstance(stamp, datetime.datetime)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - stamp).total_seconds()) < 300, stamp
    assert dkim == {"SigningEnabled": enabled, "Status": "SUCCESS",
                    "Tokens": tokens, "SigningAttributesOrigin": "AWS_SES",
                    "CurrentSigningKeyLength": key_length,
                    "NextSigningKeyLength": key_length}
    return tokens


def test_create_email_identity_address(sesv2):
    client = sesv2()
    resp = client.create_email_identity(EmailIdentity="a@example.com")
    assert body(resp) == {"IdentityType": "EMAIL_ADDRESS",
                          "VerifiedForSendingStatus": True,
                          "DkimAttributes": EMAIL_DKIM_V2}
    assert email_identity(client, "a@example.com") == {
        "IdentityType": "EMAIL_ADDRESS",
        "FeedbackForwardingStatus": True,
        "VerifiedForSendingStatus": True,
        "DkimAttributes": EMAIL_DKIM_V2,
        "Policies": {},
        "Tags": [],
        "VerificationStatus": "SUCCESS",
    }


def test_create_email_identity_domain_easy_dkim(sesv2):
    client = sesv2()
    resp = body(client.create_email_identity(EmailIdentity="example.com"))
    assert resp.pop("IdentityType") == "DOMAIN"
    assert resp.pop("VerifiedForSendingStatus") is True
    tokens = assert_easy_dkim(resp.pop("DkimAttributes"))
    assert resp == {}
    got = email_identity(client, "example.com")
    assert assert_easy_dkim(got.pop("DkimAttributes")) == tokens
    assert got == {"IdentityType": "DOMAIN", "FeedbackForwardingStatus": True,
                   "VerifiedForSendingStatus": True, "Policies": {},
                   "Tags": [], "VerificationStatus": "SUCCESS"}


@pytest.mark.parametrize("length", ["RSA_1024_BIT", "RSA_2048_BIT"])
def test_create_email_identity_next_signing_key_length(sesv2, length):
    client = sesv2()
    resp = client.create_email_identity(
        EmailIdentity="example.com",
        DkimSigningAttributes={"NextSigningKeyLength": length})
    assert_easy_dkim(resp["DkimAttributes"], length)
    assert_easy_dkim(email_identity(client, "example.com")["DkimAttributes"],
                     length)


def assert_byodkim(dkim):
    # AWS: BYODKIM shows origin EXTERNAL, Status SUCCESS, Tokens []
    # (SES-REFERENCE §9.2).
    assert {k: dkim.get(k) for k in ("SigningEnabled", "Status", "Tokens",
                                     "SigningAttributesOrigin")} == {
        "SigningEnabled": True, "Status": "SUCCESS", "Tokens": [],
        "SigningAttributesOrigin": "EXTERNAL"}, dkim


@pytest.mark.parametrize("kind", ["pkcs8", "pkcs1"])
@pytest.mark.parametrize("bits", [1024, 2048])
@pytest.mark.parametrize("with_origin", [False, True],
                         ids=["implicit", "explicit-origin"])
def test_create_email_identity_byodkim(ses, sesv2, dkim_key, kind, bits,
                                       with_origin):
    client = sesv2()
    attrs_in = byodkim("sel1", dkim_key(kind, bits))
    if with_origin:
        attrs_in["DomainSigningAttributesOrigin"] = "EXTERNAL"
    resp = body(client.create_email_identity(
        EmailIdentity="example.com", DkimSigningAttributes=attrs_in))
    assert resp["IdentityType"] == "DOMAIN"
    assert resp["VerifiedForSendingStatus"] is True
    assert_byodkim(resp["DkimAttributes"])
    assert_byodkim(email_identity(client, "example.com")["DkimAttributes"])
    # v1 sees DKIM on, verified, and no Easy DKIM tokens.
    assert one_attrs(ses(), "Dkim", "example.com") == {
        "DkimEnabled": True, "DkimVerificationStatus": "Success"}


SELECTORS_BAD = [("-sel", "leading-hyphen"), ("sel-", "trailing-hyphen"),
                 ("se_l", "underscore"), ("se.l", "dot"),
                 ("se l", "space"), ("x" * 64, "64-chars")]


@pytest.mark.parametrize("selector", [s for s, _ in SELECTORS_BAD],
                         ids=[i for _, i in SELECTORS_BAD])
def test_create_email_identity_byodkim_bad_selector(sesv2, dkim_key,
                                                    selector):
    client = sesv2(validate=False)
    status, code, message = error(
        client.create_email_identity, EmailIdentity="example.com",
        DkimSigningAttributes=byodkim(selector, dkim_key("pkcs8", 1024)))
    assert (status, code) == (400, "BadRequestException")
    assert selector in message
    # Nothing was created: a retry with a good selector succeeds.
    assert error(client.get_email_identity, EmailIdentity="example.com")[
        :2] == (404, "NotFoundException")
    client.create_email_identity(
        EmailIdentity="example.com",
        DkimSigningAttributes=byodkim("s" * 63, dkim_key("pkcs8", 1024)))


@pytest.mark.parametrize("selector", ["a", "s1-2", "Sel2024", "s" * 63])
def test_create_email_identity_byodkim_good_selector(sesv2, dkim_key,
                                                     selector):
    resp = sesv2().create_email_identity(
        EmailIdentity="example.com",
        DkimSigningAttributes=byodkim(selector, dkim_key("pkcs8", 1024)))
    assert_byodkim(resp["DkimAttributes"])


BAD_KEYS = ["rsa-512", "rsa-4096", "ec", "not-a-key", "truncated",
            "not-base64"]


def bad_key(dkim_key, which):
    return {
        "rsa-512": lambda: dkim_key("pkcs8", 512),
        "rsa-4096": lambda: dkim_key("pkcs8", 4096),
        "ec": lambda: dkim_key("ec"),
        "not-a-key": lambda: "bm90IGEga2V5",
        "truncated": lambda: dkim_key("pkcs8", 1024)[:200],
        "not-base64": lambda: "!!!!",
    }[which]()


@pytest.mark.parametrize("which", BAD_KEYS)
def test_create_email_identity_byodkim_bad_key(sesv2, dkim_key, which):
    client = sesv2(validate=False)
    status, code, message = error(
        client.create_email_identity, EmailIdentity="example.com",
        DkimSigningAttributes=byodkim("sel", bad_key(dkim_key, which)))
    # EMU: SES's wording for a bad BYODKIM key is not captured.
    assert (status, code) == (400, "BadRequestException")
    assert "key" in message.lower(), message
    assert body(client.list_email_identities()) == {"EmailIdentities": []}


def test_create_email_identity_external_needs_selector_and_key(sesv2):
    client = sesv2()
    status, code, _ = error(
        client.create_email_identity, EmailIdentity="example.com",
        DkimSigningAttributes={"DomainSigningAttributesOrigin": "EXTERNAL"})
    assert (status, code) == (400, "BadRequestException")
    assert body(client.list_email_identities()) == {"EmailIdentities": []}


@pytest.mark.parametrize("address", ["@example.com", "a..b@example.com",
                                     "a b@example.com", "a@exa_mple.com"])
def test_create_email_identity_malformed_address(sesv2, address):
    client = sesv2()
    assert error(client.create_email_identity, EmailIdentity=address) == (
        400, "BadRequestException", "Invalid email address<%s>." % address)
    assert body(client.list_email_identities()) == {"EmailIdentities": []}


@pytest.mark.parametrize("name", ["a@example.com", "example.com"])
@pytest.mark.parametrize("first", ["v1", "v2"])
def test_create_email_identity_already_exists(ses, sesv2, name, first):
    client = sesv2()
    if first == "v2":
        client.create_email_identity(EmailIdentity=name)
    elif "@" in name:
        ses().verify_email_identity(EmailAddress=name)
    else:
        ses().verify_domain_identity(Domain=name)
    before = email_identity(client, name)
    status, code, message = error(client.create_email_identity,
                                  EmailIdentity=name,
                                  Tags=[{"Key": "k", "Value": "v"}])
    assert (status, code) == (400, "AlreadyExistsException")
    assert name in message
    # The existing identity is left as it was.
    assert email_identity(client, name) == before


def test_create_email_identity_tags(sesv2):
    client = sesv2()
    tags = [{"Key": "team", "Value": "mail"}, {"Key": "env", "Value": "test"},
            {"Key": "empty", "Value": ""}]
    client.create_email_identity(EmailIdentity="a@example.com", Tags=tags)
    key = lambda t: t["Key"]  # noqa: E731
    assert sorted(email_identity(client, "a@example.com")["Tags"],
                  key=key) == sorted(tags, key=key)
    # Tags go with the identity.
    client.delete_email_identity(EmailIdentity="a@example.com")
    client.create_email_identity(EmailIdentity="a@example.com")
    assert email_identity(client, "a@example.com")["Tags"] == []


def test_get_email_identity_not_found(sesv2):
    status, code, message = error(sesv2().get_email_identity,
                                  EmailIdentity="nobody@example.com")
    assert (status, code) == (404, "NotFoundException")
    assert "nobody@example.com" in message


V2_ON_MISSING = [
    ("delete_email_identity", {}),
    ("put_email_identity_dkim_attributes", {"SigningEnabled": True}),
    ("put_email_identity_dkim_signing_attributes",
     {"SigningAttributesOrigin": "AWS_SES"}),
    ("put_email_identity_feedback_attributes",
     {"EmailForwardingEnabled": True}),
    ("put_email_identity_mail_from_attributes",
     {"MailFromDomain": "m.example.com"}),
    ("put_email_identity_configuration_set_attributes",
     {"ConfigurationSetName": "cs"}),
]


@pytest.mark.parametrize("op, kwargs", V2_ON_MISSING,
                         ids=[op for op, _ in V2_ON_MISSING])
@pytest.mark.parametrize("name", ["nobody@example.com", "example.com"])
def test_v2_operations_on_missing_identity(sesv2, op, kwargs, name):
    client = sesv2()
    status, code, message = error(getattr(client, op), EmailIdentity=name,
                                  **kwargs)
    assert (status, code) == (404, "NotFoundException")
    assert name in message
    assert body(client.list_email_identities()) == {"EmailIdentities": []}


@pytest.mark.parametrize("name", ["a@example.com", "example.com"])
def test_delete_email_identity(ses, sesv2, name):
    client = sesv2()
    client.create_email_identity(EmailIdentity=name)
    assert body(client.delete_email_identity(EmailIdentity=name)) == {}
    assert identities(ses()) == []
    status, code, _ = error(client.delete_email_identity, EmailIdentity=name)
    assert (status, code) == (404, "NotFoundException")


def test_list_email_identities_entries(ses, sesv2):
    client = sesv2()
    client.create_email_identity(EmailIdentity="a@example.com")
    client.create_email_identity(EmailIdentity="example.com")
    ses().verify_domain_identity(Domain="example.org")
    got = body(client.list_email_identities())["EmailIdentities"]
    assert sorted(got, key=lambda e: e["IdentityName"]) == [
        {"IdentityName": "a@example.com", "IdentityType": "EMAIL_ADDRESS",
         "SendingEnabled": True, "VerificationStatus": "SUCCESS"},
        {"IdentityName": "example.com", "IdentityType": "DOMAIN",
         "SendingEnabled": True, "VerificationStatus": "SUCCESS"},
        {"IdentityName": "example.org", "IdentityType": "DOMAIN",
         "SendingEnabled": True, "VerificationStatus": "SUCCESS"},
    ]


@pytest.mark.parametrize("size", [1, 2, 4, 5, 100])
def test_list_email_identities_paging(five_identities, sesv2, size):
    got = pages(sesv2().list_email_identities, "PageSize", size)
    assert len(got) == max(1, math.ceil(5 / size))
    names = [e["IdentityName"] for p in got for e in p["EmailIdentities"]]
    assert sorted(names) == sorted(EMAILS + DOMAINS)
    assert len(names) == len(set(names))
    for page in got:
        assert 1 <= len(page["EmailIdentities"]) <= size


@pytest.mark.parametrize("token", ["!!!", "abc"])
def test_list_email_identities_invalid_next_token(five_identities, sesv2,
                                                  token):
    status, code, message = error(sesv2().list_email_identities,
                                  NextToken=token)
    assert (status, code) == (400, "BadRequestException")
    assert token in message


def test_put_email_identity_dkim_attributes(ses, sesv2):
    client = sesv2()
    client.create_email_identity(EmailIdentity="example.com")
    assert body(client.put_email_identity_dkim_attributes(
        EmailIdentity="example.com", SigningEnabled=False)) == {}
    assert email_identity(client, "example.com")["DkimAttributes"][
        "SigningEnabled"] is False
    assert one_attrs(ses(), "Dkim", "example.com")["DkimEnabled"] is False
    client.put_email_identity_dkim_attributes(EmailIdentity="example.com",
                                              SigningEnabled=True)
    assert email_identity(client, "example.com")["DkimAttributes"][
        "SigningEnabled"] is True


@pytest.mark.parametrize("name", ["example.org", "a@example.org"])
def test_put_email_identity_dkim_attributes_without_dkim(ses, sesv2, name):
    ses().verify_domain_identity(Domain="example.org")
    if "@" in name:
        sesv2().create_email_identity(EmailIdentity=name)
    assert error(sesv2().put_email_identity_dkim_attributes,
                 EmailIdentity=name, SigningEnabled=True) == (
        400, "BadRequestException",
        "Domain example.org is not verified for DKIM signing.")
    assert email_identity(sesv2(), name)["DkimAttributes"] == EMAIL_DKIM_V2


def test_put_email_identity_dkim_signing_attributes_switch(ses, sesv2,
                                                           dkim_key):
    client = sesv2()
    easy = client.create_email_identity(EmailIdentity="example.com")[
        "DkimAttributes"]["Tokens"]

    resp = client.put_email_identity_dkim_signing_attributes(
        EmailIdentity="example.com", SigningAttributesOrigin="EXTERNAL",
        SigningAttributes=byodkim("sel", dkim_key("pkcs8", 2048)))
    assert body(resp) == {"DkimStatus": "SUCCESS", "DkimTokens": []}
    assert_byodkim(email_identity(client, "example.com")["DkimAttributes"])
    assert one_attrs(ses(), "Dkim", "example.com") == {
        "DkimEnabled": True, "DkimVerificationStatus": "Success"}

    resp = body(client.put_email_identity_dkim_signing_attributes(
        EmailIdentity="example.com", SigningAttributesOrigin="AWS_SES",
        SigningAttributes={"NextSigningKeyLength": "RSA_1024_BIT"}))
    assert resp["DkimStatus"] == "SUCCESS"
    tokens = resp["DkimTokens"]
    assert len(tokens) == 3 and all(DKIM_TOKEN.match(t) for t in tokens)
    assert assert_easy_dkim(email_identity(client, "example.com")[
        "DkimAttributes"], "RSA_1024_BIT") == tokens
    assert one_attrs(ses(), "Dkim", "example.com") == {
        "DkimEnabled": True, "DkimVerificationStatus": "Success",
        "DkimTokens": tokens}
    assert set(tokens) != set(easy)


def test_put_email_identity_dkim_signing_attributes_bad_key(sesv2, dkim_key):
    client = sesv2()
    client.create_email_identity(EmailIdentity="example.com")
    before = email_identity(client, "example.com")
    status, code, _ = error(
        client.put_email_identity_dkim_signing_attributes,
        EmailIdentity="example.com", SigningAttributesOrigin="EXTERNAL",
        SigningAttributes=byodkim("sel", dkim_key("pkcs8", 512)))
    assert (status, code) == (400, "BadRequestException")
    assert email_identity(client, "example.com") == before


def test_put_email_identity_dkim_signing_attributes_on_address(sesv2):
    client = sesv2()
    client.create_email_identity(EmailIdentity="a@example.com")
    status, code, _ = error(
        client.put_email_identity_dkim_signing_attributes,
        EmailIdentity="a@example.com", SigningAttributesOrigin="AWS_SES")
    assert (status, code) == (400, "BadRequestException")
    assert email_identity(client, "a@example.com")["DkimAttributes"] == \
        EMAIL_DKIM_V2


@pytest.mark.parametrize("name, mail_from", [
    ("example.com", "mail.example.com"),
    ("a@example.com", "bounce.example.com"),
])
@pytest.mark.parametrize("v2_behavior, v1_behavior", [
    ("REJECT_MESSAGE", "RejectMessage"),
    ("USE_DEFAULT_VALUE", "UseDefaultValue"),
])
def test_put_email_identity_mail_from_attributes(ses, sesv2, name, mail_from,
                                                 v2_behavior, v1_behavior):
    client = sesv2()
    client.create_email_identity(EmailIdentity=name)
    assert body(client.put_email_identity_mail_from_attributes(
        EmailIdentity=name, MailFromDomain=mail_from,
        BehaviorOnMxFailure=v2_behavior)) == {}
    assert email_identity(client, name)["MailFromAttributes"] == {
        "MailFromDomain": mail_from, "MailFromDomainStatus": "SUCCESS",
        "BehaviorOnMxFailure": v2_behavior}
    assert one_attrs(ses(), "MailFromDomain", name) == {
        "MailFromDomain": mail_from, "MailFromDomainStatus": "Success",
        "BehaviorOnMXFailure": v1_behavior}
    # Without MailFromDomain the custom MAIL FROM is turned off.
    client.put_email_identity_mail_from_attributes(
        EmailIdentity=name, BehaviorOnMxFailure="USE_DEFAULT_VALUE")
    assert "MailFromAttributes" not in email_identity(client, name)
    assert one_attrs(ses(), "MailFromDomain", name) == DEFAULT_MAIL_FROM


@pytest.mark.parametrize("name, mail_from", [
    ("example.com", "mail.example.org"),
    ("example.com", "example.com"),
    ("a@example.com", "example.com"),
])
def test_put_email_identity_mail_from_attributes_not_subdomain(
        sesv2, name, mail_from):
    client = sesv2()
    client.create_email_identity(EmailIdentity=name)
    assert error(client.put_email_identity_mail_from_attributes,
                 EmailIdentity=name, MailFromDomain=mail_from) == (
        400, "BadRequestException", not_subdomain(mail_from, name))
    assert "MailFromAttributes" not in email_identity(client, name)


def test_configuration_set_attributes(sesv2):
    client = sesv2()
    client.create_email_identity(EmailIdentity="a@example.com",
                                 ConfigurationSetName="first")
    assert email_identity(client, "a@example.com")[
        "ConfigurationSetName"] == "first"
    assert body(client.put_email_identity_configuration_set_attributes(
        EmailIdentity="a@example.com", ConfigurationSetName="second")) == {}
    assert email_identity(client, "a@example.com")[
        "ConfigurationSetName"] == "second"
    # Omitting the name takes the configuration set off.
    client.put_email_identity_configuration_set_attributes(
        EmailIdentity="a@example.com")
    assert "ConfigurationSetName" not in email_identity(client,
                                                        "a@example.com")


# == v1 and v2 see one set of identities =====================================

@pytest.mark.parametrize("op, name, kind", [
    ("verify_email_identity", "a@example.com", "EMAIL_ADDRESS"),
    ("verify_email_address", "a@example.com", "EMAIL_ADDRESS"),
    ("verify_domain_identity", "example.com", "DOMAIN"),
])
def test_v1_identity_seen_by_v2(ses, sesv2, op, name, kind):
    arg = {"Domain": name} if kind == "DOMAIN" else {"EmailAddress": name}
    getattr(ses(), op)(**arg)
    # Status casing: v1 "Success", v2 "SUCCESS".
    assert one_attrs(ses(), "Verification", name)[
        "VerificationStatus"] == "Success"
    assert email_identity(sesv2(), name) == {
        "IdentityType": kind, "FeedbackForwardingStatus": True,
        "VerifiedForSendingStatus": True, "DkimAttributes": EMAIL_DKIM_V2,
        "Policies": {}, "Tags": [], "VerificationStatus": "SUCCESS"}
    assert body(sesv2().list_email_identities()) == {"EmailIdentities": [
        {"IdentityName": name, "IdentityType": kind, "SendingEnabled": True,
         "VerificationStatus": "SUCCESS"}]}


def test_v1_verify_domain_dkim_seen_by_v2(ses, sesv2):
    tokens = ses().verify_domain_dkim(Domain="example.com")["DkimTokens"]
    dkim = email_identity(sesv2(), "example.com")["DkimAttributes"]
    assert assert_easy_dkim(dkim) == tokens


def test_v2_domain_seen_by_v1(ses, sesv2):
    tokens = sesv2().create_email_identity(EmailIdentity="example.com")[
        "DkimAttributes"]["Tokens"]
    client = ses()
    assert identities(client) == ["example.com"]
    assert identities(client, IdentityType="Domain") == ["example.com"]
    verification = one_attrs(client, "Verification", "example.com")
    assert verification["VerificationStatus"] == "Success"
    assert VERIFICATION_TOKEN.match(verification["VerificationToken"])
    assert one_attrs(client, "Dkim", "example.com") == {
        "DkimEnabled": True, "DkimVerificationStatus": "Success",
        "DkimTokens": tokens}
    # v1 VerifyDomainDkim and VerifyDomainIdentity answer what exists.
    assert client.verify_domain_dkim(Domain="example.com")[
        "DkimTokens"] == tokens
    assert client.verify_domain_identity(Domain="example.com")[
        "VerificationToken"] == verification["VerificationToken"]


def test_v2_address_seen_by_v1(ses, sesv2):
    sesv2().create_email_identity(EmailIdentity="a@example.com")
    client = ses()
    assert identities(client, IdentityType="EmailAddress") == [
        "a@example.com"]
    assert client.list_verified_email_addresses()[
        "VerifiedEmailAddresses"] == ["a@example.com"]
    assert one_attrs(client, "Dkim", "a@example.com") == EMAIL_DKIM_V1
    assert one_attrs(client, "Notification", "a@example.com") == \
        DEFAULT_NOTIFICATIONS


def test_v2_feedback_attribute_is_v1_forwarding(ses, sesv2):
    v1, v2 = ses(), sesv2()
    v2.create_email_identity(EmailIdentity="a@example.com")
    set_feedback_topics(v1, "a@example.com", "Bounce", "Complaint")
    v2.put_email_identity_feedback_attributes(EmailIdentity="a@example.com",
                                              EmailForwardingEnabled=False)
    assert one_attrs(v1, "Notification", "a@example.com")[
        "ForwardingEnabled"] is False
    v1.set_identity_feedback_forwarding_enabled(Identity="a@example.com",
                                                ForwardingEnabled=True)
    assert email_identity(v2, "a@example.com")[
        "FeedbackForwardingStatus"] is True


def test_v1_mail_from_seen_by_v2(ses, sesv2):
    ses().verify_domain_identity(Domain="example.com")
    ses().set_identity_mail_from_domain(Identity="example.com",
                                        MailFromDomain="mail.example.com",
                                        BehaviorOnMXFailure="RejectMessage")
    assert email_identity(sesv2(), "example.com")["MailFromAttributes"] == {
        "MailFromDomain": "mail.example.com",
        "MailFromDomainStatus": "SUCCESS",
        "BehaviorOnMxFailure": "REJECT_MESSAGE"}


@pytest.mark.parametrize("deleter", ["v1", "v2"])
def test_delete_through_the_other_api(ses, sesv2, deleter):
    ses().verify_email_identity(EmailAddress="a@example.com")
    sesv2().create_email_identity(EmailIdentity="example.com")
    if deleter == "v1":
        ses().delete_identity(Identity="example.com")
        ses().delete_identity(Identity="a@example.com")
    else:
        sesv2().delete_email_identity(EmailIdentity="example.com")
        sesv2().delete_email_identity(EmailIdentity="a@example.com")
    assert identities(ses()) == []
    assert body(sesv2().list_email_identities()) == {"EmailIdentities": []}


# == accounts and regions ====================================================

def test_identities_are_isolated_by_region(ses, sesv2):
    east, west = ses(), ses(region="eu-west-1")
    east.verify_email_identity(EmailAddress="a@example.com")
    token = east.verify_domain_identity(Domain="example.com")[
        "VerificationToken"]
    assert identities(west) == []
    assert attrs(west, "Verification", "a@example.com", "example.com") == {}
    assert error(sesv2(region="eu-west-1").get_email_identity,
                 EmailIdentity="example.com")[:2] == (404,
                                                      "NotFoundException")
    # The same names are separate identities in the other region.
    assert west.verify_domain_identity(Domain="example.com")[
        "VerificationToken"] != token
    west.delete_identity(Identity="a@example.com")
    assert sorted(identities(east)) == ["a@example.com", "example.com"]


def test_identities_are_isolated_by_account(start_server, ses, sesv2):
    srv = start_server("--credentials", CREDENTIALS)
    a = ses(srv=srv, key=KEY_A, secret=SECRET_A)
    a.verify_email_identity(EmailAddress="a@example.com")
    tokens = a.verify_domain_dkim(Domain="example.com")["DkimTokens"]
    a.set_identity_notification_topic(Identity="a@example.com",
                                      NotificationType="Bounce",
                                      SnsTopic=BOUNCE_TOPIC)
    others = [
        (KEY_B, SECRET_B, "us-east-1"),
        (KEY_A, SECRET_A, "eu-west-1"),
        (KEY_B, SECRET_B, "eu-west-1"),
        ("AKIDNOBODY", "x", "us-east-1"),   # the default account
    ]
    for key, secret, region in others:
        v1 = ses(srv=srv, key=key, secret=secret, region=region)
        v2 = sesv2(srv=srv, key=key, secret=secret, region=region)
        assert identities(v1) == [], (key, region)
        assert attrs(v1, "Notification", "a@example.com") == {}
        assert body(v2.list_email_identities()) == {"EmailIdentities": []}
        assert error(v2.get_email_identity, EmailIdentity="a@example.com")[
            :2] == (404, "NotFoundException")
        # Creating and deleting the same names there leaves A's alone.
        v2.create_email_identity(EmailIdentity="a@example.com")
        other = v1.verify_domain_dkim(Domain="example.com")["DkimTokens"]
        assert set(other).isdisjoint(tokens)
        v1.delete_identity(Identity="a@example.com")
        v1.delete_identity(Identity="example.com")
    assert sorted(identities(a)) == ["a@example.com", "example.com"]
    assert a.verify_domain_dkim(Domain="example.com")["DkimTokens"] == tokens
    assert one_attrs(a, "Notification", "a@example.com")[
        "BounceTopic"] == BOUNCE_TOPIC
    # Each request was recorded under its own account.
    rid = a.list_identities()["ResponseMetadata"]["RequestId"]
    line = srv.access_line(rid)
    assert (line["account"], line["region"]) == (ACCOUNT_A, "us-east-1")


# == persistence =============================================================

def identity_snapshot(srv, ses, sesv2):
    v1, v2 = ses(srv=srv), sesv2(srv=srv)
    names = identities(v1)
    snap = {"names": names,
            "verified": body(v1.list_verified_email_addresses())}
    for op in ("Verification", "Dkim", "MailFromDomain", "Notification"):
        snap[op] = attrs(v1, op, *names)
    for name in names:
        got = email_identity(v2, name)
        got["Tags"] = sorted(got["Tags"], key=lambda t: t["Key"])
        snap["v2:" + name] = got
    return snap


def test_identities_survive_restart(tmp_path, start_server, ses, sesv2,
                                    dkim_key):
    data = tmp_path / "store"
    srv = start_server("--data", str(data), ephemeral=False)
    v1, v2 = ses(srv=srv), sesv2(srv=srv)
    v1.verify_email_identity(EmailAddress="a@example.com")
    v1.verify_domain_dkim(Domain="example.com")
    v1.set_identity_mail_from_domain(Identity="example.com",
                                     MailFromDomain="mail.example.com",
                                     BehaviorOnMXFailure="RejectMessage")
    set_feedback_topics(v1, "a@example.com", "Bounce", "Complaint",
                        "Delivery")
    v1.set_identity_feedback_forwarding_enabled(Identity="a@example.com",
                                                ForwardingEnabled=False)
    v1.set_identity_headers_in_notifications_enabled(
        Identity="a@example.com", NotificationType="Complaint", Enabled=True)
    v2.create_email_identity(
        EmailIdentity="example.org", Tags=[{"Key": "team", "Value": "mail"}],
        ConfigurationSetName="cs",
        DkimSigningAttributes=byodkim("sel", dkim_key("pkcs8", 1024)))
    before = identity_snapshot(srv, ses, sesv2)
    assert len(before["names"]) == 3
    assert srv.stop() == 0

    srv = start_server("--data", str(data), ephemeral=False)
    assert identity_snapshot(srv, ses, sesv2) == before
    # Still the same identities, not just the same view: no re-creation.
    status, code, _ = error(sesv2(srv=srv).create_email_identity,
                            EmailIdentity="example.org")
    assert (status, code) == (400, "AlreadyExistsException")


# == AWS CLI =================================================================

def cli_json(srv, *args, **kw):
    proc = aws_cli(srv, *args, **kw)
    return json.loads(proc.stdout) if proc.stdout.strip() else None


def cli_error(srv, *args):
    proc = aws_cli(srv, *args, check=False)
    assert proc.returncode == 254, (proc.returncode, proc.stdout,
                                    proc.stderr)
    return proc.stderr.strip()


def test_cli_v1_identities(server):
    assert cli_json(server, "ses", "verify-email-identity",
                    "--email-address", "a@example.com") is None
    token = cli_json(server, "ses", "verify-domain-identity", "--domain",
                     "example.com")["VerificationToken"]
    assert VERIFICATION_TOKEN.match(token)
    tokens = cli_json(server, "ses", "verify-domain-dkim", "--domain",
                      "example.org")["DkimTokens"]
    assert len(tokens) == 3

    # The CLI follows NextToken itself: one identity per request.
    before = len(server.request_ids())
    assert cli_json(server, "ses", "list-identities", "--page-size",
                    "1") == {"Identities": ["a@example.com", "example.com",
                                            "example.org"]}
    assert len(server.request_ids()) - before == 3
    assert cli_json(server, "ses", "list-identities", "--identity-type",
                    "Domain") == {"Identities": ["example.com",
                                                 "example.org"]}
    assert cli_json(server, "ses", "get-identity-verification-attributes",
                    "--identities", "a@example.com", "example.com",
                    "nobody@example.com") == {"VerificationAttributes": {
                        "a@example.com": {"VerificationStatus": "Success"},
                        "example.com": {"VerificationStatus": "Success",
                                        "VerificationToken": token}}}
    assert cli_json(server, "ses", "get-identity-dkim-attributes",
                    "--identities", "example.org") == {"DkimAttributes": {
                        "example.org": {"DkimEnabled": True,
                                        "DkimVerificationStatus": "Success",
                                        "DkimTokens": tokens}}}
    assert cli_json(server, "ses", "delete-identity", "--identity",
                    "example.com") is None
    assert cli_json(server, "ses", "list-identities") == {
        "Identities": ["a@example.com", "example.org"]}

    stderr = cli_error(server, "ses", "verify-email-identity",
                       "--email-address", "not-an-address")
    assert "(InvalidParameterValue)" in stderr
    assert stderr.endswith("Invalid email address<not-an-address>.")


def test_cli_v2_identities(server):
    got = cli_json(server, "sesv2", "create-email-identity",
                   "--email-identity", "a@example.com", "--tags",
                   "Key=team,Value=mail")
    assert got == {"IdentityType": "EMAIL_ADDRESS",
                   "VerifiedForSendingStatus": True,
                   "DkimAttributes": EMAIL_DKIM_V2}
    got = cli_json(server, "sesv2", "create-email-identity",
                   "--email-identity", "example.com")
    assert got["DkimAttributes"]["Status"] == "SUCCESS"
    assert len(got["DkimAttributes"]["Tokens"]) == 3

    assert cli_json(server, "sesv2", "get-email-identity",
                    "--email-identity", "a@example.com") == {
        "IdentityType": "EMAIL_ADDRESS", "FeedbackForwardingStatus": True,
        "VerifiedForSendingStatus": True, "DkimAttributes": EMAIL_DKIM_V2,
        "Policies": {}, "Tags": [{"Key": "team", "Value": "mail"}],
        "VerificationStatus": "SUCCESS"}
    assert cli_json(server, "sesv2", "put-email-identity-mail-from-attributes",
                    "--email-identity", "example.com", "--mail-from-domain",
                    "mail.example.com", "--behavior-on-mx-failure",
                    "REJECT_MESSAGE") is None
    assert cli_json(server, "ses", "get-identity-mail-from-domain-attributes",
                    "--identities", "example.com") == {
        "MailFromDomainAttributes": {"example.com": {
            "MailFromDomain": "mail.example.com",
            "MailFromDomainStatus": "Success",
            "BehaviorOnMXFailure": "RejectMessage"}}}
    listed = cli_json(server, "sesv2", "list-email-identities")
    assert sorted(e["IdentityName"] for e in listed["EmailIdentities"]) == [
        "a@example.com", "example.com"]

    assert cli_json(server, "sesv2", "delete-email-identity",
                    "--email-identity", "a@example.com") is None
    stderr = cli_error(server, "sesv2", "get-email-identity",
                       "--email-identity", "a@example.com")
    assert ("An error occurred (NotFoundException) when calling the "
            "GetEmailIdentity operation") in stderr
    stderr = cli_error(server, "sesv2", "create-email-identity",
                       "--email-identity", "example.com")
    assert "(AlreadyExistsException)" in stderr


def test_identity_quota_per_region(start_server, ses, sesv2):
    # AWS: 10,000 identities per region (SES-REFERENCE §7). Filled over
    # one keep-alive connection: boto3 would take ten times as long.
    srv = start_server()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with requests.Session() as http:
        for i in range(10000):
            r = http.post(srv.url + "/", data="Action=VerifyEmailIdentity&"
                          "EmailAddress=u%d%%40example.com" % i,
                          headers=form, timeout=10)
            assert r.status_code == 200, r.text
    with pytest.raises(ClientError) as exc:
        ses(srv=srv).verify_email_identity(EmailAddress="one@more.example")
    err = exc.value.response["Error"]
    assert (err["Code"], err["Message"]) == (
        "LimitExceeded", "Maximum number of identities (10000) reached in "
        "region us-east-1.")
    with pytest.raises(ClientError) as exc:
        sesv2(srv=srv).create_email_identity(EmailIdentity="more.example")
    assert exc.value.response["Error"]["Code"] == "LimitExceededException"
    # Re-verifying an existing identity is not a new one; other regions
    # have their own quota.
    ses(srv=srv).verify_email_identity(EmailAddress="u1@example.com")
    ses(srv=srv, region="eu-west-1").verify_email_identity(
        EmailAddress="one@more.example")
