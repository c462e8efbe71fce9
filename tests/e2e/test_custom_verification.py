"""Custom verification email templates: v1 and v2 Create/Get/Update/Delete/
List through boto3 and the AWS CLI, against one store.

Content cases are data: fixtures/cvt/content/<case>/content.html with
`expected` holding "ok" or the exact CustomVerificationEmailInvalidContent
message.
"""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import ROOT, aws_cli

CONTENT_CASES = sorted((ROOT / "fixtures" / "cvt" / "content").iterdir())

SENDER = "sender@example.com"
CONTENT = ('<html><head></head><body style="font-family:sans-serif;">'
           '<h1 style="text-align:center">Ready to send?</h1>'
           '<p>Click the link below to verify your address.</p>'
           '</body></html>')
SUCCESS_URL = "https://www.example.com/verifysuccess"
FAILURE_URL = "https://www.example.com/verifyfailure"
LIMIT = 50
CONTENT_MAX_BYTES = 10 * 1024 * 1024

# Two access keys mapped to two accounts.
KEY_A, SECRET_A, ACCOUNT_A = "AKIDCVTA", "secretA", "111111111111"
KEY_B, SECRET_B, ACCOUNT_B = "AKIDCVTB", "secretB", "222222222222"
CREDENTIALS = "%s:%s:%s,%s:%s:%s" % (KEY_A, SECRET_A, ACCOUNT_A,
                                     KEY_B, SECRET_B, ACCOUNT_B)

CODES = {
    # condition: (v1 code, v2 code, v2 HTTP status)
    "exists": ("CustomVerificationEmailTemplateAlreadyExists",
               "AlreadyExistsException", 400),
    "missing": ("CustomVerificationEmailTemplateDoesNotExist",
                "NotFoundException", 404),
    "from": ("FromEmailAddressNotVerified", "NotFoundException", 404),
    "content": ("CustomVerificationEmailInvalidContent",
                "BadRequestException", 400),
    "limit": ("LimitExceeded", "LimitExceededException", 400),
    "param": ("InvalidParameterValue", "BadRequestException", 400),
}


def template(name="welcome", **over):
    t = {"TemplateName": name, "FromEmailAddress": SENDER,
         "TemplateSubject": "Please confirm your email address",
         "TemplateContent": CONTENT, "SuccessRedirectionURL": SUCCESS_URL,
         "FailureRedirectionURL": FAILURE_URL}
    t.update(over)
    return t


def metadata(t):
    """What the listings show of a template: everything but the content."""
    return {k: v for k, v in t.items()
            if k not in ("TemplateContent", "Tags")}


