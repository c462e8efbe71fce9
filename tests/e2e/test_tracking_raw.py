"""Open and click tracking of raw messages (SendRawEmail, v2 SendEmail
Content.Raw): with a configuration set publishing OPEN or CLICK, every
text/html part that is not an attachment has its links rewritten and the
open pixel added, in the part's own transfer encoding; everything else in
the message keeps its bytes. Without tracking, a raw message is stored as
submitted but for SES's Message-ID and Date."""
import base64
import email
import email.policy
import quopri
import re

import requests

SENDER = "sender@example.com"
TO = "success@simulator.amazonses.com"
T0 = 1700000000123
ROLE = "arn:aws:iam::000000000000:role/ses-firehose"
STREAM = "arn:aws:firehose:us-east-1:000000000000:deliverystream/ses-events"
SIG = r"[A-Za-z0-9_-]{28}"


def set_up(srv, ses, sesv2, types, cs="cs1"):
    v1 = ses(srv=srv)
    v1.verify_email_identity(EmailAddress=SENDER)
    v2 = sesv2(srv=srv)
    v2.create_configuration_set(ConfigurationSetName=cs)
    v2.create_configuration_set_event_destination(
        ConfigurationSetName=cs, EventDestinationName="fh",
        EventDestination={"Enabled": True, "MatchingEventTypes": types,
                          "KinesisFirehoseDestination": {
                              "IamRoleArn": ROLE,
                              "DeliveryStreamArn": STREAM}})
    assert srv.post("/_sesbox/api/v1/clock",
                    json={"set_ms": T0}).status_code == 200
    return v1, v2


def stored(srv, mid):
    """The message as sesbox keeps it (bytes) and parsed."""
    r = srv.get("/_sesbox/api/v1/messages/%s/raw" % mid)
    assert r.status_code == 200, r.text
    full = srv.get("/_sesbox/api/v1/messages/" + mid).json()
    assert full["Raw"].encode() == r.content
    return r.content, email.message_from_bytes(r.content,
                                               policy=email.policy.default)


def html_parts(msg):
    return [p for p in msg.walk() if p.get_content_type() == "text/html"]


def lines(*ls):
    return "\r\n".join(ls).encode()


def headers(extra=()):
    return ["From: " + SENDER, "To: " + TO, "Subject: raw tracking",
            "Date: Mon, 1 Jan 2024 00:00:00 +0000",
            "Message-ID: <client@example.com>", "MIME-Version: 1.0",
            *extra]


HTML = ('<html><body><p>Hi</p>'
        '<a href="https://example.com/a?x=1&amp;y=2" ses:tags="camp:raw;">'
        'one</a> <a ses:no-track href="https://example.com/b">two</a>'
        ' <a href="mailto:x@example.com">mail</a></body></html>')

ALTERNATIVE = lines(
    *headers(["Content-Type: multipart/alternative; boundary=\"alt\""]), "",
    "--alt", "Content-Type: text/plain; charset=UTF-8", "",
    "Hi https://example.com/a", "",
    "--alt", "Content-Type: text/html; charset=UTF-8",
    "Content-Transfer-Encoding: 7bit", "",
    HTML, "--alt--", "")


