"""Configuration-set event destinations through both APIs over one stored
form: v1 Create/Update/DeleteConfigurationSetEventDestination and
DescribeConfigurationSet's eventDestinations; v2 Create/Get/Update/
DeleteConfigurationSetEventDestination(s). Every target type, matching
event types across the APIs (v2-only types and targets seen through v1),
several destinations per set, the per-set quota, every error with its code,
HTTP status and text, deletion with the set, reset, accounts and regions,
and the AWS CLI."""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import make_client, DEFAULT_ACCOUNT, aws_cli

TOPIC = "arn:aws:sns:us-east-1:000000000000:ses-events"
ROLE = "arn:aws:iam::000000000000:role/ses-firehose"
STREAM = "arn:aws:firehose:us-east-1:000000000000:deliverystream/ses-events"
BUS = "arn:aws:events:us-east-1:000000000000:event-bus/default"
APP = ("arn:aws:mobiletargeting:us-east-1:000000000000:apps/"
       "0123456789abcdef0123456789abcdef")

V1_TYPES = ["send", "reject", "bounce", "complaint", "delivery", "open",
            "click", "renderingFailure"]
V2_TYPES = ["SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "OPEN",
            "CLICK", "RENDERING_FAILURE", "DELIVERY_DELAY", "SUBSCRIPTION"]

# Each target in both spellings: (v1 member, v1 value, v2 member, v2 value);
# None where v1 has no such target.
SNS = ("SNSDestination", {"TopicARN": TOPIC},
       "SnsDestination", {"TopicArn": TOPIC})
FIREHOSE = ("KinesisFirehoseDestination",
            {"IAMRoleARN": ROLE, "DeliveryStreamARN": STREAM},
            "KinesisFirehoseDestination",
            {"IamRoleArn": ROLE, "DeliveryStreamArn": STREAM})
CLOUDWATCH = ("CloudWatchDestination", {"DimensionConfigurations": [
    {"DimensionName": "ses:configuration-set",
     "DimensionValueSource": "messageTag",
     "DefaultDimensionValue": "none"},
    {"DimensionName": "X-Campaign", "DimensionValueSource": "emailHeader",
     "DefaultDimensionValue": "a.b@c_d-e"},
    {"DimensionName": "link", "DimensionValueSource": "linkTag",
     "DefaultDimensionValue": "x"}]},
    "CloudWatchDestination", {"DimensionConfigurations": [
        {"DimensionName": "ses:configuration-set",
         "DimensionValueSource": "MESSAGE_TAG",
         "DefaultDimensionValue": "none"},
        {"DimensionName": "X-Campaign", "DimensionValueSource": "EMAIL_HEADER",
         "DefaultDimensionValue": "a.b@c_d-e"},
        {"DimensionName": "link", "DimensionValueSource": "LINK_TAG",
         "DefaultDimensionValue": "x"}]})
EVENTBRIDGE = (None, None, "EventBridgeDestination", {"EventBusArn": BUS})
PINPOINT = (None, None, "PinpointDestination", {"ApplicationArn": APP})
V1_TARGETS = [SNS, FIREHOSE, CLOUDWATCH]
V2_TARGETS = V1_TARGETS + [EVENTBRIDGE, PINPOINT]
IDS = {id(SNS): "sns", id(FIREHOSE): "firehose", id(CLOUDWATCH): "cloudwatch",
       id(EVENTBRIDGE): "eventbridge", id(PINPOINT): "pinpoint"}

ONE_TARGET = ("Please provide only one destination with each request. Either "
              "a Firehose Destination or a Cloudwatch Destination or an SNS "
              "Destination or an EventBridge Destination.")
NO_TARGET = ("Please provide one destination with each request. Either a "
             "Firehose Destination or a Cloudwatch Destination or an SNS "
             "Destination or an EventBridge Destination.")
NO_TYPES = "At least one event type must be specified."
BAD_NAME = ("Invalid event destination name<%s>: only alphanumeric ASCII "
            "characters, '_', and '-' are allowed.")


def error(call, **kw):
    """(HTTP status, code, message) of a call that must fail; v1 errors are
    checked to be Sender faults."""
    with pytest.raises(ClientError) as exc:
        call(**kw)
    resp = exc.value.response
    if "Type" in resp["Error"]:
        assert resp["Error"]["Type"] == "Sender", resp
    return (resp["ResponseMetadata"]["HTTPStatusCode"], resp["Error"]["Code"],
            resp["Error"].get("Message"))


def v1_list(client, cs="cs"):
    out = client.describe_configuration_set(
        ConfigurationSetName=cs, ConfigurationSetAttributeNames=[
            "eventDestinations"])
    assert out["ConfigurationSet"] == {"Name": cs}
    return out["EventDestinations"]


def v2_list(client, cs="cs"):
    out = client.get_configuration_set_event_destinations(
        ConfigurationSetName=cs)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    return out["EventDestinations"]


def v1_dest(name, target, types=("send",), enabled=True):
    dest = {"Name": name, "Enabled": enabled,
            "MatchingEventTypes": list(types)}
    dest[target[0]] = target[1]
    return dest


def v2_def(target, types=("SEND",), enabled=True):
    dest = {"Enabled": enabled, "MatchingEventTypes": list(types)}
    dest[target[2]] = target[3]
    return dest


def v2_dest(name, target, types=("SEND",), enabled=True):
    return dict(v2_def(target, types, enabled), Name=name)


