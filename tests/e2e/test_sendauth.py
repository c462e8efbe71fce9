"""Sending authorization end to end: account A owns a verified domain and
puts a policy on it; account B sends as that identity by ARN (v1 SourceArn,
raw X-SES-SOURCE-ARN, v2 FromEmailAddressIdentityArn). Policies decide:
Allow, explicit Deny, conditions on recipients, none at all."""
import json

import pytest
from botocore.exceptions import ClientError

OWNER, OWNER_KEY = "111111111111", "AKIAOWNER00000000001"
CALLER, CALLER_KEY = "222222222222", "AKIACALLER0000000002"
ARN = "arn:aws:ses:us-east-1:%s:identity/example.com" % OWNER


@pytest.fixture
def accounts(start_server, ses, sesv2):
    srv = start_server("--credentials", "%s:s1:%s,%s:s2:%s" % (
        OWNER_KEY, OWNER, CALLER_KEY, CALLER))
    owner = ses(srv=srv, key=OWNER_KEY)
    owner.verify_domain_identity(Domain="example.com")
    return (srv, owner, ses(srv=srv, key=CALLER_KEY),
            sesv2(srv=srv, key=CALLER_KEY))


def policy(effect="Allow", condition=None, action="ses:SendEmail"):
    stmt = {"Sid": "s1", "Effect": effect,
            "Principal": {"AWS": "arn:aws:iam::%s:root" % CALLER},
            "Action": action, "Resource": ARN}
    if condition:
        stmt["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [stmt]})


def send(client, to="rcpt@example.net", arn=ARN):
    return client.send_email(
        Source="news@example.com", SourceArn=arn,
        Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})


def denied(exc):
    e = exc.value.response["Error"]
    return e["Code"], e["Message"]


def test_allowed_by_policy(accounts):
    srv, owner, caller, _ = accounts
    owner.put_identity_policy(Identity="example.com", PolicyName="p",
                              Policy=policy())
    mid = send(caller)["MessageId"]
    full = srv.get("/_sesbox/api/v1/messages/" + mid).json()
    assert full["Account"] == CALLER


def test_no_policy_is_denied(accounts):
    _, _, caller, _ = accounts
    with pytest.raises(ClientError) as exc:
        send(caller)
    code, message = denied(exc)
    assert code == "AccessDenied"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert message == ("User `arn:aws:iam::%s:root' is not authorized to "
                       "perform `ses:SendEmail' on resource `%s'"
                       % (CALLER, ARN))


def test_without_arn_the_caller_needs_its_own_identity(accounts):
    _, owner, caller, _ = accounts
    owner.put_identity_policy(Identity="example.com", PolicyName="p",
                              Policy=policy())
    with pytest.raises(ClientError) as exc:
        caller.send_email(Source="news@example.com",
                          Destination={"ToAddresses": ["r@example.net"]},
                          Message={"Subject": {"Data": "s"},
                                   "Body": {"Text": {"Data": "b"}}})
    assert denied(exc)[0] == "MessageRejected"


def test_explicit_deny_wins(accounts):
    _, owner, caller, _ = accounts
    owner.put_identity_policy(Identity="example.com", PolicyName="allow",
                              Policy=policy())
    owner.put_identity_policy(Identity="example.com", PolicyName="deny",
                              Policy=policy("Deny"))
    with pytest.raises(ClientError) as exc:
        send(caller)
    assert denied(exc)[0] == "AccessDenied"


def test_condition_on_recipients(accounts):
    _, owner, caller, _ = accounts
    owner.put_identity_policy(
        Identity="example.com", PolicyName="p",
        Policy=policy(condition={"ForAllValues:StringLike": {
            "ses:Recipients": ["*@example.net"]}}))
    send(caller, to="ok@example.net")
    with pytest.raises(ClientError) as exc:
        send(caller, to="no@elsewhere.org")
    assert denied(exc)[0] == "AccessDenied"


def test_wrong_action_not_granted(accounts):
    _, owner, caller, _ = accounts
    owner.put_identity_policy(Identity="example.com", PolicyName="p",
                              Policy=policy(action="ses:SendRawEmail"))
    with pytest.raises(ClientError) as exc:
        send(caller)
    assert denied(exc)[0] == "AccessDenied"
    caller.send_raw_email(
        SourceArn=ARN, RawMessage={"Data": (
            "From: news@example.com\r\nTo: r@example.net\r\nSubject: s\r\n"
            "\r\nbody\r\n")})


def test_raw_header_arn(accounts):
    srv, owner, caller, _ = accounts
    owner.put_identity_policy(Identity="example.com", PolicyName="p",
                              Policy=policy(action="ses:Send*"))
    mid = caller.send_raw_email(RawMessage={"Data": (
        "From: news@example.com\r\nTo: r@example.net\r\nSubject: s\r\n"
        "X-SES-SOURCE-ARN: %s\r\n\r\nbody\r\n" % ARN)})["MessageId"]
    raw = srv.get("/_sesbox/api/v1/messages/%s/raw" % mid).text
    assert "X-SES-SOURCE-ARN" not in raw


def test_v2_from_identity_arn(accounts):
    _, owner, _, caller_v2 = accounts
    owner.put_identity_policy(Identity="example.com", PolicyName="p",
                              Policy=policy())
    caller_v2.send_email(
        FromEmailAddress="news@example.com", FromEmailAddressIdentityArn=ARN,
        Destination={"ToAddresses": ["r@example.net"]},
        Content={"Simple": {"Subject": {"Data": "s"},
                            "Body": {"Text": {"Data": "b"}}}})
    owner.delete_identity_policy(Identity="example.com", PolicyName="p")
    with pytest.raises(ClientError) as exc:
        caller_v2.send_email(
            FromEmailAddress="news@example.com",
            FromEmailAddressIdentityArn=ARN,
            Destination={"ToAddresses": ["r@example.net"]},
            Content={"Simple": {"Subject": {"Data": "s"},
                                "Body": {"Text": {"Data": "b"}}}})
    assert denied(exc)[0] == "AccessDeniedException"


def test_v2_raw_needs_send_raw_email(accounts):
    _, owner, _, caller_v2 = accounts
    owner.put_identity_policy(Identity="example.com", PolicyName="p",
                              Policy=policy())
    raw = (b"From: news@example.com\r\nTo: r@example.net\r\nSubject: s"
           b"\r\n\r\nbody\r\n")
    with pytest.raises(ClientError) as exc:
        caller_v2.send_email(FromEmailAddressIdentityArn=ARN,
                             Content={"Raw": {"Data": raw}})
    assert denied(exc)[1].endswith("perform `ses:SendRawEmail' on resource "
                                   "`%s'" % ARN)
    owner.put_identity_policy(Identity="example.com", PolicyName="p",
                              Policy=policy(action="ses:SendRawEmail"))
    caller_v2.send_email(FromEmailAddressIdentityArn=ARN,
                         Content={"Raw": {"Data": raw}})


def test_address_must_belong_to_the_identity(accounts):
    _, owner, caller, _ = accounts
    owner.put_identity_policy(Identity="example.com", PolicyName="p",
                              Policy=policy())
    with pytest.raises(ClientError) as exc:
        caller.send_email(
            Source="news@other.example", SourceArn=ARN,
            Destination={"ToAddresses": ["r@example.net"]},
            Message={"Subject": {"Data": "s"},
                     "Body": {"Text": {"Data": "b"}}})
    assert denied(exc)[0] == "MessageRejected"