def test_send_raw_email_tracked(server, ses, sesv2):
    v1, _ = set_up(server, ses, sesv2, ["OPEN", "CLICK"])
    mid = v1.send_raw_email(RawMessage={"Data": ALTERNATIVE},
                            ConfigurationSetName="cs1")["MessageId"]
    raw, msg = stored(server, mid)
    # the text part is not touched
    assert b"\r\nHi https://example.com/a\r\n\r\n--alt\r\n" in raw
    (part,) = html_parts(msg)
    html = part.get_content()
    base = server.url + "/_sesbox/t/"
    links = re.findall(r'href="([^"]*)"', html)
    assert links[0].startswith(base + "L0/https:%2F%2Fexample.com%2Fa%3Fx"
                               "%3D1%26y%3D2/1/" + mid + "/")
    assert re.search(r"/1/%s/%s=1$" % (mid, SIG), links[0])
    assert links[1:] == ["https://example.com/b", "mailto:x@example.com"]
    assert "ses:" not in html
    pixel = re.search(r'</body></html><img alt="" src="([^"]*)" style="'
                      r'display: none; width: 1px; height: 1px;">\n?$', html)
    assert pixel and re.match(re.escape(base + "I0/" + mid + "/") + SIG
                              + "$", pixel.group(1))
    r = requests.get(pixel.group(1), headers={"User-Agent": "Mailer/1"},
                     timeout=10)
    assert (r.status_code, r.headers["Content-Type"]) == (200, "image/gif")
    r = requests.get(links[0], headers={"User-Agent": "Browser/2"},
                     allow_redirects=False, timeout=10)
    assert (r.status_code, r.headers["Location"]) == (
        302, "https://example.com/a?x=1&y=2")
    events = dict(server.events(mid))
    assert events["Open"]["userAgent"] == "Mailer/1"
    assert events["Click"]["link"] == "https://example.com/a?x=1&y=2"
    assert events["Click"]["linkTags"] == {"camp": ["raw"]}
    server.flush()
    pubs = server.get("/_sesbox/api/v1/messages/" + mid).json()[
        "Publications"]
    assert [p["Type"] for p in pubs] == ["Open", "Click"]


# A base64 and a quoted-printable HTML part, an HTML attachment, nested.
B64_HTML = ('<p>Ol\u00e1 <a href="https://example.com/first">1</a>'
            '<a href="https://example.com/second">2</a></p>\r\n')
QP_HTML = ('<p>caf\u00e9 {{ses:openTracker}}<a href="https://example.com/'
           'third?q=a%20b">3</a> and a line long enough that quoted-printable'
           ' has to break it</p>')
ATTACHED = b'<html><a href="https://example.com/attached">x</a></html>\r\n'
ATTACHED_B64 = base64.encodebytes(ATTACHED).decode().replace("\n", "\r\n")
NESTED = lines(
    *headers(["X-SES-CONFIGURATION-SET: cs1",
              "Content-Type: multipart/mixed; boundary=\"mix\""]), "",
    "--mix", "Content-Type: multipart/alternative; boundary=\"alt\"", "",
    "--alt", "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: base64", "",
    base64.encodebytes(B64_HTML.encode()).decode().replace("\n", "\r\n")
    + "--alt--",
    "--mix", "Content-Type: text/html; charset=utf-8",
    "Content-Disposition: inline",
    "Content-Transfer-Encoding: quoted-printable", "",
    quopri.encodestring(QP_HTML.encode()).decode().replace("\n", "\r\n"),
    "--mix", "Content-Type: text/html; name=\"page.html\"",
    "Content-Disposition: attachment; filename=\"page.html\"",
    "Content-Transfer-Encoding: base64", "",
    ATTACHED_B64 + "--mix--", "")


