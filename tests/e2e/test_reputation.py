"""Reputation and enforcement: bounce and complaint rates over recent
sends move GetAccount.EnforcementStatus and pause sending at the shutdown
rates (thresholds and minimum volume from the configuration)."""
import pytest
from botocore.exceptions import ClientError

from conftest import ROOT

SENDER = "sender@example.com"
RULES = ROOT / "fixtures" / "simulator" / "rules.json"
PAUSED = ("Sending paused for this account. For more information, please "
          "check the inbox of the email address associated with your AWS "
          "account.")


def send(client, to):
    return client.send_email(
        Source=SENDER, Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})


@pytest.fixture
def account(start_server, ses, sesv2):
    srv = start_server("--reputation-min-sends", "20", "--simulator-rules",
                       str(RULES), "--max-send-rate", "1e9")
    v1, v2 = ses(srv=srv), sesv2(srv=srv)
    v1.verify_email_identity(EmailAddress=SENDER)
    srv.post("/_sesbox/api/v1/clock", json={"set_ms": 1700000000000})
    return srv, v1, v2


def status(srv, v2):
    srv.flush()
    return v2.get_account()["EnforcementStatus"]


def test_bounce_rate_review_then_shutdown_then_heals(account):
    srv, v1, v2 = account
    for i in range(19):
        send(v1, "ok%d@example.com" % i)
    assert status(srv, v2) == "HEALTHY"
    send(v1, "a@nosuchuser.example.com")            # 1 / 20 = 5 %
    assert status(srv, v2) == "PROBATION"
    send(v1, "b@nosuchuser.example.com")            # 2 / 21
    assert status(srv, v2) == "PROBATION"
    send(v1, "c@nosuchuser.example.com")            # 3 / 22 > 10 %
    assert status(srv, v2) == "SHUTDOWN"
    for call in (lambda: send(v1, "ok@example.com"),
                 lambda: v2.send_email(
                     FromEmailAddress=SENDER,
                     Destination={"ToAddresses": ["ok@example.com"]},
                     Content={"Simple": {"Subject": {"Data": "s"},
                                         "Body": {"Text": {"Data": "b"}}}})):
        with pytest.raises(ClientError) as exc:
            call()
        err = exc.value.response
        assert (err["ResponseMetadata"]["HTTPStatusCode"],
                err["Error"]["Code"], err["Error"]["Message"]) == (
            400, "MessageRejected", PAUSED)
    # The window (a week by default) slides past the bounces.
    srv.post("/_sesbox/api/v1/clock",
             json={"advance_ms": 168 * 3600 * 1000 + 15 * 60 * 1000})
    assert status(srv, v2) == "HEALTHY"
    send(v1, "ok@example.com")


def test_below_the_minimum_volume_nothing_changes(account):
    srv, v1, v2 = account
    for i in range(5):
        send(v1, "x%d@nosuchuser.example.com" % i)
    assert status(srv, v2) == "HEALTHY"


def test_simulator_bounces_do_not_count(account):
    srv, v1, v2 = account
    for i in range(25):
        send(v1, "bounce@simulator.amazonses.com")
    assert status(srv, v2) == "HEALTHY"


def test_complaint_rate(start_server, ses, sesv2):
    srv = start_server("--reputation-min-sends", "10", "--simulator-rules",
                       str(RULES), "--complaint-rate-shutdown", "50",
                       "--max-send-rate", "1e9")
    v1, v2 = ses(srv=srv), sesv2(srv=srv)
    v1.verify_email_identity(EmailAddress=SENDER)
    srv.post("/_sesbox/api/v1/clock", json={"set_ms": 1700000000000})
    for i in range(9):
        send(v1, "ok%d@example.com" % i)
    send(v1, "angry@example.com")       # its complaint comes an hour later
    assert status(srv, v2) == "HEALTHY"
    srv.post("/_sesbox/api/v1/clock", json={"advance_ms": 3600 * 1000})
    assert status(srv, v2) == "PROBATION"   # 1 / 10 ≥ 0.1 %
