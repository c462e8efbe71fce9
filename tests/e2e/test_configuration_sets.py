"""Configuration sets through both APIs: v1 Create/Delete/Describe/List and
its delivery, sending, reputation and tracking options; v2 Create/Get/List/
Delete and the seven PutConfigurationSet*Options; one set seen by both
APIs; names, duplicates, missing sets, option checks, paging, the
10,000-set quota and regions. Every operation once more through the AWS
CLI."""
import datetime
import json

import pytest
import requests
from botocore.exceptions import ClientError

from conftest import aws_cli

ARCHIVE = ("arn:aws:ses:us-east-1:000000000000:mailmanager-archive/"
           "a-abcdefghijklmnopqrstuvwx")
BAD_CHARS = ("Invalid configuration set name<%s>: only alphanumeric ASCII "
             "characters, '_', and '-' are allowed.")


def error(call, *args, **kw):
    with pytest.raises(ClientError) as exc:
        call(*args, **kw)
    err = exc.value.response["Error"]
    return err["Code"], err.get("Message")


def missing(name):
    return "Configuration set <%s> does not exist." % name


def describe(ses, name, *attrs):
    out = ses.describe_configuration_set(
        ConfigurationSetName=name,
        ConfigurationSetAttributeNames=list(attrs))
    out.pop("ResponseMetadata")
    return out


def get(sesv2, name):
    out = sesv2.get_configuration_set(ConfigurationSetName=name)
    out.pop("ResponseMetadata")
    return out


ALL = ("eventDestinations", "trackingOptions", "deliveryOptions",
       "reputationOptions")


# ---- v1 ---------------------------------------------------------------------

def test_v1_create_describe_list_delete(ses):
    client = ses()
    assert client.list_configuration_sets()["ConfigurationSets"] == []
    client.create_configuration_set(ConfigurationSet={"Name": "cs-1"})
    assert describe(client, "cs-1") == {"ConfigurationSet": {"Name": "cs-1"}}
    assert describe(client, "cs-1", *ALL) == {
        "ConfigurationSet": {"Name": "cs-1"},
        "EventDestinations": [],
        "ReputationOptions": {"SendingEnabled": True,
                              "ReputationMetricsEnabled": False}}
    assert client.list_configuration_sets()["ConfigurationSets"] == [
        {"Name": "cs-1"}]
    client.delete_configuration_set(ConfigurationSetName="cs-1")
    assert client.list_configuration_sets()["ConfigurationSets"] == []
    assert error(client.describe_configuration_set,
                 ConfigurationSetName="cs-1") == (
        "ConfigurationSetDoesNotExist", missing("cs-1"))


def test_v1_duplicate(ses):
    client = ses()
    client.create_configuration_set(ConfigurationSet={"Name": "dup"})
    assert error(client.create_configuration_set,
                 ConfigurationSet={"Name": "dup"}) == (
        "ConfigurationSetAlreadyExists",
        "Configuration set <dup> already exists.")
    # Names are case-sensitive.
    client.create_configuration_set(ConfigurationSet={"Name": "DUP"})


@pytest.mark.parametrize("name,v1,v2", [
    ("", ("InvalidParameterValue",
          "The configuration set name must be specified."),
     ("BadRequestException",
      "The configuration set name must be specified.")),
    ("a" * 65, ("InvalidConfigurationSet",
                "Configuration set name cannot exceed 64 characters."),
     ("BadRequestException",
      "Configuration set name cannot exceed 64 characters.")),
    ("bad name", ("InvalidConfigurationSet", BAD_CHARS % "bad name"),
     ("BadRequestException", BAD_CHARS % "bad name")),
    ("dot.ted", ("InvalidConfigurationSet", BAD_CHARS % "dot.ted"),
     ("BadRequestException", BAD_CHARS % "dot.ted")),
    ("caf\u00e9", ("InvalidConfigurationSet", BAD_CHARS % "caf\u00e9"),
     ("BadRequestException", BAD_CHARS % "caf\u00e9")),
])
def test_invalid_names(ses, sesv2, name, v1, v2):
    assert error(ses().create_configuration_set,
                 ConfigurationSet={"Name": name}) == v1
    assert error(sesv2().create_configuration_set,
                 ConfigurationSetName=name) == v2
    assert ses().list_configuration_sets()["ConfigurationSets"] == []


def test_longest_and_odd_valid_names(ses, sesv2):
    ses().create_configuration_set(ConfigurationSet={"Name": "a" * 64})
    sesv2().create_configuration_set(ConfigurationSetName="_-Az09")
    assert sesv2().list_configuration_sets()["ConfigurationSets"] == [
        "_-Az09", "a" * 64]


