"""Sending-authorization policies on identities through boto3 and the AWS
CLI: v1 Put/Get/List/DeleteIdentityPolicy and v2 Create/Get/Update/
DeleteEmailIdentityPolicy over the same rows.

The policy checker's cases are data: fixtures/policy/invalid/<case>/ holds
policy.json and the exact message SES-style refusal expected, fixtures/
policy/valid/<case>/policy.json a policy that must be taken. In both,
@ARN@ stands for the ARN of the identity the policy is attached to."""
import json
import pathlib

import pytest
from botocore.exceptions import ClientError

from conftest import DEFAULT_ACCOUNT, DEFAULT_REGION, ROOT, aws_cli

FIXTURES = ROOT / "fixtures" / "policy"
INVALID = sorted(p.name for p in (FIXTURES / "invalid").iterdir())
VALID = sorted(p.name for p in (FIXTURES / "valid").iterdir())

IDENTITY = "sender@example.com"
DOMAIN = "example.org"
MAX_POLICIES = 20
MAX_BYTES = 4096

NAME_MESSAGE = ("PolicyName is invalid. Policy names must only include "
                "alpha-numeric characters, dashes, and underscores.")

KEY_A, SECRET_A, ACCOUNT_A = "AKIDPOLICYA", "secretA", "111111111111"
KEY_B, SECRET_B, ACCOUNT_B = "AKIDPOLICYB", "secretB", "222222222222"


def arn(name=IDENTITY, account=DEFAULT_ACCOUNT, region=DEFAULT_REGION):
    return "arn:aws:ses:%s:%s:identity/%s" % (region, account, name)


def policy(name=IDENTITY, sid="Delegate", account=DEFAULT_ACCOUNT,
           region=DEFAULT_REGION, **extra):
    """A valid policy for identity name, compact JSON."""
    statement = {"Sid": sid, "Effect": "Allow",
                 "Principal": {"AWS": ["123456789012"]},
                 "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                 "Resource": arn(name, account, region)}
    statement.update(extra)
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]},
                      separators=(",", ":"))


def fixture_text(kind, case, target=None):
    text = (FIXTURES / kind / case / "policy.json").read_text("utf-8")
    return text.replace("@ARN@", target or arn())


def error(exc):
    """(HTTP status, code, message) of a ClientError."""
    resp = exc.value.response
    return (resp["ResponseMetadata"]["HTTPStatusCode"],
            resp["Error"]["Code"], resp["Error"]["Message"])


def body(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


@pytest.fixture
def v1(ses):
    client = ses()
    client.verify_email_identity(EmailAddress=IDENTITY)
    return client


@pytest.fixture
def v2(sesv2, v1):
    return sesv2()


def v1_names(client, identity=IDENTITY):
    return client.list_identity_policies(Identity=identity)["PolicyNames"]


def v2_policies(client, identity=IDENTITY):
    return client.get_email_identity_policies(
        EmailIdentity=identity)["Policies"]


# -- round trips -------------------------------------------------------------

def test_v1_round_trip(v1):
    assert body(v1.list_identity_policies(Identity=IDENTITY)) == {
        "PolicyNames": []}
    assert body(v1.put_identity_policy(Identity=IDENTITY, PolicyName="b-2",
                                       Policy=policy(sid="B"))) == {}
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="a_1",
                           Policy=policy(sid="A"))
    assert v1_names(v1) == ["a_1", "b-2"]
    got = v1.get_identity_policies(Identity=IDENTITY,
                                   PolicyNames=["b-2", "missing", "a_1"])
    assert body(got) == {"Policies": {"a_1": policy(sid="A"),
                                      "b-2": policy(sid="B")}}
    assert body(v1.get_identity_policies(
        Identity=IDENTITY, PolicyNames=["missing"])) == {"Policies": {}}
    assert body(v1.delete_identity_policy(Identity=IDENTITY,
                                          PolicyName="a_1")) == {}
    assert v1_names(v1) == ["b-2"]


