-- v1 Query: SendEmail, text body, one recipient, signed like an SDK.
wrk.method = "POST"
wrk.body = "Action=SendEmail&Version=2010-12-01&Source=bench%40example.com" ..
    "&Destination.ToAddresses.member.1=rcpt%40example.net" ..
    "&Message.Subject.Data=Benchmark&Message.Body.Text.Data=Hello%20from%20wrk"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
wrk.headers["X-Amz-Date"] = "20261122T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261122/us-east-1/ses/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