def make_topic(srv):
    """TOPIC, which SNS destinations name, exists on srv."""
    make_client("sns", srv.url, "us-east-1", "AKIDSESBOXTEST",
                "sesbox-test-secret", True).create_topic(Name="ses-events")


@pytest.fixture(autouse=True)
def topic(request):
    if "server" in request.fixturenames:
        make_topic(request.getfixturevalue("server"))


@pytest.fixture
def v1(ses):
    client = ses()
    client.create_configuration_set(ConfigurationSet={"Name": "cs"})
    return client


@pytest.fixture
def v2(sesv2, v1):
    return sesv2()


def v1_create(client, dest, cs="cs"):
    return client.create_configuration_set_event_destination(
        ConfigurationSetName=cs, EventDestination=dest)


def v2_create(client, name, definition, cs="cs"):
    return client.create_configuration_set_event_destination(
        ConfigurationSetName=cs, EventDestinationName=name,
        EventDestination=definition)


# ---- every target, each API ------------------------------------------------

@pytest.mark.parametrize("target", V1_TARGETS, ids=lambda t: IDS[id(t)])
def test_v1_create_describe_update_delete(v1, v2, target):
    resp = v1_create(v1, v1_dest("d1", target, ["bounce", "complaint"]))
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert v1_list(v1) == [v1_dest("d1", target, ["bounce", "complaint"])]
    assert v2_list(v2) == [v2_dest("d1", target, ["BOUNCE", "COMPLAINT"])]
    # An update replaces the definition, target included.
    other = FIREHOSE if target is SNS else SNS
    v1.update_configuration_set_event_destination(
        ConfigurationSetName="cs",
        EventDestination=v1_dest("d1", other, ["delivery"], enabled=False))
    assert v1_list(v1) == [v1_dest("d1", other, ["delivery"], False)]
    assert v2_list(v2) == [v2_dest("d1", other, ["DELIVERY"], False)]
    v1.update_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestination=v1_dest("d1", target))
    assert v1_list(v1) == [v1_dest("d1", target)]
    resp = v1.delete_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="d1")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert v1_list(v1) == [] and v2_list(v2) == []


@pytest.mark.parametrize("target", V2_TARGETS, ids=lambda t: IDS[id(t)])
def test_v2_create_get_update_delete(v2, target):
    resp = v2_create(v2, "d2", v2_def(target, ["OPEN", "CLICK"]))
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert v2_list(v2) == [v2_dest("d2", target, ["OPEN", "CLICK"])]
    other = EVENTBRIDGE if target is SNS else SNS
    resp = v2.update_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="d2",
        EventDestination=v2_def(other, ["DELIVERY_DELAY"], enabled=False))
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert v2_list(v2) == [v2_dest("d2", other, ["DELIVERY_DELAY"], False)]
    v2.update_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="d2",
        EventDestination=v2_def(target, V2_TYPES))
    assert v2_list(v2) == [v2_dest("d2", target, V2_TYPES)]
    resp = v2.delete_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="d2")
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert v2_list(v2) == []


@pytest.mark.parametrize("target", V1_TARGETS, ids=lambda t: IDS[id(t)])
def test_v2_targets_read_through_v1(v1, v2, target):
    v2_create(v2, "from-v2", v2_def(target, ["SEND", "RENDERING_FAILURE"]))
    assert v1_list(v1) == [v1_dest("from-v2", target,
                                   ["send", "renderingFailure"])]


# ---- matching event types across the APIs ----------------------------------

def test_every_v1_type_round_trips(v1, v2):
    v1_create(v1, v1_dest("all", SNS, V1_TYPES))
    assert v2_list(v2)[0]["MatchingEventTypes"] == V2_TYPES[:8]
    assert v1_list(v1)[0]["MatchingEventTypes"] == V1_TYPES
    # Given order is kept, repeats count once.
    v1.update_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestination=v1_dest(
            "all", SNS, ["click", "send", "click", "renderingFailure"]))
    assert v1_list(v1)[0]["MatchingEventTypes"] == [
        "click", "send", "renderingFailure"]
    assert v2_list(v2)[0]["MatchingEventTypes"] == [
        "CLICK", "SEND", "RENDERING_FAILURE"]


def test_every_v2_type_round_trips(v1, v2):
    v2_create(v2, "all", v2_def(SNS, list(reversed(V2_TYPES))))
    assert v2_list(v2)[0]["MatchingEventTypes"] == list(reversed(V2_TYPES))
    # v1 cannot name DELIVERY_DELAY and SUBSCRIPTION: it leaves them out.
    assert v1_list(v1)[0]["MatchingEventTypes"] == list(reversed(V1_TYPES))
    v2_create(v2, "v2-only", v2_def(SNS, ["SUBSCRIPTION", "SUBSCRIPTION",
                                          "DELIVERY_DELAY"]))
    assert v2_list(v2)[1]["MatchingEventTypes"] == [
        "SUBSCRIPTION", "DELIVERY_DELAY"]
    assert v1_list(v1)[1] == v1_dest("v2-only", SNS, [])


