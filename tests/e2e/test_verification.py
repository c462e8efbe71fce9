"""The link and dns verification modes, end to end: VerifyEmailIdentity /
CreateEmailIdentity mail a verification email that the capture API shows;
opening its link verifies the address (expiring after 24 h by the test
clock). In dns mode domains, Easy DKIM, BYODKIM and MAIL FROM verify when a
DNS server on loopback publishes their records."""
import base64
import email
import email.header
import re
import subprocess

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import Sesbox, make_client
from dnsserver import DnsServer

DAY_MS = 24 * 3600 * 1000


@pytest.fixture(scope="module")
def link_server():
    srv = Sesbox(["--verification", "link"])
    yield srv
    assert srv.stop() == 0, srv.log()


@pytest.fixture(scope="module")
def dns():
    server = DnsServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def dns_server(dns):
    srv = Sesbox(["--verification", "dns", "--dns-resolver", dns.address])
    yield srv
    assert srv.stop() == 0, srv.log()


@pytest.fixture
def linked(link_server):
    link_server.reset()
    return link_server


@pytest.fixture
def dnsed(dns_server, dns):
    dns_server.reset()
    dns.records.clear()
    return dns_server


def clients(srv, region="us-east-1"):
    return (make_client("ses", srv.url, region),
            make_client("sesv2", srv.url, region))


def status_v1(v1, name):
    return v1.get_identity_verification_attributes(
        Identities=[name])["VerificationAttributes"][name]["VerificationStatus"]


def mail_to(srv, address):
    """The newest captured message to address, parsed, with its Raw."""
    msgs = srv.get("/_sesbox/api/v1/messages",
                   params={"to": address}).json()["messages"]
    assert msgs, "no message to %s" % address
    full = srv.get("/_sesbox/api/v1/messages/" + msgs[0]["MessageId"]).json()
    return full, email.message_from_string(full["Raw"])


def link_in(msg):
    body = msg.get_payload(decode=True).decode()
    return re.search(r'http://[^\s"<]+', body).group(0)


def subject(msg):
    return str(email.header.make_header(
        email.header.decode_header(msg["Subject"])))


# -- link mode -------------------------------------------------------------

def test_link_flow_v1(linked):
    v1, _ = clients(linked, "eu-west-1")
    v1.verify_email_identity(EmailAddress="user@example.com")
    assert status_v1(v1, "user@example.com") == "Pending"
    assert v1.list_verified_email_addresses()["VerifiedEmailAddresses"] == []
    full, msg = mail_to(linked, "user@example.com")
    assert full["Kind"] == "verification"
    assert full["Source"] == "no-reply-aws@amazon.com"
    assert full["Destinations"] == ["user@example.com"]
    assert re.fullmatch(r"0102[0-9a-f]{12}-[0-9a-f-]{36}-000000",
                        full["MessageId"])
    assert subject(msg) == ("Amazon Web Services \u2013 Email Address "
                            "Verification Request in region Europe (Ireland)")
    assert msg["From"] == "Amazon Web Services <no-reply-aws@amazon.com>"
    assert msg["To"] == "user@example.com"
    assert msg["Message-ID"] == "<%s@eu-west-1.amazonses.com>" % (
        full["MessageId"])
    link = link_in(msg)
    assert link.startswith(linked.url + "/_sesbox/verify?token=")
    page = requests.get(link, timeout=5)
    assert page.status_code == 200
    assert "successfully verified an email address" in page.text
    assert status_v1(v1, "user@example.com") == "Success"
    assert v1.list_verified_email_addresses()["VerifiedEmailAddresses"] == [
        "user@example.com"]
    # A link works once.
    assert requests.get(link, timeout=5).status_code == 404


def test_link_flow_v2(linked):
    v1, v2 = clients(linked)
    resp = v2.create_email_identity(EmailIdentity="v2@example.com")
    assert resp["VerifiedForSendingStatus"] is False
    got = v2.get_email_identity(EmailIdentity="v2@example.com")
    assert got["VerificationStatus"] == "PENDING"
    _, msg = mail_to(linked, "v2@example.com")
    assert requests.get(link_in(msg), timeout=5).status_code == 200
    got = v2.get_email_identity(EmailIdentity="v2@example.com")
    assert (got["VerificationStatus"], got["VerifiedForSendingStatus"]) == (
        "SUCCESS", True)
    assert status_v1(v1, "v2@example.com") == "Success"


