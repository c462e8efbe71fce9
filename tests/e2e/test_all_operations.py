"""Every operation of both committed models, called with boto3 using a
minimal valid request built from the model: implemented operations answer a
result or one of their own client errors (a minimal request may name an
identity that does not exist), the others answer NotImplemented (HTTP 501)
naming themselves. Never a 5xx, an unknown route or a hang."""
import datetime
import json

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from conftest import MODELS, make_client

SERVICES = {"ses": "2010-12-01", "sesv2": "2019-09-27"}


def _load(service):
    path = MODELS / service / SERVICES[service] / "service-2.json"
    with open(path, encoding="utf-8") as f:
        return json.load(f)


MODEL = {service: _load(service) for service in SERVICES}
OPERATIONS = sorted((service, name) for service in SERVICES
                    for name in MODEL[service]["operations"])

# Operations the brief says are implemented; the server may add more.
KNOWN_IMPLEMENTED = {
    ("ses", "GetSendQuota"), ("ses", "GetAccountSendingEnabled"),
    ("ses", "UpdateAccountSendingEnabled"), ("ses", "ListIdentities"),
    ("sesv2", "GetAccount"), ("sesv2", "PutAccountSendingAttributes"),
    ("sesv2", "PutAccountDetails"), ("sesv2", "ListEmailIdentities"),
    ("ses", "CreateConfigurationSetEventDestination"),
    ("ses", "UpdateConfigurationSetEventDestination"),
    ("ses", "DeleteConfigurationSetEventDestination"),
    ("sesv2", "CreateConfigurationSetEventDestination"),
    ("sesv2", "GetConfigurationSetEventDestinations"),
    ("sesv2", "UpdateConfigurationSetEventDestination"),
    ("sesv2", "DeleteConfigurationSetEventDestination"),
}

# Strings with a pattern in the models, by shape name.
PATTERNED = {
    "ConnectInstanceArn": "arn:aws:connect:us-east-1:123456789012:instance/"
                          "12345678-1234-1234-1234-123456789012",
    "IAMRoleARN": "arn:aws:iam::123456789012:role/sesbox-role",
    "AdditionalContactEmailAddress": "ops@example.com",
    "ArchiveArn": "arn:aws:ses:us-east-1:123456789012:mailmanager-archive/"
                  "a-abcdefghijklmnopqrstuvwx",
    "EndpointName": "sesbox-endpoint",
    "MessageHeaderName": "X-Sesbox",
    "MessageHeaderValue": "value",
    "NextTokenV2": "c2VzYm94",
    "PrivateKey": "c2VzYm94a2V5",
    "S3Url": "s3://sesbox-bucket/contacts.csv",
    "Selector": "selector1",
    "WebsiteURL": "https://example.com",
}


def _string(name, shape):
    meta = shape.metadata
    if meta.get("enum"):
        return meta["enum"][0]
    if shape.name in PATTERNED:
        value = PATTERNED[shape.name]
    elif name.endswith(("Arn", "ARN")) or shape.name.endswith(("Arn", "ARN")):
        value = "arn:aws:sns:us-east-1:123456789012:sesbox-topic"
    elif "Url" in name or "URL" in name:
        value = "https://example.com"
    elif "Domain" in name or "Domain" in shape.name:
        value = "example.com"
    elif any(w in name or w in shape.name for w in
             ("Email", "Address", "Identity", "Source", "Recipient")):
        value = "a@example.com"
    elif name == "Policy" or shape.name == "Policy":
        value = '{"Version":"2012-10-17","Statement":[]}'
    else:
        value = "x"
    value *= 1 if len(value) >= meta.get("min", 1) else meta["min"]
    assert len(value) <= meta.get("max", len(value)), (name, shape.name)
    return value