def body(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def verify(ses_client, *identities):
    """Verifies addresses and domains (auto mode: at once) and checks it."""
    for ident in identities:
        if "@" in ident:
            ses_client.verify_email_identity(EmailAddress=ident)
        else:
            ses_client.verify_domain_identity(Domain=ident)
    attrs = ses_client.get_identity_verification_attributes(
        Identities=list(identities))["VerificationAttributes"]
    for ident in identities:
        assert attrs[ident]["VerificationStatus"] == "Success", attrs


def expect_error(call, api, condition, message, **kwargs):
    """Runs call(**kwargs) and checks the API's code, status and message."""
    v1_code, v2_code, v2_status = CODES[condition]
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    err = exc.value.response
    if api == "v1":
        assert err["Error"]["Code"] == v1_code, err
        assert err["Error"]["Type"] == "Sender", err
        assert err["ResponseMetadata"]["HTTPStatusCode"] == 400, err
    else:
        assert err["Error"]["Code"] == v2_code, err
        assert err["ResponseMetadata"]["HTTPStatusCode"] == v2_status, err
    assert err["Error"]["Message"] == message, err


@pytest.fixture
def clients(ses, sesv2):
    """(v1 client, v2 client) of the default account with SENDER
    verified."""
    v1, v2 = ses(), sesv2()
    verify(v1, SENDER)
    return v1, v2


def client_for(clients, api):
    return clients[0] if api == "v1" else clients[1]


# -- round trips -------------------------------------------------------------

def test_v1_create_get_list_delete(clients):
    v1, _ = clients
    t = template()
    resp = v1.create_custom_verification_email_template(**t)
    assert body(resp) == {}
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert body(v1.get_custom_verification_email_template(
        TemplateName="welcome")) == t
    assert body(v1.list_custom_verification_email_templates()) == {
        "CustomVerificationEmailTemplates": [metadata(t)]}
    assert body(v1.delete_custom_verification_email_template(
        TemplateName="welcome")) == {}
    assert body(v1.list_custom_verification_email_templates()) == {
        "CustomVerificationEmailTemplates": []}


def test_v2_create_get_list_delete(clients):
    _, v2 = clients
    t = template(Tags=[{"Key": "team", "Value": "growth"},
                       {"Key": "env", "Value": "test"}])
    assert body(v2.create_custom_verification_email_template(**t)) == {}
    got = body(v2.get_custom_verification_email_template(
        TemplateName="welcome"))
    assert sorted(got.pop("Tags"), key=lambda x: x["Key"]) == [
        {"Key": "env", "Value": "test"}, {"Key": "team", "Value": "growth"}]
    assert got == metadata(t) | {"TemplateContent": CONTENT}
    assert body(v2.list_custom_verification_email_templates()) == {
        "CustomVerificationEmailTemplates": [metadata(t)]}
    assert body(v2.delete_custom_verification_email_template(
        TemplateName="welcome")) == {}
    assert body(v2.list_custom_verification_email_templates()) == {
        "CustomVerificationEmailTemplates": []}
    # The tags went with the template: a new one of that name has none.
    v2.create_custom_verification_email_template(**template())
    assert v2.get_custom_verification_email_template(
        TemplateName="welcome")["Tags"] == []


def test_v1_and_v2_see_the_same_templates(clients):
    v1, v2 = clients
    a, b = template("from-v1"), template("from-v2", TemplateSubject="B")
    v1.create_custom_verification_email_template(**a)
    v2.create_custom_verification_email_template(**b)
    assert body(v2.get_custom_verification_email_template(
        TemplateName="from-v1")) == a | {"Tags": []}
    assert body(v1.get_custom_verification_email_template(
        TemplateName="from-v2")) == b
    listing = {"CustomVerificationEmailTemplates": [metadata(a),
                                                    metadata(b)]}
    assert body(v1.list_custom_verification_email_templates()) == listing
    assert body(v2.list_custom_verification_email_templates()) == listing
    v1.update_custom_verification_email_template(
        TemplateName="from-v2", TemplateSubject="changed by v1")
    assert v2.get_custom_verification_email_template(
        TemplateName="from-v2")["TemplateSubject"] == "changed by v1"
    v2.delete_custom_verification_email_template(TemplateName="from-v1")
    expect_error(v1.get_custom_verification_email_template, "v1", "missing",
                 "Custom verification email template <from-v1> does not "
                 "exist", TemplateName="from-v1")


def test_v1_update_changes_only_the_members_given(clients):
    v1, _ = clients
    verify(v1, "other@example.com")
    t = template()
    v1.create_custom_verification_email_template(**t)
    assert body(v1.update_custom_verification_email_template(
        TemplateName="welcome", TemplateSubject="New subject")) == {}
    t["TemplateSubject"] = "New subject"
    assert body(v1.get_custom_verification_email_template(
        TemplateName="welcome")) == t
    v1.update_custom_verification_email_template(
        TemplateName="welcome", FromEmailAddress="other@example.com",
        TemplateContent="<p>New</p>",
        SuccessRedirectionURL="http://ok.example.net/",
        FailureRedirectionURL="http://no.example.net/x?y=1")
    t.update(FromEmailAddress="other@example.com",
             TemplateContent="<p>New</p>",
             SuccessRedirectionURL="http://ok.example.net/",
             FailureRedirectionURL="http://no.example.net/x?y=1")
    assert body(v1.get_custom_verification_email_template(
        TemplateName="welcome")) == t


def test_v2_update_replaces_every_member(clients):
    _, v2 = clients
    v2.create_custom_verification_email_template(**template(
        Tags=[{"Key": "k", "Value": "v"}]))
    new = template(TemplateSubject="S2", TemplateContent="<div>2</div>",
                   SuccessRedirectionURL="https://s2.example.com",
                   FailureRedirectionURL="https://f2.example.com")
    assert body(v2.update_custom_verification_email_template(**new)) == {}
    assert body(v2.get_custom_verification_email_template(
        TemplateName="welcome")) == new | {"Tags": [{"Key": "k",
                                                     "Value": "v"}]}


def test_names_are_case_sensitive(clients):
    v1, _ = clients
    v1.create_custom_verification_email_template(**template("Welcome"))
    v1.create_custom_verification_email_template(**template("welcome"))
    names = [t["TemplateName"] for t in
             v1.list_custom_verification_email_templates()[
                 "CustomVerificationEmailTemplates"]]
    assert names == ["Welcome", "welcome"]


# -- duplicates and missing templates ----------------------------------------

@pytest.mark.parametrize("api", ["v1", "v2"])
def test_duplicate_name(clients, api):
    client = client_for(clients, api)
    client.create_custom_verification_email_template(**template())
    expect_error(client.create_custom_verification_email_template, api,
                 "exists", "Custom verification email template <welcome> "
                 "already exists", **template(TemplateSubject="again"))
    assert client.get_custom_verification_email_template(
        TemplateName="welcome")["TemplateSubject"] == template()[
            "TemplateSubject"]


@pytest.mark.parametrize("api", ["v1", "v2"])
@pytest.mark.parametrize("op", ["get", "update", "delete"])
def test_missing_template(clients, api, op):
    client = client_for(clients, api)
    client.create_custom_verification_email_template(**template("other"))
    calls = {
        "get": (client.get_custom_verification_email_template,
                {"TemplateName": "nope"}),
        "update": (client.update_custom_verification_email_template,
                   template("nope")),
        "delete": (client.delete_custom_verification_email_template,
                   {"TemplateName": "nope"}),
    }
    call, kwargs = calls[op]
    expect_error(call, api, "missing", "Custom verification email template "
                 "<nope> does not exist", **kwargs)
    # Nothing was created by the failed update.
    assert [t["TemplateName"] for t in
            client.list_custom_verification_email_templates()[
                "CustomVerificationEmailTemplates"]] == ["other"]


def test_recreate_after_delete(clients):
    v1, v2 = clients
    v1.create_custom_verification_email_template(**template())
    v2.delete_custom_verification_email_template(TemplateName="welcome")
    v1.create_custom_verification_email_template(**template(
        TemplateSubject="second"))
    assert v1.get_custom_verification_email_template(
        TemplateName="welcome")["TemplateSubject"] == "second"


# -- senders -----------------------------------------------------------------

@pytest.mark.parametrize("api", ["v1", "v2"])
@pytest.mark.parametrize("sender", [
    "stranger@example.net",          # no identity at all
    "other@example.com",             # the verified address's domain is not
    "sender@example.com.evil.net",   # verified address as a prefix only
    "Sender Name <sender@example.com>",  # no display names
])
def test_unverified_sender_on_create(clients, api, sender):
    client = client_for(clients, api)
    expect_error(client.create_custom_verification_email_template, api,
                 "from", "The from email address <%s> is not verified"
                 % sender, **template(FromEmailAddress=sender))
    assert client.list_custom_verification_email_templates()[
        "CustomVerificationEmailTemplates"] == []


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_unverified_sender_on_update(clients, api):
    client = client_for(clients, api)
    client.create_custom_verification_email_template(**template())
    expect_error(client.update_custom_verification_email_template, api,
                 "from", "The from email address <x@example.net> is not "
                 "verified", **template(FromEmailAddress="x@example.net"))
    assert client.get_custom_verification_email_template(
        TemplateName="welcome")["FromEmailAddress"] == SENDER
    # The members are checked before the template is looked up.
    expect_error(client.update_custom_verification_email_template, api,
                 "from", "The from email address <x@example.net> is not "
                 "verified", **template("nope",
                                        FromEmailAddress="x@example.net"))


@pytest.mark.parametrize("sender", [
    "anyone@example.org",          # under a verified domain
    "Anyone@MAIL.Example.ORG",     # under a subdomain of it, any case
    "sender+signup@example.com",   # +label of a verified address
])
def test_verified_senders(clients, sender):
    v1, v2 = clients
    verify(v1, "example.org")
    v1.create_custom_verification_email_template(**template(
        "v1", FromEmailAddress=sender))
    v2.create_custom_verification_email_template(**template(
        "v2", FromEmailAddress=sender))
    assert v1.get_custom_verification_email_template(
        TemplateName="v2")["FromEmailAddress"] == sender


@pytest.mark.parametrize("sender", ["SENDER@example.com",
                                    "sender@EXAMPLE.com"])
def test_sender_address_is_case_sensitive(clients, sender):
    # AWS: "The entire email address is case-sensitive" (SES developer
    # guide, verifying email addresses); domain identities are not.
    v1, v2 = clients
    for api, client in (("v1", v1), ("v2", v2)):
        expect_error(client.create_custom_verification_email_template, api,
                     "from", "The from email address <%s> is not verified"
                     % sender, **template(FromEmailAddress=sender))


def test_pending_sender_is_not_verified(start_server, ses, sesv2):
    srv = start_server("--verification", "link")
    v1, v2 = ses(srv=srv), sesv2(srv=srv)
    v1.verify_email_identity(EmailAddress=SENDER)
    assert v1.get_identity_verification_attributes(Identities=[SENDER])[
        "VerificationAttributes"][SENDER]["VerificationStatus"] == "Pending"
    for api, client in (("v1", v1), ("v2", v2)):
        expect_error(client.create_custom_verification_email_template, api,
                     "from", "The from email address <%s> is not verified"
                     % SENDER, **template())


def test_deleted_sender_no_longer_verified(clients):
    v1, _ = clients
    v1.create_custom_verification_email_template(**template())
    v1.delete_identity(Identity=SENDER)
    expect_error(v1.update_custom_verification_email_template, "v1", "from",
                 "The from email address <%s> is not verified" % SENDER,
                 TemplateName="welcome", FromEmailAddress=SENDER)
    # A template whose sender lost verification can still be read and
    # changed in the members that do not name the sender.
    v1.update_custom_verification_email_template(TemplateName="welcome",
                                                 TemplateSubject="kept")
    assert v1.get_custom_verification_email_template(
        TemplateName="welcome")["TemplateSubject"] == "kept"


# -- other members -----------------------------------------------------------

@pytest.mark.parametrize("api", ["v1", "v2"])
@pytest.mark.parametrize("member, value, message", [
    ("SuccessRedirectionURL", "not-a-url",
     "The success redirection URL is invalid"),
    ("SuccessRedirectionURL", "ftp://example.com/ok",
     "The success redirection URL is invalid"),
    ("SuccessRedirectionURL", "https://",
     "The success redirection URL is invalid"),
    ("FailureRedirectionURL", "https://exa mple.com/",
     "The failure redirection URL is invalid"),
    ("FailureRedirectionURL", "/relative/path",
     "The failure redirection URL is invalid"),
    ("TemplateSubject", "", "TemplateSubject is required."),
    ("TemplateContent", "  ", "TemplateContent is required."),
    ("SuccessRedirectionURL", "", "SuccessRedirectionURL is required."),
    ("FromEmailAddress", "", "FromEmailAddress is required."),
])
def test_invalid_members(clients, api, member, value, message):
    client = client_for(clients, api)
    expect_error(client.create_custom_verification_email_template, api,
                 "param", message, **template(**{member: value}))
    client.create_custom_verification_email_template(**template())
    expect_error(client.update_custom_verification_email_template, api,
                 "param", message, **template(**{member: value}))
    assert body(client.get_custom_verification_email_template(
        TemplateName="welcome"))["TemplateSubject"] == template()[
            "TemplateSubject"]


# -- content -----------------------------------------------------------------

@pytest.mark.parametrize("api", ["v1", "v2"])
@pytest.mark.parametrize("case", CONTENT_CASES, ids=lambda p: p.name)
def test_content_rules(clients, api, case):
    client = client_for(clients, api)
    content = (case / "content.html").read_text()
    expected = (case / "expected").read_text().rstrip("\n")
    if expected == "ok":
        client.create_custom_verification_email_template(**template(
            TemplateContent=content))
        assert client.get_custom_verification_email_template(
            TemplateName="welcome")["TemplateContent"] == content
        return
    expect_error(client.create_custom_verification_email_template, api,
                 "content", expected, **template(TemplateContent=content))
    client.create_custom_verification_email_template(**template())
    expect_error(client.update_custom_verification_email_template, api,
                 "content", expected, **template(TemplateContent=content))
    assert client.get_custom_verification_email_template(
        TemplateName="welcome")["TemplateContent"] == CONTENT


def test_content_size_limit(clients):
    v1, v2 = clients
    at_limit = "<p>" + "x" * (CONTENT_MAX_BYTES - 7) + "</p>"
    assert len(at_limit.encode()) == CONTENT_MAX_BYTES
    v2.create_custom_verification_email_template(**template(
        TemplateContent=at_limit))
    over = at_limit + " "
    message = ("The template content is %d bytes; custom verification "
               "email templates can't exceed 10 MB (%d bytes)."
               % (CONTENT_MAX_BYTES + 1, CONTENT_MAX_BYTES))
    expect_error(v2.create_custom_verification_email_template, "v2",
                 "content", message, **template("big",
                                                TemplateContent=over))
    expect_error(v1.update_custom_verification_email_template, "v1",
                 "content", message, TemplateName="welcome",
                 TemplateContent=over)
    assert len(v1.get_custom_verification_email_template(
        TemplateName="welcome")["TemplateContent"]) == CONTENT_MAX_BYTES


# -- listing and paging ------------------------------------------------------

NAMES = ["t%02d" % i for i in (7, 3, 1, 6, 2, 5, 4)]


def names_of(page):
    return [t["TemplateName"]
            for t in page["CustomVerificationEmailTemplates"]]


@pytest.mark.parametrize("api, size_member", [("v1", "MaxResults"),
                                              ("v2", "PageSize")])
def test_paging(clients, api, size_member):
    client = client_for(clients, api)
    for name in NAMES:
        client.create_custom_verification_email_template(**template(name))
    pages, token = [], None
    while True:
        kwargs = {size_member: 3}
        if token is not None:
            kwargs["NextToken"] = token
        page = body(client.list_custom_verification_email_templates(
            **kwargs))
        pages.append(names_of(page))
        token = page.get("NextToken")
        if token is None:
            break
        assert isinstance(token, str) and token
    assert pages == [["t01", "t02", "t03"], ["t04", "t05", "t06"], ["t07"]]
    # A page that ends exactly at the last template has no NextToken.
    page = body(client.list_custom_verification_email_templates(
        **{size_member: 7}))
    assert names_of(page) == sorted(NAMES) and "NextToken" not in page
    # A template created between pages is found by the next page.
    first = client.list_custom_verification_email_templates(
        **{size_member: 2})
    client.create_custom_verification_email_template(**template("t025"))
    second = client.list_custom_verification_email_templates(
        **{size_member: 2, "NextToken": first["NextToken"]})
    assert names_of(second) == ["t025", "t03"]


def test_v1_paginator(clients):
    """botocore's own paginator (the v2 model declares none) follows the
    opaque tokens to the end."""
    v1, _ = clients
    for name in NAMES:
        v1.create_custom_verification_email_template(**template(name))
    paginator = v1.get_paginator("list_custom_verification_email_templates")
    pages = [names_of(p) for p in paginator.paginate(
        PaginationConfig={"PageSize": 2})]
    assert pages == [["t01", "t02"], ["t03", "t04"], ["t05", "t06"],
                     ["t07"]]


def test_v1_max_results_out_of_range(ses, clients):
    raw = ses(validate=False)
    for value in (0, 51):
        with pytest.raises(ClientError) as exc:
            raw.list_custom_verification_email_templates(MaxResults=value)
        err = exc.value.response["Error"]
        assert err["Code"] == "ValidationError", err
        assert "'maxResults'" in err["Message"], err
        assert "Member must have value %s" % (
            "greater than or equal to 1" if value == 0 else
            "less than or equal to 50") in err["Message"], err


def test_v2_page_size_out_of_range(sesv2, clients):
    raw = sesv2(validate=False)
    for value in (0, 51, -1):
        expect_error(raw.list_custom_verification_email_templates, "v2",
                     "param", "PageSize must be between 1 and 50.",
                     PageSize=value)
    assert names_of(raw.list_custom_verification_email_templates(
        PageSize=50)) == []


@pytest.mark.parametrize("api", ["v1", "v2"])
@pytest.mark.parametrize("token", ["!!!not-a-token!!!", "abc",
                                   "AAAA"])  # "AAAA" decodes to NULs
def test_bad_next_token(clients, api, token):
    client = client_for(clients, api)
    client.create_custom_verification_email_template(**template())
    expect_error(client.list_custom_verification_email_templates, api,
                 "param", "Invalid NextToken: %s" % token, NextToken=token)


# -- quota -------------------------------------------------------------------

def test_limit_of_fifty_templates(clients):
    v1, v2 = clients
    for i in range(LIMIT):
        client = v1 if i % 2 else v2
        client.create_custom_verification_email_template(**template(
            "t%02d" % i))
    message = ("You have reached the limit of 50 custom verification email "
               "templates.")
    expect_error(v1.create_custom_verification_email_template, "v1",
                 "limit", message, **template("one-more"))
    expect_error(v2.create_custom_verification_email_template, "v2",
                 "limit", message, **template("one-more"))
    # A duplicate is still reported as a duplicate at the limit.
    expect_error(v1.create_custom_verification_email_template, "v1",
                 "exists", "Custom verification email template <t00> "
                 "already exists", **template("t00"))
    # Without MaxResults / PageSize a listing holds all 50.
    for client in (v1, v2):
        page = body(client.list_custom_verification_email_templates())
        assert len(page["CustomVerificationEmailTemplates"]) == LIMIT
        assert "NextToken" not in page
    v1.delete_custom_verification_email_template(TemplateName="t10")
    v2.create_custom_verification_email_template(**template("one-more"))
    expect_error(v2.create_custom_verification_email_template, "v2",
                 "limit", message, **template("two-more"))


# -- accounts and regions ----------------------------------------------------

def test_accounts_and_regions_are_isolated(start_server, ses, sesv2):
    srv = start_server("--credentials", CREDENTIALS)
    a = ses(srv=srv, key=KEY_A, secret=SECRET_A)
    a2 = sesv2(srv=srv, key=KEY_A, secret=SECRET_A)
    a_eu = ses(srv=srv, key=KEY_A, secret=SECRET_A, region="eu-west-1")
    b = sesv2(srv=srv, key=KEY_B, secret=SECRET_B)
    verify(a, SENDER)
    a.create_custom_verification_email_template(**template())
    assert names_of(a2.list_custom_verification_email_templates()) == [
        "welcome"]
    for other, api in ((a_eu, "v1"), (b, "v2")):
        assert names_of(other.list_custom_verification_email_templates()) \
            == []
        expect_error(other.get_custom_verification_email_template, api,
                     "missing", "Custom verification email template "
                     "<welcome> does not exist", TemplateName="welcome")
        # The sender is verified in account A, us-east-1 only.
        expect_error(other.create_custom_verification_email_template, api,
                     "from", "The from email address <%s> is not verified"
                     % SENDER, **template())
    verify(a_eu, SENDER)
    a_eu.create_custom_verification_email_template(**template(
        TemplateSubject="EU"))
    assert a.get_custom_verification_email_template(
        TemplateName="welcome")["TemplateSubject"] != "EU"
    a_eu.delete_custom_verification_email_template(TemplateName="welcome")
    assert names_of(a.list_custom_verification_email_templates()) == [
        "welcome"]


def test_quota_is_per_region(start_server, ses):
    srv = start_server()
    us, eu = ses(srv=srv), ses(srv=srv, region="eu-west-1")
    verify(us, SENDER)
    verify(eu, SENDER)
    for i in range(LIMIT):
        us.create_custom_verification_email_template(**template("t%02d" % i))
    eu.create_custom_verification_email_template(**template())
    expect_error(us.create_custom_verification_email_template, "v1",
                 "limit", "You have reached the limit of 50 custom "
                 "verification email templates.", **template())


# -- the AWS CLI -------------------------------------------------------------

def test_aws_cli_v1(server, clients):
    aws_cli(server, "ses", "create-custom-verification-email-template",
            "--template-name", "cli", "--from-email-address", SENDER,
            "--template-subject", "Confirm", "--template-content", CONTENT,
            "--success-redirection-url", SUCCESS_URL,
            "--failure-redirection-url", FAILURE_URL)
    got = json.loads(aws_cli(server, "ses",
                             "get-custom-verification-email-template",
                             "--template-name", "cli").stdout)
    assert got == template("cli", TemplateSubject="Confirm")
    aws_cli(server, "ses", "update-custom-verification-email-template",
            "--template-name", "cli", "--template-subject", "Again")
    listed = json.loads(aws_cli(server, "ses",
                                "list-custom-verification-email-templates",
                                "--max-results", "5").stdout)
    assert listed == {"CustomVerificationEmailTemplates": [metadata(
        template("cli", TemplateSubject="Again"))]}
    aws_cli(server, "ses", "delete-custom-verification-email-template",
            "--template-name", "cli")
    proc = aws_cli(server, "ses", "delete-custom-verification-email-template",
                   "--template-name", "cli", check=False)
    assert proc.returncode != 0
    assert ("An error occurred (CustomVerificationEmailTemplateDoesNotExist) "
            "when calling the DeleteCustomVerificationEmailTemplate "
            "operation" in proc.stderr), proc.stderr
    assert proc.stderr.rstrip().endswith(
        ": Custom verification email template <cli> does not exist"), \
        proc.stderr


def test_aws_cli_v2(server, clients):
    aws_cli(server, "sesv2", "create-custom-verification-email-template",
            "--template-name", "cli", "--from-email-address", SENDER,
            "--template-subject", "Confirm", "--template-content", CONTENT,
            "--success-redirection-url", SUCCESS_URL,
            "--failure-redirection-url", FAILURE_URL,
            "--tags", "Key=k,Value=v")
    aws_cli(server, "sesv2", "update-custom-verification-email-template",
            "--template-name", "cli", "--from-email-address", SENDER,
            "--template-subject", "Again", "--template-content", "<p>2</p>",
            "--success-redirection-url", SUCCESS_URL,
            "--failure-redirection-url", FAILURE_URL)
    got = json.loads(aws_cli(server, "sesv2",
                             "get-custom-verification-email-template",
                             "--template-name", "cli").stdout)
    assert got == template("cli", TemplateSubject="Again",
                           TemplateContent="<p>2</p>",
                           Tags=[{"Key": "k", "Value": "v"}])
    listed = json.loads(aws_cli(server, "sesv2",
                                "list-custom-verification-email-templates",
                                "--page-size", "5").stdout)
    assert listed["CustomVerificationEmailTemplates"] == [metadata(
        template("cli", TemplateSubject="Again"))]
    aws_cli(server, "sesv2", "delete-custom-verification-email-template",
            "--template-name", "cli")
    proc = aws_cli(server, "sesv2",
                   "get-custom-verification-email-template",
                   "--template-name", "cli", check=False)
    assert proc.returncode != 0
    assert ("An error occurred (NotFoundException) when calling the "
            "GetCustomVerificationEmailTemplate operation" in proc.stderr), \
        proc.stderr
    assert proc.stderr.rstrip().endswith(
        ": Custom verification email template <cli> does not exist"), \
        proc.stderr