def test_v2_round_trip(v2):
    assert body(v2.get_email_identity_policies(EmailIdentity=IDENTITY)) == {
        "Policies": {}}
    resp = v2.create_email_identity_policy(
        EmailIdentity=IDENTITY, PolicyName="p1", Policy=policy(sid="One"))
    assert body(resp) == {}
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert v2_policies(v2) == {"p1": policy(sid="One")}
    assert body(v2.update_email_identity_policy(
        EmailIdentity=IDENTITY, PolicyName="p1",
        Policy=policy(sid="Two"))) == {}
    assert v2_policies(v2) == {"p1": policy(sid="Two")}
    assert body(v2.delete_email_identity_policy(EmailIdentity=IDENTITY,
                                                PolicyName="p1")) == {}
    assert v2_policies(v2) == {}


def test_v1_and_v2_see_the_same_policies(v1, v2):
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="from-v1",
                           Policy=policy(sid="V1"))
    assert v2_policies(v2) == {"from-v1": policy(sid="V1")}
    v2.create_email_identity_policy(EmailIdentity=IDENTITY,
                                    PolicyName="from-v2",
                                    Policy=policy(sid="V2"))
    assert v1_names(v1) == ["from-v1", "from-v2"]
    v2.update_email_identity_policy(EmailIdentity=IDENTITY,
                                    PolicyName="from-v1",
                                    Policy=policy(sid="V1b"))
    assert v1.get_identity_policies(
        Identity=IDENTITY, PolicyNames=["from-v1"])["Policies"] == {
        "from-v1": policy(sid="V1b")}
    # v1 Put replaces what v2 created; v2 Delete removes what v1 put.
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="from-v2",
                           Policy=policy(sid="V2b"))
    v2.delete_email_identity_policy(EmailIdentity=IDENTITY,
                                    PolicyName="from-v1")
    assert v2_policies(v2) == {"from-v2": policy(sid="V2b")}
    v1.delete_identity_policy(Identity=IDENTITY, PolicyName="from-v2")
    assert v2_policies(v2) == {}


def test_identity_by_arn_in_both_apis(v1, v2):
    v1.put_identity_policy(Identity=arn(), PolicyName="by-arn",
                           Policy=policy())
    assert v1_names(v1, arn()) == ["by-arn"]
    assert v1.get_identity_policies(Identity=arn(), PolicyNames=[
        "by-arn"])["Policies"] == {"by-arn": policy()}
    v2.create_email_identity_policy(EmailIdentity=arn(), PolicyName="v2-arn",
                                    Policy=policy())
    assert v2_policies(v2, arn()) == {"by-arn": policy(),
                                      "v2-arn": policy()}
    v2.update_email_identity_policy(EmailIdentity=arn(), PolicyName="v2-arn",
                                    Policy=policy(sid="Updated"))
    v2.delete_email_identity_policy(EmailIdentity=arn(), PolicyName="by-arn")
    v1.delete_identity_policy(Identity=arn(), PolicyName="v2-arn")
    assert v2_policies(v2) == {}


def test_identity_name_case(v1, v2, ses):
    # AWS: an address is case-sensitive, a domain is not (SES developer
    # guide, verifying email addresses).
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="p",
                           Policy=policy())
    assert v2_policies(v2, IDENTITY) == {"p": policy()}
    for other in ("SENDER@example.com", "sender@EXAMPLE.com"):
        with pytest.raises(ClientError) as exc:
            v1.put_identity_policy(Identity=other, PolicyName="p",
                                   Policy=policy())
        assert error(exc)[1] == "MessageRejected"
    ses().verify_domain_identity(Domain=DOMAIN)
    v1.put_identity_policy(Identity=DOMAIN.upper(), PolicyName="d",
                           Policy=policy(DOMAIN))
    assert v1_names(v1, DOMAIN) == ["d"]


def test_domain_identity(ses, sesv2):
    ses().verify_domain_identity(Domain=DOMAIN)
    ses().put_identity_policy(Identity=DOMAIN, PolicyName="domain",
                              Policy=policy(DOMAIN))
    assert v2_policies(sesv2(), DOMAIN) == {"domain": policy(DOMAIN)}
    with pytest.raises(ClientError) as exc:
        sesv2().create_email_identity_policy(
            EmailIdentity=DOMAIN, PolicyName="wrong", Policy=policy())
    assert error(exc) == (
        400, "BadRequestException",
        "Invalid resource: %s. The resource must be the ARN of the identity "
        "the policy is attached to: %s." % (arn(), arn(DOMAIN)))


