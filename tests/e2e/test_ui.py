"""The web UI in a real browser: headless Chromium driven by selenium.

Inbox (list, search, keyboard, live updates, unread state, delete), the
message view (timeline, sandboxed HTML that runs no script and loads no
remote resource, recipient actions) and the SES views (identities,
templates, configuration sets, suppression, reputation, simulator rules,
the test clock). Screenshots in light and dark, at 1280x800 and in a
narrow window, are written to build/artifacts/ui/ (SESBOX_UI_ARTIFACTS
overrides the directory); docs/ui.md lists them.

Some parts need the capture, events and feed endpoints of the inspection
API (docs/inspection.md); where this sesbox lacks one, only those tests are
skipped, naming the endpoint.
"""
import email.mime.multipart
import email.mime.text
import http.server
import importlib
import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import threading

import pytest

from conftest import ROOT, child_env

API = "/_sesbox/api/v1"
SENDER = "sender@example.com"
ARTIFACTS = pathlib.Path(os.environ.get("SESBOX_UI_ARTIFACTS",
                                        ROOT / "build" / "artifacts" / "ui"))
WAIT_S = 10
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome")
DRIVERS = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")
DEB_PACKAGES = ("chromium", "chromium-driver", "python3-selenium")


# -- the browser ---------------------------------------------------------------

def _find(paths, name):
    for p in paths:
        if os.access(p, os.X_OK):
            return p
    return shutil.which(name)


