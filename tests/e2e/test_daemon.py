"""The daemon: health, shutdown, access log, configuration at start,
persistence."""
import concurrent.futures
import http.client
import os
import re
import signal
import socket

import pytest
import requests

from conftest import DEFAULT_ACCOUNT, ROOT, run_sesbox, sign

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                  r"[0-9a-f]{12}$")
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
V1_BODY = "Action=GetSendQuota&Version=2010-12-01"


def version():
    proc = run_sesbox(["--version"])
    assert proc.returncode == 0, proc
    return proc.stdout.split()[-1]


# -- health and version ------------------------------------------------------

def test_health(server):
    r = server.get("/_sesbox/health")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert UUID.match(r.headers["x-amzn-RequestId"])
    body = r.json()
    assert body["status"] == "ok"
    assert body["version"] == version()
    assert body["operations"]["total"] == 181


def test_version():
    proc = run_sesbox(["--version"])
    assert (proc.returncode, proc.stderr) == (0, "")
    assert re.fullmatch(r"sesbox \d+\.\d+\.\d+\n", proc.stdout), proc.stdout


def test_listening_line_reports_the_setup(server):
    info = server.info
    assert info["version"] == version()
    assert info["ephemeral"] == "1"
    assert info["strict_auth"] == "0"
    assert info["region"] == "us-east-1"
    assert int(info["threads"]) >= 1
    assert server.host == "127.0.0.1" and 0 < server.port < 65536


# -- shutdown ----------------------------------------------------------------

@pytest.mark.parametrize("sig, name", [(signal.SIGTERM, "TERM"),
                                       (signal.SIGINT, "INT")])
def test_clean_shutdown(start_server, sig, name):
    srv = start_server()
    data_dir = srv.data_dir
    assert data_dir and os.path.isdir(data_dir)
    srv.health()
    assert srv.stop(sig) == 0, srv.log()
    lines = srv.log_fields()
    msgs = [f.get("msg") for f in lines if "msg" in f]
    assert msgs[-2:] == ["stopping", "stopped"], srv.log()
    stopping = next(f for f in lines if f.get("msg") == "stopping")
    assert stopping["signal"] == name
    # --ephemeral removes its store on exit.
    assert not os.path.exists(data_dir), data_dir


def test_shutdown_with_an_idle_keep_alive_connection(start_server):
    srv = start_server()
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    conn.request("GET", "/_sesbox/health")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 200
    try:
        # The connection stays open and idle; shutdown must not wait for it.
        assert srv.stop(signal.SIGTERM) == 0, srv.log()
    finally:
        conn.close()


def test_shutdown_with_a_half_sent_request(start_server):
    srv = start_server()
    with socket.create_connection((srv.host, srv.port), timeout=10) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                  b"\r\nAction=Get")
        srv.health()  # the stalled client blocks nobody
        assert srv.stop(signal.SIGTERM) == 0, srv.log()


# -- access log --------------------------------------------------------------

def _check_access_line(line, request_id, method, path, op, status,
                       account=DEFAULT_ACCOUNT, region="us-east-1",
                       error=None):
    assert TS.match(line["ts"]), line
    assert line["level"] == "info", line
    assert line["req"] == request_id
    assert (line["method"], line["path"], line["op"], line["status"]) == (
        method, path, op, str(status)), line
    assert (line["account"], line["region"]) == (account, region), line
    assert float(line["ms"]) >= 0
    assert line.get("error") == error, line


