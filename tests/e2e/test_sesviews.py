"""The SES views of the inspection API (simulator/sesview.c), which the web
UI shows: identities with their DNS records, templates with a render
preview, configuration sets with their event destinations, the suppression
list and the GetSendStatistics buckets, each scoped by ?account=&region=.
Also where the UI itself is served (simulator/ui.c): GET / for a browser,
while SES v1 and SNS keep /.
"""
import re

import pytest

API = "/_sesbox/api/v1"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def ok(resp):
    assert resp.status_code == 200, resp.text
    return resp.json()


def err(resp):
    return resp.status_code, resp.json()["code"], resp.json()["message"]


# -- identities --------------------------------------------------------------

def test_identities_with_status_and_records(server, ses, sesv2):
    v1 = ses()
    v1.verify_email_identity(EmailAddress="sender@example.com")
    v1.verify_domain_identity(Domain="example.com")
    dkim = v1.verify_domain_dkim(Domain="example.com")["DkimTokens"]
    v1.set_identity_mail_from_domain(Identity="example.com",
                                     MailFromDomain="bounce.example.com")
    v1.set_identity_notification_topic(
        Identity="sender@example.com", NotificationType="Bounce",
        SnsTopic="arn:aws:sns:us-east-1:000000000000:bounces")
    got = ok(server.get(API + "/identities"))
    assert (got["Account"], got["Region"], got["next_cursor"]) == (
        "000000000000", "us-east-1", None)
    names = [i["Identity"] for i in got["identities"]]
    assert names == ["example.com", "sender@example.com"]
    dom, addr = got["identities"]
    attrs = v1.get_identity_verification_attributes(
        Identities=["example.com", "sender@example.com"])[
        "VerificationAttributes"]
    assert dom["Type"] == "Domain" and addr["Type"] == "EmailAddress"
    assert dom["VerificationStatus"] == attrs["example.com"][
        "VerificationStatus"]
    assert addr["VerificationStatus"] == attrs["sender@example.com"][
        "VerificationStatus"]
    assert dom["VerificationToken"] == attrs["example.com"][
        "VerificationToken"]
    assert ISO.match(dom["CreatedTimestamp"])
    assert dom["Dkim"]["Tokens"] == dkim
    assert dom["Dkim"]["Status"] == v1.get_identity_dkim_attributes(
        Identities=["example.com"])["DkimAttributes"]["example.com"][
        "DkimVerificationStatus"]
    assert dom["MailFrom"]["Domain"] == "bounce.example.com"
    assert addr["MailFrom"] == {"Domain": None, "Status": None,
                                "BehaviorOnMxFailure": "UseDefaultValue"}
    assert addr["Notifications"]["BounceTopic"] == (
        "arn:aws:sns:us-east-1:000000000000:bounces")
    assert addr["Notifications"]["ForwardingEnabled"] is True
    # The records are the dns-records endpoint's.
    assert dom["Records"] == ok(server.get(
        API + "/identities/example.com/dns-records"))["Records"]
    assert [r["Purpose"] for r in dom["Records"]] == (
        ["Verification"] + ["DKIM"] * 3 + ["MAIL FROM"] * 2)
    assert addr["Records"] == []


def test_identities_scope_and_paging(server, ses):
    ses(region="eu-west-1").verify_email_identity(EmailAddress="a@x.example")
    for n in range(3):
        ses().verify_email_identity(EmailAddress="u%d@example.com" % n)
    assert ok(server.get(API + "/identities", params={
        "region": "eu-west-1"}))["identities"][0]["Identity"] == (
        "a@x.example")
    assert ok(server.get(API + "/identities", params={
        "account": "111111111111"}))["identities"] == []
    page = ok(server.get(API + "/identities", params={"limit": 2}))
    assert [i["Identity"] for i in page["identities"]] == [
        "u0@example.com", "u1@example.com"]
    rest = ok(server.get(API + "/identities", params={
        "limit": 2, "cursor": page["next_cursor"]}))
    assert [i["Identity"] for i in rest["identities"]] == ["u2@example.com"]
    assert rest["next_cursor"] is None


@pytest.mark.parametrize("path", ["/identities", "/templates",
                                  "/configuration-sets", "/suppression"])
@pytest.mark.parametrize("limit", ["0", "1001", "x", ""])
def test_bad_limit(server, path, limit):
    assert err(server.get(API + path, params={"limit": limit})) == (
        400, "BadRequest", "limit must be 1-1000")


# -- templates ---------------------------------------------------------------

