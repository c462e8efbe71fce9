-- v1 Query: POST / Action=GetSendQuota, signed the way SDKs sign it (the
-- signature is not verified in the default mode, but it is parsed).
wrk.method = "POST"
wrk.body = "Action=GetSendQuota&Version=2010-12-01"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
wrk.headers["X-Amz-Date"] = "20261122T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261122/us-east-1/ses/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