def test_v1_missing_set(ses, sesv2):
    client = ses()
    sesv2().create_email_identity(EmailIdentity="example.com")
    name = "nope"
    want = ("ConfigurationSetDoesNotExist", missing(name))
    for call, kw in [
            (client.delete_configuration_set, {}),
            (client.describe_configuration_set, {}),
            (client.put_configuration_set_delivery_options,
             {"DeliveryOptions": {"TlsPolicy": "Require"}}),
            (client.update_configuration_set_sending_enabled,
             {"Enabled": True}),
            (client.update_configuration_set_reputation_metrics_enabled,
             {"Enabled": True}),
            (client.create_configuration_set_tracking_options,
             {"TrackingOptions": {"CustomRedirectDomain": "example.com"}}),
            (client.update_configuration_set_tracking_options,
             {"TrackingOptions": {"CustomRedirectDomain": "example.com"}}),
            (client.delete_configuration_set_tracking_options, {})]:
        assert error(call, ConfigurationSetName=name, **kw) == want, call


def test_v1_delivery_options(ses, sesv2):
    client = ses()
    client.create_configuration_set(ConfigurationSet={"Name": "d"})
    assert "DeliveryOptions" not in describe(client, "d", "deliveryOptions")
    client.put_configuration_set_delivery_options(
        ConfigurationSetName="d", DeliveryOptions={"TlsPolicy": "Require"})
    assert describe(client, "d", "deliveryOptions")["DeliveryOptions"] == {
        "TlsPolicy": "Require"}
    assert get(sesv2(), "d")["DeliveryOptions"] == {"TlsPolicy": "REQUIRE"}
    client.put_configuration_set_delivery_options(
        ConfigurationSetName="d", DeliveryOptions={"TlsPolicy": "Optional"})
    assert describe(client, "d", "deliveryOptions")["DeliveryOptions"] == {
        "TlsPolicy": "Optional"}
    # Without DeliveryOptions the policy is gone again.
    client.put_configuration_set_delivery_options(ConfigurationSetName="d")
    assert "DeliveryOptions" not in describe(client, "d", "deliveryOptions")
    assert "DeliveryOptions" not in get(sesv2(), "d")
    code, msg = error(ses(validate=False).put_configuration_set_delivery_options,
                      ConfigurationSetName="d",
                      DeliveryOptions={"TlsPolicy": "REQUIRE"})
    assert code == "ValidationError"
    assert msg == ("1 validation error detected: Value 'REQUIRE' at "
                   "'deliveryOptions.tlsPolicy' failed to satisfy constraint:"
                   " Member must satisfy enum value set: [Require, Optional]")


def test_v1_sending_and_fresh_start(ses, sesv2):
    client = ses()
    client.create_configuration_set(ConfigurationSet={"Name": "s"})
    # Enabling a set that sends is no fresh start.
    client.update_configuration_set_sending_enabled(
        ConfigurationSetName="s", Enabled=True)
    rep = describe(client, "s", "reputationOptions")["ReputationOptions"]
    assert rep == {"SendingEnabled": True, "ReputationMetricsEnabled": False}
    client.update_configuration_set_sending_enabled(
        ConfigurationSetName="s", Enabled=False)
    rep = describe(client, "s", "reputationOptions")["ReputationOptions"]
    assert rep == {"SendingEnabled": False, "ReputationMetricsEnabled": False}
    assert get(sesv2(), "s")["SendingOptions"] == {"SendingEnabled": False}
    before = datetime.datetime.now(datetime.timezone.utc)
    client.update_configuration_set_sending_enabled(
        ConfigurationSetName="s", Enabled=True)
    after = datetime.datetime.now(datetime.timezone.utc)
    rep = describe(client, "s", "reputationOptions")["ReputationOptions"]
    assert rep["SendingEnabled"] is True
    fresh = rep["LastFreshStart"]
    assert (before - datetime.timedelta(seconds=1) <= fresh
            <= after + datetime.timedelta(seconds=1))
    v2rep = get(sesv2(), "s")["ReputationOptions"]
    assert abs((v2rep["LastFreshStart"] - fresh).total_seconds()) < 1