def make_template(ses, name="welcome", html="<p>Hi {{name}}</p>"):
    t = {"TemplateName": name, "SubjectPart": "Hello {{name}}",
         "TextPart": "Dear {{name}}, {{#each items}}[{{this}}]{{/each}}"}
    if html is not None:
        t["HtmlPart"] = html
    ses().create_template(Template=t)


def test_templates_list_and_get(server, ses):
    make_template(ses)
    make_template(ses, "plain", html=None)
    got = ok(server.get(API + "/templates"))
    assert [t["Name"] for t in got["templates"]] == ["plain", "welcome"]
    plain, welcome = got["templates"]
    assert plain["HtmlPart"] is None
    assert welcome["SubjectPart"] == "Hello {{name}}"
    assert welcome["HtmlPart"] == "<p>Hi {{name}}</p>"
    assert ISO.match(welcome["CreatedTimestamp"])
    assert ok(server.get(API + "/templates/welcome")) == welcome
    assert ok(server.get(API + "/templates", params={
        "region": "eu-west-1"}))["templates"] == []
    assert err(server.get(API + "/templates/nope")) == (
        404, "TemplateDoesNotExist", "Template nope does not exist.")


def test_template_render_preview(server, ses):
    make_template(ses)
    got = ok(server.post(API + "/templates/welcome/render", json={
        "data": {"name": "Ann", "items": ["a", "b"]}}))
    assert (got["Name"], got["Subject"], got["Text"], got["Html"]) == (
        "welcome", "Hello Ann", "Dear Ann, [a][b]", "<p>Hi Ann</p>")
    # The MIME message TestRenderTemplate returns, too.
    mime = got["RenderedTemplate"]
    assert "Subject: Hello Ann\r\n" in mime and "Dear Ann, [a][b]" in mime
    assert "Content-Type: multipart/alternative;" in mime
    # TemplateData's own form, a string holding the object.
    assert ok(server.post(API + "/templates/welcome/render", json={
        "data": '{"name": "Bo"}'}))["Subject"] == "Hello Bo"


def test_template_render_errors(server, ses):
    make_template(ses)
    render = API + "/templates/welcome/render"
    # What SES answers TestRenderTemplate with, and records on a send.
    assert err(server.post(render, json={"data": {}})) == (
        400, "MissingRenderingAttribute",
        "Attribute 'name' is not present in the rendering data.")
    for bad in ([1], "[1]", "not json", 5):
        assert err(server.post(render, json={"data": bad})) == (
            400, "InvalidRenderingParameter",
            "Template rendering data is invalid")
    assert err(server.post(render, data="{")) == (
        400, "BadRequest", "the body must be a JSON object")
    assert err(server.post(API + "/templates/nope/render", json={})) == (
        404, "TemplateDoesNotExist", "Template nope does not exist.")
    assert server.get(render).status_code == 405
    assert server.post(API + "/templates/welcome").status_code == 405
    assert err(server.get(API + "/templates/welcome/other")) == (
        404, "NotFound", "no such sesbox endpoint")


# -- configuration sets ------------------------------------------------------

def test_configuration_sets_with_destinations(server, sesv2, sns_client):
    sns_client().create_topic(Name="events")
    v2 = sesv2()
    v2.create_email_identity(EmailIdentity="example.com")
    v2.create_configuration_set(
        ConfigurationSetName="marketing",
        TrackingOptions={"CustomRedirectDomain": "t.example.com"},
        SuppressionOptions={"SuppressedReasons": ["BOUNCE"]})
    v2.create_configuration_set_event_destination(
        ConfigurationSetName="marketing", EventDestinationName="to-sns",
        EventDestination={
            "Enabled": True, "MatchingEventTypes": ["SEND", "BOUNCE"],
            "SnsDestination": {
                "TopicArn": "arn:aws:sns:us-east-1:000000000000:events"}})
    v2.create_configuration_set(ConfigurationSetName="empty")
    got = ok(server.get(API + "/configuration-sets"))
    assert [c["Name"] for c in got["configuration_sets"]] == [
        "empty", "marketing"]
    empty, mk = got["configuration_sets"]
    assert empty["EventDestinations"] == []
    assert (mk["SendingEnabled"], mk["ReputationMetricsEnabled"]) == (
        True, True)
    assert mk["TrackingOptions"] == {"CustomRedirectDomain": "t.example.com"}
    assert mk["SuppressionOptions"] == {"SuppressedReasons": ["BOUNCE"]}
    assert mk["LastFreshStart"] is None
    [d] = mk["EventDestinations"]
    assert (d["Name"], d["Enabled"], d["MatchingEventTypes"]) == (
        "to-sns", True, ["SEND", "BOUNCE"])
    assert d["Destination"] == {"SnsDestination": {
        "TopicArn": "arn:aws:sns:us-east-1:000000000000:events"}}
    page = ok(server.get(API + "/configuration-sets", params={"limit": 1}))
    assert page["next_cursor"] is not None
    assert [c["Name"] for c in ok(server.get(
        API + "/configuration-sets", params={
            "limit": 1, "cursor": page["next_cursor"]}))[
        "configuration_sets"]] == ["marketing"]
    assert ok(server.get(API + "/configuration-sets", params={
        "region": "eu-west-1"}))["configuration_sets"] == []


