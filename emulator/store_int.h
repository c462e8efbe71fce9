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

/* A connection and its statement cache. */
struct store;
/* Opens a connection to the database, set up (WAL, pragmas); NULL with err
 * set when it cannot. */
sqlite3 *store_open_db(char *err, size_t errlen);
/* Finalizes s's statements, closes its connection and frees it. */
void store_close(struct store *s);
/* Runs sql (static, no parameters, no rows) on s; 0 or -1 (logged). */
int store_simple(struct store *s, const char *sql);
/* A new connection with an empty statement cache, or NULL (logged). */
struct store *store_open(void);
/* s's SQLite handle (borrowed). */
sqlite3 *store_db(struct store *s);
/* Group commit and checkpoints (store_commit.c): started by store_init,
 * stopped by store_shutdown, which closes the writer connection. */
void store_commit_start(void);
void store_commit_stop(void);

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
/*
 * Runs sql (static, no parameters) answering one integer into *v, or dflt
 * when it answers NULL (min() of no rows). Returns 0 or -1.
 */
int store_int64(struct store *s, const char *sql, int64_t dflt, int64_t *v);

#endif
