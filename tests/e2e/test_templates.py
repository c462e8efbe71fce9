"""Email templates: v1 Create/Get/Update/Delete/ListTemplate(s) and
TestRenderTemplate, v2 Create/Get/Update/Delete/ListEmailTemplate(s) and
TestRenderEmailTemplate, through boto3 and the AWS CLI, against one store.

Rendering itself is covered case by case in tests/unit/test_tpl.c
(fixtures/tpl/); here the rendered MIME messages are parsed with Python's
`email` package.
"""
import concurrent.futures
import email
import email.policy
import json

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import HTTP_TIMEOUT_S, aws_cli

LIMIT = 10000
TEMPLATE_MAX_BYTES = 500 * 1024
MISSING = "Attribute '%s' is not present in the rendering data."

CODES = {
    # condition: (v1 code, v2 code, v2 HTTP status)
    "exists": ("AlreadyExists", "AlreadyExistsException", 400),
    "missing": ("TemplateDoesNotExist", "NotFoundException", 404),
    "invalid": ("InvalidTemplate", "BadRequestException", 400),
    "param": ("InvalidParameterValue", "BadRequestException", 400),
    "limit": ("LimitExceeded", "LimitExceededException", 400),
    "render_param": ("InvalidRenderingParameter", "BadRequestException",
                     400),
    "render_missing": ("MissingRenderingAttribute", "BadRequestException",
                       400),
}

SUBJECT = "Greetings, {{name}}!"
TEXT = "Dear {{name}},\r\nYour favorite animal is {{favoriteanimal}}."
HTML = ("<h1>Hello {{name}},</h1><p>Your favorite animal is "
        "{{favoriteanimal}}.</p>")
DATA = {"name": "Alejandro", "favoriteanimal": "alligator"}


def v1_template(name="welcome", subject=SUBJECT, text=TEXT, html=HTML):
    t = {"TemplateName": name}
    for key, value in (("SubjectPart", subject), ("TextPart", text),
                       ("HtmlPart", html)):
        if value is not None:
            t[key] = value
    return t


def v2_content(subject=SUBJECT, text=TEXT, html=HTML):
    c = {}
    for key, value in (("Subject", subject), ("Text", text),
                       ("Html", html)):
        if value is not None:
            c[key] = value
    return c


def expect_error(call, api, condition, message=None, **kwargs):
    """Runs call(**kwargs) and checks the API's code, status and message."""
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    resp = exc.value.response
    v1, v2, status = CODES[condition]
    assert resp["Error"]["Code"] == (v2 if api == "v2" else v1), resp
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == (
        status if api == "v2" else 400), resp
    if message is not None:
        assert resp["Error"]["Message"] == message, resp
    return resp["Error"]["Message"]


def parse(rendered):
    return email.message_from_string(rendered, policy=email.policy.default)


# -- v1 ------------------------------------------------------------------

def test_v1_create_get_update_list_delete(ses):
    c = ses()
    c.create_template(Template=v1_template())
    got = c.get_template(TemplateName="welcome")["Template"]
    assert got == v1_template()
    c.update_template(Template=v1_template(subject="New {{name}}",
                                           text=None))
    got = c.get_template(TemplateName="welcome")["Template"]
    assert got == {"TemplateName": "welcome", "SubjectPart": "New {{name}}",
                   "HtmlPart": HTML}
    listed = c.list_templates()["TemplatesMetadata"]
    assert [t["Name"] for t in listed] == ["welcome"]
    assert listed[0]["CreatedTimestamp"].year >= 2024
    c.delete_template(TemplateName="welcome")
    assert c.list_templates()["TemplatesMetadata"] == []
    expect_error(c.get_template, "v1", "missing",
                 "Template welcome does not exist.", TemplateName="welcome")


def test_v1_errors(ses):
    c = ses()
    c.create_template(Template=v1_template())
    expect_error(c.create_template, "v1", "exists",
                 "Template welcome already exists.",
                 Template=v1_template())
    expect_error(c.create_template, "v1", "param",
                 "The subject must be specified.",
                 Template=v1_template("other", subject=None))
    expect_error(c.create_template, "v1", "param",
                 "The subject must be specified.",
                 Template=v1_template("other", subject=""))
    msg = expect_error(c.create_template, "v1", "invalid",
                       Template=v1_template("other", html="{{#if a}}x"))
    assert msg == ("Template other is invalid: HtmlPart: Template syntax "
                   "error: {{#if}} opened at line 1 is never closed.")
    expect_error(c.create_template, "v1", "param",
                 Template=v1_template("bad name!"))
    expect_error(c.update_template, "v1", "missing",
                 "Template nope does not exist.",
                 Template=v1_template("nope"))
    expect_error(c.update_template, "v1", "invalid",
                 Template=v1_template(text="{{> nowhere}}"))
    # AWS: v1 DeleteTemplate of a missing template succeeds.
    c.delete_template(TemplateName="nope")
    assert [t["Name"] for t in c.list_templates()["TemplatesMetadata"]] \
        == ["welcome"]