def test_access_log_v1_request_id(server, ses):
    resp = ses().get_send_quota()
    rid = resp["ResponseMetadata"]["RequestId"]  # from <RequestId> in XML
    assert UUID.match(rid)
    assert rid == resp["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
    _check_access_line(server.access_line(rid), rid, "POST", "/",
                       "GetSendQuota", 200)


def test_access_log_v2_request_id(server, sesv2):
    resp = sesv2().get_account()
    rid = resp["ResponseMetadata"]["RequestId"]
    assert UUID.match(rid)
    _check_access_line(server.access_line(rid), rid, "GET",
                       "/v2/email/account", "GetAccount", 200)


@pytest.mark.parametrize("method, path, body, op, status, error", [
    ("POST", "/", "Action=Foo", "-", 400, "InvalidAction"),
    ("POST", "/", "Action=DescribeActiveReceiptRuleSet",
     "DescribeActiveReceiptRuleSet", 501, "NotImplemented"),
    ("POST", "/", "Action=SendEmail", "SendEmail", 400, "ValidationError"),
    ("GET", "/v2/email/deliverability-dashboard", None,
     "GetDeliverabilityDashboardOptions", 501, "NotImplemented"),
    ("PUT", "/v2/email/account/sending", "{", "PutAccountSendingAttributes",
     400, "BadRequestException"),
    ("GET", "/v2/email/nothing", None, "-", 404,
     "UnknownOperationException"),
], ids=["v1-invalid-action", "v1-not-implemented", "v1-validation",
        "v2-not-implemented", "v2-bad-json", "v2-unknown-route"])
def test_access_log_errors(server, method, path, body, op, status, error):
    headers = FORM if path == "/" else {"Content-Type": "application/json"}
    r = server.request(method, path, data=body, headers=headers)
    assert r.status_code == status
    rid = r.headers["x-amzn-RequestId"]
    if path == "/":
        assert "<RequestId>%s</RequestId>" % rid in r.text
    else:
        assert r.headers["x-amzn-ErrorType"] == error
    _check_access_line(server.access_line(rid), rid, method, path, op,
                       status, error=error)


def test_one_access_line_per_request_with_unique_ids(server, ses, sesv2):
    start = server.log_len()
    ids = []
    for _ in range(5):
        ids.append(ses().get_send_quota()["ResponseMetadata"]["RequestId"])
        ids.append(sesv2().get_account()["ResponseMetadata"]["RequestId"])
        r = server.post("/", data="Action=Nope", headers=FORM)
        ids.append(r.headers["x-amzn-RequestId"])
    assert len(set(ids)) == len(ids)
    server.access_line(ids[-1])
    logged = [f["req"] for f in server.log_fields()[start:]
              if "status" in f and f["path"] != "/_sesbox/health"]
    assert logged == ids


def test_log_lines_are_logfmt(server, ses):
    ses().get_send_quota()
    for line, fields in zip(server.log().splitlines(), server.log_fields()):
        assert TS.match(fields.get("ts", "")), line
        assert fields.get("level") in ("debug", "info", "warn", "error")


# -- configuration at start --------------------------------------------------

BAD_PORT = "port must be 1-65535 (got 70000)"


def _assert_start_fails(proc, first_line):
    assert proc.returncode == 2, proc
    assert proc.stdout == ""
    assert proc.stderr == first_line + "\n", proc.stderr


def test_bad_config_file(tmp_path):
    conf = tmp_path / "sesbox.conf"
    conf.write_text("# sesbox\nregion = us-west-2\nlisten = 127.0.0.1:70000\n")
    proc = run_sesbox(["--config", str(conf)], cwd=tmp_path)
    _assert_start_fails(proc, "sesbox: %s:3: listen: %s" % (conf, BAD_PORT))
    assert sorted(os.listdir(tmp_path)) == ["sesbox.conf"]  # no store made


def test_bad_config_file_from_env(tmp_path):
    conf = tmp_path / "sesbox.conf"
    conf.write_text("frobnicate = 1\n")
    proc = run_sesbox([], env={"SESBOX_CONFIG": str(conf)}, cwd=tmp_path)
    _assert_start_fails(proc, "sesbox: %s:1: frobnicate: unknown key" % conf)


def test_bad_env_var(tmp_path):
    proc = run_sesbox([], env={"SESBOX_LISTEN": "127.0.0.1:70000"},
                      cwd=tmp_path)
    _assert_start_fails(proc, "sesbox: SESBOX_LISTEN: listen: " + BAD_PORT)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("args, line", [
    (["--listen", "127.0.0.1:70000"], "sesbox: --listen: listen: " +
     BAD_PORT),
    (["--listen=127.0.0.1:70000"], "sesbox: --listen: listen: " + BAD_PORT),
    (["--region", "nowhere"], "sesbox: --region: region: expected an AWS "
     "region such as us-east-1 (got 'nowhere')"),
    (["--bogus"], "sesbox: --bogus: unknown option (see --help)"),
    (["--listen"], "sesbox: --listen: listen: missing value"),
], ids=["listen", "listen-equals", "region", "unknown-option",
        "missing-value"])
def test_bad_cli_flag(tmp_path, args, line):
    proc = run_sesbox(args, cwd=tmp_path)
    _assert_start_fails(proc, line)
    assert os.listdir(tmp_path) == []


def test_cli_error_wins_over_good_file_and_env(tmp_path):
    conf = tmp_path / "sesbox.conf"
    conf.write_text("listen = 127.0.0.1:0\nephemeral = true\n")
    proc = run_sesbox(["--config", str(conf), "--http-threads", "999"],
                      env={"SESBOX_REGION": "eu-west-1"}, cwd=tmp_path)
    _assert_start_fails(proc, "sesbox: --http-threads: http-threads: "
                        "expected an integer 0-256 (got '999')")


def _keys_of(path):
    return [line.split("=", 1)[0] for line in path.read_text().splitlines()
            if "=" in line]


def test_help_lists_every_key():
    proc = run_sesbox(["--help"])
    assert proc.returncode == 0 and proc.stderr == ""
    keys = _keys_of(ROOT / "fixtures" / "cfg" / "good-every-key" / "expected")
    assert "max-send-rate" in keys and len(keys) == 11
    for key in keys + ["config", "help", "version"]:
        assert re.search(r"^\s+(-h, )?--%s\b" % re.escape(key), proc.stdout,
                         re.M), key
        if key not in ("help", "version"):
            env = "SESBOX_" + key.upper().replace("-", "_")
            assert "env: %s" % env in proc.stdout, env
    for flag in ("--ephemeral", "--strict-auth"):
        assert "--no-" + flag[2:] in proc.stdout


def test_config_file_env_and_cli_precedence(tmp_path, start_server, ses):
    conf = tmp_path / "sesbox.conf"
    conf.write_text('region = eu-west-1\nmax-send-rate = 2\n'
                    'max-24h-send = 100\ndefault-account = 123456789012\n')
    srv = start_server("--config", str(conf))
    assert srv.info["region"] == "eu-west-1"
    resp = ses(srv=srv).get_send_quota()
    assert (resp["Max24HourSend"], resp["MaxSendRate"]) == (100.0, 2.0)
    # Unsigned requests land in the configured default account and region.
    r = srv.post("/", data="Action=GetSendQuota", headers=FORM)
    line = srv.access_line(r.headers["x-amzn-RequestId"])
    assert (line["account"], line["region"]) == ("123456789012", "eu-west-1")

    srv = start_server("--config", str(conf),
                       env={"SESBOX_MAX_SEND_RATE": "3"})
    assert ses(srv=srv).get_send_quota()["MaxSendRate"] == 3.0
    srv = start_server("--config", str(conf), "--max-send-rate", "4",
                       env={"SESBOX_MAX_SEND_RATE": "3"})
    assert ses(srv=srv).get_send_quota()["MaxSendRate"] == 4.0


def test_listen_from_env(start_server):
    srv = start_server(listen=None, env={"SESBOX_LISTEN": "127.0.0.1:0"})
    assert srv.host == "127.0.0.1"
    srv.health()


def test_http_threads(start_server):
    srv = start_server("--http-threads", "1")
    assert srv.info["threads"] == "1"
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: srv.get("/v2/email/account")
                              .status_code, range(32)))
    assert codes == [200] * 32