def test_policy_text_is_kept_byte_for_byte(v1, v2):
    text = fixture_text("valid", "two-statements-unicode")
    assert "\n" in text and "ü" in text
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="pretty",
                           Policy=text)
    v2.create_email_identity_policy(EmailIdentity=IDENTITY,
                                    PolicyName="pretty2", Policy=text)
    assert v2_policies(v2) == {"pretty": text, "pretty2": text}
    assert v1.get_identity_policies(Identity=IDENTITY, PolicyNames=[
        "pretty", "pretty2"])["Policies"] == {"pretty": text,
                                              "pretty2": text}


# -- names that exist or not --------------------------------------------------

def test_v1_put_replaces_an_existing_policy(v1):
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="p",
                           Policy=policy(sid="First"))
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="p",
                           Policy=policy(sid="Second"))
    assert v1.get_identity_policies(Identity=IDENTITY, PolicyNames=["p"])[
        "Policies"] == {"p": policy(sid="Second")}
    assert v1_names(v1) == ["p"]


def test_v2_create_refuses_an_existing_name(v1, v2):
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="taken",
                           Policy=policy(sid="Original"))
    with pytest.raises(ClientError) as exc:
        v2.create_email_identity_policy(EmailIdentity=IDENTITY,
                                        PolicyName="taken",
                                        Policy=policy(sid="Other"))
    assert error(exc) == (400, "AlreadyExistsException",
                          "Policy <taken> already exists")
    assert v2_policies(v2) == {"taken": policy(sid="Original")}


def test_policy_names_are_case_sensitive(v1):
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="Policy",
                           Policy=policy(sid="Upper"))
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="policy",
                           Policy=policy(sid="Lower"))
    assert v1_names(v1) == ["Policy", "policy"]


def test_v2_update_of_a_missing_policy(v2):
    with pytest.raises(ClientError) as exc:
        v2.update_email_identity_policy(EmailIdentity=IDENTITY,
                                        PolicyName="ghost", Policy=policy())
    assert error(exc) == (404, "NotFoundException",
                          "Policy <ghost> does not exist")
    assert v2_policies(v2) == {}


def test_v2_delete_of_a_missing_policy(v2):
    with pytest.raises(ClientError) as exc:
        v2.delete_email_identity_policy(EmailIdentity=IDENTITY,
                                        PolicyName="ghost")
    assert error(exc) == (404, "NotFoundException",
                          "Policy <ghost> does not exist")


def test_v1_delete_of_a_missing_policy_succeeds(v1):
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="kept",
                           Policy=policy())
    assert body(v1.delete_identity_policy(Identity=IDENTITY,
                                          PolicyName="ghost")) == {}
    v1.delete_identity_policy(Identity=IDENTITY, PolicyName="kept")
    v1.delete_identity_policy(Identity=IDENTITY, PolicyName="kept")
    assert v1_names(v1) == []


# -- identities that do not exist ---------------------------------------------

def test_v1_unknown_identity(ses):
    client = ses()
    with pytest.raises(ClientError) as exc:
        client.put_identity_policy(Identity="nobody@example.com",
                                   PolicyName="p",
                                   Policy=policy("nobody@example.com"))
    assert error(exc) == (
        400, "MessageRejected",
        "Identity nobody@example.com is not verified or does not exist.")
    assert body(client.get_identity_policies(
        Identity="nobody@example.com", PolicyNames=["p"])) == {
        "Policies": {}}
    assert body(client.list_identity_policies(
        Identity="nobody@example.com")) == {"PolicyNames": []}
    assert body(client.delete_identity_policy(
        Identity="nobody@example.com", PolicyName="p")) == {}


@pytest.mark.parametrize("identity", ["nobody@example.com",
                                      arn("nobody@example.com")])
