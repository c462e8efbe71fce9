/*
 * sim — the mailbox simulator: the receiving side of every recipient while
 * sesbox delivers nothing for real. Answers, for one recipient, what a
 * receiving server would have done, as a dlv_result:
 *
 * - SES's built-in addresses (success, bounce, ooto, complaint and
 *   suppressionlist @simulator.amazonses.com, any +label, any case) behave
 *   as SES documents;
 * - then the user's rules, first match wins: an address pattern (glob,
 *   any case) and an outcome — deliver, bounce (any type, subtype, status
 *   and diagnostic), soft-bounce (DeliveryDelay until it delivers after N
 *   failures, or until expiry), complaint (any feedback type, after a
 *   delay), auto-reply, reject. The format is docs/simulator.md;
 * - every other address is delivered.
 *
 * Deterministic: the same row gives the same answer. It writes nothing:
 * dlv decides what the answer means.
 */
#ifndef SIM_H
#define SIM_H

#include <jansson.h>
#include <stddef.h>

#include "dlv.h"
#include "store_queue.h"

#define SIM_ERROR_MAX_BYTES 512

/* A loaded set of rules (immutable; shared by reference). */
struct sim_rules;

/*
 * Loads path as the active rules; path is remembered for sim_rules_reload.
 * Returns 0, or -1 with err set ("PATH:LINE:COLUMN: reason" for JSON,
 * "PATH: rules[N].field: reason" for a bad rule) and the active rules left
 * as they were.
 */
int sim_rules_load(const char *path, char *err, size_t errlen);
/* Loads the remembered path again (no path: -1, err set). */
int sim_rules_reload(char *err, size_t errlen);
/* Replaces the active rules with doc ({"rules": [...]}, borrowed); what is
 * wrong is named "rules[N].field: reason". Returns 0 or -1 with err. */
int sim_rules_set(const json_t *doc, char *err, size_t errlen);
/* The active rules as {"rules": [...], "file": PATH|null} (new). */
json_t *sim_rules_get(void);
/* The active set, held until sim_rules_drop (never NULL). */
struct sim_rules *sim_rules_hold(void);
void sim_rules_drop(struct sim_rules *r);
/* Frees the active set and the remembered path (process end). */
void sim_rules_fini(void);

/*
 * Sets out's remote_mta_ip, delivery_mta and reporting_mta to the MTAs SES
 * names in region's simulator notifications (strings static or this
 * thread's, valid until its next call).
 */
void sim_mtas(const char *region, struct dlv_result *out);

/*
 * Checks value of a rule's string field key against the values SES knows
 * for it (bounceType, bounceSubType, feedbackType, delayType; any other
 * key takes any value). Returns 0 with *canon the static copy of value
 * (value itself for a free-form key), or -1 with err "KEY: must be one of
 * A, B, ..." (the message a bad rule gets, without its position).
 */
int sim_value_check(const char *key, const char *value, const char **canon,
    char *err, size_t errlen);

/*
 * The simulated answer for row under rules (strings in *out borrowed from
 * rules or static: valid while rules is held).
 */
void sim_deliver(const struct sim_rules *rules,
    const struct store_queue_row *row, struct dlv_result *out);

#endif