def test_port_in_use_fails_fast(server):
    proc = run_sesbox(["--ephemeral", "--listen", server.addr])
    assert proc.returncode not in (0, None), proc
    assert server.addr in proc.stderr or str(server.port) in proc.stderr
    server.health()


# -- persistence -------------------------------------------------------------

def test_data_dir_persists_across_restart(tmp_path, start_server, ses, sesv2):
    data = tmp_path / "store"
    srv = start_server("--data", str(data), ephemeral=False)
    assert srv.info["ephemeral"] == "0"
    assert os.path.realpath(srv.data_dir) == os.path.realpath(data)
    ses(srv=srv).update_account_sending_enabled(Enabled=False)
    sesv2(srv=srv, region="eu-west-1").put_account_details(
        MailType="MARKETING", WebsiteURL="https://example.com")
    assert srv.stop() == 0
    assert data.is_dir()

    srv = start_server("--data", str(data), ephemeral=False)
    assert ses(srv=srv).get_account_sending_enabled()["Enabled"] is False
    assert sesv2(srv=srv, region="eu-west-1").get_account()["Details"] == {
        "MailType": "MARKETING", "WebsiteURL": "https://example.com"}
    assert "Details" not in sesv2(srv=srv).get_account()
    # reset persists too
    srv.reset()
    assert srv.stop() == 0
    srv = start_server("--data", str(data), ephemeral=False)
    assert ses(srv=srv).get_account_sending_enabled()["Enabled"] is True


