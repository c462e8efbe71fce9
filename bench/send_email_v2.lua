-- v2 REST-JSON: SendEmail with Simple content, one recipient.
wrk.method = "POST"
wrk.path = "/v2/email/outbound-emails"
wrk.body = '{"FromEmailAddress":"bench@example.com","Destination":{"ToAddresses":["rcpt@example.net"]},"Content":{"Simple":{"Subject":{"Data":"Benchmark"},"Body":{"Text":{"Data":"Hello from wrk"}}}}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Amz-Date"] = "20261122T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261122/us-east-1/ses/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