def test_link_domains_verify_at_once(linked):
    v1, _ = clients(linked)
    v1.verify_domain_identity(Domain="example.com")
    assert status_v1(v1, "example.com") == "Success"
    assert linked.get("/_sesbox/api/v1/messages").json()["messages"] == []


def test_link_expires_after_24_hours(linked):
    v1, _ = clients(linked)
    v1.verify_email_identity(EmailAddress="late@example.com")
    _, msg = mail_to(linked, "late@example.com")
    clock = linked.post("/_sesbox/api/v1/clock",
                        json={"advance_ms": DAY_MS - 1000}).json()
    assert clock["frozen"] is False
    assert status_v1(v1, "late@example.com") == "Pending"
    linked.post("/_sesbox/api/v1/clock", json={"advance_ms": 2000})
    assert status_v1(v1, "late@example.com") == "Failed"
    page = requests.get(link_in(msg), timeout=5)
    assert page.status_code == 410
    assert status_v1(v1, "late@example.com") == "Failed"
    # Asking again sends a new email whose link works.
    v1.verify_email_identity(EmailAddress="late@example.com")
    assert status_v1(v1, "late@example.com") == "Pending"
    _, msg2 = mail_to(linked, "late@example.com")
    assert link_in(msg2) != link_in(msg)
    assert requests.get(link_in(msg2), timeout=5).status_code == 200
    assert status_v1(v1, "late@example.com") == "Success"


def test_link_of_deleted_identity(linked):
    v1, _ = clients(linked)
    v1.verify_email_identity(EmailAddress="gone@example.com")
    _, msg = mail_to(linked, "gone@example.com")
    v1.delete_identity(Identity="gone@example.com")
    assert requests.get(link_in(msg), timeout=5).status_code == 404
    assert v1.list_identities()["Identities"] == []


@pytest.mark.parametrize("query", ["", "?token=", "?token=made-up",
                                   "?other=1"])
def test_bad_links(linked, query):
    resp = requests.get(linked.url + "/_sesbox/verify" + query, timeout=5)
    assert resp.status_code in (400, 404)
    assert "<h1>Invalid link</h1>" in resp.text


def test_messages_api_filters(linked):
    v1, _ = clients(linked)
    for who in ("a@example.com", "b@example.com"):
        v1.verify_email_identity(EmailAddress=who)
    every = linked.get("/_sesbox/api/v1/messages").json()["messages"]
    assert [m["Destinations"] for m in every] == [["b@example.com"],
                                                  ["a@example.com"]]
    only = linked.get("/_sesbox/api/v1/messages",
                      params={"to": "A@EXAMPLE.COM"}).json()["messages"]
    assert [m["Destinations"] for m in only] == [["a@example.com"]]
    assert linked.get("/_sesbox/api/v1/messages",
                      params={"kind": "nothing"}).json()["messages"] == []
    assert linked.get("/_sesbox/api/v1/messages",
                      params={"limit": "0"}).status_code == 400
    missing = linked.get("/_sesbox/api/v1/messages/nope")
    assert missing.status_code == 404
    assert missing.json()["code"] == "NotFound"


def test_clock_api(linked):
    base = linked.get("/_sesbox/api/v1/clock").json()
    assert base["frozen"] is False
    frozen = linked.post("/_sesbox/api/v1/clock",
                         json={"set": "2030-01-02T03:04:05Z"}).json()
    assert frozen == {"now_ms": 1893553445000,
                      "now": "2030-01-02T03:04:05.000Z", "frozen": True}
    moved = linked.post("/_sesbox/api/v1/clock",
                        json={"advance_ms": 1500}).json()
    assert moved["now_ms"] == 1893553446500
    for bad in ({}, {"advance_ms": -1}, {"set": "soon"},
                {"advance_ms": "1"}):
        resp = linked.post("/_sesbox/api/v1/clock", json=bad)
        assert resp.status_code == 400, bad
    assert linked.post("/_sesbox/api/v1/clock", data="[1]").status_code == 400
    real = linked.post("/_sesbox/api/v1/clock", json={"real": True}).json()
    assert real["frozen"] is False
    assert abs(real["now_ms"] - base["now_ms"]) < 60000
    # Reset returns to the wall clock too.
    linked.post("/_sesbox/api/v1/clock", json={"set_ms": 0})
    linked.reset()
    assert linked.get("/_sesbox/api/v1/clock").json()["frozen"] is False