def test_v2_raw_base64_and_qp_parts_tracked(server, ses, sesv2):
    _, v2 = set_up(server, ses, sesv2, ["OPEN", "CLICK"])
    mid = v2.send_email(Content={"Raw": {"Data": NESTED}})["MessageId"]
    full = server.get("/_sesbox/api/v1/messages/" + mid).json()
    assert full["ConfigurationSet"] == "cs1"
    raw, msg = stored(server, mid)
    assert b"X-SES-CONFIGURATION-SET" not in raw
    b64_part, qp_part, attached = html_parts(msg)
    assert b64_part["Content-Transfer-Encoding"] == "base64"
    assert qp_part["Content-Transfer-Encoding"] == "quoted-printable"
    # re-encoded in their own encodings, within 76 columns
    body = raw.split(b"Content-Transfer-Encoding: base64\r\n\r\n")[1]
    b64_lines = body.split(b"\r\n--alt--")[0].split(b"\r\n")
    assert all(len(x) == 76 for x in b64_lines[:-1]) and b64_lines[-1]
    body = raw.split(b"quoted-printable\r\n\r\n")[1].split(b"\r\n--mix")[0]
    assert all(len(x) <= 76 for x in body.split(b"\r\n"))
    # the links are numbered across the parts: 1 and 2, then 3
    base = server.url + "/_sesbox/t/"
    first = re.findall(r'href="([^"]*)"', b64_part.get_content())
    second = re.findall(r'href="([^"]*)"', qp_part.get_content())
    assert [re.search(r"=(\d+)$", x).group(1) for x in first + second] == [
        "1", "2", "3"]
    assert all(x.startswith(base + "L0/") for x in first + second)
    assert second[0].startswith(base + "L0/https:%2F%2Fexample.com%2Fthird"
                                "%3Fq%3Da%2520b/1/" + mid + "/")
    # a pixel in each HTML part: at the end, or at {{ses:openTracker}}
    text = b64_part.get_content()
    assert text.startswith("<p>Ol\u00e1 ")
    assert re.search(r'</p><img alt="" src="%sI0/%s/%s" style="display: '
                     r'none; width: 1px; height: 1px;">\r?\n$'
                     % (re.escape(base), mid, SIG), text)
    text = qp_part.get_content()
    assert "{{ses:openTracker}}" not in text
    assert re.match(r'<p>caf\u00e9 <img alt="" src="%sI0/%s/' % (
        re.escape(base), mid), text)
    assert text.endswith("has to break it</p>")
    # the attachment keeps its bytes
    assert ("\r\n\r\n" + ATTACHED_B64 + "--mix--\r\n").encode() in raw
    assert attached.get_content().encode() == ATTACHED
    # the third link leads to its own URL
    r = requests.get(second[0], allow_redirects=False, timeout=10)
    assert (r.status_code, r.headers["Location"]) == (
        302, "https://example.com/third?q=a%20b")
    r = requests.get(first[1], allow_redirects=False, timeout=10)
    assert r.headers["Location"] == "https://example.com/second"
    clicks = [d["link"] for t, d in server.events(mid) if t == "Click"]
    assert clicks == ["https://example.com/third?q=a%20b",
                      "https://example.com/second"]


def test_raw_open_only_adds_the_pixel(server, ses, sesv2):
    v1, _ = set_up(server, ses, sesv2, ["OPEN"])
    mid = v1.send_raw_email(RawMessage={"Data": ALTERNATIVE},
                            ConfigurationSetName="cs1")["MessageId"]
    _, msg = stored(server, mid)
    (part,) = html_parts(msg)
    html = part.get_content()
    assert 'href="https://example.com/a?x=1&amp;y=2"' in html
    assert "/_sesbox/t/I0/" + mid + "/" in html
    assert "/_sesbox/t/L0/" not in html


def same_but_ses_headers(submitted, kept, mid):
    """kept is submitted with SES's Message-ID and Date, byte for byte
    otherwise."""
    a, b = submitted.split(b"\r\n"), kept.split(b"\r\n")
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if x.startswith(b"Message-ID:"):
            assert y == ("Message-ID: <%s@email.amazonses.com>" %
                         mid).encode()
        elif x.startswith(b"Date:"):
            assert y.startswith(b"Date: ") and y != x
        else:
            assert x == y


def test_raw_without_tracking_is_kept_as_sent(server, ses, sesv2):
    v1, v2 = set_up(server, ses, sesv2, ["SEND", "DELIVERY"])
    plain = NESTED.replace(b"X-SES-CONFIGURATION-SET: cs1\r\n", b"")
    # no configuration set at all
    mid = v1.send_raw_email(RawMessage={"Data": plain})["MessageId"]
    raw, _ = stored(server, mid)
    same_but_ses_headers(plain, raw, mid)
    # a set that publishes neither OPEN nor CLICK
    mid = v2.send_email(Content={"Raw": {"Data": plain}},
                        ConfigurationSetName="cs1")["MessageId"]
    raw, _ = stored(server, mid)
    same_but_ses_headers(plain, raw, mid)
    assert b"/_sesbox/t/" not in raw