def test_v1_reputation_metrics(ses, sesv2):
    client = ses()
    client.create_configuration_set(ConfigurationSet={"Name": "r"})
    client.update_configuration_set_reputation_metrics_enabled(
        ConfigurationSetName="r", Enabled=True)
    assert describe(client, "r", "reputationOptions")["ReputationOptions"][
        "ReputationMetricsEnabled"] is True
    assert get(sesv2(), "r")["ReputationOptions"] == {
        "ReputationMetricsEnabled": True}
    client.update_configuration_set_reputation_metrics_enabled(
        ConfigurationSetName="r", Enabled=False)
    assert get(sesv2(), "r")["ReputationOptions"] == {
        "ReputationMetricsEnabled": False}


def test_v1_tracking_options(ses, sesv2):
    client = ses()
    client.create_configuration_set(ConfigurationSet={"Name": "t"})
    opts = {"CustomRedirectDomain": "track.example.com"}
    assert error(client.create_configuration_set_tracking_options,
                 ConfigurationSetName="t", TrackingOptions=opts) == (
        "InvalidTrackingOptions",
        "Domain <track.example.com> is not verified under this account.")
    # An address identity does not verify its domain for tracking.
    client.verify_email_identity(EmailAddress="a@track.example.com")
    assert error(client.create_configuration_set_tracking_options,
                 ConfigurationSetName="t", TrackingOptions=opts)[0] == (
        "InvalidTrackingOptions")
    client.verify_domain_identity(Domain="example.com")
    assert error(client.update_configuration_set_tracking_options,
                 ConfigurationSetName="t", TrackingOptions=opts) == (
        "TrackingOptionsDoesNotExistException",
        "There are no tracking options for configuration set <t>")
    client.create_configuration_set_tracking_options(
        ConfigurationSetName="t", TrackingOptions=opts)
    assert describe(client, "t", "trackingOptions")["TrackingOptions"] == opts
    assert get(sesv2(), "t")["TrackingOptions"] == opts
    assert error(client.create_configuration_set_tracking_options,
                 ConfigurationSetName="t", TrackingOptions=opts) == (
        "TrackingOptionsAlreadyExistsException",
        "Configuration set <t> already has tracking options.")
    client.update_configuration_set_tracking_options(
        ConfigurationSetName="t",
        TrackingOptions={"CustomRedirectDomain": "click.example.com"})
    assert describe(client, "t", "trackingOptions")["TrackingOptions"] == {
        "CustomRedirectDomain": "click.example.com"}
    assert error(client.update_configuration_set_tracking_options,
                 ConfigurationSetName="t",
                 TrackingOptions={"CustomRedirectDomain": ""}) == (
        "InvalidTrackingOptions",
        "At least one field of TrackingOptions must contain a value.")
    client.delete_configuration_set_tracking_options(ConfigurationSetName="t")
    assert "TrackingOptions" not in describe(client, "t", "trackingOptions")
    assert "TrackingOptions" not in get(sesv2(), "t")
    assert error(client.delete_configuration_set_tracking_options,
                 ConfigurationSetName="t") == (
        "TrackingOptionsDoesNotExistException",
        "There are no tracking options for configuration set <t>")


def test_v1_tracking_needs_options(ses):
    code, msg = error(
        ses(validate=False).create_configuration_set_tracking_options,
        ConfigurationSetName="t")
    assert code == "ValidationError"
    assert "'trackingOptions'" in msg and "must not be null" in msg


def test_v1_paging(ses):
    client = ses()
    names = ["set-%02d" % i for i in range(7)]
    for name in reversed(names):
        client.create_configuration_set(ConfigurationSet={"Name": name})
    seen, token, pages = [], None, 0
    while True:
        kw = {"MaxItems": 3}
        if token:
            kw["NextToken"] = token
        out = client.list_configuration_sets(**kw)
        pages += 1
        seen += [c["Name"] for c in out["ConfigurationSets"]]
        token = out.get("NextToken")
        if not token:
            break
    assert (seen, pages) == (names, 3)
    # Out-of-range sizes are served the default page (50).
    assert len(client.list_configuration_sets(MaxItems=0)[
        "ConfigurationSets"]) == 7
    # AWS answers a bad token without a message (floci-io/floci, probed).
    code, msg = error(client.list_configuration_sets, NextToken="!!!")
    assert code == "InvalidParameterValue" and not msg