def test_v1_update_keeps_v2_only_types(v1, v2):
    v2_create(v2, "d", v2_def(SNS, ["DELIVERY_DELAY", "SEND",
                                    "SUBSCRIPTION"]))
    v1.update_configuration_set_event_destination(
        ConfigurationSetName="cs",
        EventDestination=v1_dest("d", FIREHOSE, ["bounce", "open"]))
    assert v2_list(v2) == [v2_dest("d", FIREHOSE, [
        "BOUNCE", "OPEN", "DELIVERY_DELAY", "SUBSCRIPTION"])]
    assert v1_list(v1) == [v1_dest("d", FIREHOSE, ["bounce", "open"])]
    # A v2 update replaces them.
    v2.update_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="d",
        EventDestination=v2_def(FIREHOSE, ["OPEN"]))
    assert v2_list(v2)[0]["MatchingEventTypes"] == ["OPEN"]


@pytest.mark.parametrize("target", [EVENTBRIDGE, PINPOINT],
                         ids=lambda t: IDS[id(t)])
def test_v2_only_targets_through_v1(v1, v2, target):
    v2_create(v2, "d", v2_def(target, ["BOUNCE"]))
    # Seen without its target; the name is taken in both APIs.
    assert v1_list(v1) == [{"Name": "d", "Enabled": True,
                            "MatchingEventTypes": ["bounce"]}]
    assert error(v1_create, client=v1, dest=v1_dest("d", SNS)) == (
        400, "EventDestinationAlreadyExists",
        "Event destination <d> already exists in configuration set <cs>.")
    # v1 may move it to a target it knows.
    v1.update_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestination=v1_dest("d", SNS))
    assert v2_list(v2) == [v2_dest("d", SNS)]
    v1.delete_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="d")
    assert v2_list(v2) == []


def test_enabled_defaults_to_false(v1, v2):
    v1_create(v1, {"Name": "a", "MatchingEventTypes": ["send"],
                   "SNSDestination": {"TopicARN": TOPIC}})
    v2_create(v2, "b", {"MatchingEventTypes": ["SEND"],
                        "SnsDestination": {"TopicArn": TOPIC}})
    assert [d["Enabled"] for d in v1_list(v1)] == [False, False]
    assert [d["Enabled"] for d in v2_list(v2)] == [False, False]
    # An update without Enabled disables.
    v2.update_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="a",
        EventDestination=v2_def(SNS))
    assert v2_list(v2)[0]["Enabled"] is True
    v2.update_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="a",
        EventDestination={"MatchingEventTypes": ["SEND"],
                          "SnsDestination": {"TopicArn": TOPIC}})
    assert v2_list(v2)[0]["Enabled"] is False


# ---- several destinations, the quota, deletion with the set ----------------

def test_several_destinations_per_set(v1, v2, ses):
    v1_create(v1, v1_dest("zeta", SNS, ["send"]))
    v2_create(v2, "alpha", v2_def(CLOUDWATCH, ["OPEN"]))
    v1_create(v1, v1_dest("mid", FIREHOSE, ["bounce"], enabled=False))
    v2_create(v2, "eb", v2_def(EVENTBRIDGE, ["CLICK"]))
    assert [d["Name"] for d in v2_list(v2)] == ["alpha", "eb", "mid", "zeta"]
    assert v1_list(v1) == [
        v1_dest("alpha", CLOUDWATCH, ["open"]),
        {"Name": "eb", "Enabled": True, "MatchingEventTypes": ["click"]},
        v1_dest("mid", FIREHOSE, ["bounce"], enabled=False),
        v1_dest("zeta", SNS, ["send"])]
    # Names are per set (and case-sensitive).
    v1.create_configuration_set(ConfigurationSet={"Name": "other"})
    v1_create(v1, v1_dest("zeta", FIREHOSE), cs="other")
    v2_create(v2, "ZETA", v2_def(SNS))
    assert v2_list(v2, "other") == [v2_dest("zeta", FIREHOSE)]
    assert len(v2_list(v2)) == 5
    # Deleting one leaves the others.
    v2.delete_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="mid")
    assert [d["Name"] for d in v2_list(v2)] == [
        "ZETA", "alpha", "eb", "zeta"]
    assert v2_list(v2, "other") == [v2_dest("zeta", FIREHOSE)]


def test_ten_destinations_per_set(v1, v2):
    for i in range(10):
        v2_create(v2, "d%d" % i, v2_def(SNS))
    assert error(v2_create, client=v2, name="d10", definition=v2_def(SNS)) == (
        400, "LimitExceededException",
        "Maximum number of event destinations (10) reached for configuration"
        " set <cs>.")
    assert error(v1_create, client=v1, dest=v1_dest("d10", SNS)) == (
        400, "LimitExceeded",
        "Maximum number of event destinations (10) reached for configuration"
        " set <cs>.")
    # A duplicate is still a duplicate; another set has its own quota.
    assert error(v1_create, client=v1, dest=v1_dest("d0", SNS))[1] == (
        "EventDestinationAlreadyExists")
    v1.create_configuration_set(ConfigurationSet={"Name": "other"})
    v1_create(v1, v1_dest("d10", SNS), cs="other")
    v1.delete_configuration_set_event_destination(
        ConfigurationSetName="cs", EventDestinationName="d0")
    v1_create(v1, v1_dest("d10", SNS))
    assert len(v1_list(v1)) == 10


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_deleted_with_the_set(v1, v2, api):
    v1_create(v1, v1_dest("a", SNS))
    v2_create(v2, "b", v2_def(EVENTBRIDGE))
    v1.create_configuration_set(ConfigurationSet={"Name": "keep"})
    v1_create(v1, v1_dest("a", SNS), cs="keep")
    if api == "v1":
        v1.delete_configuration_set(ConfigurationSetName="cs")
    else:
        v2.delete_configuration_set(ConfigurationSetName="cs")
    assert error(v2.get_configuration_set_event_destinations,
                 ConfigurationSetName="cs") == (
        404, "NotFoundException", "Configuration set <cs> does not exist.")
    # A new set of the same name starts without destinations.
    v2.create_configuration_set(ConfigurationSetName="cs")
    assert v2_list(v2) == [] and v1_list(v1) == []
    v1_create(v1, v1_dest("a", FIREHOSE))
    assert v2_list(v2) == [v2_dest("a", FIREHOSE)]
    assert v2_list(v2, "keep") == [v2_dest("a", SNS)]


