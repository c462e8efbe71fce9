/*
 * dns — the few DNS look-ups sesbox makes (TXT, CNAME, MX for the dns
 * verification mode; MX, A, AAAA for delivery), over UDP to the configured resolver (--dns-resolver) or the
 * system's, with a short timeout and no cache. It decides nothing about
 * verification; ident.c does.
 */
#ifndef DNS_H
#define DNS_H

#include <stddef.h>

#define DNS_TIMEOUT_S 1
#define DNS_ANSWERS_MAX 16
#define DNS_VALUE_MAX_BYTES 1024

enum dns_type {
	DNS_TXT,
	DNS_CNAME,
	DNS_MX,
	DNS_A,
	DNS_AAAA,
};

struct dns_answers {
	/* TXT: the strings of a record joined; CNAME: the target; MX: the
	 * exchange (its preference in pref[]); A, AAAA: the address as
	 * text. Lower case for names. */
	char v[DNS_ANSWERS_MAX][DNS_VALUE_MAX_BYTES];
	unsigned pref[DNS_ANSWERS_MAX];
	size_t n;
	int nxdomain;		/* n is 0 because the name does not exist */
};

/*
 * Asks resolver ("HOST:PORT", numeric IPv4 or IPv6 in brackets; NULL: the
 * system's) for name's records of type. Returns 0 with out filled (n may be
 * 0: no such records), or -1 when the server could not be asked.
 */
int dns_query(const char *resolver, const char *name, enum dns_type type,
    struct dns_answers *out);

#endif