def test_v1_test_render(ses):
    c = ses()
    c.create_template(Template=v1_template())
    out = c.test_render_template(TemplateName="welcome",
                                 TemplateData=json.dumps(DATA))
    msg = parse(out["RenderedTemplate"])
    assert msg["Subject"] == "Greetings, Alejandro!"
    assert msg["MIME-Version"] == "1.0"
    assert msg["Date"].datetime.year >= 2024
    assert msg.get_content_type() == "multipart/alternative"
    text, html = msg.iter_parts()
    assert text.get_content_type() == "text/plain"
    assert text.get_content_charset() == "utf-8"
    assert text.get_content() == ("Dear Alejandro,\r\nYour favorite animal "
                                  "is alligator.")
    assert html.get_content_type() == "text/html"
    assert html.get_content() == ("<h1>Hello Alejandro,</h1><p>Your "
                                  "favorite animal is alligator.</p>")


def test_v1_test_render_errors(ses):
    c = ses()
    c.create_template(Template=v1_template())
    expect_error(c.test_render_template, "v1", "missing",
                 "Template foobar does not exist.", TemplateName="foobar",
                 TemplateData="{}")
    expect_error(c.test_render_template, "v1", "render_missing",
                 MISSING % "favoriteanimal", TemplateName="welcome",
                 TemplateData='{"name": "x"}')
    for bad in ("not json", "[1, 2]", '"str"', "{"):
        expect_error(c.test_render_template, "v1", "render_param",
                     "Template rendering data is invalid",
                     TemplateName="welcome", TemplateData=bad)


def test_render_unicode_and_single_part(ses):
    c = ses()
    c.create_template(Template=v1_template(
        "uni", subject="Grüße {{name}} 🎉", text=None,
        html="<p>{{#each items}}{{this}}{{#unless @last}}, {{/unless}}"
             "{{/each}}</p>"))
    out = c.test_render_template(TemplateName="uni", TemplateData=json.dumps(
        {"name": "Zoë", "items": ["日本", "ü"]}))["RenderedTemplate"]
    assert "=?UTF-8?B?" in out
    msg = parse(out)
    assert msg["Subject"] == "Grüße Zoë 🎉"
    assert not msg.is_multipart()
    assert msg.get_content_type() == "text/html"
    assert msg["Content-Transfer-Encoding"] == "quoted-printable"
    assert msg.get_content() == "<p>日本, ü</p>"


def test_render_advanced_features(ses):
    c = ses()
    text = ('{{#* inline "fullName"}}{{firstName}}{{#if lastName}} '
            '{{lastName}}{{/if}}{{/inline~}}\n'
            'Hello {{> fullName}} from {{contact.city}}!\n'
            '{{#each subscription~}}\n'
            '- {{interest}}\n'
            '{{~/each}}')
    c.create_template(Template=v1_template("adv", subject="Hi",
                                           text=text, html=None))
    data = {"firstName": "Anaya", "lastName": "Iyengar",
            "contact": {"city": "Bengaluru"},
            "subscription": [{"interest": "Sports"}, {"interest": "Travel"}]}
    out = c.test_render_template(TemplateName="adv",
                                 TemplateData=json.dumps(data))
    msg = parse(out["RenderedTemplate"])
    assert msg.get_content() == ("Hello Anaya Iyengar from Bengaluru!\r\n"
                                 "- Sports- Travel")


# -- v2 ------------------------------------------------------------------

def test_v2_create_get_update_list_delete(sesv2):
    c = sesv2()
    c.create_email_template(TemplateName="welcome",
                            TemplateContent=v2_content(),
                            Tags=[{"Key": "team", "Value": "growth"}])
    got = c.get_email_template(TemplateName="welcome")
    assert got["TemplateName"] == "welcome"
    assert got["TemplateContent"] == v2_content()
    assert got["Tags"] == [{"Key": "team", "Value": "growth"}]
    c.update_email_template(TemplateName="welcome",
                            TemplateContent=v2_content(html=None))
    got = c.get_email_template(TemplateName="welcome")
    assert got["TemplateContent"] == v2_content(html=None)
    listed = c.list_email_templates()["TemplatesMetadata"]
    assert [t["TemplateName"] for t in listed] == ["welcome"]
    assert "CreatedTimestamp" in listed[0]
    c.delete_email_template(TemplateName="welcome")
    assert c.list_email_templates()["TemplatesMetadata"] == []


