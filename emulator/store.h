/*
 * store — all persistent state, in SQLite.
 *
 * One database file in WAL mode under the data directory; one connection per
 * thread for reads, opened on first use, with its prepared statements
 * cached, and one shared writer connection with group commit; schema
 * migrations embedded from emulator/schema/ and tracked in PRAGMA
 * user_version. SQL text lives only in store*.c. Callers run each request
 * in one transaction (store_begin .. store_commit for reads,
 * store_write_begin .. store_write_end for writes) and acknowledge it only
 * after the commit. This module knows nothing of HTTP or AWS wire formats.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_ERROR_MAX_BYTES 256
#define STORE_FILE_NAME "sesbox.db"
#define STORE_BUSY_TIMEOUT_MS 5000

struct store;

/*
 * Opens (creating when missing) the database in dir and applies pending
 * migrations. With ephemeral, dir is ignored: a fresh temporary directory is
 * made and store_shutdown removes it. Returns 0, or -1 with err set.
 */
int store_init(const char *dir, int ephemeral, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* Closes this thread's connection (if any) and removes ephemeral files. */
void store_shutdown(void);
/* Directory holding the database (borrowed, valid until store_shutdown). */
const char *store_dir(void);
/* Schema version the database is at. */
int store_schema_version(void);

/* This thread's connection (borrowed; closed when the thread exits), or NULL
 * when it cannot be opened (logged). */
struct store *store_get(void);
/* Closes this thread's connection now (threads about to exit). */
void store_release(void);

/* A read transaction on this thread's connection. */
int store_begin(struct store *s) __attribute__((warn_unused_result));
int store_commit(struct store *s) __attribute__((warn_unused_result));
void store_rollback(struct store *s);

/*
 * Writes go through group commit (store_commit.c): store_write_begin gives
 * the shared writer connection (borrowed; this thread alone uses it until
 * store_write_end) with a savepoint open for this request, or NULL when
 * the store is unavailable. store_write_end keeps (ok) or undoes (!ok) the
 * request's changes and returns once they are committed: 0, or -1 when the
 * batch's COMMIT failed (nothing of the request is kept then).
 */
struct store *store_write_begin(void) __attribute__((warn_unused_result));
int store_write_end(struct store *s, int ok)
    __attribute__((warn_unused_result));

/* Told the outcome of a commit: 0, or -1 when it failed. */
typedef void (*store_commit_fn)(void *arg, int rc);

/*
 * store_write_end for a caller that can wait without blocking its thread.
 * Returns 0 or -1 as store_write_end does, or 1 when a kept change waits
 * for its batch: fn(arg, rc) is then called exactly once, from whichever
 * thread commits the batch (perhaps before this returns to the caller).
 */
int store_write_end_async(struct store *s, int ok, store_commit_fn fn,
    void *arg) __attribute__((warn_unused_result));

/* Commits the open batch now, if any (its waiters are told before this
 * returns). */
void store_write_flush(void);
/* Has fn called (from the committing thread, no lock held by the store
 * except in a checkpoint's tail) after every successful commit of
 * writes; NULL for none. Set before writes begin. */
void store_on_commit(void (*fn)(void));

/*
 * Deletes every row of every table (all accounts, all regions), then runs
 * the hook set by store_on_reset in the same transaction (what start-up
 * made from configuration is made again). Returns 0, or -1 when a delete
 * or the hook failed.
 */
int store_reset(struct store *s) __attribute__((warn_unused_result));
/*
 * store_reset for one scope: deletes the rows of account (NULL: every
 * account) in region (NULL: every region) of every table keyed by account
 * and region, with what hangs off them, then runs the store_on_reset hook.
 * Returns 0, or -1 when a delete or the hook failed.
 */
int store_reset_scope(struct store *s, const char *account,
    const char *region) __attribute__((warn_unused_result));
/* How many resets have begun (a reset counts before it commits, so a
 * reader that sees the count change may still see the old rows). For
 * readers that keep positions in the tables (the live feed). */
unsigned store_reset_count(void);
/* Has fn(s) called by store_reset after the deletes (0 or -1); NULL for
 * none. Set before requests are served. */
void store_on_reset(int (*fn)(struct store *s));

/* ---- accounts ---- */

struct store_account {
	int sending_enabled;
	int production_access;
	char *details;		/* new JSON text, or NULL */
};

/*
 * Reads the account row. Returns 0 when found, 1 when the account has no row
 * yet (out holds the defaults: sending and production access on), -1 on a
 * database error. Release with store_account_fini.
 */
int store_account_get(struct store *s, const char *account,
    const char *region, struct store_account *out);
void store_account_fini(struct store_account *a);
/* Creates or replaces the account row. Returns 0 or -1. */
int store_account_put(struct store *s, const char *account,
    const char *region, const struct store_account *a, int64_t now_ms);

/* Recipients counted against the daily quota since since_ms. */
int store_quota_used(struct store *s, const char *account, const char *region,
    int64_t since_ms, int64_t *out);

#endif