# -- dns mode --------------------------------------------------------------

def test_dns_domain_txt(dnsed, dns):
    v1, v2 = clients(dnsed)
    token = v1.verify_domain_identity(Domain="example.com")[
        "VerificationToken"]
    assert status_v1(v1, "example.com") == "Pending"
    dns.add("_amazonses.example.com", "TXT", "not-the-token")
    assert status_v1(v1, "example.com") == "Pending"
    dns.add("_amazonses.example.com", "TXT", token)
    assert status_v1(v1, "example.com") == "Success"
    # Stays verified once verified, and v2 sees it.
    dns.records.clear()
    assert status_v1(v1, "example.com") == "Success"
    assert v2.get_email_identity(EmailIdentity="example.com")[
        "VerificationStatus"] == "SUCCESS"


def test_dns_easy_dkim_cnames(dnsed, dns):
    v1, v2 = clients(dnsed)
    resp = v2.create_email_identity(EmailIdentity="dkim.example")
    tokens = resp["DkimAttributes"]["Tokens"]
    assert resp["DkimAttributes"]["Status"] == "PENDING"
    assert resp["VerifiedForSendingStatus"] is False
    for t in tokens[:2]:
        dns.add("%s._domainkey.dkim.example" % t, "CNAME",
                "%s.dkim.amazonses.com" % t)
    attrs = v1.get_identity_dkim_attributes(Identities=["dkim.example"])
    assert attrs["DkimAttributes"]["dkim.example"][
        "DkimVerificationStatus"] == "Pending"
    dns.add("%s._domainkey.dkim.example" % tokens[2], "CNAME",
            "%s.DKIM.amazonses.com." % tokens[2])
    got = v2.get_email_identity(EmailIdentity="dkim.example")
    assert got["DkimAttributes"]["Status"] == "SUCCESS"
    # AWS: a domain also verifies through its DKIM records.
    assert (got["VerificationStatus"], got["VerifiedForSendingStatus"]) == (
        "SUCCESS", True)


def test_dns_byodkim_txt(dnsed, dns, tmp_path):
    _, v2 = clients(dnsed)
    key = tmp_path / "k.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "1024"],
                   check=True, capture_output=True)
    der = subprocess.run(["openssl", "rsa", "-in", str(key), "-outform",
                          "DER"], check=True, capture_output=True).stdout
    pub = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout",
                          "-outform", "DER"], check=True,
                         capture_output=True).stdout
    v2.create_email_identity(EmailIdentity="byo.example",
                             DkimSigningAttributes={
                                 "DomainSigningSelector": "sel1",
                                 "DomainSigningPrivateKey":
                                     base64.b64encode(der).decode()})
    got = v2.get_email_identity(EmailIdentity="byo.example")
    assert got["DkimAttributes"]["Status"] == "PENDING"
    assert got["DkimAttributes"]["SigningAttributesOrigin"] == "EXTERNAL"
    dns.add("sel1._domainkey.byo.example", "TXT",
            "v=DKIM1; k=rsa; p=" + base64.b64encode(pub).decode())
    got = v2.get_email_identity(EmailIdentity="byo.example")
    assert got["DkimAttributes"]["Status"] == "SUCCESS"


def test_dns_mail_from_mx(dnsed, dns):
    v1, _ = clients(dnsed, "eu-west-1")
    v1.verify_domain_identity(Domain="example.com")
    v1.set_identity_mail_from_domain(Identity="example.com",
                                     MailFromDomain="bounce.example.com")
    attrs = v1.get_identity_mail_from_domain_attributes(
        Identities=["example.com"])["MailFromDomainAttributes"]
    assert attrs["example.com"]["MailFromDomainStatus"] == "Pending"
    dns.add("bounce.example.com", "MX",
            "10 feedback-smtp.us-east-1.amazonses.com")
    attrs = v1.get_identity_mail_from_domain_attributes(
        Identities=["example.com"])["MailFromDomainAttributes"]
    assert attrs["example.com"]["MailFromDomainStatus"] == "Pending"
    dns.add("bounce.example.com", "MX",
            "10 feedback-smtp.eu-west-1.amazonses.com")
    attrs = v1.get_identity_mail_from_domain_attributes(
        Identities=["example.com"])["MailFromDomainAttributes"]
    assert attrs["example.com"] == {
        "MailFromDomain": "bounce.example.com",
        "MailFromDomainStatus": "Success",
        "BehaviorOnMXFailure": "UseDefaultValue"}