def test_reset_removes_destinations(server, v1, v2):
    v1_create(v1, v1_dest("a", SNS))
    server.reset()
    v1.create_configuration_set(ConfigurationSet={"Name": "cs"})
    assert v2_list(v2) == []


# ---- errors ----------------------------------------------------------------

def test_missing_set(ses, sesv2):
    v1, v2 = ses(), sesv2()
    want1 = (400, "ConfigurationSetDoesNotExist",
             "Configuration set <nope> does not exist.")
    want2 = (404, "NotFoundException",
             "Configuration set <nope> does not exist.")
    n = {"ConfigurationSetName": "nope"}
    assert error(v1.create_configuration_set_event_destination, **n,
                 EventDestination=v1_dest("d", SNS)) == want1
    assert error(v1.update_configuration_set_event_destination, **n,
                 EventDestination=v1_dest("d", SNS)) == want1
    assert error(v1.delete_configuration_set_event_destination, **n,
                 EventDestinationName="d") == want1
    assert error(v1.describe_configuration_set, **n,
                 ConfigurationSetAttributeNames=["eventDestinations"]) == want1
    assert error(v2.create_configuration_set_event_destination, **n,
                 EventDestinationName="d",
                 EventDestination=v2_def(SNS)) == want2
    assert error(v2.update_configuration_set_event_destination, **n,
                 EventDestinationName="d",
                 EventDestination=v2_def(SNS)) == want2
    assert error(v2.delete_configuration_set_event_destination, **n,
                 EventDestinationName="d") == want2
    assert error(v2.get_configuration_set_event_destinations, **n) == want2
    # The set is looked up before the definition is checked.
    assert error(v1.create_configuration_set_event_destination, **n,
                 EventDestination={"Name": "d",
                                   "MatchingEventTypes": []}) == want1


def test_missing_destination(v1, v2):
    v1_create(v1, v1_dest("there", SNS))
    # AWS names the set, not the destination.
    want1 = (400, "EventDestinationDoesNotExist",
             "No EventDestination found for cs")
    want2 = (404, "NotFoundException", "No EventDestination found for cs")
    n = {"ConfigurationSetName": "cs"}
    assert error(v1.update_configuration_set_event_destination, **n,
                 EventDestination=v1_dest("gone", SNS)) == want1
    assert error(v1.delete_configuration_set_event_destination, **n,
                 EventDestinationName="gone") == want1
    assert error(v2.update_configuration_set_event_destination, **n,
                 EventDestinationName="gone",
                 EventDestination=v2_def(SNS)) == want2
    assert error(v2.delete_configuration_set_event_destination, **n,
                 EventDestinationName="gone") == want2
    # Names are exact; a deleted destination is gone.
    assert error(v1.delete_configuration_set_event_destination, **n,
                 EventDestinationName="THERE") == want1
    v2.delete_configuration_set_event_destination(
        **n, EventDestinationName="there")
    assert error(v2.delete_configuration_set_event_destination, **n,
                 EventDestinationName="there") == want2
    assert error(v1.update_configuration_set_event_destination, **n,
                 EventDestination=v1_dest("there", SNS)) == want1


def test_duplicate(v1, v2):
    v1_create(v1, v1_dest("dup", SNS))
    text = "Event destination <dup> already exists in configuration set <cs>."
    assert error(v1_create, client=v1, dest=v1_dest("dup", FIREHOSE)) == (
        400, "EventDestinationAlreadyExists", text)
    assert error(v2_create, client=v2, name="dup",
                 definition=v2_def(EVENTBRIDGE)) == (
        400, "AlreadyExistsException", text)
    assert v2_list(v2) == [v2_dest("dup", SNS)]


@pytest.mark.parametrize("name, text", [
    ("", "The event destination name must be specified."),
    ("a" * 65, "Event destination name cannot exceed 64 characters."),
    ("bad name", BAD_NAME % "bad name"),
    ("dot.ted", BAD_NAME % "dot.ted"),
    ("caf\u00e9", BAD_NAME % "caf\u00e9"),
])
def test_invalid_names(v1, v2, name, text):
    assert error(v1_create, client=v1, dest=v1_dest(name, SNS)) == (
        400, "InvalidParameterValue", text)
    assert error(v2_create, client=v2, name=name,
                 definition=v2_def(SNS)) == (
        400, "BadRequestException", text)
    assert v2_list(v2) == []


def test_longest_and_odd_valid_names(v1, v2):
    v1_create(v1, v1_dest("a" * 64, SNS))
    v2_create(v2, "_-Az09", v2_def(SNS))
    assert [d["Name"] for d in v2_list(v2)] == ["_-Az09", "a" * 64]