def test_v1_default_page_is_50(ses, server):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with requests.Session() as http:
        for i in range(51):
            r = http.post(server.url + "/", data="Action=CreateConfiguration"
                          "Set&ConfigurationSet.Name=n%03d" % i,
                          headers=form, timeout=10)
            assert r.status_code == 200, r.text
    out = ses().list_configuration_sets()
    assert len(out["ConfigurationSets"]) == 50
    rest = ses().list_configuration_sets(NextToken=out["NextToken"])
    assert rest["ConfigurationSets"] == [{"Name": "n050"}]
    assert "NextToken" not in rest
    out = ses().list_configuration_sets(MaxItems=1000)
    assert len(out["ConfigurationSets"]) == 51 and "NextToken" not in out


# ---- v2 ---------------------------------------------------------------------

def test_v2_defaults(sesv2, ses):
    client = sesv2()
    client.create_configuration_set(ConfigurationSetName="plain")
    assert get(client, "plain") == {
        "ConfigurationSetName": "plain",
        "ReputationOptions": {"ReputationMetricsEnabled": True},
        "SendingOptions": {"SendingEnabled": True},
        "Tags": []}
    assert describe(ses(), "plain", "reputationOptions") == {
        "ConfigurationSet": {"Name": "plain"},
        "ReputationOptions": {"SendingEnabled": True,
                              "ReputationMetricsEnabled": True}}


def test_v2_create_with_every_block(sesv2):
    client = sesv2()
    client.create_email_identity(EmailIdentity="example.com")
    fresh = datetime.datetime(2024, 5, 1, 12, 0, 0,
                              tzinfo=datetime.timezone.utc)
    client.create_configuration_set(
        ConfigurationSetName="full",
        TrackingOptions={"CustomRedirectDomain": "t.example.com",
                         "HttpsPolicy": "REQUIRE_OPEN_ONLY"},
        DeliveryOptions={"TlsPolicy": "REQUIRE", "SendingPoolName": "pool-1",
                         "MaxDeliverySeconds": 600},
        ReputationOptions={"ReputationMetricsEnabled": False,
                           "LastFreshStart": fresh},
        SendingOptions={"SendingEnabled": False},
        Tags=[{"Key": "team", "Value": "mail"}, {"Key": "env", "Value": ""}],
        SuppressionOptions={
            "SuppressedReasons": ["BOUNCE"],
            "ValidationOptions": {"ConditionThreshold": {
                "ConditionThresholdEnabled": "ENABLED",
                "OverallConfidenceThreshold": {
                    "ConfidenceVerdictThreshold": "HIGH"}}}},
        VdmOptions={"DashboardOptions": {"EngagementMetrics": "ENABLED"},
                    "GuardianOptions": {"OptimizedSharedDelivery": "DISABLED"}},
        ArchivingOptions={"ArchiveArn": ARCHIVE})
    assert get(client, "full") == {
        "ConfigurationSetName": "full",
        "TrackingOptions": {"CustomRedirectDomain": "t.example.com",
                            "HttpsPolicy": "REQUIRE_OPEN_ONLY"},
        "DeliveryOptions": {"TlsPolicy": "REQUIRE",
                            "SendingPoolName": "pool-1",
                            "MaxDeliverySeconds": 600},
        "ReputationOptions": {"ReputationMetricsEnabled": False,
                              "LastFreshStart": fresh},
        "SendingOptions": {"SendingEnabled": False},
        "Tags": [{"Key": "env", "Value": ""}, {"Key": "team", "Value": "mail"}],
        "SuppressionOptions": {
            "SuppressedReasons": ["BOUNCE"],
            "ValidationOptions": {"ConditionThreshold": {
                "ConditionThresholdEnabled": "ENABLED",
                "OverallConfidenceThreshold": {
                    "ConfidenceVerdictThreshold": "HIGH"}}}},
        "VdmOptions": {"DashboardOptions": {"EngagementMetrics": "ENABLED"},
                       "GuardianOptions": {
                           "OptimizedSharedDelivery": "DISABLED"}},
        "ArchivingOptions": {"ArchiveArn": ARCHIVE}}


