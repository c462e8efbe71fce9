/*
 * sigv4 — AWS Signature Version 4 verification for the SES endpoints, and
 * signing for the calls sesbox makes to other AWS endpoints.
 *
 * Finds the SigV4 data of a request (Authorization header or presigned
 * query string), parses it, rebuilds the canonical request the way the AWS
 * SDKs sign a non-S3 service (path normalised, then URI-encoded once more:
 * "double encoding"), and checks the signature and the request time. Every
 * failure comes back as the awserr real SES answers.
 *
 * This module does not know any credentials (the caller maps the access
 * key to a secret and answers InvalidClientTokenId for unknown keys) nor
 * send anything, and does not do SigV4A, S3 rules (single
 * encoding, no normalisation, chunked payloads) or session tokens (an
 * X-Amz-Security-Token is signed like any other header or query parameter
 * and otherwise ignored).
 */
#ifndef SIGV4_H
#define SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "awserr.h"

#define SIGV4_ACCESS_KEY_MAX_BYTES 128
#define SIGV4_SIGNED_HEADERS_MAX_BYTES 1024
/*
 * AWS: SES rejects a header-signed request dated more than 5 minutes off
 * its clock (github.com/aws/aws-sdk-php/issues/1669: "... - 5 min.)"),
 * tighter than the 15 minutes of the generic RequestExpired description.
 */
#define SIGV4_CLOCK_SKEW_MAX_MS (5 * 60 * 1000)
/*
 * Lifetime of a presigned request without X-Amz-Expires; AWS: STS gives
 * such requests 15 minutes (github.com/aws/aws-sdk-go/issues/2167).
 */
#define SIGV4_PRESIGN_EXPIRES_DEFAULT_S 900
/* AWS: a presigned request lives at most 7 days (SigV4 docs). */
#define SIGV4_PRESIGN_EXPIRES_MAX_S 604800

/* One request header; both strings borrowed. */
struct sigv4_header {
	const char *name;
	const char *value;
};

/* A received request; every pointer borrowed from the caller. */
struct sigv4_request {
	const char *method;		/* "POST", "GET" ... */
	const char *path;		/* raw (percent-encoded), no query */
	const char *query;		/* raw, without '?', or NULL */
	const struct sigv4_header *headers;	/* as received, any case */
	size_t nheaders;		/* a name may repeat */
	const unsigned char *body;	/* may be NULL when body_len is 0 */
	size_t body_len;
};

/* What sigv4_parse found; plain values, no pointers. */
struct sigv4_auth {
	char access_key[SIGV4_ACCESS_KEY_MAX_BYTES];
	char date[9];			/* YYYYMMDD of the credential scope */
	char region[64];		/* of the credential scope */
	char service[64];		/* of the credential scope */
	char amz_date[17];		/* YYYYMMDDTHHMMSSZ: X-Amz-Date/Date */
	int presigned;			/* 1: auth came from the query string */
	int64_t expires_s;		/* presigned: X-Amz-Expires, else
					   SIGV4_PRESIGN_EXPIRES_DEFAULT_S */
	char signed_headers[SIGV4_SIGNED_HEADERS_MAX_BYTES];
	char signature[65];		/* "" when not 64 characters long */
};

/*
 * Finds the SigV4 data of req in its Authorization header or, without
 * one, in its query string (X-Amz-Algorithm=AWS4-HMAC-SHA256&...), and
 * parses it into auth. Returns 0, or -1 with e set to the error SES
 * answers: MissingAuthenticationToken (403) when the request carries no
 * authentication at all, IncompleteSignature (400) when parts are missing
 * or malformed, SignatureDoesNotMatch (403) when the credential scope date
 * is not the request date. req is only read.
 */
int sigv4_parse(const struct sigv4_request *req, struct sigv4_auth *auth,
    struct awserr *e) __attribute__((warn_unused_result));

/*
 * Checks the time and the signature of req, parsed into auth by
 * sigv4_parse, against secret_key (borrowed), at now_ms (milliseconds
 * since the epoch). Returns 0 when both are good, or -1 with e set:
 * SignatureDoesNotMatch (403) for a wrong signature or a header-signed
 * request more than SIGV4_CLOCK_SKEW_MAX_MS off now_ms, RequestExpired
 * (400) for a presigned request past X-Amz-Date + X-Amz-Expires.
 */
int sigv4_verify(const struct sigv4_request *req,
    const struct sigv4_auth *auth, const char *secret_key, int64_t now_ms,
    struct awserr *e) __attribute__((warn_unused_result));

/*
 * The canonical request of req under auth, with the payload hash a
 * signer most likely used: the X-Amz-Content-SHA256 header when present,
 * else the hex SHA-256 of the body. Returns a new string.
 */
char *sigv4_canonical_request(const struct sigv4_request *req,
    const struct sigv4_auth *auth);

/*
 * Like sigv4_canonical_request with an explicit payload hash (borrowed;
 * e.g. "UNSIGNED-PAYLOAD"). Returns a new string.
 */
char *sigv4_canonical_request_payload(const struct sigv4_request *req,
    const struct sigv4_auth *auth, const char *payload_hash);

/*
 * The string to sign for canonical_request (borrowed) under auth's
 * algorithm, request date and credential scope. Returns a new string.
 */
char *sigv4_string_to_sign(const char *canonical_request,
    const struct sigv4_auth *auth);

/*
 * Writes the lowercase hex signature of string_to_sign (borrowed) with
 * the key derived from secret_key (borrowed) and auth's scope, plus a
 * NUL, to out.
 */
void sigv4_signature_hex(const char *secret_key,
    const struct sigv4_auth *auth, const char *string_to_sign, char out[65]);

/* 44 base64 characters and a NUL. */
#define SIGV4_SMTP_PASSWORD_BYTES 45
/*
 * The SES SMTP password of secret_key for region (the version 4 scheme:
 * base64 of 0x04 and an HMAC chain over "SendRawEmail"), plus a NUL, into
 * out.
 */
void sigv4_smtp_password(const char *secret_key, const char *region,
    char out[SIGV4_SMTP_PASSWORD_BYTES]);

/*
 * Checks that auth's credential scope names region (borrowed; NULL: any
 * name with AWS region syntax) and one of the nservices names in services
 * (borrowed; SES SDKs sign "ses", old clients "email"; nservices 0: any).
 * Returns 0, or -1 with e set to SignatureDoesNotMatch (403) as SES words
 * it.
 */
int sigv4_check_scope(const struct sigv4_auth *auth, const char *region,
    const char *const *services, size_t nservices, struct awserr *e)
    __attribute__((warn_unused_result));

/*
 * Signs an outgoing request the way botocore's SigV4Auth does: every header
 * of req is signed (it must hold Host and X-Amz-Date, the latter equal to
 * amz_date, "YYYYMMDDTHHMMSSZ"), the payload hash is the SHA-256 of the
 * body (or X-Amz-Content-SHA256 when given), the scope is
 * DATE/region/service/aws4_request. Returns the Authorization header
 * value (new). Every argument is borrowed; never log the secret.
 */
char *sigv4_sign(const struct sigv4_request *req, const char *access_key,
    const char *secret_key, const char *region, const char *service,
    const char *amz_date);
/* Writes ms (milliseconds since the epoch) as YYYYMMDDTHHMMSSZ, the
 * X-Amz-Date form. */
void sigv4_amz_date(int64_t ms, char out[17]);

/*
 * Sets e to the InvalidClientTokenId (403) SES answers for an access key
 * it does not know, so callers of sigv4_verify need not copy AWS text.
 */
void sigv4_error_unknown_key(struct awserr *e);

#endif