def send_under_load(srv, stop_server, senders=8, before=24,
                    body_bytes=4 << 20):
    """Sends from `senders` threads; once `before` sends are acknowledged,
    calls stop_server() while the others are still in flight. Returns the
    MessageIds acknowledged (200 with a MessageId) before it failed. Bodies
    are large so that each commit takes long enough for an answer given
    before its commit to be caught."""
    import threading
    acked, lock, enough = [], threading.Lock(), threading.Event()
    down = threading.Event()

    def sender(n):
        with requests.Session() as http:
            i = 0
            while not down.is_set():
                i += 1
                try:
                    r = http.post(srv.url + "/", headers=FORM, timeout=10,
                                  data="Action=SendEmail&Source=s%40"
                                  "example.com&Destination.ToAddresses."
                                  "member.1=r{}-{}%40example.net&Message."
                                  "Subject.Data=s&Message.Body.Text.Data="
                                  .format(n, i) + "b" * body_bytes)
                except requests.RequestException:
                    return
                if r.status_code != 200:
                    return
                mid = re.search(r"<MessageId>(.*)</MessageId>", r.text)
                with lock:
                    acked.append(mid.group(1))
                    if len(acked) >= before:
                        enough.set()

    srv.post("/", headers=FORM, data="Action=VerifyEmailIdentity&"
             "EmailAddress=s%40example.com")
    threads = [threading.Thread(target=sender, args=(n,))
               for n in range(senders)]
    for t in threads:
        t.start()
    assert enough.wait(60)
    stop_server()
    down.set()
    for t in threads:
        t.join(30)
    with lock:
        return list(acked)


def missing_ids(srv, ids):
    with requests.Session() as http:
        return [mid for mid in ids if http.get(
            srv.url + "/_sesbox/api/v1/messages/" + mid,
            timeout=10).status_code != 200]


@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_no_acknowledged_send_is_lost(tmp_path, start_server, how):
    # Concurrent sends share commits (group commit); whatever was
    # acknowledged before the process died or stopped is on disk.
    data = tmp_path / "store"
    srv = start_server("--data", str(data), "--max-send-rate", "1e9",
                       ephemeral=False)
    if how == "SIGKILL":
        acked = send_under_load(srv, srv.kill)
    else:
        acked = send_under_load(
            srv, lambda: srv.stop(signal.SIGTERM) == 0 or pytest.fail(
                "SIGTERM under load: exit status %s" % srv.returncode))
    assert len(acked) >= 24
    srv = start_server("--data", str(data), ephemeral=False)
    assert missing_ids(srv, acked) == []


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_text("not a directory"), None),
    (lambda p: (p.mkdir(), (p / "sesbox.db").write_bytes(
        b"\x00garbage" * 512)), "sesbox: data: file is not a database"),
], ids=["file", "corrupt-store"])
def test_unusable_data_dir_fails_at_start(tmp_path, make, message):
    data = tmp_path / "store"
    make(data)
    proc = run_sesbox(["--listen", "127.0.0.1:0", "--data", str(data)])
    assert proc.returncode == 1, proc
    assert proc.stderr.startswith("sesbox: data: "), proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    if message:
        assert proc.stderr == message + "\n"


