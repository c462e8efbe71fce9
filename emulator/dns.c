/*
 * dns — the few DNS look-ups the dns verification mode makes (see dns.h).
 * Built on the C library's resolver (res_nquery / ns_parserr) with a
 * per-call state, so threads do not share settings.
 */
#include "dns.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

/* Points state at resolver "HOST:PORT" (IPv4 only: libresolv's nsaddr). */
static int
dns_set_server(res_state st, const char *resolver)
{
	char host[64];
	const char *colon = strrchr(resolver, ':');
	size_t n;

	if (colon == NULL || (n = (size_t)(colon - resolver)) >= sizeof(host))
		return -1;
	memcpy(host, resolver, n);
	host[n] = '\0';
	memset(&st->nsaddr_list[0], 0, sizeof(st->nsaddr_list[0]));
	st->nsaddr_list[0].sin_family = AF_INET;
	st->nsaddr_list[0].sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &st->nsaddr_list[0].sin_addr) != 1)
		return -1;
	st->nscount = 1;
	return 0;
}

static void
dns_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

int
dns_query(const char *resolver, const char *name, enum dns_type type,
    struct dns_answers *out)
{
	static const int types[] = { ns_t_txt, ns_t_cname, ns_t_mx,
	    ns_t_a, ns_t_aaaa };
	struct __res_state st;
	unsigned char answer[NS_PACKETSZ * 4];
	ns_msg msg;
	ns_rr rr;
	int len, i, count, rc = -1;

	out->n = 0;
	out->nxdomain = 0;
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0)
		return -1;
	st.retrans = DNS_TIMEOUT_S;
	st.retry = 1;
	st.options &= ~(unsigned long)(RES_DNSRCH | RES_DEFNAMES);
	if (resolver != NULL && dns_set_server(&st, resolver) != 0)
		goto out;
	len = res_nquery(&st, name, ns_c_in, types[type], answer,
	    sizeof(answer));
	if (len < 0) {
		/* NXDOMAIN and NODATA are answers: no records. */
		rc = (st.res_h_errno == HOST_NOT_FOUND ||
		    st.res_h_errno == NO_DATA) ? 0 : -1;
		out->nxdomain = st.res_h_errno == HOST_NOT_FOUND;
		goto out;
	}
	if (ns_initparse(answer, len, &msg) != 0)
		goto out;
	count = ns_msg_count(msg, ns_s_an);
	for (i = 0; i < count && out->n < DNS_ANSWERS_MAX; i++) {
		char *v = out->v[out->n];
		const unsigned char *rd;
		size_t o = 0, k;

		if (ns_parserr(&msg, ns_s_an, i, &rr) != 0)
			break;
		if ((int)ns_rr_type(rr) != types[type])
			continue;
		rd = ns_rr_rdata(rr);
		if (type == DNS_TXT) {
			/* Character-strings, joined as RFC 7208 says. */
			for (k = 0; k < ns_rr_rdlen(rr); ) {
				size_t sl = rd[k++];

				if (k + sl > ns_rr_rdlen(rr) ||
				    o + sl >= DNS_VALUE_MAX_BYTES)
					break;
				memcpy(v + o, rd + k, sl);
				o += sl;
				k += sl;
			}
			v[o] = '\0';
		} else if (type == DNS_A || type == DNS_AAAA) {
			if (ns_rr_rdlen(rr) != (type == DNS_A ? 4 : 16) ||
			    inet_ntop(type == DNS_A ? AF_INET : AF_INET6, rd, v,
			    DNS_VALUE_MAX_BYTES) == NULL)
				continue;
		} else if (ns_name_uncompress(ns_msg_base(msg), ns_msg_end(msg),
		    type == DNS_MX ? rd + 2 : rd, v, DNS_VALUE_MAX_BYTES) < 0) {
			continue;
		} else {
			dns_lower(v);
		}
		out->pref[out->n] = type == DNS_MX && ns_rr_rdlen(rr) >= 2 ?
		    (unsigned)(rd[0] << 8 | rd[1]) : 0;
		out->n++;
	}
	rc = 0;
out:
	res_nclose(&st);
	return rc;
}
