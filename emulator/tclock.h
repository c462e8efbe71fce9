/*
 * tclock — the test clock: the time every delay, expiry and quota in
 * sesbox reads. Real time by default; tests may freeze it, set it or move
 * it forward (/_sesbox/api/v1/clock) so expiries fire without sleeping.
 * Thread-safe; SigV4 date checks use the wall clock instead.
 */
#ifndef TCLOCK_H
#define TCLOCK_H

#include <stdint.h>

/* Now, in ms since the epoch, by the test clock. */
int64_t tclock_now_ms(void);
/* Freezes the clock at ms. */
void tclock_set_ms(int64_t ms);
/* Moves the clock forward by ms (frozen stays frozen, real gets an
 * offset). */
void tclock_advance_ms(int64_t ms);
/* Back to the wall clock, no offset. */
void tclock_real(void);
/* Non-zero while frozen. */
int tclock_frozen(void);

#endif