def test_v2_errors(sesv2):
    c = sesv2()
    c.create_email_template(TemplateName="welcome",
                            TemplateContent=v2_content())
    expect_error(c.create_email_template, "v2", "exists",
                 "Template welcome already exists.",
                 TemplateName="welcome", TemplateContent=v2_content())
    expect_error(c.create_email_template, "v2", "param",
                 "The subject must be specified.", TemplateName="other",
                 TemplateContent=v2_content(subject=None))
    msg = expect_error(c.create_email_template, "v2", "invalid",
                       TemplateName="other",
                       TemplateContent=v2_content(text="{{/if}}"))
    assert msg == ("Template other is invalid: Text: Template syntax error "
                   "at line 1: {{/if}} does not close any block.")
    for call, kw in ((c.get_email_template, {}),
                     (c.delete_email_template, {}),
                     (c.update_email_template,
                      {"TemplateContent": v2_content()}),
                     (c.test_render_email_template, {"TemplateData": "{}"})):
        expect_error(call, "v2", "missing", "Template nope does not exist.",
                     TemplateName="nope", **kw)


def test_v2_test_render(sesv2):
    c = sesv2()
    c.create_email_template(TemplateName="welcome",
                            TemplateContent=v2_content())
    out = c.test_render_email_template(TemplateName="welcome",
                                       TemplateData=json.dumps(DATA))
    msg = parse(out["RenderedTemplate"])
    assert msg["Subject"] == "Greetings, Alejandro!"
    assert [p.get_content_type() for p in msg.iter_parts()] == [
        "text/plain", "text/html"]
    expect_error(c.test_render_email_template, "v2", "render_missing",
                 MISSING % "name", TemplateName="welcome",
                 TemplateData="{}")
    expect_error(c.test_render_email_template, "v2", "render_param",
                 "Template rendering data is invalid",
                 TemplateName="welcome", TemplateData="[]")


def test_v1_and_v2_share_templates(ses, sesv2):
    v1, v2 = ses(), sesv2()
    v1.create_template(Template=v1_template("from-v1"))
    v2.create_email_template(TemplateName="from-v2",
                             TemplateContent=v2_content(text=None))
    assert v2.get_email_template(TemplateName="from-v1")[
        "TemplateContent"] == v2_content()
    assert v1.get_template(TemplateName="from-v2")["Template"] == \
        v1_template("from-v2", text=None)
    assert [t["Name"] for t in v1.list_templates()["TemplatesMetadata"]] \
        == ["from-v1", "from-v2"]
    expect_error(v2.create_email_template, "v2", "exists",
                 TemplateName="from-v1", TemplateContent=v2_content())
    v2.delete_email_template(TemplateName="from-v1")
    expect_error(v1.get_template, "v1", "missing",
                 TemplateName="from-v1")
    # Another region sees none of them.
    assert ses(region="eu-west-1").list_templates()[
        "TemplatesMetadata"] == []


# -- paging ---------------------------------------------------------------