def test_v2_put_options(sesv2):
    client = sesv2()
    client.create_email_identity(EmailIdentity="example.com")
    client.create_configuration_set(ConfigurationSetName="p")
    n = {"ConfigurationSetName": "p"}
    client.put_configuration_set_delivery_options(
        **n, TlsPolicy="OPTIONAL", MaxDeliverySeconds=50400)
    assert get(client, "p")["DeliveryOptions"] == {
        "TlsPolicy": "OPTIONAL", "MaxDeliverySeconds": 50400}
    # Each Put replaces its whole block.
    client.put_configuration_set_delivery_options(**n, SendingPoolName="x")
    assert get(client, "p")["DeliveryOptions"] == {"SendingPoolName": "x"}
    client.put_configuration_set_reputation_options(
        **n, ReputationMetricsEnabled=False)
    assert get(client, "p")["ReputationOptions"] == {
        "ReputationMetricsEnabled": False}
    client.put_configuration_set_reputation_options(**n)
    assert get(client, "p")["ReputationOptions"] == {
        "ReputationMetricsEnabled": False}
    client.put_configuration_set_reputation_options(
        **n, ReputationMetricsEnabled=True)
    assert get(client, "p")["ReputationOptions"] == {
        "ReputationMetricsEnabled": True}
    client.put_configuration_set_suppression_options(
        **n, SuppressedReasons=["BOUNCE", "COMPLAINT"])
    assert get(client, "p")["SuppressionOptions"] == {
        "SuppressedReasons": ["BOUNCE", "COMPLAINT"]}
    client.put_configuration_set_suppression_options(**n)
    assert get(client, "p")["SuppressionOptions"] == {
        "SuppressedReasons": []}
    client.put_configuration_set_tracking_options(
        **n, CustomRedirectDomain="example.com", HttpsPolicy="REQUIRE")
    assert get(client, "p")["TrackingOptions"] == {
        "CustomRedirectDomain": "example.com", "HttpsPolicy": "REQUIRE"}
    client.put_configuration_set_tracking_options(**n)
    assert "TrackingOptions" not in get(client, "p")
    client.put_configuration_set_vdm_options(
        **n, VdmOptions={"DashboardOptions": {"EngagementMetrics": "DISABLED"}})
    assert get(client, "p")["VdmOptions"] == {
        "DashboardOptions": {"EngagementMetrics": "DISABLED"}}
    client.put_configuration_set_vdm_options(**n)
    assert "VdmOptions" not in get(client, "p")
    client.put_configuration_set_archiving_options(**n, ArchiveArn=ARCHIVE)
    assert get(client, "p")["ArchivingOptions"] == {"ArchiveArn": ARCHIVE}
    client.put_configuration_set_archiving_options(**n)
    assert "ArchivingOptions" not in get(client, "p")


def test_v2_sending_and_fresh_start(sesv2, ses, server):
    client = sesv2()
    client.create_configuration_set(ConfigurationSetName="s")
    client.put_configuration_set_sending_options(
        ConfigurationSetName="s", SendingEnabled=True)
    assert "LastFreshStart" not in get(client, "s")["ReputationOptions"]
    # A body without SendingEnabled pauses the set.
    r = requests.put(server.url + "/v2/email/configuration-sets/s/sending",
                     data="{}", headers={"Content-Type": "application/json"},
                     timeout=10)
    assert r.status_code == 200, r.text
    assert get(client, "s")["SendingOptions"] == {"SendingEnabled": False}
    assert describe(ses(), "s", "reputationOptions")["ReputationOptions"][
        "SendingEnabled"] is False
    before = datetime.datetime.now(datetime.timezone.utc)
    client.put_configuration_set_sending_options(
        ConfigurationSetName="s", SendingEnabled=True)
    got = get(client, "s")
    assert got["SendingOptions"] == {"SendingEnabled": True}
    assert got["ReputationOptions"]["LastFreshStart"] >= (
        before - datetime.timedelta(seconds=1))


def test_v2_missing_set(sesv2):
    client = sesv2()
    name = "nope"
    want = ("NotFoundException", missing(name))
    for call, kw in [
            (client.get_configuration_set, {}),
            (client.delete_configuration_set, {}),
            (client.put_configuration_set_archiving_options, {}),
            (client.put_configuration_set_delivery_options, {}),
            (client.put_configuration_set_reputation_options, {}),
            (client.put_configuration_set_sending_options, {}),
            (client.put_configuration_set_suppression_options, {}),
            (client.put_configuration_set_tracking_options, {}),
            (client.put_configuration_set_vdm_options, {})]:
        assert error(call, ConfigurationSetName=name, **kw) == want, call


def test_v2_duplicate(sesv2):
    client = sesv2()
    client.create_configuration_set(ConfigurationSetName="dup")
    assert error(client.create_configuration_set,
                 ConfigurationSetName="dup") == (
        "AlreadyExistsException", "Configuration set <dup> already exists.")