def test_no_target_or_two(v1, v2):
    assert error(v1_create, client=v1, dest={
        "Name": "d", "MatchingEventTypes": ["send"]}) == (
        400, "InvalidParameterValue", NO_TARGET)
    assert error(v2_create, client=v2, name="d", definition={
        "MatchingEventTypes": ["SEND"]}) == (
        400, "BadRequestException", NO_TARGET)
    two = v1_dest("d", SNS)
    two["KinesisFirehoseDestination"] = FIREHOSE[1]
    assert error(v1_create, client=v1, dest=two) == (
        400, "InvalidParameterValue", ONE_TARGET)
    two = v2_def(SNS)
    two["EventBridgeDestination"] = EVENTBRIDGE[3]
    assert error(v2_create, client=v2, name="d", definition=two) == (
        400, "BadRequestException", ONE_TARGET)
    five = v2_def(SNS)
    for t in V2_TARGETS:
        five[t[2]] = t[3]
    assert error(v2_create, client=v2, name="d", definition=five) == (
        400, "BadRequestException", ONE_TARGET)
    # Updates check alike and change nothing.
    v2_create(v2, "d", v2_def(SNS))
    assert error(v2.update_configuration_set_event_destination,
                 ConfigurationSetName="cs", EventDestinationName="d",
                 EventDestination=two) == (
        400, "BadRequestException", ONE_TARGET)
    assert error(v1.update_configuration_set_event_destination,
                 ConfigurationSetName="cs", EventDestination={
                     "Name": "d", "MatchingEventTypes": ["send"]}) == (
        400, "InvalidParameterValue", NO_TARGET)
    assert v2_list(v2) == [v2_dest("d", SNS)]


def test_no_event_types(v1, v2, sesv2, ses):
    assert error(v1_create, client=v1, dest=v1_dest("d", SNS, [])) == (
        400, "InvalidParameterValue", NO_TYPES)
    assert error(v2_create, client=v2, name="d",
                 definition=v2_def(SNS, [])) == (
        400, "BadRequestException", NO_TYPES)
    assert error(v2_create, client=v2, name="d", definition={
        "SnsDestination": {"TopicArn": TOPIC}}) == (
        400, "BadRequestException", NO_TYPES)
    # v1's model requires the member; its values are the model's enum.
    loose = ses(validate=False)
    status, code, msg = error(v1_create, client=loose, dest={
        "Name": "d", "SNSDestination": {"TopicARN": TOPIC}})
    assert (status, code) == (400, "ValidationError")
    assert msg == ("1 validation error detected: Value null at "
                   "'eventDestination.matchingEventTypes' failed to satisfy "
                   "constraint: Member must not be null")
    status, code, msg = error(v1_create, client=loose, dest=v1_dest(
        "d", SNS, ["deliveryDelay"]))
    assert (status, code) == (400, "ValidationError")
    assert "'eventDestination.matchingEventTypes.1.member'" in msg
    status, code, msg = error(v2_create, client=sesv2(validate=False),
                              name="d", definition=v2_def(SNS, ["send"]))
    assert (status, code) == (400, "BadRequestException")
    assert "DELIVERY_DELAY, SUBSCRIPTION]" in msg
    assert v2_list(v2) == []


SNS_BAD = [
    "", "topic", "arn:aws:sns:us-east-1:000000000000", "arn:aws:sqs:us-east-1:"
    "000000000000:q", "arn:aws:sns::000000000000:t",
    "arn:aws:sns:us-east-1:0000:t", "arn:aws:sns:us-east-1:000000000000:",
    "arn:aws:sns:us-east-1:000000000000:a b",
    "arn:aws:sns:us-east-1:000000000000:" + "t" * 257,
    "arn:foo:sns:us-east-1:000000000000:t",
    "arn:awsfoo:sns:us-east-1:000000000000:t",
]


@pytest.mark.parametrize("arn", SNS_BAD)
def test_invalid_sns_destination(v1, v2, arn):
    text = ("Invalid SNS topic ARN <%s>: expected arn:aws:sns:REGION:"
            "ACCOUNT:TOPIC_NAME." % arn)
    if arn:         # v2's model wants at least one character
        assert error(v2_create, client=v2, name="d", definition=v2_def(
            (None, None, "SnsDestination", {"TopicArn": arn}))) == (
            400, "BadRequestException", text)
    assert error(v1_create, client=v1, dest=v1_dest(
        "d", ("SNSDestination", {"TopicARN": arn}))) == (
        400, "InvalidSNSDestination", text)


VALID_TOPICS = [
    "arn:aws:sns:eu-west-1:000000000000:other_region-topic",
    "arn:aws:sns:us-east-1:000000000000:" + "t" * 256,
    "arn:aws-cn:sns:cn-north-1:000000000000:t"]


def test_valid_sns_topics(v1, v2, sns_client):
    for arn in VALID_TOPICS:
        region = arn.split(":")[3]
        sns_client(region=region).create_topic(Name=arn.split(":")[5])
    for i, arn in enumerate(VALID_TOPICS):
        v1_create(v1, v1_dest("d%d" % i, ("SNSDestination",
                                          {"TopicARN": arn})))
    assert len(v2_list(v2)) == 3


def test_missing_sns_topic(v1, v2):
    arn = "arn:aws:sns:us-east-1:000000000000:nobody"
    assert error(v1_create, client=v1, dest=v1_dest(
        "d", ("SNSDestination", {"TopicARN": arn}))) == (
        400, "InvalidSNSDestination", "SNS topic <%s> not found." % arn)
    assert error(v2_create, client=v2, name="d", definition=v2_def(
        (None, None, "SnsDestination", {"TopicArn": arn}))) == (
        400, "BadRequestException", "SNS topic <%s> not found." % arn)


