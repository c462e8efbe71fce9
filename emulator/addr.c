/*
 * addr — email address and domain syntax as SES checks it (see addr.h).
 */
#include "addr.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* RFC 822 specials a bare local part may not hold unquoted. */
#define ADDR_SPECIALS "()<>,;:\\\"[]@"

static int
addr_fail(char why[ADDR_WHY_MAX_BYTES], const char *text)
{
	snprintf(why, ADDR_WHY_MAX_BYTES, "%s", text);
	return -1;
}

static int
addr_ctl_or_space(unsigned char c)
{
	return c <= ' ' || c == 0x7f;
}

/* The dot rules both halves share, JavaMail's wording with part named. */
static int
addr_dots(const char *s, size_t n, const char *part,
    char why[ADDR_WHY_MAX_BYTES])
{
	size_t i;

	if (n > 0 && s[0] == '.') {
		snprintf(why, ADDR_WHY_MAX_BYTES, "%s starts with dot", part);
		return -1;
	}
	for (i = 0; i + 1 < n; i++) {
		if (s[i] == '.' && s[i + 1] == '.') {
			snprintf(why, ADDR_WHY_MAX_BYTES, "%s contains dot-dot",
			    part);
			return -1;
		}
	}
	if (n > 0 && s[n - 1] == '.') {
		snprintf(why, ADDR_WHY_MAX_BYTES, "%s ends with dot", part);
		return -1;
	}
	return 0;
}

static int
addr_domain_chars(const char *d, char why[ADDR_WHY_MAX_BYTES])
{
	const unsigned char *p;

	for (p = (const unsigned char *)d; *p; p++) {
		if (addr_ctl_or_space(*p))
			return addr_fail(why, "Domain contains control or "
			    "whitespace");
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return addr_fail(why, "Domain contains illegal "
			    "character");
	}
	return addr_dots(d, strlen(d), "Domain", why);
}

int
addr_check(const char *address, char why[ADDR_WHY_MAX_BYTES])
{
	const char *at = strrchr(address, '@');
	const unsigned char *p;
	size_t local_len;

	if (*address == '\0')
		return addr_fail(why, "Empty address");
	if (at == NULL)
		return addr_fail(why, "Missing final '@domain'");
	if (at == address)
		return addr_fail(why, "Missing local name");
	if (at[1] == '\0')
		return addr_fail(why, "Missing domain");
	local_len = (size_t)(at - address);
	for (p = (const unsigned char *)address; p < (const unsigned char *)at;
	    p++) {
		if (addr_ctl_or_space(*p))
			return addr_fail(why, "Local address contains control "
			    "or whitespace");
		if (strchr(ADDR_SPECIALS, *p) != NULL)
			return addr_fail(why, "Local address contains illegal "
			    "character");
	}
	if (addr_dots(address, local_len, "Local address", why) != 0)
		return -1;
	return addr_domain_chars(at + 1, why);
}

int
addr_domain_check(const char *domain, char why[ADDR_WHY_MAX_BYTES])
{
	const char *label, *dot;
	size_t n = strlen(domain);

	if (n == 0)
		return addr_fail(why, "Missing domain");
	if (addr_domain_chars(domain, why) != 0)
		return -1;
	if (n > ADDR_DOMAIN_MAX_BYTES)
		return addr_fail(why, "Domain is longer than 253 characters");
	if (strchr(domain, '.') == NULL)
		return addr_fail(why, "Domain has a single label");
	for (label = domain; label != NULL; label = dot ? dot + 1 : NULL) {
		dot = strchr(label, '.');
		if ((size_t)(dot ? dot - label : (long)strlen(label)) >
		    ADDR_LABEL_MAX_BYTES)
			return addr_fail(why, "Domain label is longer than 63 "
			    "characters");
	}
	return 0;
}

const char *
addr_domain(const char *address)
{
	const char *at = strrchr(address, '@');

	return at != NULL ? at + 1 : NULL;
}

int
addr_is_subdomain(const char *name, const char *domain, int allow_equal)
{
	size_t n = strlen(name), d = strlen(domain);

	if (n == d)
		return allow_equal && strcasecmp(name, domain) == 0;
	return n > d + 1 && name[n - d - 1] == '.' &&
	    strcasecmp(name + n - d, domain) == 0;
}
