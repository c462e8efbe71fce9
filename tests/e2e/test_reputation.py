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


def send_cs(client, to, cs):
    return client.send_email(
        Source=SENDER, Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}},
        ConfigurationSetName=cs)


def reputation(srv):
    srv.flush()
    r = srv.get("/_sesbox/api/v1/reputation")
    assert r.status_code == 200
    return r.json()


def test_configuration_set_reputation_metrics(account):
    srv, v1, v2 = account
    v2.create_configuration_set(ConfigurationSetName="tracked")
    v1.create_configuration_set(ConfigurationSet={"Name": "untracked"})
    # AWS: v2 sets start with metrics on, v1 sets off.
    assert v2.get_configuration_set(ConfigurationSetName="tracked")[
        "ReputationOptions"]["ReputationMetricsEnabled"] is True
    for to in ("ok1@example.com", "ok2@example.com", "ok3@example.com",
               "x@nosuchuser.example.com", "bounce@simulator.amazonses.com"):
        send_cs(v1, to, "tracked")
    send_cs(v1, "y@nosuchuser.example.com", "untracked")
    send_cs(v1, "angry@example.com", "tracked")
    r = reputation(srv)
    assert (r["Account"], r["Region"], r["EnforcementStatus"],
            r["WindowHours"]) == ("000000000000", "us-east-1", "HEALTHY", 168)
    assert (r["Sends"], r["Bounces"], r["Complaints"]) == (6, 2, 0)
    assert r["BounceRate"] == pytest.approx(2 / 6)
    # Only the set with metrics enabled; the simulator stays out.
    assert r["ConfigurationSets"] == [{
        "Name": "tracked", "LastFreshStart": None, "Sends": 5, "Bounces": 1,
        "Complaints": 0, "BounceRate": 0.2, "ComplaintRate": 0.0}]
    # The complaint counts when it comes, an hour later.
    srv.post("/_sesbox/api/v1/clock", json={"advance_ms": 3600 * 1000})
    cs = reputation(srv)["ConfigurationSets"][0]
    assert (cs["Complaints"], cs["ComplaintRate"]) == (1, 0.2)
    metrics = srv.get("/_sesbox/metrics").text
    assert ('sesbox_reputation_bounce_rate{account="000000000000",'
            'region="us-east-1",configuration_set="tracked"} 0.2'
            in metrics.splitlines())
    assert ('sesbox_reputation_complaint_rate{account="000000000000",'
            'region="us-east-1",configuration_set="tracked"} 0.2'
            in metrics.splitlines())
    assert "# TYPE sesbox_reputation_bounce_rate gauge" in metrics
    assert 'configuration_set="untracked"' not in metrics
    account_line = [l for l in metrics.splitlines() if l.startswith(
        'sesbox_reputation_bounce_rate{account="000000000000",'
        'region="us-east-1"}')]
    assert len(account_line) == 1
    assert float(account_line[0].split()[-1]) == pytest.approx(2 / 6)


def test_configuration_set_metrics_off_and_fresh_start(account):
    srv, v1, v2 = account
    v2.create_configuration_set(ConfigurationSetName="cs")
    send_cs(v1, "x@nosuchuser.example.com", "cs")
    assert reputation(srv)["ConfigurationSets"][0]["Bounces"] == 1
    # Turned off: no longer listed, and nothing is counted meanwhile.
    v1.update_configuration_set_reputation_metrics_enabled(
        ConfigurationSetName="cs", Enabled=False)
    assert reputation(srv)["ConfigurationSets"] == []
    send_cs(v1, "y@nosuchuser.example.com", "cs")
    srv.flush()
    v2.put_configuration_set_reputation_options(
        ConfigurationSetName="cs", ReputationMetricsEnabled=True)
    assert reputation(srv)["ConfigurationSets"][0]["Bounces"] == 1
    # AWS: pausing and re-enabling sending is a fresh start: metrics reset.
    v2.put_configuration_set_sending_options(ConfigurationSetName="cs",
                                             SendingEnabled=False)
    v2.put_configuration_set_sending_options(ConfigurationSetName="cs",
                                             SendingEnabled=True)
    cs = reputation(srv)["ConfigurationSets"][0]
    assert cs["LastFreshStart"] == "2023-11-14T22:13:20.000Z"
    assert (cs["Sends"], cs["Bounces"], cs["BounceRate"]) == (0, 0, 0.0)
    send_cs(v1, "ok@example.com", "cs")
    assert reputation(srv)["ConfigurationSets"][0]["Sends"] == 1
    # Deleting the set forgets its counts; a new one of that name starts
    # clean.
    v2.delete_configuration_set(ConfigurationSetName="cs")
    v2.create_configuration_set(ConfigurationSetName="cs")
    assert reputation(srv)["ConfigurationSets"][0]["Sends"] == 0


def test_reputation_of_another_scope(account):
    srv, v1, v2 = account
    r = srv.get("/_sesbox/api/v1/reputation",
                params={"account": "111122223333", "region": "eu-west-1"})
    assert r.status_code == 200
    assert r.json() == {
        "Account": "111122223333", "Region": "eu-west-1",
        "EnforcementStatus": "HEALTHY", "WindowHours": 168, "Sends": 0,
        "Bounces": 0, "Complaints": 0, "BounceRate": 0.0,
        "ComplaintRate": 0.0, "ConfigurationSets": [], "MinimumSends": 20,
        "Thresholds": {"BounceRateReview": 0.05, "BounceRateShutdown": 0.1,
                       "ComplaintRateReview": 0.001,
                       "ComplaintRateShutdown": 0.005}}