@pytest.mark.parametrize("role, stream, bad", [
    ("x", STREAM, "role"),
    ("arn:aws:iam:us-east-1:000000000000:role/r", STREAM, "role"),
    ("arn:aws:iam::000000000000:user/u", STREAM, "role"),
    ("arn:aws:iam::000000000000:role/", STREAM, "role"),
    (ROLE, "x", "stream"),
    (ROLE, "arn:aws:firehose::000000000000:deliverystream/s", "stream"),
    (ROLE, "arn:aws:kinesis:us-east-1:000000000000:stream/s", "stream"),
    (ROLE, "arn:aws:firehose:us-east-1:000000000000:deliverystream/a b",
     "stream"),
    (ROLE, "arn:aws:firehose:us-east-1:000000000000:deliverystream/" +
     "s" * 65, "stream"),
])
def test_invalid_firehose_destination(v1, v2, role, stream, bad):
    if bad == "role":
        text = ("Invalid IAM role ARN <%s>: expected arn:aws:iam::ACCOUNT:"
                "role/ROLE_NAME." % role)
    else:
        text = ("Invalid delivery stream ARN <%s>: expected arn:aws:"
                "firehose:REGION:ACCOUNT:deliverystream/STREAM_NAME." % stream)
    assert error(v1_create, client=v1, dest=v1_dest("d", (
        "KinesisFirehoseDestination",
        {"IAMRoleARN": role, "DeliveryStreamARN": stream}))) == (
        400, "InvalidFirehoseDestination", text)
    assert error(v2_create, client=v2, name="d", definition=v2_def((
        None, None, "KinesisFirehoseDestination",
        {"IamRoleArn": role, "DeliveryStreamArn": stream}))) == (
        400, "BadRequestException", text)


def _dim(name="n", value="v"):
    return {"DimensionName": name, "DimensionValueSource": "messageTag",
            "DefaultDimensionValue": value}


@pytest.mark.parametrize("dims, text", [
    ([], "At least one CloudWatch dimension configuration must be "
         "specified."),
    ([_dim("n%d" % i) for i in range(11)],
     "A CloudWatch destination cannot have more than 10 dimension "
     "configurations."),
    ([_dim("")], "The dimension name must be specified."),
    ([_dim("n" * 257)], "Dimension name cannot exceed 256 characters."),
    ([_dim("a/b")], "Invalid dimension name <a/b>: only alphanumeric ASCII "
                    "characters, '_', '-' and ':' are allowed."),
    ([_dim(value="")], "The default dimension value must be specified."),
    ([_dim(value="v" * 257)],
     "Default dimension value cannot exceed 256 characters."),
    ([_dim(value="a:b")], "Invalid default dimension value <a:b>: only "
                          "alphanumeric ASCII characters, '_', '-', '@' and "
                          "'.' are allowed."),
    ([_dim("a"), _dim("b"), _dim("a")], "Duplicate dimension name <a>."),
])
def test_invalid_cloudwatch_destination(v1, v2, dims, text):
    assert error(v1_create, client=v1, dest=v1_dest("d", (
        "CloudWatchDestination", {"DimensionConfigurations": dims}))) == (
        400, "InvalidCloudWatchDestination", text)
    v2dims = [dict(d, DimensionValueSource="MESSAGE_TAG") for d in dims]
    assert error(v2_create, client=v2, name="d", definition=v2_def((
        None, None, "CloudWatchDestination",
        {"DimensionConfigurations": v2dims}))) == (
        400, "BadRequestException", text)


def test_longest_cloudwatch_destination(v1, v2):
    dims = [_dim("n%d" % i + "x" * 254, "v" * 256) for i in range(10)]
    v1_create(v1, v1_dest("d", ("CloudWatchDestination",
                                {"DimensionConfigurations": dims})))
    assert len(v2_list(v2)[0]["CloudWatchDestination"][
        "DimensionConfigurations"]) == 10


@pytest.mark.parametrize("arn", [
    "x",
    "arn:aws:events:us-east-1:000000000000:event-bus/custom",
    "arn:aws:events:eu-west-1:000000000000:event-bus/default",
    "arn:aws:events:us-east-1:123456789012:event-bus/default",
    "arn:aws:sns:us-east-1:000000000000:event-bus/default",
])
def test_invalid_eventbridge_destination(v2, arn):
    assert error(v2_create, client=v2, name="d", definition=v2_def((
        None, None, "EventBridgeDestination", {"EventBusArn": arn}))) == (
        400, "BadRequestException",
        "Invalid event bus ARN <%s>: only the default event bus of this "
        "account and region (arn:aws:events:us-east-1:000000000000:"
        "event-bus/default) is supported." % arn)


def test_eventbridge_default_bus_of_the_region(sesv2, ses):
    ses(region="eu-west-1").create_configuration_set(
        ConfigurationSet={"Name": "cs"})
    west = sesv2(region="eu-west-1")
    bus = "arn:aws:events:eu-west-1:%s:event-bus/default" % DEFAULT_ACCOUNT
    v2_create(west, "d", v2_def((None, None, "EventBridgeDestination",
                                 {"EventBusArn": bus})))
    assert v2_list(west)[0]["EventBridgeDestination"] == {"EventBusArn": bus}
    assert error(v2_create, client=west, name="e", definition=v2_def(
        EVENTBRIDGE))[1] == "BadRequestException"