def test_v2_option_validation(sesv2):
    client = sesv2()
    nv = sesv2(validate=False)
    client.create_configuration_set(ConfigurationSetName="v")
    n = {"ConfigurationSetName": "v"}
    for seconds, word in [(299, "greater than or equal to 300"),
                          (50401, "less than or equal to 50400")]:
        code, msg = error(nv.put_configuration_set_delivery_options, **n,
                          MaxDeliverySeconds=seconds)
        assert code == "BadRequestException"
        assert ("Value '%d' at 'maxDeliverySeconds' failed to satisfy "
                "constraint: Member must have value %s" % (seconds, word)
                in msg), msg
        code, msg = error(nv.create_configuration_set,
                          ConfigurationSetName="w",
                          DeliveryOptions={"MaxDeliverySeconds": seconds})
        assert code == "BadRequestException" and word in msg
    assert error(client.put_configuration_set_delivery_options, **n,
                 SendingPoolName=" ") == (
        "BadRequestException", "sendingPoolName can't be blank.")
    code, msg = error(nv.put_configuration_set_delivery_options, **n,
                      TlsPolicy="Require")
    assert code == "BadRequestException" and "tlsPolicy" in msg
    assert error(client.put_configuration_set_tracking_options, **n,
                 HttpsPolicy="REQUIRE") == (
        "BadRequestException", "CustomRedirectDomain must be specified.")
    assert error(client.put_configuration_set_tracking_options, **n,
                 CustomRedirectDomain="t.example.com") == (
        "BadRequestException",
        "Domain <t.example.com> is not verified under this account.")
    assert error(client.create_configuration_set, ConfigurationSetName="w",
                 TrackingOptions={"CustomRedirectDomain": "example.com"}) == (
        "BadRequestException",
        "Domain <example.com> is not verified under this account.")
    code, msg = error(nv.put_configuration_set_suppression_options, **n,
                      SuppressedReasons=["SPAM"])
    assert code == "BadRequestException" and "BOUNCE, COMPLAINT" in msg
    code, msg = error(nv.put_configuration_set_vdm_options, **n,
                      VdmOptions={"DashboardOptions": {
                          "EngagementMetrics": "ON"}})
    assert code == "BadRequestException" and "ENABLED, DISABLED" in msg
    # Nothing failed half-way: no set "w", "v" unchanged.
    assert client.list_configuration_sets()["ConfigurationSets"] == ["v"]
    assert get(client, "v") == {
        "ConfigurationSetName": "v",
        "ReputationOptions": {"ReputationMetricsEnabled": True},
        "SendingOptions": {"SendingEnabled": True}, "Tags": []}


def test_v2_paging(sesv2):
    client = sesv2()
    names = ["set-%02d" % i for i in range(5)]
    for name in reversed(names):
        client.create_configuration_set(ConfigurationSetName=name)
    out = client.list_configuration_sets(PageSize=2)
    assert out["ConfigurationSets"] == names[:2]
    out = client.list_configuration_sets(PageSize=2,
                                         NextToken=out["NextToken"])
    assert out["ConfigurationSets"] == names[2:4]
    out = client.list_configuration_sets(PageSize=2,
                                         NextToken=out["NextToken"])
    assert out["ConfigurationSets"] == names[4:]
    assert "NextToken" not in out
    for size in (0, 1001):
        assert error(client.list_configuration_sets, PageSize=size) == (
            "BadRequestException", "The page size must be between 1 and 1000")
    assert error(client.list_configuration_sets, NextToken="!!!") == (
        "BadRequestException", "invalid nextToken !!!")


def test_v2_delete_removes_tags(sesv2):
    client = sesv2()
    client.create_configuration_set(ConfigurationSetName="tagged",
                                    Tags=[{"Key": "k", "Value": "v"}])
    assert get(client, "tagged")["Tags"] == [{"Key": "k", "Value": "v"}]
    client.delete_configuration_set(ConfigurationSetName="tagged")
    client.create_configuration_set(ConfigurationSetName="tagged")
    assert get(client, "tagged")["Tags"] == []


# ---- both APIs, regions, quota ----------------------------------------------

