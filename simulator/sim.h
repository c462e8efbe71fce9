/*
 * sim — the mailbox simulator: the receiving side of every recipient while
 * sesbox delivers nothing for real. Answers, for one recipient, what a
 * receiving server would have done, as a dlv_result: SES's built-in
 * addresses (success, bounce, ooto, complaint and suppressionlist
 * @simulator.amazonses.com, any +label, any case) behave as SES documents;
 * every other address is delivered. It writes nothing: dlv decides what the
 * answer means.
 */
#ifndef SIM_H
#define SIM_H

#include "dlv.h"

/* Non-zero when address is one of SES's simulator addresses. */
int sim_is_builtin(const char *address);

/*
 * The simulated answer for address, sent from region (static strings in
 * *out, valid for the process).
 */
void sim_deliver(const char *address, const char *region,
    struct dlv_result *out);

#endif