def test_v2_unknown_identity(sesv2, identity):
    client = sesv2()
    message = "Email identity <nobody@example.com> does not exist."
    calls = [
        lambda: client.create_email_identity_policy(
            EmailIdentity=identity, PolicyName="p",
            Policy=policy("nobody@example.com")),
        lambda: client.update_email_identity_policy(
            EmailIdentity=identity, PolicyName="p",
            Policy=policy("nobody@example.com")),
        lambda: client.get_email_identity_policies(EmailIdentity=identity),
        lambda: client.delete_email_identity_policy(EmailIdentity=identity,
                                                    PolicyName="p"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as exc:
            call()
        assert error(exc) == (404, "NotFoundException", message)


def test_deleting_an_identity_deletes_its_policies(ses, sesv2):
    v1, v2 = ses(), sesv2()
    v1.verify_email_identity(EmailAddress=IDENTITY)
    v1.verify_domain_identity(Domain=DOMAIN)
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="p",
                           Policy=policy())
    v1.put_identity_policy(Identity=DOMAIN, PolicyName="d",
                           Policy=policy(DOMAIN))
    v1.delete_identity(Identity=IDENTITY)
    v2.delete_email_identity(EmailIdentity=DOMAIN)
    assert v1_names(v1) == []
    assert v1_names(v1, DOMAIN) == []
    # Created again, the identities start without policies.
    v1.verify_email_identity(EmailAddress=IDENTITY)
    v2.create_email_identity(EmailIdentity=DOMAIN)
    assert v2_policies(v2) == {}
    assert v2_policies(v2, DOMAIN) == {}


# -- the policy checker (fixtures/policy) -------------------------------------

@pytest.mark.parametrize("case", INVALID)
def test_invalid_policy(v1, v2, case):
    text = fixture_text("invalid", case)
    message = (FIXTURES / "invalid" / case / "message").read_text(
        "utf-8").rstrip("\n").replace("@ARN@", arn())
    with pytest.raises(ClientError) as exc:
        v1.put_identity_policy(Identity=IDENTITY, PolicyName="p",
                               Policy=text)
    assert error(exc) == (400, "InvalidPolicy", message)
    assert exc.value.response["Error"]["Type"] == "Sender"
    for call in (v2.create_email_identity_policy,
                 v2.update_email_identity_policy):
        with pytest.raises(ClientError) as exc:
            call(EmailIdentity=IDENTITY, PolicyName="p", Policy=text)
        assert error(exc) == (400, "BadRequestException", message)
    assert v1_names(v1) == []


def test_invalid_policy_does_not_replace_a_stored_one(v1, v2):
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="p",
                           Policy=policy())
    bad = fixture_text("invalid", "effect-lowercase")
    with pytest.raises(ClientError):
        v1.put_identity_policy(Identity=IDENTITY, PolicyName="p",
                               Policy=bad)
    with pytest.raises(ClientError):
        v2.update_email_identity_policy(EmailIdentity=IDENTITY,
                                        PolicyName="p", Policy=bad)
    assert v2_policies(v2) == {"p": policy()}


@pytest.mark.parametrize("case", VALID)
def test_valid_policy(v1, v2, case):
    text = fixture_text("valid", case)
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="v1", Policy=text)
    v2.create_email_identity_policy(EmailIdentity=IDENTITY, PolicyName="v2",
                                    Policy=text)
    v2.update_email_identity_policy(EmailIdentity=IDENTITY, PolicyName="v2",
                                    Policy=text)
    assert v2_policies(v2) == {"v1": text, "v2": text}


def padded(size):
    """A valid policy of exactly size bytes (padded with spaces)."""
    text = policy()
    assert len(text) <= size
    return text[:-1] + " " * (size - len(text)) + text[-1]


def test_policy_size_limit(v1, v2):
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="max",
                           Policy=padded(MAX_BYTES))
    message = "Policy is 4097 bytes; the maximum is 4096 (4 KB)."
    with pytest.raises(ClientError) as exc:
        v1.put_identity_policy(Identity=IDENTITY, PolicyName="over",
                               Policy=padded(MAX_BYTES + 1))
    assert error(exc) == (400, "InvalidPolicy", message)
    with pytest.raises(ClientError) as exc:
        v2.create_email_identity_policy(EmailIdentity=IDENTITY,
                                        PolicyName="over",
                                        Policy=padded(MAX_BYTES + 1))
    assert error(exc) == (400, "BadRequestException", message)
    assert v2_policies(v2) == {"max": padded(MAX_BYTES)}


# -- policy names -------------------------------------------------------------

@pytest.mark.parametrize("name", ["has space", "dot.ted", "at@sign",
                                  "colon:name", "ünïcode", "star*"])