def test_v1_and_v2_share_sets(ses, sesv2):
    v1, v2 = ses(), sesv2()
    v1.create_configuration_set(ConfigurationSet={"Name": "from-v1"})
    v2.create_configuration_set(ConfigurationSetName="from-v2")
    assert v2.list_configuration_sets()["ConfigurationSets"] == [
        "from-v1", "from-v2"]
    assert [c["Name"] for c in v1.list_configuration_sets()[
        "ConfigurationSets"]] == ["from-v1", "from-v2"]
    assert get(v2, "from-v1") == {
        "ConfigurationSetName": "from-v1",
        "ReputationOptions": {"ReputationMetricsEnabled": False},
        "SendingOptions": {"SendingEnabled": True}, "Tags": []}
    assert error(v2.create_configuration_set,
                 ConfigurationSetName="from-v1")[0] == "AlreadyExistsException"
    assert error(v1.create_configuration_set,
                 ConfigurationSet={"Name": "from-v2"})[0] == (
        "ConfigurationSetAlreadyExists")
    v2.put_configuration_set_delivery_options(
        ConfigurationSetName="from-v1", TlsPolicy="REQUIRE",
        MaxDeliverySeconds=900)
    # v1 sees and changes its member; v2's other members stay.
    assert describe(v1, "from-v1", "deliveryOptions")["DeliveryOptions"] == {
        "TlsPolicy": "Require"}
    v1.put_configuration_set_delivery_options(
        ConfigurationSetName="from-v1",
        DeliveryOptions={"TlsPolicy": "Optional"})
    assert get(v2, "from-v1")["DeliveryOptions"] == {
        "TlsPolicy": "OPTIONAL", "MaxDeliverySeconds": 900}
    v2.delete_configuration_set(ConfigurationSetName="from-v1")
    assert error(v1.describe_configuration_set,
                 ConfigurationSetName="from-v1") == (
        "ConfigurationSetDoesNotExist", missing("from-v1"))
    v1.delete_configuration_set(ConfigurationSetName="from-v2")
    assert error(v2.get_configuration_set,
                 ConfigurationSetName="from-v2") == (
        "NotFoundException", missing("from-v2"))


def test_regions_are_separate(ses, sesv2):
    ses(region="us-east-1").create_configuration_set(
        ConfigurationSet={"Name": "here"})
    west = ses(region="eu-west-1")
    assert west.list_configuration_sets()["ConfigurationSets"] == []
    assert error(west.describe_configuration_set,
                 ConfigurationSetName="here")[0] == (
        "ConfigurationSetDoesNotExist")
    assert error(sesv2(region="eu-west-1").get_configuration_set,
                 ConfigurationSetName="here")[0] == "NotFoundException"
    # The same name is free in another region, with its own state.
    sesv2(region="eu-west-1").create_configuration_set(
        ConfigurationSetName="here", SendingOptions={"SendingEnabled": False})
    assert get(sesv2(region="eu-west-1"), "here")["SendingOptions"] == {
        "SendingEnabled": False}
    assert get(sesv2(), "here")["SendingOptions"] == {"SendingEnabled": True}
    sesv2(region="eu-west-1").delete_configuration_set(
        ConfigurationSetName="here")
    assert [c["Name"] for c in ses().list_configuration_sets()[
        "ConfigurationSets"]] == ["here"]


def test_quota_of_10000_per_region(start_server, ses, sesv2):
    srv = start_server()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with requests.Session() as http:
        for i in range(10000):
            r = http.post(srv.url + "/", data="Action=CreateConfigurationSet&"
                          "ConfigurationSet.Name=cs%05d" % i,
                          headers=form, timeout=10)
            assert r.status_code == 200, r.text
    assert error(ses(srv=srv).create_configuration_set,
                 ConfigurationSet={"Name": "one-more"}) == (
        "LimitExceeded",
        "Maximum number of configuration sets (10000) reached in region "
        "us-east-1.")
    assert error(sesv2(srv=srv).create_configuration_set,
                 ConfigurationSetName="one-more")[0] == (
        "LimitExceededException")
    # A duplicate is still a duplicate; another region has its own quota.
    assert error(ses(srv=srv).create_configuration_set,
                 ConfigurationSet={"Name": "cs00001"})[0] == (
        "ConfigurationSetAlreadyExists")
    ses(srv=srv, region="eu-west-1").create_configuration_set(
        ConfigurationSet={"Name": "one-more"})
    sesv2(srv=srv).delete_configuration_set(ConfigurationSetName="cs00000")
    sesv2(srv=srv).create_configuration_set(ConfigurationSetName="one-more")


# ---- the AWS CLI ------------------------------------------------------------

def cli(server, *args, check=True):
    proc = aws_cli(server, *args, check=check)
    if not check:
        return proc
    return json.loads(proc.stdout) if proc.stdout.strip() else {}


