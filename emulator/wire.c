/*
 * wire — scalar conversions both API codecs share (see wire.h).
 */
#include "wire.h"

#include <ctype.h>
#include <netdb.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmem.h"

static int
wire_digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

int
wire_timestamp_parse(const char *s, int64_t *ms)
{
	struct tm tm;
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, scale = 1000, oh, om;
	int64_t t, off = 0;
	char *end;
	double secs;

	if (*s == '\0')
		return -1;
	if (strchr(s, '-') == NULL || (s[0] != '-' && strchr(s + 1, '-') ==
	    NULL)) {
		secs = strtod(s, &end);
		if (*end != '\0' || !isfinite(secs))
			return -1;
		*ms = (int64_t)llround(secs * 1000.0);
		return 0;
	}
	if (wire_digits(&p, 4, &y) || *p++ != '-' || wire_digits(&p, 2, &mo) ||
	    *p++ != '-' || wire_digits(&p, 2, &d))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (wire_digits(&p, 2, &h) || *p++ != ':' ||
		    wire_digits(&p, 2, &mi))
			return -1;
		if (*p == ':') {
			p++;
			if (wire_digits(&p, 2, &sec))
				return -1;
		}
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			for (; isdigit((unsigned char)*p); p++) {
				if (scale > 1) {
					scale /= 10;
					frac += (*p - '0') * scale;
				}
			}
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1;

			if (wire_digits(&p, 2, &oh))
				return -1;
			if (*p == ':')
				p++;
			if (wire_digits(&p, 2, &om))
				return -1;
			off = sign * ((int64_t)oh * 3600 + om * 60);
		}
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = (int64_t)timegm(&tm);
	*ms = (t - off) * 1000 + frac;
	return 0;
}

void
wire_timestamp_iso(int64_t ms, char out[WIRE_TIMESTAMP_MAX_BYTES])
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int frac = (int)(ms - (int64_t)t * 1000);
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(out, WIRE_TIMESTAMP_MAX_BYTES, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, WIRE_TIMESTAMP_MAX_BYTES - n, ".%03dZ", frac);
}

void
wire_double_java(double d, char out[WIRE_DOUBLE_MAX_BYTES])
{
	char digits[24], *e;
	int prec, exp10;
	double a = fabs(d);

	if (isnan(d)) {
		snprintf(out, WIRE_DOUBLE_MAX_BYTES, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(out, WIRE_DOUBLE_MAX_BYTES, "%sInfinity",
		    d < 0 ? "-" : "");
		return;
	}
	if (a == 0.0 || (a >= 1e-3 && a < 1e7)) {
		/* Fewest decimals (at least one) that read back the same. */
		for (prec = 1; prec < 17; prec++) {
			snprintf(out, WIRE_DOUBLE_MAX_BYTES, "%.*f", prec, d);
			if (strtod(out, NULL) == d)
				break;
		}
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(digits, sizeof(digits), "%.*e", prec - 1, d);
		if (strtod(digits, NULL) == d)
			break;
	}
	/* Java: computerized scientific notation, "1.0E7", "1.5E-5". */
	e = strchr(digits, 'e');
	exp10 = atoi(e + 1);
	*e = '\0';
	if (strchr(digits, '.') == NULL)
		snprintf(out, WIRE_DOUBLE_MAX_BYTES, "%s.0E%d", digits, exp10);
	else
		snprintf(out, WIRE_DOUBLE_MAX_BYTES, "%sE%d", digits, exp10);
}

int
wire_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
wire_percent_decode(char *s, size_t n, int plus_space)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				return -1;
			if ((hi = wire_hex_value((unsigned char)s[i + 1])) < 0 ||
			    (lo = wire_hex_value((unsigned char)s[i + 2])) < 0)
				return -1;
			s[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else if (s[i] == '+' && plus_space) {
			s[o++] = ' ';
		} else {
			s[o++] = s[i];
		}
	}
	return (long)o;
}

int
wire_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, len;
	uint32_t cp;

	while (i < n) {
		if (p[i] == 0)
			return 0;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = p[i] & 0x1f;
		} else if ((p[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = p[i] & 0x0f;
		} else if ((p[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = p[i] & 0x07;
		} else {
			return 0;
		}
		if (i + len > n)
			return 0;
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

int64_t
wire_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define WIRE_LOWER(c) ((c) >= 'a' && (c) <= 'z')
#define WIRE_DIGIT(c) ((c) >= '0' && (c) <= '9')

int
wire_region_valid(const char *s)
{
	const char *p = s;
	int words = 0;

	if (!WIRE_LOWER(p[0]) || !WIRE_LOWER(p[1]))
		return 0;
	p += 2;
	for (;;) {
		if (*p++ != '-')
			return 0;
		if (WIRE_DIGIT(*p)) {
			while (WIRE_DIGIT(*p))
				p++;
			return *p == '\0' && words > 0;
		}
		if (!WIRE_LOWER(*p))
			return 0;
		while (WIRE_LOWER(*p))
			p++;
		words++;
	}
}

void
wire_date_rfc5322(int64_t ms, char out[WIRE_DATE_MAX_BYTES])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, WIRE_DATE_MAX_BYTES, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

int
wire_hostport_split(const char *spec, char **host, char **port)
{
	const char *colon = strrchr(spec, ':');
	size_t hl;

	if (colon == NULL)
		return -1;
	hl = (size_t)(colon - spec);
	if (hl >= 2 && spec[0] == '[' && spec[hl - 1] == ']')
		*host = xasprintf("%.*s", (int)(hl - 2), spec + 1);
	else
		*host = xasprintf("%.*s", (int)hl, spec);
	*port = xstrdup(colon + 1);
	return 0;
}

int
wire_listen_resolve(const char *spec, struct addrinfo **ai)
{
	struct addrinfo hints;
	char *host, *port;
	int rc;

	*ai = NULL;
	if (wire_hostport_split(spec, &host, &port) != 0)
		return EAI_NONAME;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, ai);
	free(host);
	free(port);
	return rc;
}
