/*
 * store_int — what the store*.c files share and nothing else may include:
 * this thread's statement cache and small column helpers. SQL text stays in
 * the store*.c file that uses it, as static strings (the cache key is the
 * string's address).
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <sqlite3.h>

#include "store.h"

/*
 * The cached statement for sql (a static string), reset and with its
 * bindings cleared; NULL when it does not prepare (logged).
 */
sqlite3_stmt *store_stmt(struct store *s, const char *sql);
/* Steps a statement that returns no rows and resets it; 0 or -1 (logged). */
int store_step_done(struct store *s, sqlite3_stmt *st);
/* New copy of a text column, or NULL when it is NULL. */
char *store_text_dup(sqlite3_stmt *st, int col);
/* Binds text, or NULL when v is NULL (SQLITE_STATIC: v must outlive the
 * step). */
void store_bind_text(sqlite3_stmt *st, int col, const char *v);
/* Binds ?1 = account and ?2 = region, the key every table starts with
 * (SQLITE_STATIC: both must outlive the step). */
void store_bind_scope(sqlite3_stmt *st, const char *account,
    const char *region);
/*
 * Runs sql (static; ?1 account, ?2 region, ?3 key) that changes rows.
 * Returns the rows changed, or -1.
 */
int store_exec_keyed(struct store *s, const char *sql, const char *account,
    const char *region, const char *key);
/* Runs sql (static; ?1 account, ?2 region[, ?3 key]) answering one count.
 * Returns it, or -1. */
long store_count_keyed(struct store *s, const char *sql, const char *account,
    const char *region, const char *key);
/* Rows changed by the last statement on s. */
int store_changes(struct store *s);

#endif
