/*
 * tclock — the test clock (see tclock.h).
 */
#include "tclock.h"

#include <stdatomic.h>

#include "wire.h"

/* Frozen: the time itself; running: an offset added to the wall clock. */
static atomic_int_least64_t tclock_value;
static atomic_int tclock_is_frozen;

int64_t
tclock_now_ms(void)
{
	if (atomic_load(&tclock_is_frozen))
		return atomic_load(&tclock_value);
	return wire_now_ms() + atomic_load(&tclock_value);
}

void
tclock_set_ms(int64_t ms)
{
	atomic_store(&tclock_value, ms);
	atomic_store(&tclock_is_frozen, 1);
}

void
tclock_advance_ms(int64_t ms)
{
	atomic_fetch_add(&tclock_value, ms);
}

void
tclock_real(void)
{
	atomic_store(&tclock_is_frozen, 0);
	atomic_store(&tclock_value, 0);
}

int
tclock_frozen(void)
{
	return atomic_load(&tclock_is_frozen);
}