@pytest.mark.parametrize("target, text", [
    ({}, "PinpointDestination must specify an ApplicationArn."),
    ({"ApplicationArn": "x"},
     "Invalid Pinpoint application ARN <x>: expected arn:aws:"
     "mobiletargeting:REGION:ACCOUNT:apps/PROJECT_ID."),
    ({"ApplicationArn": "arn:aws:mobiletargeting:us-east-1:000000000000:"
                        "apps/"},
     "Invalid Pinpoint application ARN <arn:aws:mobiletargeting:us-east-1:"
     "000000000000:apps/>: expected arn:aws:mobiletargeting:REGION:ACCOUNT:"
     "apps/PROJECT_ID."),
])
def test_invalid_pinpoint_destination(v2, target, text):
    assert error(v2_create, client=v2, name="d", definition=v2_def((
        None, None, "PinpointDestination", target))) == (
        400, "BadRequestException", text)


def test_failed_update_changes_nothing(v1, v2):
    v2_create(v2, "d", v2_def(CLOUDWATCH, ["OPEN", "SUBSCRIPTION"]))
    before = v2_list(v2)
    assert error(v1.update_configuration_set_event_destination,
                 ConfigurationSetName="cs", EventDestination=v1_dest(
                     "d", ("SNSDestination", {"TopicARN": "nope"})))[1] == (
        "InvalidSNSDestination")
    assert error(v2.update_configuration_set_event_destination,
                 ConfigurationSetName="cs", EventDestinationName="d",
                 EventDestination=v2_def(SNS, []))[1] == "BadRequestException"
    assert v2_list(v2) == before


# ---- accounts and regions --------------------------------------------------

KEY_A, SECRET_A, ACCOUNT_A = "AKIDEVDESTA", "secretA", "111111111111"
KEY_B, SECRET_B, ACCOUNT_B = "AKIDEVDESTB", "secretB", "222222222222"


def test_accounts_and_regions_are_isolated(start_server, ses, sesv2):
    srv = start_server("--credentials", "%s:%s:%s,%s:%s:%s" % (
        KEY_A, SECRET_A, ACCOUNT_A, KEY_B, SECRET_B, ACCOUNT_B))
    make_topic(srv)
    scopes = [(KEY_A, SECRET_A, "us-east-1"), (KEY_B, SECRET_B, "us-east-1"),
              (KEY_A, SECRET_A, "eu-west-1"), ("AKIDNOBODY", "x",
                                               "us-east-1")]
    for key, secret, region in scopes:
        ses(srv=srv, key=key, secret=secret, region=region)\
            .create_configuration_set(ConfigurationSet={"Name": "cs"})
    a = sesv2(srv=srv, key=KEY_A, secret=SECRET_A)
    v2_create(a, "only-a", v2_def(SNS, ["BOUNCE"]))
    for key, secret, region in scopes[1:]:
        other = sesv2(srv=srv, key=key, secret=secret, region=region)
        assert v2_list(other) == [], (key, region)
        assert v1_list(ses(srv=srv, key=key, secret=secret,
                           region=region)) == []
        assert error(other.delete_configuration_set_event_destination,
                     ConfigurationSetName="cs",
                     EventDestinationName="only-a")[:2] == (
            404, "NotFoundException")
        # The same name is free there, with its own definition.
        v2_create(other, "only-a", v2_def(FIREHOSE, ["SEND"]))
    assert v2_list(a) == [v2_dest("only-a", SNS, ["BOUNCE"])]
    # The EventBridge bus is the caller's own default bus.
    b = sesv2(srv=srv, key=KEY_B, secret=SECRET_B)
    v2_create(b, "eb", v2_def((None, None, "EventBridgeDestination", {
        "EventBusArn": "arn:aws:events:us-east-1:%s:event-bus/default"
                       % ACCOUNT_B})))
    assert error(v2_create, client=a, name="eb", definition=v2_def((
        None, None, "EventBridgeDestination", {
            "EventBusArn": "arn:aws:events:us-east-1:%s:event-bus/default"
                           % ACCOUNT_B})))[1] == "BadRequestException"


# ---- raw wire --------------------------------------------------------------

