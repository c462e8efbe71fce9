"""Every identity, policy and custom-verification-template operation of both
APIs through the AWS CLI (/usr/bin/aws, with the committed models), in the
order a user would run them; each step checks the parsed output. The boto3
suites test the same operations in depth, and the three deprecated ones the
CLI does not offer (VerifyEmailAddress, ListVerifiedEmailAddresses,
DeleteVerifiedEmailAddress)."""
import json

from conftest import aws_cli

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "123456789012"},
    "Action": "ses:SendEmail",
    "Resource": "arn:aws:ses:us-east-1:000000000000:identity/example.com"}]})


def cli(server, *args):
    out = aws_cli(server, *args).stdout
    return json.loads(out) if out.strip() else {}


def test_v1_identity_operations(server):
    assert cli(server, "ses", "verify-email-identity", "--email-address",
               "a@example.com") == {}
    cli(server, "ses", "verify-email-identity", "--email-address",
        "b@example.com")
    token = cli(server, "ses", "verify-domain-identity", "--domain",
                "example.com")["VerificationToken"]
    assert len(token) == 44
    tokens = cli(server, "ses", "verify-domain-dkim", "--domain",
                 "example.com")["DkimTokens"]
    assert len(tokens) == 3
    assert cli(server, "ses", "list-identities", "--identity-type",
               "EmailAddress")["Identities"] == ["a@example.com",
                                                 "b@example.com"]
    ids = ["--identities", "example.com", "a@example.com"]
    assert cli(server, "ses", "get-identity-verification-attributes", *ids)[
        "VerificationAttributes"]["example.com"] == {
            "VerificationStatus": "Success", "VerificationToken": token}
    assert cli(server, "ses", "get-identity-dkim-attributes", *ids)[
        "DkimAttributes"]["example.com"]["DkimTokens"] == tokens
    cli(server, "ses", "set-identity-dkim-enabled", "--identity",
        "example.com", "--no-dkim-enabled")
    assert cli(server, "ses", "get-identity-dkim-attributes", *ids)[
        "DkimAttributes"]["example.com"]["DkimEnabled"] is False
    cli(server, "ses", "set-identity-mail-from-domain", "--identity",
        "example.com", "--mail-from-domain", "mail.example.com",
        "--behavior-on-mx-failure", "RejectMessage")
    assert cli(server, "ses", "get-identity-mail-from-domain-attributes",
               *ids)["MailFromDomainAttributes"]["example.com"] == {
        "MailFromDomain": "mail.example.com",
        "MailFromDomainStatus": "Success",
        "BehaviorOnMXFailure": "RejectMessage"}
    for kind in ("Bounce", "Complaint"):
        cli(server, "ses", "set-identity-notification-topic", "--identity",
            "example.com", "--notification-type", kind, "--sns-topic",
            "arn:aws:sns:us-east-1:000000000000:" + kind.lower())
    cli(server, "ses", "set-identity-feedback-forwarding-enabled",
        "--identity", "example.com", "--no-forwarding-enabled")
    cli(server, "ses", "set-identity-headers-in-notifications-enabled",
        "--identity", "example.com", "--notification-type", "Bounce",
        "--enabled")
    attrs = cli(server, "ses", "get-identity-notification-attributes",
                *ids)["NotificationAttributes"]["example.com"]
    assert attrs == {
        "BounceTopic": "arn:aws:sns:us-east-1:000000000000:bounce",
        "ComplaintTopic": "arn:aws:sns:us-east-1:000000000000:complaint",
        "ForwardingEnabled": False,
        "HeadersInBounceNotificationsEnabled": True,
        "HeadersInComplaintNotificationsEnabled": False,
        "HeadersInDeliveryNotificationsEnabled": False}
    cli(server, "ses", "put-identity-policy", "--identity", "example.com",
        "--policy-name", "p1", "--policy", POLICY)
    assert cli(server, "ses", "list-identity-policies", "--identity",
               "example.com")["PolicyNames"] == ["p1"]
    assert cli(server, "ses", "get-identity-policies", "--identity",
               "example.com", "--policy-names", "p1")["Policies"] == {
        "p1": POLICY}
    cli(server, "ses", "delete-identity-policy", "--identity",
        "example.com", "--policy-name", "p1")
    cli(server, "ses", "delete-identity", "--identity", "b@example.com")
    cli(server, "ses", "delete-identity", "--identity", "example.com")
    assert cli(server, "ses", "list-identities")["Identities"] == [
        "a@example.com"]


