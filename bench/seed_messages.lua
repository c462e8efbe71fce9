-- Seeds captured messages for bench/capture.sh: v1 SendEmail, each thread
-- stopping after BENCH_SEED_PER_THREAD answers. Recipients cycle through
-- 1,000 addresses; one message in 1,000 goes to needle@example.org (the
-- rare match), subjects are numbered, tags cycle through 10 campaigns.
local per_thread = tonumber(os.getenv("BENCH_SEED_PER_THREAD") or "5000")
local sent, answered = 0, 0
local auth = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261122/us-east-1/ses/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8",
  ["X-Amz-Date"] = "20261122T000000Z",
  ["Authorization"] = auth,
}

function request()
  sent = sent + 1
  local n = math.random(1, 1000000000)
  local rcpt = (n % 1000 == 0) and "needle%40example.org" or
    ("rcpt" .. (n % 1000) .. "%40example.net")
  local body = "Action=SendEmail&Version=2010-12-01&Source=bench%40example.com" ..
    "&Destination.ToAddresses.member.1=" .. rcpt ..
    "&Message.Subject.Data=Seed%20message%20" .. n ..
    "&Message.Body.Text.Data=Hello%20from%20wrk%20" .. n ..
    "&Tags.member.1.Name=campaign&Tags.member.1.Value=c" .. (n % 10)
  return wrk.format("POST", "/", headers, body)
end

function response(status, headers, body)
  answered = answered + 1
  if answered >= per_thread then
    wrk.thread:stop()
  end
end
