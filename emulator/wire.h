/*
 * wire — scalar conversions both API codecs share: timestamps, doubles in
 * SES's (Java's) notation, percent-decoding, UTF-8 checks.
 *
 * Pure functions on caller buffers; nothing here knows shapes or HTTP.
 */
#ifndef WIRE_H
#define WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_TIMESTAMP_MAX_BYTES 32
#define WIRE_DOUBLE_MAX_BYTES 40

/*
 * Parses an ISO-8601 date-time ("2024-01-31T15:31:00Z", with optional
 * fraction and "+hh:mm" offset, or a bare date) or epoch seconds ("1706715060",
 * "1706715060.5") into ms since the epoch. Returns 0, or -1 when s is neither.
 */
int wire_timestamp_parse(const char *s, int64_t *ms);
/* Formats ms as "2024-01-31T15:31:00.123Z" (".000" kept). */
void wire_timestamp_iso(int64_t ms, char out[WIRE_TIMESTAMP_MAX_BYTES]);
/* ms as an RFC 5322 date in UTC: "Fri, 05 Aug 2023 22:00:03 +0000". */
#define WIRE_DATE_MAX_BYTES 40
void wire_date_rfc5322(int64_t ms, char out[WIRE_DATE_MAX_BYTES]);
/*
 * Formats d the way Java's Double.toString does, which is how SES prints
 * doubles in Query responses: "200.0", "0.5", "1.0E7".
 */
void wire_double_java(double d, char out[WIRE_DOUBLE_MAX_BYTES]);
/*
 * Percent-decodes s[0..n) in place ('+' becomes ' ' when plus_space).
 * Returns the new length, or -1 on a malformed escape.
 */
long wire_percent_decode(char *s, size_t n, int plus_space);
/* Value of hex digit c (either case), or -1. */
int wire_hex_value(int c);
/* Non-zero when s[0..n) is well-formed UTF-8 without NUL bytes. */
int wire_utf8_valid(const char *s, size_t n);

/*
 * Splits "HOST:PORT" at its last ':' into new strings, an IPv6 host's
 * brackets dropped. Returns 0, or -1 (nothing set) without a ':'.
 */
int wire_hostport_split(const char *spec, char **host, char **port);

struct addrinfo;
/*
 * The passive stream addresses of a listen address "HOST:PORT" as cfg
 * checked it (an IPv6 host in brackets) into *ai (freeaddrinfo it).
 * Returns 0, or getaddrinfo's error code (gai_strerror names it).
 */
int wire_listen_resolve(const char *spec, struct addrinfo **ai);
/* Non-zero when s has AWS region syntax, e.g. us-east-1, us-gov-west-1
 * (^[a-z]{2}(-[a-z]+)+-[0-9]+$). */
int wire_region_valid(const char *s);
/* Current wall-clock time in ms since the epoch. */
int64_t wire_now_ms(void);

#endif

#ifndef WIRE_HEADER_DEFINED
#define WIRE_HEADER_DEFINED
/* One HTTP header as the codecs see it (both strings borrowed). */
struct wire_header {
	const char *name;
	const char *value;
};
#endif