def test_bad_policy_name(v1, v2, name):
    with pytest.raises(ClientError) as exc:
        v1.put_identity_policy(Identity=IDENTITY, PolicyName=name,
                               Policy=policy())
    assert error(exc) == (400, "InvalidParameterValue", NAME_MESSAGE)
    for call in (v2.create_email_identity_policy,
                 v2.update_email_identity_policy):
        with pytest.raises(ClientError) as exc:
            call(EmailIdentity=IDENTITY, PolicyName=name, Policy=policy())
        assert error(exc) == (400, "BadRequestException", NAME_MESSAGE)
    assert v1_names(v1) == []


def test_policy_name_length(ses, sesv2, v1):
    longest = "N" * 64
    v1.put_identity_policy(Identity=IDENTITY, PolicyName=longest,
                           Policy=policy())
    assert v1_names(v1) == [longest]
    too_long = "N" * 65
    message = ("1 validation error detected: Value '%s' at 'policyName' "
               "failed to satisfy constraint: Member must have length less "
               "than or equal to 64" % too_long)
    with pytest.raises(ClientError) as exc:
        ses(validate=False).put_identity_policy(
            Identity=IDENTITY, PolicyName=too_long, Policy=policy())
    assert error(exc) == (400, "ValidationError", message)
    with pytest.raises(ClientError) as exc:
        sesv2(validate=False).create_email_identity_policy(
            EmailIdentity=IDENTITY, PolicyName=too_long, Policy=policy())
    assert error(exc) == (400, "BadRequestException", message)


# -- the 20-policy limit ------------------------------------------------------

def test_twenty_policies_per_identity(v1, v2):
    names = ["p%02d" % i for i in range(MAX_POLICIES)]
    for i, name in enumerate(names):
        if i % 2:
            v1.put_identity_policy(Identity=IDENTITY, PolicyName=name,
                                   Policy=policy())
        else:
            v2.create_email_identity_policy(EmailIdentity=IDENTITY,
                                            PolicyName=name, Policy=policy())
    message = ("Number of policies for <%s> exceeds max allowed number of "
               "policies per resource")
    with pytest.raises(ClientError) as exc:
        v1.put_identity_policy(Identity=IDENTITY, PolicyName="one-more",
                               Policy=policy())
    assert error(exc) == (400, "InvalidParameterValue", message % IDENTITY)
    with pytest.raises(ClientError) as exc:
        v2.create_email_identity_policy(EmailIdentity=arn(),
                                        PolicyName="one-more",
                                        Policy=policy())
    assert error(exc) == (400, "LimitExceededException", message % arn())
    # Replacing one of the twenty is not adding one.
    v1.put_identity_policy(Identity=IDENTITY, PolicyName="p00",
                           Policy=policy(sid="Replaced"))
    v2.update_email_identity_policy(EmailIdentity=IDENTITY,
                                    PolicyName="p01",
                                    Policy=policy(sid="Updated"))
    assert v1_names(v1) == names
    # Another identity has its own twenty.
    v1.verify_email_identity(EmailAddress="other@example.com")
    v1.put_identity_policy(Identity="other@example.com", PolicyName="p",
                           Policy=policy("other@example.com"))
    v2.delete_email_identity_policy(EmailIdentity=IDENTITY,
                                    PolicyName="p05")
    v2.create_email_identity_policy(EmailIdentity=IDENTITY,
                                    PolicyName="one-more", Policy=policy())
    assert len(v1_names(v1)) == MAX_POLICIES


# -- isolation ----------------------------------------------------------------