def _apt_install():
    """Installs the browser packages as `make deps` would; False when this
    machine cannot (not root, no apt-get, no network)."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    env = child_env({"DEBIAN_FRONTEND": "noninteractive"})
    try:
        subprocess.run(["apt-get", "update", "-qq"], env=env,
                       capture_output=True, timeout=300)
        r = subprocess.run(["apt-get", "install", "-y", "-qq",
                            "--no-install-recommends", *DEB_PACKAGES],
                           env=env, capture_output=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def _browser():
    """(chromium, chromedriver, selenium.webdriver), installing the Debian
    packages when something is missing; skips when that cannot be done."""
    def found():
        try:
            importlib.invalidate_caches()
            webdriver = importlib.import_module("selenium.webdriver")
        except ImportError:
            webdriver = None
        return (_find(CHROMIUM, "chromium"), _find(DRIVERS, "chromedriver"),
                webdriver)

    have = found()
    if None in have and _apt_install():
        have = found()
    if None in have:
        missing = [n for n, v in zip(("chromium", "chromedriver",
                                      "selenium"), have) if v is None]
        pytest.skip("the UI tests need %s, which could not be found or "
                    "installed (make deps installs %s)"
                    % (", ".join(missing), " ".join(DEB_PACKAGES)))
    return have


@pytest.fixture(scope="module")
def browser():
    chromium, chromedriver, webdriver = _browser()
    from selenium.webdriver.chrome.service import Service
    profile = tempfile.mkdtemp(prefix="sesbox-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,800",
                "--user-data-dir=" + profile):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver),
                              options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class UI:
    """The browser on one sesbox, with the waits the tests share."""

    def __init__(self, driver, srv):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys
        from selenium.common.exceptions import (
            StaleElementReferenceException)
        from selenium.webdriver.support.ui import WebDriverWait
        self.stale = StaleElementReferenceException
        self.d = driver
        self.srv = srv
        self.By = By
        self.Keys = Keys
        self._wait = WebDriverWait

    def viewport(self, width, height, dark=False):
        self.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1,
            "mobile": width < 600})
        self.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme",
                          "value": "dark" if dark else "light"}]})

    def open(self, hash_="#/inbox"):
        self.d.get(self.srv.url + "/" + hash_)
        self.wait(lambda d: d.execute_script(
            "return document.readyState") == "complete")

    def wait(self, cond, timeout=WAIT_S, what=None):
        # The UI re-renders as data arrives: a stale element is retried.
        return self._wait(self.d, timeout, ignored_exceptions=(
            self.stale,)).until(cond, what)

    def css(self, sel, root=None):
        return (root or self.d).find_elements(self.By.CSS_SELECTOR, sel)

    def one(self, sel, timeout=WAIT_S):
        """Waits for a displayed element matching sel and returns it."""
        def find(d):
            for el in self.css(sel):
                if el.is_displayed():
                    return el
            return False
        return self.wait(find, timeout, "no visible %s" % sel)

    def text_of(self, sel, text, timeout=WAIT_S):
        """Waits until sel's text contains text."""
        return self.wait(lambda d: any(text in el.text
                                       for el in self.css(sel)),
                         timeout, "%r never showed %r" % (sel, text))

    def subjects(self):
        return [el.text for el in self.css("#messages li[data-id] .subject")]

    def keys(self, *keys):
        from selenium.webdriver.common.action_chains import ActionChains
        ActionChains(self.d).send_keys(*keys).perform()

    def shot(self, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / (name + ".png")
        assert self.d.save_screenshot(str(path)), path
        assert path.stat().st_size > 1000, path
        return path

    def ui_csp_errors(self):
        """Console errors about the UI's own scripts and styles."""
        return [e for e in self.d.get_log("browser")
                if e["level"] == "SEVERE" and "Content Security Policy" in
                e["message"] and "/_sesbox/ui/" in e["message"]]


@pytest.fixture
def ui(browser, server):
    u = UI(browser, server)
    u.viewport(1280, 800)
    browser.get("about:blank")
    browser.get_log("browser")          # drop the previous test's
    browser.delete_all_cookies()
    yield u
    browser.get("about:blank")


# -- what the tests need of the server ----------------------------------------

def has_capture(srv):
    """The capture API: cursors, Read, filters, delete, /html."""
    return "next_cursor" in srv.get(API + "/messages",
                                    params={"limit": 1}).json()


def has_events(srv):
    return srv.get(API + "/events", params={"limit": 1}).status_code == 200


def need_capture(srv):
    if not has_capture(srv):
        pytest.skip("needs the messages capture API (cursor paging, Read, "
                    "DELETE, /html) of docs/inspection.md")


def need_events(srv):
    if not has_events(srv):
        pytest.skip("needs GET /_sesbox/api/v1/events and the message "
                    "actions of docs/inspection.md")


def send(ses, subject, to="success@simulator.amazonses.com", html=None,
         text="Plain body", **kw):
    client = ses()
    client.verify_email_identity(EmailAddress=SENDER)
    body = {"Text": {"Data": text}}
    if html is not None:
        body["Html"] = {"Data": html}
    return client.send_email(Source=SENDER, Destination={"ToAddresses": [to]},
                             Message={"Subject": {"Data": subject},
                                      "Body": body}, **kw)["MessageId"]


def send_raw(ses, mime):
    client = ses()
    client.verify_email_identity(EmailAddress=SENDER)
    return client.send_raw_email(RawMessage={"Data": mime.as_bytes()})[
        "MessageId"]


class Beacon:
    """A local HTTP server recording every request: anything an email's
    content manages to load or run ends up here."""

    def __init__(self):
        self.hits = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.hits.append(self.path)
                gif = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00"
                       b"\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00"
                       b"\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.send_header("Content-Length", str(len(gif)))
                self.end_headers()
                self.wfile.write(gif)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.base = "http://127.0.0.1:%d" % self.httpd.server_port
        threading.Thread(target=lambda: self.httpd.serve_forever(0.05),
                         daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def beacon():
    b = Beacon()
    yield b
    b.close()


def hostile_html(base):
    """HTML carrying every way an email could run code or call home."""
    return f"""<!DOCTYPE html><html><head>
<script>document.title = 'pwned'; parent.postMessage('pwned', '*');
fetch('{base}/script');</script>
<script src="{base}/external.js"></script>
<link rel="stylesheet" href="{base}/style.css">
<style>body {{ background: url({base}/background.png); }}</style>
<meta http-equiv="refresh" content="0; url={base}/refresh">
</head>
<body onload="parent.postMessage('onload', '*'); fetch('{base}/onload')">
<p id="content">Hello from a hostile email</p>
<img id="remote" src="{base}/remote.png" alt="remote image">
<img src="x-broken" onerror="fetch('{base}/onerror');
document.body.insertAdjacentHTML('beforeend', '<div id=pwned></div>')">
<svg onload="fetch('{base}/svg')"></svg>
<iframe src="{base}/frame"></iframe>
<object data="{base}/object"></object>
<a id="link" href="{base}/link">a link</a>
<form action="{base}/form"><input name="x"></form>
</body></html>"""


def hostile_mime(base):
    msg = email.mime.multipart.MIMEMultipart("alternative")
    msg["From"] = SENDER
    msg["To"] = "success@simulator.amazonses.com"
    msg["Subject"] = "Hostile HTML"
    msg.attach(email.mime.text.MIMEText("Plain part", "plain", "utf-8"))
    msg.attach(email.mime.text.MIMEText(hostile_html(base), "html", "utf-8"))
    return msg


# -- inbox ---------------------------------------------------------------------

def test_inbox_lists_and_opens_a_message(ui, server, ses):
    first = send(ses, "First message")
    second = send(ses, "Second message", html="<p id='hi'>Hello <b>HTML</b></p>",
                  text="Hello text")
    server.flush()
    ui.open()
    ui.wait(lambda d: ui.subjects()[:2] == ["Second message",
                                            "First message"])
    assert ui.d.title == "sesbox — Inbox"
    ui.css("#messages li[data-id='%s'] a" % second)[0].click()
    ui.text_of("#message-subject", "Second message")
    assert ui.d.current_url.endswith("#/inbox/" + second)
    meta = ui.one("#message .kv").text
    assert SENDER in meta and "success@simulator.amazonses.com" in meta
    # The timeline: Send, then the simulator's Delivery.
    ui.wait(lambda d: [li.get_attribute("data-type") for li in ui.css(
        "#timeline > li")] == ["Send", "Delivery"])
    ui.css("#timeline > li[data-type='Delivery'] summary")[0].click()
    detail = json.loads(ui.one("#timeline > li[data-type='Delivery'] "
                               ".event-json").text)
    assert detail["recipients"] == ["success@simulator.amazonses.com"]
    # The HTML in a sandbox without scripts, from the server or, for an
    # older one, from the raw message.
    frame = ui.one("#mail-html")
    assert frame.get_attribute("sandbox") == ""
    ui.d.switch_to.frame(frame)
    try:
        assert ui.one("#hi").text == "Hello HTML"
    finally:
        ui.d.switch_to.default_content()
    ui.one("#mail-tab-text").click()
    assert ui.one("#mail-text").text == "Hello text"
    ui.one("#mail-tab-headers").click()
    assert "Subject" in ui.one("#mail-headers").text
    ui.one("#mail-tab-source").click()
    assert "Subject: Second message" in ui.one("#mail-source").text
    assert ui.one("#download").get_attribute("href").endswith(
        "/messages/%s/raw" % second)
    # Back to the other message through its link.
    ui.css("#messages li[data-id='%s'] a" % first)[0].click()
    ui.text_of("#message-subject", "First message")
    assert ui.ui_csp_errors() == []


def test_search_narrows_the_list(ui, server, ses):
    send(ses, "Invoice 42", to="alice@example.com")
    send(ses, "Welcome aboard", to="bob@example.com")
    send(ses, "Invoice 43", to="carol@example.com")
    ui.open()
    ui.wait(lambda d: len(ui.subjects()) == 3)
    ui.keys("/")
    assert ui.d.switch_to.active_element.get_attribute("id") == "q"
    ui.keys("invoice")
    ui.wait(lambda d: sorted(ui.subjects()) == ["Invoice 42", "Invoice 43"])
    q = ui.one("#q")
    q.clear()
    q.send_keys("bob@")
    ui.wait(lambda d: ui.subjects() == ["Welcome aboard"])
    q.clear()
    q.send_keys("nothing-matches-this")
    ui.one("#no-messages")
    q.clear()
    q.send_keys(ui.Keys.ENTER)
    ui.wait(lambda d: len(ui.subjects()) == 3)


def test_keyboard_navigation(ui, server, ses):
    for n in range(3):
        send(ses, "Message %d" % n)
    ui.open()
    ui.wait(lambda d: len(ui.subjects()) == 3)
    ui.one("#main").click()
    ui.keys("j")
    active = ui.d.switch_to.active_element
    assert active.find_element(ui.By.CSS_SELECTOR, ".subject").text == (
        "Message 2")
    ui.keys("j")
    ui.keys(ui.Keys.ARROW_DOWN)
    ui.keys("k")
    assert ui.d.switch_to.active_element.find_element(
        ui.By.CSS_SELECTOR, ".subject").text == "Message 1"
    # Focus is visible: the focused item draws an outline.
    style = ui.d.execute_script(
        "return getComputedStyle(document.activeElement).outlineStyle")
    assert style != "none"
    ui.keys(ui.Keys.ENTER)
    ui.text_of("#message-subject", "Message 1")
    # j opens the next one while a message is open.
    ui.keys("j")
    ui.text_of("#message-subject", "Message 0")
    ui.keys(ui.Keys.ESCAPE)
    ui.wait(lambda d: d.current_url.endswith("#/inbox"))
    ui.keys("?")
    ui.wait(lambda d: d.execute_script(
        "return document.getElementById('help').open"))
    ui.keys(ui.Keys.ESCAPE)
    ui.keys("g", "d")
    ui.wait(lambda d: d.current_url.endswith("#/identities"))


def test_live_updates(ui, server, ses):
    send(ses, "Before")
    ui.open()
    ui.wait(lambda d: ui.subjects() == ["Before"])
    send(ses, "Arrived later")
    # The feed, or polling where there is none, brings it in.
    ui.wait(lambda d: ui.subjects() == ["Arrived later", "Before"])
    assert ui.one("#live").text in ("live", "polling")


def test_unread_state(ui, server, ses):
    need_capture(server)
    mid = send(ses, "Unread one")
    ui.open()
    item = "#messages li[data-id='%s']" % mid
    ui.wait(lambda d: "unread" in ui.css(item)[0].get_attribute("class"))
    weight = ui.d.execute_script(
        "return getComputedStyle(document.querySelector(arguments[0] + "
        "' .subject')).fontWeight", item)
    assert int(weight) >= 700
    ui.css(item + " a")[0].click()
    ui.text_of("#message-subject", "Unread one")
    ui.wait(lambda d: "unread" not in ui.css(item)[0].get_attribute("class"))
    assert server.get(API + "/messages/" + mid).json()["Read"] is True
    ui.one("#mark-unread").click()
    ui.wait(lambda d: "unread" in ui.css(item)[0].get_attribute("class"))
    assert server.get(API + "/messages/" + mid).json()["Read"] is False


def test_delete(ui, server, ses):
    need_capture(server)
    keep = send(ses, "Keep me")
    gone = send(ses, "Delete me")
    ui.open("#/inbox/" + gone)
    ui.text_of("#message-subject", "Delete me")
    ui.one("#delete").click()
    ui.wait(lambda d: ui.subjects() == ["Keep me"])
    assert server.get(API + "/messages/" + gone).status_code == 404
    assert server.get(API + "/messages/" + keep).status_code == 200
    # Keyboard: # deletes the open message.
    ui.text_of("#message-subject", "Keep me")
    ui.one("#main").click()
    ui.keys("#")
    ui.wait(lambda d: ui.subjects() == [])


def test_pagination(ui, server, ses):
    need_capture(server)
    # The test clock paces the sends under the sending rate (14 a second).
    server.post(API + "/clock", json={"set_ms": 1700000000000})
    for n in range(60):
        if n and n % 10 == 0:
            server.post(API + "/clock", json={"advance_ms": 1000})
        send(ses, "Bulk %02d" % n)
    ui.open()
    ui.wait(lambda d: len(ui.subjects()) == 50)
    assert ui.subjects()[0] == "Bulk 59"
    ui.one("#load-more").click()
    ui.wait(lambda d: len(ui.subjects()) == 60)
    assert ui.subjects()[-1] == "Bulk 00"
    assert not ui.css("#load-more")[0].is_displayed()


# -- the message view's safety -------------------------------------------------

def test_hostile_html_runs_nothing_and_loads_nothing(ui, server, ses, beacon):
    mid = send_raw(ses, hostile_mime(beacon.base))
    ui.open()
    ui.d.execute_script("""
        window.__posted = [];
        window.addEventListener('message', e => __posted.push(String(e.data)));
        window.__frameLoaded = false;
        new MutationObserver(() => {
            const f = document.getElementById('mail-html');
            if (f && !f.__watched) {
                f.__watched = true;
                f.addEventListener('load', () => { window.__frameLoaded = true; });
            }
        }).observe(document.body, {childList: true, subtree: true});""")
    ui.one("#messages li[data-id='%s'] a" % mid).click()
    ui.text_of("#message-subject", "Hostile HTML")
    frame = ui.one("#mail-html")
    assert frame.get_attribute("sandbox") == ""
    assert "allow-scripts" not in (frame.get_attribute("sandbox") or "")
    # The load event waits for every subresource the frame may fetch.
    ui.wait(lambda d: d.execute_script("return window.__frameLoaded"))
    ui.d.switch_to.frame(frame)
    try:
        assert ui.one("#content").text == "Hello from a hostile email"
        assert ui.css("#pwned") == []
        assert ui.css("#remote")[0].get_attribute("naturalWidth") == "0"
    finally:
        ui.d.switch_to.default_content()
    assert ui.d.title == "sesbox — Inbox"
    assert ui.d.execute_script("return window.__posted") == []
    assert ui.d.current_url.endswith("#/inbox/" + mid)
    assert beacon.hits == []
    assert ui.ui_csp_errors() == []


def test_show_images_loads_only_images(ui, server, ses, beacon):
    need_capture(server)
    mid = send_raw(ses, hostile_mime(beacon.base))
    r = server.get(API + "/messages/%s/html" % mid)
    assert r.status_code == 200
    assert "script-src" not in r.headers["Content-Security-Policy"] or \
        "'none'" in r.headers["Content-Security-Policy"]
    ui.open("#/inbox/" + mid)
    frame = ui.one("#mail-html")
    assert frame.get_attribute("src").endswith("/messages/%s/html" % mid)
    ui.one("#show-images").click()
    ui.wait(lambda d: ui.css("#mail-html")[0].get_attribute(
        "src").endswith("/html?images=1"))
    ui.wait(lambda d: "/remote.png" in beacon.hits)
    ui.d.switch_to.frame(ui.one("#mail-html"))
    try:
        ui.one("#content")
        assert ui.css("#pwned") == []
    finally:
        ui.d.switch_to.default_content()
    assert not any(h in beacon.hits for h in (
        "/script", "/external.js", "/onload", "/onerror", "/svg", "/frame",
        "/object", "/link", "/refresh"))
    assert ui.d.title == "sesbox — Inbox"


def test_recipient_actions(ui, server, ses):
    need_events(server)
    mid = send(ses, "Act on me", to="someone@example.com",
               html='<a href="https://example.com/x">x</a>')
    server.flush()
    ui.open("#/inbox/" + mid)
    ui.text_of("#message-subject", "Act on me")
    ui.one("#act-open").click()
    ui.wait(lambda d: "Open" in [li.get_attribute("data-type")
                                 for li in ui.css("#timeline > li")])
    ui.one("#act-bounce").click()
    ui.wait(lambda d: "Bounce" in [li.get_attribute("data-type")
                                   for li in ui.css("#timeline > li")])
    got = server.get(API + "/messages/" + mid).json()
    assert {"Open", "Bounce"} <= {e["Type"] for e in got["Events"]}


# -- SES views -----------------------------------------------------------------

def test_identities_view(ui, server, ses):
    v1 = ses()
    v1.verify_email_identity(EmailAddress="me@example.com")
    token = v1.verify_domain_identity(Domain="example.org")[
        "VerificationToken"]
    v1.verify_domain_dkim(Domain="example.org")
    ui.open("#/identities")
    card = ui.one(".identity[data-identity='example.org']")
    assert "domain" in card.text
    card.find_element(ui.By.TAG_NAME, "summary").click()
    records = ui.one(".identity[data-identity='example.org'] .dns-records")
    assert "_amazonses.example.org" in records.text and token in records.text
    assert records.text.count("CNAME") == 3
    assert ui.css(".identity[data-identity='me@example.com']")
    # Another region has none.
    region = ui.one("#scope-region")
    region.send_keys("eu-west-1", ui.Keys.ENTER)
    ui.text_of(".page", "No identities")
    region.clear()
    region.send_keys(ui.Keys.ENTER)
    ui.one(".identity[data-identity='example.org']")


def test_templates_view_renders_previews_and_errors(ui, server, ses):
    ses().create_template(Template={
        "TemplateName": "welcome", "SubjectPart": "Hi {{name}}",
        "TextPart": "Dear {{name}} of {{company.name}}",
        "HtmlPart": "<h1 id='h'>Hello {{name}}</h1>"})
    ui.open("#/templates/welcome")
    data = ui.one("#tpl-data")
    # Sample data guessed from the template's placeholders.
    assert json.loads(data.get_attribute("value")) == {
        "name": "name", "company": {"name": "name"}}
    data.clear()
    data.send_keys('{"name": "Ann", "company": {"name": "ACME"}}')
    ui.one("#tpl-render").click()
    ui.text_of("#tpl-subject", "Hi Ann")
    assert ui.one("#tpl-text").text == "Dear Ann of ACME"
    frame = ui.one("#tpl-html")
    assert frame.get_attribute("sandbox") == ""
    ui.d.switch_to.frame(frame)
    try:
        assert ui.one("#h").text == "Hello Ann"
    finally:
        ui.d.switch_to.default_content()
    # The error SES gives for the same data.
    data.clear()
    data.send_keys('{"company": {}}')
    ui.one("#tpl-render").click()
    ui.text_of("#tpl-error", "MissingRenderingAttribute: Attribute 'name' "
               "is not present in the rendering data.")
    data.clear()
    data.send_keys("[1, 2]")
    ui.one("#tpl-render").click()
    ui.text_of("#tpl-error", "InvalidRenderingParameter")


def test_configuration_sets_view(ui, server, sesv2, sns_client):
    arn = sns_client().create_topic(Name="ui-events")["TopicArn"]
    v2 = sesv2()
    v2.create_configuration_set(ConfigurationSetName="newsletters")
    v2.create_configuration_set_event_destination(
        ConfigurationSetName="newsletters", EventDestinationName="sns",
        EventDestination={"Enabled": True,
                          "MatchingEventTypes": ["BOUNCE", "COMPLAINT"],
                          "SnsDestination": {"TopicArn": arn}})
    ui.open("#/configuration-sets")
    card = ui.one(".config-set[data-name='newsletters']")
    dests = card.find_element(ui.By.CSS_SELECTOR, ".destinations").text
    assert "sns" in dests and "BOUNCE" in dests and arn in dests


def test_suppression_view(ui, server, sesv2):
    sesv2().put_suppressed_destination(EmailAddress="old@example.com",
                                       Reason="COMPLAINT")
    ui.open("#/suppression")
    ui.one("#supp-rows tr[data-email='old@example.com']")
    ui.one("#supp-email").send_keys("new@example.com")
    ui.one("#supp-add").click()
    ui.one("#supp-rows tr[data-email='new@example.com']")
    assert sesv2().get_suppressed_destination(
        EmailAddress="new@example.com")["SuppressedDestination"][
        "Reason"] == "BOUNCE"
    # SES's error for a bad address.
    ui.one("#supp-email").send_keys("not an address")
    ui.one("#supp-add").click()
    ui.text_of("#supp-error", "BadRequestException: Invalid email "
               "address<not an address>.")
    ui.one("#supp-rows tr[data-email='old@example.com'] .supp-remove").click()
    ui.wait(lambda d: not ui.css("#supp-rows tr[data-email="
                                 "'old@example.com']"))
    assert [s["EmailAddress"] for s in sesv2().list_suppressed_destinations()[
        "SuppressedDestinationSummaries"]] == ["new@example.com"]


def test_reputation_view(ui, server, ses):
    for n in range(4):
        send(ses, "Rep %d" % n, to="user%d@example.com" % n)
    server.request("PUT", API + "/simulator/rules", json={"rules": [
        {"match": "*@bounce.example.com", "outcome": "bounce"}]})
    send(ses, "Rep bounce", to="x@bounce.example.com")
    server.flush()
    ui.open("#/reputation")
    ui.text_of("#enforcement", "HEALTHY")
    ui.text_of("#bounce-rate", "20.00%")
    chart = ui.one("#stats-chart")
    assert chart.tag_name == "svg"
    bars = ui.css("#stats-chart .bucket rect.s-attempts")
    assert len(bars) == 1
    assert "5 attempts" in ui.css("#stats-chart .bucket title")[0] \
        .get_attribute("textContent")
    assert ui.css("#stats-chart .bucket rect.s-bounces")


def test_simulator_view_edits_rules(ui, server):
    ui.open("#/simulator")
    ui.one("#rules-none")
    editor = ui.one("#rules-json")
    editor.clear()
    editor.send_keys('{"rules": [{"match": "*@x.example", '
                     '"outcome": "bounce"}]}')
    ui.one("#rules-save").click()
    ui.text_of("#rules-table", "*@x.example")
    assert server.get(API + "/simulator/rules").json()["rules"] == [
        {"match": "*@x.example", "outcome": "bounce"}]
    editor = ui.one("#rules-json")
    editor.clear()
    editor.send_keys('{"rules": [{"match": "a@b", "outcome": "explode"}]}')
    ui.one("#rules-save").click()
    ui.text_of("#rules-error", "BadRequest: rules[0].outcome")
    assert len(server.get(API + "/simulator/rules").json()["rules"]) == 1


def test_clock_view(ui, server):
    ui.open("#/clock")
    at = ui.one("#clock-set")
    at.send_keys("2030-01-02T03:04:05Z")
    ui.one("#clock-freeze").click()
    ui.text_of("#clock-now", "2030-01-02T03:04:05.000Z")
    ui.text_of("#clock-chip", "clock frozen 2030-01-02 03:04:05Z")
    ui.one("button[data-ms='3600000']").click()
    ui.text_of("#clock-now", "2030-01-02T04:04:05.000Z")
    assert server.get(API + "/clock").json()["now"] == (
        "2030-01-02T04:04:05.000Z")
    ui.one("#clock-real").click()
    ui.wait(lambda d: server.get(API + "/clock").json()["frozen"] is False)
    ui.text_of("#clock-state", "Running with the wall clock")
    at = ui.one("#clock-set")
    at.send_keys("yesterday")
    ui.one("#clock-freeze").click()
    ui.text_of("#clock-error", "BadRequest: set takes an ISO-8601 time")


# -- look: themes, sizes, screenshots ------------------------------------------

def background(ui):
    return ui.d.execute_script(
        "return getComputedStyle(document.body).backgroundColor")


def test_themes_and_screenshots(ui, server, ses):
    for n, to in enumerate(("ann@example.com", "bob@example.com",
                            "bounce@simulator.amazonses.com")):
        send(ses, "Screenshot message %d" % n, to=to,
             html="<h1>Hello %d</h1><p>Some <b>HTML</b> body.</p>" % n)
    server.flush()
    # The bounce brings a fourth message: the DSN to the sender.
    mid = [m["MessageId"] for m in server.get(API + "/messages").json()[
        "messages"] if m["Subject"] == "Screenshot message 2"][0]
    # Light, 1280x800.
    ui.open("#/inbox/" + mid)
    ui.wait(lambda d: len(ui.subjects()) == 4)
    ui.one("#timeline")
    light = background(ui)
    ui.shot("inbox-light-1280x800")
    # Dark by the system's preference.
    ui.viewport(1280, 800, dark=True)
    ui.wait(lambda d: background(ui) != light)
    dark = background(ui)
    ui.shot("inbox-dark-1280x800")
    # The toggle: auto -> light -> dark.
    ui.one("#theme").click()
    ui.wait(lambda d: background(ui) == light)
    ui.one("#theme").click()
    ui.wait(lambda d: background(ui) == dark)
    ui.one("#theme").click()
    assert ui.d.execute_script(
        "return document.documentElement.dataset.theme") is None
    # Narrow: the list, then the message alone.
    ui.viewport(390, 844)
    ui.open("#/inbox")
    ui.wait(lambda d: len(ui.subjects()) == 4)
    assert ui.d.execute_script(
        "return document.documentElement.scrollWidth") <= 390
    ui.shot("inbox-narrow-390x844")
    ui.css("#messages li[data-id] a")[0].click()
    ui.one("#back")
    assert not ui.css(".list-pane")[0].is_displayed()
    assert ui.d.execute_script(
        "return document.documentElement.scrollWidth") <= 390
    ui.shot("message-narrow-390x844")
    ui.one("#back").click()
    ui.one("#messages")
    # The SES views at 1280x800, in both themes.
    ses().create_template(Template={"TemplateName": "shot",
                                    "SubjectPart": "Hi {{name}}",
                                    "HtmlPart": "<p>Hi {{name}}</p>"})
    ses().verify_domain_identity(Domain="example.net")
    for dark_mode in (False, True):
        ui.viewport(1280, 800, dark=dark_mode)
        suffix = "dark" if dark_mode else "light"
        ui.open("#/reputation")
        ui.one("#stats-chart")
        ui.shot("reputation-%s-1280x800" % suffix)
        ui.open("#/identities")
        ui.one(".identity summary").click()
        ui.shot("identities-%s-1280x800" % suffix)
        ui.open("#/templates/shot")
        ui.one("#tpl-render").click()
        ui.one("#tpl-subject")
        ui.shot("templates-%s-1280x800" % suffix)
    for name in ("inbox-light-1280x800", "inbox-dark-1280x800",
                 "inbox-narrow-390x844", "message-narrow-390x844"):
        assert (ARTIFACTS / (name + ".png")).exists()
    assert ui.ui_csp_errors() == []