def test_v2_identity_operations(server):
    created = cli(server, "sesv2", "create-email-identity",
                  "--email-identity", "example.com", "--tags",
                  "Key=team,Value=mail")
    assert created["IdentityType"] == "DOMAIN"
    assert created["DkimAttributes"]["Status"] == "SUCCESS"
    e = ["--email-identity", "example.com"]
    cli(server, "sesv2", "put-email-identity-dkim-attributes", *e,
        "--no-signing-enabled")
    cli(server, "sesv2", "put-email-identity-dkim-signing-attributes", *e,
        "--signing-attributes-origin", "AWS_SES", "--signing-attributes",
        "NextSigningKeyLength=RSA_1024_BIT")
    cli(server, "sesv2", "put-email-identity-feedback-attributes", *e,
        "--email-forwarding-enabled")
    cli(server, "sesv2", "put-email-identity-mail-from-attributes", *e,
        "--mail-from-domain", "bounce.example.com",
        "--behavior-on-mx-failure", "USE_DEFAULT_VALUE")
    cli(server, "sesv2", "put-email-identity-configuration-set-attributes",
        *e, "--configuration-set-name", "cs1")
    cli(server, "sesv2", "create-email-identity-policy", *e,
        "--policy-name", "p1", "--policy", POLICY)
    cli(server, "sesv2", "update-email-identity-policy", *e,
        "--policy-name", "p1", "--policy", POLICY)
    assert list(cli(server, "sesv2", "get-email-identity-policies", *e)[
        "Policies"]) == ["p1"]
    got = cli(server, "sesv2", "get-email-identity", *e)
    assert got["DkimAttributes"]["SigningEnabled"] is True
    assert got["DkimAttributes"]["CurrentSigningKeyLength"] == "RSA_1024_BIT"
    assert got["MailFromAttributes"]["MailFromDomain"] == "bounce.example.com"
    assert got["ConfigurationSetName"] == "cs1"
    assert got["Tags"] == [{"Key": "team", "Value": "mail"}]
    assert list(got["Policies"]) == ["p1"]
    cli(server, "sesv2", "delete-email-identity-policy", *e,
        "--policy-name", "p1")
    assert [i["IdentityName"] for i in cli(server, "sesv2",
            "list-email-identities")["EmailIdentities"]] == ["example.com"]
    cli(server, "sesv2", "delete-email-identity", *e)
    assert cli(server, "sesv2", "list-email-identities")[
        "EmailIdentities"] == []


def test_custom_verification_operations(server):
    cli(server, "ses", "verify-domain-identity", "--domain", "example.com")
    base = ["--from-email-address", "team@example.com",
            "--template-subject", "Confirm",
            "--template-content", "<p>Hello</p>",
            "--success-redirection-url", "https://example.com/ok",
            "--failure-redirection-url", "https://example.com/no"]
    for api, name in (("ses", "t1"), ("sesv2", "t2")):
        cli(server, api, "create-custom-verification-email-template",
            "--template-name", name, *base)
        cli(server, api, "update-custom-verification-email-template",
            "--template-name", name, *base[:2], "--template-subject", "New",
            *base[4:])
        assert cli(server, api, "get-custom-verification-email-template",
                   "--template-name", name)["TemplateSubject"] == "New"
        listed = cli(server, api, "list-custom-verification-email-templates")
        assert [t["TemplateName"] for t in listed[
            "CustomVerificationEmailTemplates"]] == (
                ["t1"] if name == "t1" else ["t1", "t2"])
        sent = cli(server, api, "send-custom-verification-email",
                   "--email-address", "new-%s@user.example" % name,
                   "--template-name", name)
        assert sent["MessageId"].endswith("-000000")
    for api, name in (("ses", "t1"), ("sesv2", "t2")):
        cli(server, api, "delete-custom-verification-email-template",
            "--template-name", name)
    msgs = server.get("/_sesbox/api/v1/messages",
                      params={"kind": "custom-verification"}).json()
    assert len(msgs["messages"]) == 2