def test_accounts_are_isolated(start_server, ses, sesv2):
    srv = start_server("--credentials", "%s:%s:%s,%s:%s:%s" % (
        KEY_A, SECRET_A, ACCOUNT_A, KEY_B, SECRET_B, ACCOUNT_B))
    a1 = ses(srv=srv, key=KEY_A, secret=SECRET_A)
    b1 = ses(srv=srv, key=KEY_B, secret=SECRET_B)
    b2 = sesv2(srv=srv, key=KEY_B, secret=SECRET_B)
    a1.verify_email_identity(EmailAddress=IDENTITY)
    a1.put_identity_policy(Identity=IDENTITY, PolicyName="a",
                           Policy=policy(account=ACCOUNT_A))
    # B does not own the identity, even by A's ARN.
    assert v1_names(b1) == []
    with pytest.raises(ClientError) as exc:
        b2.get_email_identity_policies(
            EmailIdentity=arn(account=ACCOUNT_A))
    assert error(exc)[:2] == (404, "NotFoundException")
    b1.verify_email_identity(EmailAddress=IDENTITY)
    # B's identity has B's ARN; a policy naming A's is refused.
    with pytest.raises(ClientError) as exc:
        b1.put_identity_policy(Identity=IDENTITY, PolicyName="b",
                               Policy=policy(account=ACCOUNT_A))
    assert error(exc)[:2] == (400, "InvalidPolicy")
    b1.put_identity_policy(Identity=IDENTITY, PolicyName="b",
                           Policy=policy(account=ACCOUNT_B))
    assert v1_names(a1) == ["a"]
    assert v2_policies(b2) == {"b": policy(account=ACCOUNT_B)}


def test_regions_are_isolated(ses, sesv2):
    east, west = ses(), ses(region="us-west-2")
    west2 = sesv2(region="us-west-2")
    east.verify_email_identity(EmailAddress=IDENTITY)
    east.put_identity_policy(Identity=IDENTITY, PolicyName="east",
                             Policy=policy())
    with pytest.raises(ClientError) as exc:
        west2.get_email_identity_policies(EmailIdentity=IDENTITY)
    assert error(exc)[:2] == (404, "NotFoundException")
    west.verify_email_identity(EmailAddress=IDENTITY)
    assert v1_names(west) == []
    with pytest.raises(ClientError) as exc:
        west.put_identity_policy(Identity=IDENTITY, PolicyName="west",
                                 Policy=policy())
    assert error(exc) == (
        400, "InvalidPolicy",
        "Invalid resource: %s. The resource must be the ARN of the identity "
        "the policy is attached to: %s." % (arn(), arn(region="us-west-2")))
    west2.create_email_identity_policy(
        EmailIdentity=IDENTITY, PolicyName="west",
        Policy=policy(region="us-west-2"))
    assert v1_names(east) == ["east"]
    assert v1_names(west) == ["west"]


# -- the AWS CLI --------------------------------------------------------------

def test_aws_cli_every_operation(server, v1):
    def cli(*args):
        out = aws_cli(server, *args).stdout
        return json.loads(out) if out.strip() else {}

    assert cli("ses", "put-identity-policy", "--identity", IDENTITY,
               "--policy-name", "cli1", "--policy", policy()) == {}
    assert cli("ses", "list-identity-policies", "--identity",
               IDENTITY) == {"PolicyNames": ["cli1"]}
    assert cli("ses", "get-identity-policies", "--identity", arn(),
               "--policy-names", "cli1", "nope") == {
        "Policies": {"cli1": policy()}}
    assert cli("sesv2", "create-email-identity-policy", "--email-identity",
               IDENTITY, "--policy-name", "cli2", "--policy",
               policy(sid="Cli")) == {}
    assert cli("sesv2", "update-email-identity-policy", "--email-identity",
               IDENTITY, "--policy-name", "cli2", "--policy",
               policy(sid="Cli2")) == {}
    assert cli("sesv2", "get-email-identity-policies", "--email-identity",
               IDENTITY) == {"Policies": {"cli1": policy(),
                                          "cli2": policy(sid="Cli2")}}
    assert cli("sesv2", "delete-email-identity-policy", "--email-identity",
               IDENTITY, "--policy-name", "cli2") == {}
    assert cli("ses", "delete-identity-policy", "--identity", IDENTITY,
               "--policy-name", "cli1") == {}
    assert cli("ses", "list-identity-policies", "--identity",
               IDENTITY) == {"PolicyNames": []}
    proc = aws_cli(server, "ses", "put-identity-policy", "--identity",
                   IDENTITY, "--policy-name", "bad", "--policy",
                   '{"Statement": []}', check=False)
    assert proc.returncode != 0
    assert ("An error occurred (InvalidPolicy) when calling the "
            "PutIdentityPolicy operation") in proc.stderr
    assert proc.stderr.rstrip().endswith(
        ": Policy must contain at least one statement."), proc.stderr