def test_ephemeral_ignores_data_dir(tmp_path, start_server, ses):
    data = tmp_path / "store"
    srv = start_server("--data", str(data))
    ses(srv=srv).update_account_sending_enabled(Enabled=False)
    tmp_dir = srv.data_dir
    assert os.path.isdir(tmp_dir)
    assert srv.stop() == 0
    assert not os.path.exists(tmp_dir)
    srv = start_server("--data", str(data))
    assert ses(srv=srv).get_account_sending_enabled()["Enabled"] is True


def test_two_ephemeral_servers_are_independent(start_server, ses):
    one, two = start_server(), start_server()
    assert one.data_dir != two.data_dir
    ses(srv=one).update_account_sending_enabled(Enabled=False)
    assert ses(srv=two).get_account_sending_enabled()["Enabled"] is True


def test_unsigned_requests_use_default_account(start_server):
    srv = start_server("--default-account", "999999999999", "--region",
                       "ap-northeast-1")
    r = requests.post(srv.url + "/", data="Action=GetSendQuota",
                      headers=FORM, timeout=10)
    assert r.status_code == 200
    line = srv.access_line(r.headers["x-amzn-RequestId"])
    assert (line["account"], line["region"]) == ("999999999999",
                                                 "ap-northeast-1")


# -- log format under hostile input ------------------------------------------

# logfmt as the log module documents it: key=value pairs separated by one
# space, values bare (no space, '"', '=', '\' or control characters) or
# double-quoted with \" \\ \n escapes.
_STRICT_PAIR = (r'[a-z_]+=(?:[^\s"=\\\x00-\x1f\x7f]+'
                r'|"(?:[^"\\\x00-\x1f]|\\["\\n])*")')
STRICT_LOGFMT = re.compile(r"^%s(?: %s)*$" % (_STRICT_PAIR, _STRICT_PAIR))


def test_every_log_line_is_strict_logfmt(start_server):
    srv = start_server("--credentials", "AKIDLOG:secret:444444444444")
    raw_paths = [b'/v2/x"y\\z', b"/v2/a=b", b"/v2/%0Aevil", b"/v2/\xc3\xa9"]
    for path in raw_paths:
        with socket.create_connection((srv.host, srv.port), timeout=5) as s:
            s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n"
                      b"Connection: close\r\n\r\n")
            while s.recv(65536):
                pass
    for region in ['us-east-1"x=y', "a=b", "eu-west-1"]:
        headers = sign(srv.url + "/", body=V1_BODY, headers=FORM,
                       key="AKIDLOG", secret="secret", region=region)
        r = requests.post(srv.url + "/", data=V1_BODY,
                          headers=headers, timeout=10)
        srv.access_line(r.headers["x-amzn-RequestId"])
    srv.post("/", data="Action=Foo%0Alevel%3Derror", headers=FORM)
    bad = [line for line in srv.log().splitlines()
           if not STRICT_LOGFMT.match(line)]
    assert not bad, "\n".join(bad)


# -- concurrency -------------------------------------------------------------

def test_concurrent_requests_get_unique_ids_and_one_line_each(start_server):
    srv = start_server("--http-threads", "4")

    def work(i):
        if i % 3 == 0:
            r = requests.post(srv.url + "/", data="Action=GetSendQuota",
                              headers=FORM, timeout=10)
        elif i % 3 == 1:
            r = requests.put(srv.url + "/v2/email/account/sending",
                             json={"SendingEnabled": i % 2 == 0},
                             timeout=10)
        else:
            r = requests.post(srv.url + "/", data="Action=Nope",
                              headers=FORM, timeout=10)
        return r.status_code, r.headers["x-amzn-RequestId"]

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(work, range(300)))
    assert {s for s, _ in results} == {200, 400}
    ids = [rid for _, rid in results]
    assert len(set(ids)) == len(ids)
    for rid in ids:
        srv.access_line(rid)
    logged = [f["req"] for f in srv.log_fields()
              if "status" in f and f["path"] != "/_sesbox/health"]
    assert sorted(logged) == sorted(ids)
    assert srv.alive()
