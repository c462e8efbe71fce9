/*
 * supp — the account-level suppression list's core: the canonical form of
 * a listed address, the reasons in force for a send (the configuration
 * set's SuppressionOptions override, else the account's SuppressedReasons),
 * whether a recipient is suppressed, and adding a recipient after a hard
 * bounce or a complaint. The delivery policy (dlv) and the v2 operations
 * (op_supp, op_account) share it. It renders nothing, decides no bounce or
 * event (dlv does) and knows no wire format; SQL is in store_supp.
 */
#ifndef SUPP_H
#define SUPP_H

#include <jansson.h>
#include <stdint.h>

#include "store.h"
#include "store_supp.h"

/* Reasons as bits (the same as the store's). */
#define SUPP_BOUNCE STORE_SUPP_BOUNCE
#define SUPP_COMPLAINT STORE_SUPP_COMPLAINT
#define SUPP_ALL STORE_SUPP_ALL

/*
 * The form an address is listed under (new string): surrounding white
 * space dropped, the domain lower-cased, the local part kept as given.
 * AWS: SES folds the domain's case only, Foo@Example.COM and
 * Foo@example.com being one entry and Foo@x and foo@x two (floci-io/floci,
 * probed against SES v2).
 */
char *supp_address_canonical(const char *address);

/* SUPP_BOUNCE for "BOUNCE", SUPP_COMPLAINT for "COMPLAINT", else 0. */
int supp_reason_bit(const char *reason);
/* The name of a single reason bit ("BOUNCE", "COMPLAINT"; static), or
 * NULL. */
const char *supp_reason_name(int bit);
/* Bits of a JSON array of reason names (unknown names and non-arrays
 * count for nothing). */
int supp_reasons_bits(const json_t *list);
/* A new JSON array of the reasons in bits, BOUNCE before COMPLAINT. */
json_t *supp_reasons_json(int bits);

/*
 * The reasons in force for a send from account/region through
 * configuration set cs (NULL: none): the set's SuppressionOptions.
 * SuppressedReasons when the set has SuppressionOptions (an absent list is
 * an empty one), else the account's SuppressedReasons (both by default).
 * A set that does not exist counts as none. Sets *bits; returns 0, or -1
 * on a store error.
 */
int supp_effective_reasons(struct store *s, const char *account,
    const char *region, const char *cs, int *bits)
    __attribute__((warn_unused_result));

/*
 * Whether a send from this account/region (through configuration set cs,
 * or NULL) to address must not be delivered because the account-level
 * list suppresses it: applies the configuration set's
 * SuppressionOptions.SuppressedReasons override when the set has
 * SuppressionOptions, else the account's SuppressedReasons — an address
 * listed with reason R is suppressed only while R is among the effective
 * reasons. Sets *reason ("BOUNCE"/"COMPLAINT", static) when suppressed.
 * Returns 1 suppressed, 0 not, -1 store error. Runs inside the caller's
 * transaction on s.
 */
int supp_check(struct store *s, const char *account, const char *region,
    const char *cs, const char *address, const char **reason);

/*
 * After a hard bounce or a complaint of address (reason "BOUNCE" or
 * "COMPLAINT"), adds or refreshes its entry with message_id and
 * feedback_id when that reason is among the effective reasons (same rules
 * as supp_check); simulator addresses (@simulator.amazonses.com) are never
 * added (AWS §10). Returns 1 added/refreshed, 0 not, -1 error.
 */
int supp_record(struct store *s, const char *account, const char *region,
    const char *cs, const char *address, const char *reason,
    const char *message_id, const char *feedback_id, int64_t now_ms);

/* AWS §4.7: the diagnostic text of a bounce for a suppressed address
 * (static). */
const char *supp_diagnostic(void);

#endif