def minimal(shape, name="", query=False, top=True):
    """The smallest valid value of shape: required members only.

    With query (the v1 protocol) a nested structure that would be empty
    gets its first member: an empty structure puts nothing on the wire, so
    the server would rightly see it as missing."""
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        out = {m: minimal(shape.members[m], m, query, False)
               for m in shape.required_members}
        if query and not top and not out and shape.members:
            first = next(iter(shape.members))
            out[first] = minimal(shape.members[first], first, query, False)
        return out
    if kind == "list":
        return [minimal(shape.member, name, query, False)
                for _ in range(max(meta.get("min", 1), 1))]
    if kind == "map":
        return {minimal(shape.key, "Key", query, False):
                minimal(shape.value, name, query, False)}
    if kind == "string":
        return _string(name, shape)
    if kind in ("integer", "long"):
        return int(meta.get("min", 1))
    if kind in ("double", "float"):
        return float(meta.get("min", 1))
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"x"
    if kind == "timestamp":
        return datetime.datetime(2024, 1, 2, 3, 4, 5,
                                 tzinfo=datetime.timezone.utc)
    raise AssertionError("unhandled shape type %s" % kind)


@pytest.fixture(scope="module")
def log_start(server):
    return server.log_len()


@pytest.fixture(scope="module")
def clients(server, log_start):
    return {service: make_client(service, server.url)
            for service in SERVICES}


@pytest.fixture(scope="module")
def implemented(server):
    return {(o["service"], o["name"]): o["implemented"]
            for o in server.operations()}


def test_listing_matches_the_models(server, implemented):
    listed = {(o["service"], o["name"], o["method"], o["uri"])
              for o in server.operations()}
    expected = {(service, name, op["http"]["method"],
                 op["http"]["requestUri"])
                for service in SERVICES
                for name, op in MODEL[service]["operations"].items()}
    assert len(OPERATIONS) == 181
    assert len(server.operations()) == 181
    assert listed == expected
    assert {k for k, v in implemented.items() if v} >= KNOWN_IMPLEMENTED
    counts = server.health()["operations"]
    assert counts == {"implemented": sum(implemented.values()),
                      "total": 181}


@pytest.mark.parametrize("service, op", OPERATIONS,
                         ids=["%s-%s" % so for so in OPERATIONS])
def test_operation(clients, implemented, service, op):
    client = clients[service]
    shape = client.meta.service_model.operation_model(op).input_shape
    params = ({} if shape is None
              else minimal(shape, query=service == "ses"))
    call = getattr(client, xform_name(op))
    if implemented[(service, op)]:
        try:
            resp = call(**params)
        except ClientError as exc:
            resp = exc.response
            status = resp["ResponseMetadata"]["HTTPStatusCode"]
            code = resp["Error"]["Code"]
            # The operation's own answer to a minimal request about
            # things that do not exist: a modelled error, or the common
            # v1 codes SES answers for bad arguments.
            # SES answers codes of its model beyond those an operation
            # lists (e.g. v1 DeleteCustomVerificationEmailTemplate of a
            # missing template), so any of the service's is allowed.
            allowed = {shape.get("error", {}).get("code", name)
                       for name, shape in MODEL[service]["shapes"].items()
                       if shape.get("exception")}
            allowed |= {"InvalidParameterValue", "MessageRejected"}
            assert 400 <= status < 500 and status != 404 or (
                status == 404 and code == "NotFoundException"), resp
            assert code in allowed, resp
            assert resp["Error"]["Message"], resp
            return
        assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
        return
    with pytest.raises(ClientError) as exc:
        call(**params)
    resp = exc.value.response
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 501, resp
    assert resp["Error"]["Code"] == "NotImplemented", resp
    assert resp["Error"]["Message"] == (
        "sesbox does not implement %s (%s %s) yet"
        % (op, service, SERVICES[service])), resp
    assert resp["ResponseMetadata"]["RequestId"], resp


def test_server_still_healthy_after_every_operation(server, log_start):
    server.health()
    lines = server.log_fields()[log_start:]
    statuses = {f.get("status") for f in lines
                if f.get("op") and not f["op"].startswith("/_sesbox")}
    assert len([f for f in lines if f.get("status")]) >= len(OPERATIONS)
    assert all(s in {"200", "501"} or s.startswith("4") for s in
               statuses), statuses
    assert "500" not in statuses