def test_dns_domain_fails_after_72_hours(dnsed):
    v1, _ = clients(dnsed)
    v1.verify_domain_identity(Domain="slow.example")
    dnsed.post("/_sesbox/api/v1/clock",
               json={"advance_ms": 72 * 3600 * 1000 + 1000})
    assert status_v1(v1, "slow.example") == "Failed"


def test_dns_addresses_verify_at_once(dnsed):
    v1, _ = clients(dnsed)
    v1.verify_email_identity(EmailAddress="a@example.com")
    assert status_v1(v1, "a@example.com") == "Success"


def test_dns_resolver_down_keeps_pending(start_server):
    # A port nothing answers on: lookups time out, the domain stays
    # Pending, and the server keeps serving.
    dead = DnsServer()
    address = dead.address
    dead.close()
    srv = start_server("--verification", "dns", "--dns-resolver", address)
    v1 = make_client("ses", srv.url)
    v1.verify_domain_identity(Domain="example.com")
    assert status_v1(v1, "example.com") == "Pending"
    assert srv.health()["status"] == "ok"


def test_dns_unknown_identity_still_errors(dnsed):
    _, v2 = clients(dnsed)
    with pytest.raises(ClientError) as exc:
        v2.get_email_identity(EmailIdentity="nope.example")
    assert exc.value.response["Error"]["Code"] == "NotFoundException"


# -- custom verification templates ----------------------------------------

TEMPLATE = dict(
    TemplateName="welcome", FromEmailAddress="team@example.com",
    TemplateSubject="Please confirm \u2713", TemplateContent=(
        "<html><body><h1>Hello</h1><p>Confirm your address.</p></body>"
        "</html>"),
    SuccessRedirectionURL="https://app.example.com/ok",
    FailureRedirectionURL="https://app.example.com/failed")


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_custom_template_flow(linked, api):
    v1, v2 = clients(linked)
    v1.verify_domain_identity(Domain="example.com")   # the sender's domain
    client = v1 if api == "v1" else v2
    client.create_custom_verification_email_template(**TEMPLATE)
    resp = client.send_custom_verification_email(
        EmailAddress="new@user.example", TemplateName="welcome")
    full, msg = mail_to(linked, "new@user.example")
    assert full["MessageId"] == resp["MessageId"]
    assert full["Kind"] == "custom-verification"
    assert msg["From"] == "team@example.com"
    assert subject(msg) == "Please confirm \u2713"
    assert msg.get_content_type() == "text/html"
    body = msg.get_payload(decode=True).decode()
    assert "<h1>Hello</h1>" in body
    assert "If you did not request to verify this email address" in body
    # AWS: the identity exists only once its link is opened.
    assert v1.list_identities(IdentityType="EmailAddress")[
        "Identities"] == []
    page = requests.get(link_in(msg), allow_redirects=False, timeout=5)
    assert (page.status_code, page.headers["Location"]) == (
        302, "https://app.example.com/ok")
    assert status_v1(v1, "new@user.example") == "Success"


def test_custom_template_link_expired(linked):
    v1, _ = clients(linked)
    v1.verify_email_identity(EmailAddress="team@example.com")
    _, msg = mail_to(linked, "team@example.com")
    requests.get(link_in(msg), timeout=5)             # verify the sender
    v1.create_custom_verification_email_template(**TEMPLATE)
    v1.send_custom_verification_email(EmailAddress="late@user.example",
                                      TemplateName="welcome")
    _, msg = mail_to(linked, "late@user.example")
    linked.post("/_sesbox/api/v1/clock", json={"advance_ms": DAY_MS + 1})
    page = requests.get(link_in(msg), allow_redirects=False, timeout=5)
    assert (page.status_code, page.headers["Location"]) == (
        302, "https://app.example.com/failed")
    assert v1.get_identity_verification_attributes(
        Identities=["late@user.example"])["VerificationAttributes"] == {}