# -- suppression list --------------------------------------------------------

def test_suppression_add_list_remove(server, sesv2):
    got = ok(server.request("PUT", API + "/suppression/A@Example.COM",
                            json={"reason": "BOUNCE"}))
    assert (got["EmailAddress"], got["Reason"]) == ("A@example.com", "BOUNCE")
    assert ISO.match(got["LastUpdateTime"])
    # The same list SES v2 reads.
    v2 = sesv2()
    assert v2.get_suppressed_destination(EmailAddress="A@example.com")[
        "SuppressedDestination"]["Reason"] == "BOUNCE"
    ok(server.request("PUT", API + "/suppression",
                      json={"email": "b@example.com", "reason": "COMPLAINT"}))
    v2.put_suppressed_destination(EmailAddress="c@example.com",
                                  Reason="BOUNCE")
    listed = ok(server.get(API + "/suppression"))
    assert [(s["EmailAddress"], s["Reason"]) for s in listed["suppressed"]] \
        == [("A@example.com", "BOUNCE"), ("b@example.com", "COMPLAINT"),
            ("c@example.com", "BOUNCE")]
    assert [s["EmailAddress"] for s in ok(server.get(
        API + "/suppression", params={"reason": "BOUNCE"}))["suppressed"]] \
        == ["A@example.com", "c@example.com"]
    page = ok(server.get(API + "/suppression", params={"limit": 2}))
    assert [s["EmailAddress"] for s in ok(server.get(
        API + "/suppression", params={"limit": 2, "cursor": page[
            "next_cursor"]}))["suppressed"]] == ["c@example.com"]
    assert ok(server.get(API + "/suppression/b%40example.com"))[
        "Reason"] == "COMPLAINT"
    assert ok(server.request("DELETE", API + "/suppression/b@EXAMPLE.com")) \
        == {"deleted": 1}
    assert [s["EmailAddress"] for s in v2.list_suppressed_destinations()[
        "SuppressedDestinationSummaries"]] == ["A@example.com",
                                               "c@example.com"]
    assert ok(server.get(API + "/suppression", params={
        "region": "eu-west-1"}))["suppressed"] == []


@pytest.mark.parametrize("address", [
    "not-an-address", "@example.com", "two words@example.com",
    "a..b@example.com"])
def test_suppression_invalid_address(server, address):
    expected = (400, "BadRequestException",
                "Invalid email address<%s>." % address)
    path = API + "/suppression/" + address.replace(" ", "%20")
    assert err(server.request("PUT", path, json={"reason": "BOUNCE"})) \
        == expected
    assert err(server.get(path)) == expected
    assert err(server.request("DELETE", path)) == expected
    assert err(server.request("PUT", API + "/suppression", json={
        "email": address, "reason": "BOUNCE"})) == expected


def test_suppression_errors(server):
    path = API + "/suppression/a@example.com"
    assert err(server.request("PUT", path, json={"reason": "SPAM"})) == (
        400, "BadRequestException",
        "1 validation error detected: Value 'SPAM' at 'reason' failed to "
        "satisfy constraint: Member must satisfy enum value set: "
        "[BOUNCE, COMPLAINT]")
    assert err(server.request("PUT", path, json={})) == (
        400, "BadRequestException",
        "1 validation error detected: Value null at 'reason' failed to "
        "satisfy constraint: Member must not be null")
    assert err(server.request("PUT", API + "/suppression", json={
        "reason": "BOUNCE"})) == (
        400, "BadRequestException",
        "1 validation error detected: Value null at 'emailAddress' failed "
        "to satisfy constraint: Member must not be null")
    assert err(server.request("PUT", path, data="[]")) == (
        400, "BadRequest", "the body must be a JSON object")
    missing = (404, "NotFoundException", "Email address a@example.com does "
               "not exist on your suppression list.")
    assert err(server.get(API + "/suppression/a@EXAMPLE.com")) == missing
    assert err(server.request("DELETE", path)) == missing
    assert err(server.get(API + "/suppression", params={
        "reason": "bounce"})) == (400, "BadRequest",
                                  "reason must be BOUNCE or COMPLAINT")
    assert server.request("DELETE", API + "/suppression").status_code == 405
    assert server.get(API + "/suppression/a@example.com/x").status_code == 404