def test_v1_wire_form(v1, server):
    form = ("Action=CreateConfigurationSetEventDestination&Version=2010-12-01"
            "&ConfigurationSetName=cs&EventDestination.Name=w"
            "&EventDestination.Enabled=true"
            "&EventDestination.MatchingEventTypes.member.1=renderingFailure"
            "&EventDestination.SNSDestination.TopicARN=" + TOPIC)
    r = server.post("/", data=form, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert "<CreateConfigurationSetEventDestinationResult/>" in r.text
    r = server.post("/", data="Action=DescribeConfigurationSet&Configuration"
                    "SetName=cs&ConfigurationSetAttributeNames.member.1="
                    "eventDestinations", headers={
                        "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert ("<EventDestinations><member><Name>w</Name><Enabled>true</Enabled>"
            "<MatchingEventTypes><member>renderingFailure</member>"
            "</MatchingEventTypes><SNSDestination><TopicARN>%s</TopicARN>"
            "</SNSDestination></member></EventDestinations>" % TOPIC
            in r.text), r.text


def test_v2_wire_form(v2, server):
    r = server.post("/v2/email/configuration-sets/cs/event-destinations",
                    json={"EventDestinationName": "w", "EventDestination": {
                        "Enabled": True, "MatchingEventTypes": ["SEND"],
                        "SnsDestination": {"TopicArn": TOPIC}}})
    assert (r.status_code, r.json()) == (200, {}), r.text
    r = server.get("/v2/email/configuration-sets/cs/event-destinations")
    assert r.status_code == 200, r.text
    assert r.json() == {"EventDestinations": [{
        "Name": "w", "Enabled": True, "MatchingEventTypes": ["SEND"],
        "SnsDestination": {"TopicArn": TOPIC}}]}
    r = server.request("DELETE", "/v2/email/configuration-sets/cs/"
                       "event-destinations/w")
    assert r.status_code == 200, r.text
    r = server.request("DELETE", "/v2/email/configuration-sets/cs/"
                       "event-destinations/w")
    assert r.status_code == 404, r.text
    assert r.headers["x-amzn-ErrorType"].startswith("NotFoundException")
    assert r.json()["message"] == "No EventDestination found for cs"


# ---- the AWS CLI -----------------------------------------------------------

def cli(server, *args, check=True):
    proc = aws_cli(server, *args, check=check)
    if not check:
        return proc
    return json.loads(proc.stdout) if proc.stdout.strip() else {}


def test_cli_v1(server):
    cli(server, "ses", "create-configuration-set", "--configuration-set",
        "Name=cli1")
    n = ("--configuration-set-name", "cli1")
    cli(server, "ses", "create-configuration-set-event-destination", *n,
        "--event-destination", json.dumps(v1_dest("sns", SNS, [
            "bounce", "complaint"])))
    cli(server, "ses", "create-configuration-set-event-destination", *n,
        "--event-destination", json.dumps(v1_dest("cw", CLOUDWATCH, [
            "open", "click"], enabled=False)))
    out = cli(server, "ses", "describe-configuration-set", *n,
              "--configuration-set-attribute-names", "eventDestinations")
    assert out == {"ConfigurationSet": {"Name": "cli1"}, "EventDestinations": [
        v1_dest("cw", CLOUDWATCH, ["open", "click"], enabled=False),
        v1_dest("sns", SNS, ["bounce", "complaint"])]}
    cli(server, "ses", "update-configuration-set-event-destination", *n,
        "--event-destination", json.dumps(v1_dest("cw", FIREHOSE, [
            "renderingFailure"])))
    out = cli(server, "sesv2", "get-configuration-set-event-destinations", *n)
    assert out["EventDestinations"][0] == v2_dest(
        "cw", FIREHOSE, ["RENDERING_FAILURE"])
    cli(server, "ses", "delete-configuration-set-event-destination", *n,
        "--event-destination-name", "cw")
    proc = cli(server, "ses", "delete-configuration-set-event-destination",
               *n, "--event-destination-name", "cw", check=False)
    assert proc.returncode != 0
    assert "EventDestinationDoesNotExist" in proc.stderr
    assert "No EventDestination found for cli1" in proc.stderr
    proc = cli(server, "ses", "create-configuration-set-event-destination",
               *n, "--event-destination", json.dumps(v1_dest("sns", SNS)),
               check=False)
    assert proc.returncode != 0
    assert "EventDestinationAlreadyExists" in proc.stderr


def test_cli_v2(server):
    cli(server, "sesv2", "create-configuration-set",
        "--configuration-set-name", "cli2")
    n = ("--configuration-set-name", "cli2")
    cli(server, "sesv2", "create-configuration-set-event-destination", *n,
        "--event-destination-name", "eb", "--event-destination",
        json.dumps(v2_def(EVENTBRIDGE, ["DELIVERY_DELAY", "SEND"])))
    cli(server, "sesv2", "create-configuration-set-event-destination", *n,
        "--event-destination-name", "pp", "--event-destination",
        json.dumps(v2_def(PINPOINT, ["SUBSCRIPTION"], enabled=False)))
    assert cli(server, "sesv2", "get-configuration-set-event-destinations",
               *n) == {"EventDestinations": [
                   v2_dest("eb", EVENTBRIDGE, ["DELIVERY_DELAY", "SEND"]),
                   v2_dest("pp", PINPOINT, ["SUBSCRIPTION"], enabled=False)]}
    cli(server, "sesv2", "update-configuration-set-event-destination", *n,
        "--event-destination-name", "pp", "--event-destination",
        json.dumps(v2_def(SNS, ["BOUNCE"])))
    out = cli(server, "ses", "describe-configuration-set", *n,
              "--configuration-set-attribute-names", "eventDestinations")
    assert out["EventDestinations"] == [
        {"Name": "eb", "Enabled": True, "MatchingEventTypes": ["send"]},
        v1_dest("pp", SNS, ["bounce"])]
    cli(server, "sesv2", "delete-configuration-set-event-destination", *n,
        "--event-destination-name", "eb")
    proc = cli(server, "sesv2", "delete-configuration-set-event-destination",
               *n, "--event-destination-name", "eb", check=False)
    assert proc.returncode != 0
    assert "NotFoundException" in proc.stderr
    proc = cli(server, "sesv2", "get-configuration-set-event-destinations",
               "--configuration-set-name", "nope", check=False)
    assert proc.returncode != 0
    assert "Configuration set <nope> does not exist." in proc.stderr