@pytest.mark.parametrize("api, case, code, message", [
    ("v1", "no-template", "CustomVerificationEmailTemplateDoesNotExist",
     "Custom verification email template <welcome> does not exist"),
    ("v2", "no-template", "NotFoundException",
     "Custom verification email template <welcome> does not exist"),
    ("v1", "unverified-sender", "FromEmailAddressNotVerified",
     "The from email address <team@example.com> is not verified"),
    ("v2", "unverified-sender", "NotFoundException",
     "The from email address <team@example.com> is not verified"),
    ("v1", "bad-address", "InvalidParameterValue",
     "Invalid email address<not-an-address>."),
    ("v2", "bad-address", "BadRequestException",
     "Invalid email address<not-an-address>."),
])
def test_custom_template_send_errors(linked, api, case, code, message):
    v1, v2 = clients(linked)
    client = v1 if api == "v1" else v2
    address = "not-an-address" if case == "bad-address" else "x@user.example"
    if case != "no-template":
        v1.verify_domain_identity(Domain="example.com")
        client.create_custom_verification_email_template(**TEMPLATE)
        if case == "unverified-sender":
            v1.delete_identity(Identity="example.com")
    with pytest.raises(ClientError) as exc:
        client.send_custom_verification_email(EmailAddress=address,
                                              TemplateName="welcome")
    err = exc.value.response["Error"]
    assert (err["Code"], err["Message"]) == (code, message)
    assert linked.get("/_sesbox/api/v1/messages",
                      params={"to": address}).json()["messages"] == []


# -- the DNS records an identity needs -------------------------------------

def test_dns_records_endpoint(dnsed, dns):
    v1, v2 = clients(dnsed, "eu-west-1")
    token = v1.verify_domain_identity(Domain="Example.com")[
        "VerificationToken"]
    dkim = v1.verify_domain_dkim(Domain="example.com")["DkimTokens"]
    v1.set_identity_mail_from_domain(Identity="example.com",
                                     MailFromDomain="mail.example.com")
    resp = dnsed.get("/_sesbox/api/v1/identities/EXAMPLE.com/dns-records",
                     params={"region": "eu-west-1"})
    assert resp.status_code == 200, resp.text
    got = resp.json()
    assert (got["Identity"], got["Region"]) == ("example.com", "eu-west-1")
    expected = [{"Type": "TXT", "Name": "_amazonses.example.com",
                 "Value": token, "Purpose": "Verification",
                 "Status": "Pending"}]
    expected += [{"Type": "CNAME", "Name": "%s._domainkey.example.com" % t,
                  "Value": "%s.dkim.amazonses.com" % t, "Purpose": "DKIM",
                  "Status": "Pending"} for t in dkim]
    expected += [{"Type": "MX", "Name": "mail.example.com",
                  "Value": "10 feedback-smtp.eu-west-1.amazonses.com",
                  "Purpose": "MAIL FROM", "Status": "Pending"},
                 {"Type": "TXT", "Name": "mail.example.com",
                  "Value": '"v=spf1 include:amazonses.com ~all"',
                  "Purpose": "MAIL FROM", "Status": "Pending"}]
    assert got["Records"] == expected
    # Publishing exactly those records verifies everything.
    for r in expected:
        value = (r["Value"] if r["Type"] != "TXT" or r["Purpose"] != "MAIL FROM"
                 else r["Value"].strip('"'))
        dns.add(r["Name"], r["Type"], value)
    after = dnsed.get("/_sesbox/api/v1/identities/example.com/dns-records",
                      params={"region": "eu-west-1"}).json()["Records"]
    assert after[0]["Status"] == "Pending"   # not refreshed by this read
    assert status_v1(v1, "example.com") == "Success"
    attrs = v1.get_identity_dkim_attributes(Identities=["example.com"])
    assert attrs["DkimAttributes"]["example.com"][
        "DkimVerificationStatus"] == "Success"
    after = dnsed.get("/_sesbox/api/v1/identities/example.com/dns-records",
                      params={"region": "eu-west-1"}).json()["Records"]
    assert {r["Status"] for r in after} == {"Success"}


def test_dns_records_endpoint_errors(dnsed):
    assert dnsed.get("/_sesbox/api/v1/identities/none.example/dns-records"
                     ).status_code == 404
    assert dnsed.get("/_sesbox/api/v1/identities/x/other").status_code == 404
    v1, _ = clients(dnsed)
    v1.verify_email_identity(EmailAddress="a@example.com")
    got = dnsed.get("/_sesbox/api/v1/identities/a%40example.com/dns-records"
                    ).json()
    assert got["Records"] == []