def test_paging_v1_and_v2(ses, sesv2):
    v1, v2 = ses(), sesv2()
    names = ["t%02d" % i for i in range(25)]
    for name in reversed(names):
        v1.create_template(Template=v1_template(name))
    page = v1.list_templates()
    assert len(page["TemplatesMetadata"]) == 10   # the default
    seen, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        page = v1.list_templates(MaxItems=7, **kw)
        seen += [t["Name"] for t in page["TemplatesMetadata"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == names
    seen, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        page = v2.list_email_templates(PageSize=10, **kw)
        seen += [t["TemplateName"] for t in page["TemplatesMetadata"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == names
    all_ = v2.list_email_templates(PageSize=100)
    assert len(all_["TemplatesMetadata"]) == 25
    assert "NextToken" not in all_
    for size in (0, 101):
        expect_error(v1.list_templates, "v1", "param",
                     "MaxItems must be between 1 and 100.", MaxItems=size)
        expect_error(v2.list_email_templates, "v2", "param",
                     "PageSize must be between 1 and 100.", PageSize=size)
    expect_error(v1.list_templates, "v1", "param", NextToken="!!bad")


# -- limits ---------------------------------------------------------------

def test_template_size_limit(ses, sesv2):
    v1, v2 = ses(), sesv2()
    subject = "S"
    html = "x" * (TEMPLATE_MAX_BYTES - len(subject))
    v1.create_template(Template=v1_template("max", subject=subject,
                                            text=None, html=html))
    assert len(v1.get_template(TemplateName="max")["Template"][
        "HtmlPart"]) == len(html)
    msg = expect_error(v1.create_template, "v1", "invalid",
                       Template=v1_template("over", subject=subject,
                                            text="y", html=html))
    assert msg == ("Template over is too large: its subject, text and HTML "
                   "parts are 512001 bytes; the limit is 500 KB (512000 "
                   "bytes).")
    expect_error(v2.update_email_template, "v2", "invalid",
                 TemplateName="max", TemplateContent=v2_content(
                     subject=subject, text="y", html=html))


def test_template_count_limit(server, ses, sesv2):
    """10,000 templates per region, created over keep-alive connections
    with raw (unsigned: default account) form posts."""
    def create(start):
        with requests.Session() as s:
            for i in range(start, LIMIT, 8):
                r = s.post(server.url + "/", data={
                    "Action": "CreateTemplate", "Version": "2010-12-01",
                    "Template.TemplateName": "t%05d" % i,
                    "Template.SubjectPart": "s"}, timeout=HTTP_TIMEOUT_S)
                assert r.status_code == 200, r.text
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(8)))
    expect_error(ses().create_template, "v1", "limit",
                 "You have reached the limit of 10000 email templates in "
                 "us-east-1.", Template=v1_template("one-more"))
    expect_error(sesv2().create_email_template, "v2", "limit",
                 TemplateName="one-more", TemplateContent=v2_content())
    # Other regions have their own quota; deleting frees a slot.
    ses(region="eu-west-1").create_template(Template=v1_template("one"))
    ses().delete_template(TemplateName="t00000")
    ses().create_template(Template=v1_template("one-more"))


# -- AWS CLI ---------------------------------------------------------------

def test_cli_v1(server):
    tpl = json.dumps(v1_template("cli"))
    aws_cli(server, "ses", "create-template", "--template", tpl)
    got = json.loads(aws_cli(server, "ses", "get-template",
                             "--template-name", "cli").stdout)
    assert got["Template"] == v1_template("cli")
    aws_cli(server, "ses", "update-template", "--template",
            json.dumps(v1_template("cli", subject="Updated")))
    listed = json.loads(aws_cli(server, "ses", "list-templates").stdout)
    assert [t["Name"] for t in listed["TemplatesMetadata"]] == ["cli"]
    out = json.loads(aws_cli(server, "ses", "test-render-template",
                             "--template-name", "cli", "--template-data",
                             json.dumps(DATA)).stdout)
    assert parse(out["RenderedTemplate"])["Subject"] == "Updated"
    aws_cli(server, "ses", "delete-template", "--template-name", "cli")
    proc = aws_cli(server, "ses", "get-template", "--template-name", "cli",
                   check=False)
    assert proc.returncode != 0
    assert "TemplateDoesNotExist" in proc.stderr
    assert "Template cli does not exist." in proc.stderr


def test_cli_v2(server):
    aws_cli(server, "sesv2", "create-email-template", "--template-name",
            "cli2", "--template-content", json.dumps(v2_content()))
    got = json.loads(aws_cli(server, "sesv2", "get-email-template",
                             "--template-name", "cli2").stdout)
    assert got["TemplateContent"] == v2_content()
    aws_cli(server, "sesv2", "update-email-template", "--template-name",
            "cli2", "--template-content",
            json.dumps(v2_content(subject="Hola {{name}}")))
    listed = json.loads(aws_cli(server, "sesv2", "list-email-templates",
                                "--page-size", "5").stdout)
    assert [t["TemplateName"] for t in listed["TemplatesMetadata"]] == [
        "cli2"]
    out = json.loads(aws_cli(server, "sesv2", "test-render-email-template",
                             "--template-name", "cli2", "--template-data",
                             json.dumps(DATA)).stdout)
    assert parse(out["RenderedTemplate"])["Subject"] == "Hola Alejandro"
    aws_cli(server, "sesv2", "delete-email-template", "--template-name",
            "cli2")
    proc = aws_cli(server, "sesv2", "delete-email-template",
                   "--template-name", "cli2", check=False)
    assert proc.returncode != 0
    assert "NotFoundException" in proc.stderr
