-- v2 REST-JSON: GET /v2/email/account, signed the way SDKs sign it.
wrk.method = "GET"
wrk.path = "/v2/email/account"
wrk.headers["X-Amz-Date"] = "20261122T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261122/us-east-1/ses/aws4_request, SignedHeaders=host;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
