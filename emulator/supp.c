/*
 * supp — the account-level suppression list's core (see supp.h).
 */
#include "supp.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "send.h"
#include "store_cs.h"
#include "xmem.h"

char *
supp_address_canonical(const char *address)
{
	const char *end = address + strlen(address);
	char *out, *at, *p;

	/* AWS: SES trims the address (floci-io/floci, probed). */
	while (*address != '\0' && isspace((unsigned char)*address))
		address++;
	while (end > address && isspace((unsigned char)end[-1]))
		end--;
	out = xmalloc((size_t)(end - address) + 1);
	memcpy(out, address, (size_t)(end - address));
	out[end - address] = '\0';
	if ((at = strrchr(out, '@')) != NULL)
		for (p = at + 1; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	return out;
}

int
supp_reason_bit(const char *reason)
{
	if (reason == NULL)
		return 0;
	if (strcmp(reason, "BOUNCE") == 0)
		return SUPP_BOUNCE;
	if (strcmp(reason, "COMPLAINT") == 0)
		return SUPP_COMPLAINT;
	return 0;
}

const char *
supp_reason_name(int bit)
{
	return bit == SUPP_BOUNCE ? "BOUNCE" : bit == SUPP_COMPLAINT ?
	    "COMPLAINT" : NULL;
}

int
supp_reasons_bits(const json_t *list)
{
	const json_t *v;
	size_t i;
	int bits = 0;

	json_array_foreach(list, i, v)
		bits |= supp_reason_bit(json_string_value(v));
	return bits;
}

json_t *
supp_reasons_json(int bits)
{
	json_t *list = json_array();

	if (bits & SUPP_BOUNCE)
		json_array_append_new(list, json_string("BOUNCE"));
	if (bits & SUPP_COMPLAINT)
		json_array_append_new(list, json_string("COMPLAINT"));
	return list;
}

int
supp_effective_reasons(struct store *s, const char *account,
    const char *region, const char *cs, int *bits)
{
	struct store_cs c;
	json_t *opts;
	int rc;

	if (cs != NULL && *cs != '\0') {
		if ((rc = store_cs_get(s, account, region, cs, &c)) < 0)
			return -1;
		if (rc == 0 && c.suppression != NULL) {
			/* AWS: a set's SuppressionOptions replace the
			 * account's reasons for its sends, an empty list
			 * turning the list off (BC-V2 SuppressionOptions;
			 * DG:sending-email-suppression-list). */
			opts = json_loads(c.suppression, 0, NULL);
			*bits = supp_reasons_bits(json_object_get(opts,
			    "SuppressedReasons"));
			json_decref(opts);
			store_cs_fini(&c);
			return 0;
		}
		store_cs_fini(&c);
	}
	return store_supp_reasons_get(s, account, region, bits, NULL) < 0 ?
	    -1 : 0;
}

int
supp_check(struct store *s, const char *account, const char *region,
    const char *cs, const char *address, const char **reason)
{
	struct store_supp d;
	char *canon = supp_address_canonical(address);
	int rc, bit, bits;

	rc = store_supp_get(s, account, region, canon, &d);
	free(canon);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	bit = supp_reason_bit(d.reason);
	store_supp_fini(&d);
	if (supp_effective_reasons(s, account, region, cs, &bits) != 0)
		return -1;
	/* AWS: an address listed for a reason the account (or the set) no
	 * longer suppresses is sent to (DG:sending-email-suppression-list,
	 * "if they don't match, then SES will send it"). */
	if ((bits & bit) == 0)
		return 0;
	if (reason != NULL)
		*reason = supp_reason_name(bit);
	return 1;
}

int
supp_record(struct store *s, const char *account, const char *region,
    const char *cs, const char *address, const char *reason,
    const char *message_id, const char *feedback_id, int64_t now_ms)
{
	struct store_supp d;
	int bit = supp_reason_bit(reason), bits, rc;

	if (bit == 0)
		return -1;
	/* AWS: mailbox-simulator bounces and complaints never add to a
	 * suppression list (SES-REFERENCE §4.1, §10). */
	if (send_is_simulator(address))
		return 0;
	if (supp_effective_reasons(s, account, region, cs, &bits) != 0)
		return -1;
	if ((bits & bit) == 0)
		return 0;
	d.address = supp_address_canonical(address);
	d.reason = xstrdup(supp_reason_name(bit));
	d.updated_ms = now_ms;
	d.message_id = message_id != NULL ? xstrdup(message_id) : NULL;
	d.feedback_id = feedback_id != NULL ? xstrdup(feedback_id) : NULL;
	rc = store_supp_put(s, account, region, &d);
	store_supp_fini(&d);
	return rc != 0 ? -1 : 1;
}

const char *
supp_diagnostic(void)
{
	/* AWS: a real OnAccountSuppressionList bounce (SES-REFERENCE §4.7). */
	return "Amazon SES did not send the message to this address because "
	    "it is on the suppression list for your account. For more "
	    "information about removing addresses from the suppression list, "
	    "see the Amazon SES Developer Guide at https://docs.aws.amazon.com/"
	    "ses/latest/DeveloperGuide/sending-email-suppression-list.html";
}