def test_cli_v1_operations(server):
    cli(server, "sesv2", "create-email-identity", "--email-identity",
        "example.com")
    assert cli(server, "ses", "create-configuration-set",
               "--configuration-set", "Name=cli1") == {}
    assert cli(server, "ses", "list-configuration-sets", "--max-items",
               "10")["ConfigurationSets"] == [{"Name": "cli1"}]
    cli(server, "ses", "put-configuration-set-delivery-options",
        "--configuration-set-name", "cli1", "--delivery-options",
        "TlsPolicy=Require")
    cli(server, "ses", "update-configuration-set-sending-enabled",
        "--configuration-set-name", "cli1", "--no-enabled")
    cli(server, "ses", "update-configuration-set-reputation-metrics-enabled",
        "--configuration-set-name", "cli1", "--enabled")
    cli(server, "ses", "create-configuration-set-tracking-options",
        "--configuration-set-name", "cli1", "--tracking-options",
        "CustomRedirectDomain=a.example.com")
    cli(server, "ses", "update-configuration-set-tracking-options",
        "--configuration-set-name", "cli1", "--tracking-options",
        "CustomRedirectDomain=b.example.com")
    out = cli(server, "ses", "describe-configuration-set",
              "--configuration-set-name", "cli1",
              "--configuration-set-attribute-names", *ALL)
    assert out == {
        "ConfigurationSet": {"Name": "cli1"},
        "EventDestinations": [],
        "TrackingOptions": {"CustomRedirectDomain": "b.example.com"},
        "DeliveryOptions": {"TlsPolicy": "Require"},
        "ReputationOptions": {"SendingEnabled": False,
                              "ReputationMetricsEnabled": True}}
    cli(server, "ses", "delete-configuration-set-tracking-options",
        "--configuration-set-name", "cli1")
    cli(server, "ses", "delete-configuration-set",
        "--configuration-set-name", "cli1")
    proc = cli(server, "ses", "describe-configuration-set",
               "--configuration-set-name", "cli1", check=False)
    assert proc.returncode != 0
    assert "ConfigurationSetDoesNotExist" in proc.stderr
    assert missing("cli1") in proc.stderr


def test_cli_v2_operations(server):
    cli(server, "sesv2", "create-email-identity", "--email-identity",
        "example.com")
    assert cli(server, "sesv2", "create-configuration-set",
               "--configuration-set-name", "cli2", "--tags",
               "Key=k,Value=v", "--sending-options",
               "SendingEnabled=true") == {}
    assert cli(server, "sesv2", "list-configuration-sets")[
        "ConfigurationSets"] == ["cli2"]
    n = ("--configuration-set-name", "cli2")
    cli(server, "sesv2", "put-configuration-set-delivery-options", *n,
        "--tls-policy", "REQUIRE", "--max-delivery-seconds", "300")
    cli(server, "sesv2", "put-configuration-set-reputation-options", *n,
        "--reputation-metrics-enabled")
    cli(server, "sesv2", "put-configuration-set-sending-options", *n,
        "--no-sending-enabled")
    cli(server, "sesv2", "put-configuration-set-suppression-options", *n,
        "--suppressed-reasons", "COMPLAINT")
    cli(server, "sesv2", "put-configuration-set-tracking-options", *n,
        "--custom-redirect-domain", "example.com", "--https-policy",
        "OPTIONAL")
    cli(server, "sesv2", "put-configuration-set-vdm-options", *n,
        "--vdm-options", "GuardianOptions={OptimizedSharedDelivery=ENABLED}")
    cli(server, "sesv2", "put-configuration-set-archiving-options", *n,
        "--archive-arn", ARCHIVE)
    assert cli(server, "sesv2", "get-configuration-set", *n) == {
        "ConfigurationSetName": "cli2",
        "TrackingOptions": {"CustomRedirectDomain": "example.com",
                            "HttpsPolicy": "OPTIONAL"},
        "DeliveryOptions": {"TlsPolicy": "REQUIRE",
                            "MaxDeliverySeconds": 300},
        "ReputationOptions": {"ReputationMetricsEnabled": True},
        "SendingOptions": {"SendingEnabled": False},
        "Tags": [{"Key": "k", "Value": "v"}],
        "SuppressionOptions": {"SuppressedReasons": ["COMPLAINT"]},
        "VdmOptions": {"GuardianOptions": {
            "OptimizedSharedDelivery": "ENABLED"}},
        "ArchivingOptions": {"ArchiveArn": ARCHIVE}}
    cli(server, "sesv2", "delete-configuration-set", *n)
    proc = cli(server, "sesv2", "get-configuration-set", *n, check=False)
    assert proc.returncode != 0
    assert "NotFoundException" in proc.stderr
    assert missing("cli2") in proc.stderr