# -- statistics --------------------------------------------------------------

def test_statistics_buckets(server, ses):
    v1 = ses()
    v1.verify_email_identity(EmailAddress="s@example.com")
    for to in ("a@example.com", "b@example.com", "x@nosuchuser.example.com"):
        v1.send_email(Source="s@example.com", Destination={
            "ToAddresses": [to]}, Message={
            "Subject": {"Data": "s"}, "Body": {"Text": {"Data": "t"}}})
    server.flush()
    got = ok(server.get(API + "/statistics"))
    points = v1.get_send_statistics()["SendDataPoints"]
    assert len(got["SendDataPoints"]) == len(points) == 1
    [p] = got["SendDataPoints"]
    assert ISO.match(p["Timestamp"]) and p["Timestamp"].endswith(
        ":00.000Z")
    for k in ("DeliveryAttempts", "Bounces", "Complaints", "Rejects"):
        assert p[k] == points[0][k]
        assert got["Totals"][k] == p[k]
    assert p["DeliveryAttempts"] == 3
    assert got["BucketMinutes"] == 15
    assert ISO.match(got["Since"]) and ISO.match(got["Now"])
    assert ok(server.get(API + "/statistics", params={
        "since": "2999-01-01T00:00:00Z"}))["SendDataPoints"] == []
    assert ok(server.get(API + "/statistics", params={
        "since": "0"}))["SendDataPoints"] != []
    assert ok(server.get(API + "/statistics", params={
        "region": "eu-west-1"}))["SendDataPoints"] == []
    assert err(server.get(API + "/statistics", params={"since": "soon"})) \
        == (400, "BadRequest",
            "since takes an ISO-8601 time or epoch milliseconds")


def test_reputation_thresholds(server):
    got = ok(server.get(API + "/reputation"))
    assert got["Thresholds"] == {
        "BounceRateReview": pytest.approx(0.05),
        "BounceRateShutdown": pytest.approx(0.10),
        "ComplaintRateReview": pytest.approx(0.001),
        "ComplaintRateShutdown": pytest.approx(0.005)}
    assert isinstance(got["MinimumSends"], int)


# -- where the UI is served --------------------------------------------------

CSP_NEEDS = ("default-src 'none'", "script-src 'self'",
             "frame-ancestors 'none'")


def test_ui_page_at_root(server):
    r = server.get("/")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    csp = r.headers["Content-Security-Policy"]
    assert all(part in csp for part in CSP_NEEDS), csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert '<script type="module" src="/_sesbox/ui/app.js">' in r.text
    assert "<script>" not in r.text          # nothing inline
    assert server.request("HEAD", "/").status_code == 200
    assert server.get("/_sesbox/ui/").text == r.text
    assert server.get("/_sesbox/ui").text == r.text


def test_ui_assets(server):
    js = server.get("/_sesbox/ui/app.js")
    assert js.status_code == 200
    assert js.headers["Content-Type"] == "text/javascript; charset=utf-8"
    css = server.get("/_sesbox/ui/app.css")
    assert css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert "prefers-color-scheme" in css.text
    for bad in ("nope.js", "../ui.c", "%2e%2e/ui.c", "sub/app.js"):
        assert err(server.get("/_sesbox/ui/" + bad))[:2] == (404, "NotFound")


def test_root_keeps_ses_and_sns(server):
    # A query, a body or a signature: still SES v1 (or SNS).
    r = server.get("/", params={"Action": "GetSendQuota"})
    assert r.status_code == 200 and "<GetSendQuotaResponse" in r.text
    r = server.post("/", data="Action=GetSendQuota", headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "<GetSendQuotaResponse" in r.text
    r = server.get("/", params={"Action": "ListTopics"})
    assert r.status_code == 200 and "<ListTopicsResponse" in r.text
    r = server.get("/", headers={"Authorization": "AWS4-HMAC-SHA256 x"})
    assert r.headers["Content-Type"].startswith("text/xml")
    assert server.request("PUT", "/").headers["Content-Type"].startswith(
        "text/xml")
