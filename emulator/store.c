/*
 * store — all persistent state, in SQLite (see store.h).
 *
 * The statement cache is keyed by the address of the static SQL text, so
 * every store*.c file can keep its SQL as string constants next to the code
 * that binds it, and each is prepared once per connection.
 */
#include "store.h"
#include "store_int.h"

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "embed.h"
#include "log.h"
#include "xmem.h"

/* Distinct SQL texts a connection may prepare (about 80 so far); store_stmt
 * aborts when full, so keep ample room. */
#define STORE_STMT_CACHE_SIZE 256
#define STORE_SCHEMA_PREFIX "emulator/schema/"

struct store_stmt {
	const char *sql;	/* static text: the key */
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;
	struct store_stmt cache[STORE_STMT_CACHE_SIZE];
};

static char *store_path;	/* database file */
static char *store_directory;
static int store_ephemeral;
static int store_version;
static pthread_key_t store_key;
static pthread_once_t store_key_once = PTHREAD_ONCE_INIT;

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < STORE_STMT_CACHE_SIZE; i++)
		sqlite3_finalize(s->cache[i].stmt);
	sqlite3_close(s->db);
	free(s);
}

static void
store_thread_exit(void *p)
{
	store_close(p);
}

static void
store_key_create(void)
{
	if (pthread_key_create(&store_key, store_thread_exit) != 0)
		abort();
}

static int
store_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3 *
store_open_db(char *err, size_t errlen)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(store_path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", store_path,
		    db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
	/*
	 * WAL with synchronous=NORMAL: a commit survives the process being
	 * killed at any moment (kill -9); only an OS crash may lose the last
	 * commits, which a local emulator accepts for speed.
	 */
	if (store_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;", err,
	    errlen) != 0) {
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static int
store_cmp_path(const void *a, const void *b)
{
	return strcmp((*(const struct embed_file *const *)a)->path,
	    (*(const struct embed_file *const *)b)->path);
}

static int
store_migrate(sqlite3 *db, char *err, size_t errlen)
{
	const struct embed_file *f, *list[256] = { NULL };
	sqlite3_stmt *st;
	size_t n = 0, i;
	char pragma[64];

	for (f = embed_files; f->path != NULL && n < 256; f++)
		if (strncmp(f->path, STORE_SCHEMA_PREFIX,
		    strlen(STORE_SCHEMA_PREFIX)) == 0)
			list[n++] = f;
	qsort(list, n, sizeof(list[0]), store_cmp_path);
	/* user_version counts applied files, so file i must be number i+1:
	 * a gap or a duplicate would make a database skip a migration. */
	for (i = 0; i < n; i++) {
		const char *base = list[i]->path + strlen(STORE_SCHEMA_PREFIX);

		if (atoi(base) != (int)i + 1) {
			snprintf(err, errlen, "%s: migrations must be numbered "
			    "001, 002, ... without gaps (expected %03zu)",
			    list[i]->path, i + 1);
			return -1;
		}
	}
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errlen, "%s: %s", store_path, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	store_version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (store_version > (int)n) {
		snprintf(err, errlen, "%s: schema version %d is newer than "
		    "this sesbox knows (%zu)", store_path, store_version, n);
		return -1;
	}
	for (i = (size_t)store_version; i < n; i++) {
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%zu;",
		    i + 1);
		if (store_exec(db, "BEGIN IMMEDIATE;", err, errlen) != 0)
			return -1;
		if (store_exec(db, (const char *)list[i]->data, err,
		    errlen) != 0 ||
		    store_exec(db, pragma, err, errlen) != 0 ||
		    store_exec(db, "COMMIT;", err, errlen) != 0) {
			size_t k = strlen(err);

			snprintf(err + k, errlen - k, " (migration %s)",
			    list[i]->path);
			sqlite3_exec(db, "ROLLBACK;", NULL, NULL, NULL);
			return -1;
		}
		log_info("msg=\"schema migrated\" version=%zu file=%s", i + 1,
		    list[i]->path);
		store_version = (int)i + 1;
	}
	return 0;
}

static int
store_mkdirs(const char *dir, char *err, size_t errlen)
{
	char *p = xstrdup(dir), *s;
	int rc = 0;

	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST) {
				snprintf(err, errlen, "%s: cannot create "
				    "directory: %s", p, strerror(errno));
				rc = -1;
				break;
			}
			if ((*s = c) == '\0')
				break;
		}
	}
	free(p);
	return rc;
}

int
store_init(const char *dir, int ephemeral, char *err, size_t errlen)
{
	sqlite3 *db;
	const char *tmpdir = getenv("TMPDIR");
	int rc;

	pthread_once(&store_key_once, store_key_create);
	store_ephemeral = ephemeral;
	if (ephemeral) {
		char *t = xasprintf("%s/sesbox-XXXXXX", tmpdir && *tmpdir ?
		    tmpdir : "/tmp");

		if (mkdtemp(t) == NULL) {
			snprintf(err, errlen, "%s: cannot create temporary "
			    "directory: %s", t, strerror(errno));
			free(t);
			return -1;
		}
		store_directory = t;
	} else {
		if (store_mkdirs(dir, err, errlen) != 0)
			return -1;
		store_directory = xstrdup(dir);
	}
	store_path = xasprintf("%s/%s", store_directory, STORE_FILE_NAME);
	if ((db = store_open_db(err, errlen)) == NULL)
		return -1;
	rc = store_migrate(db, err, errlen);
	sqlite3_close(db);
	if (rc == 0)
		store_commit_start();
	return rc;
}

static int
store_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
store_shutdown(void)
{
	store_release();
	store_commit_stop();
	if (store_ephemeral && store_directory != NULL)
		nftw(store_directory, store_rm, 8, FTW_DEPTH | FTW_PHYS);
	free(store_path);
	free(store_directory);
	store_path = store_directory = NULL;
}

const char *
store_dir(void)
{
	return store_directory;
}

int
store_schema_version(void)
{
	return store_version;
}

struct store *
store_open(void)
{
	struct store *s = xcalloc(1, sizeof(*s));
	char err[STORE_ERROR_MAX_BYTES];

	if ((s->db = store_open_db(err, sizeof(err))) == NULL) {
		log_error("msg=\"cannot open database\" err=\"%s\"", err);
		free(s);
		return NULL;
	}
	return s;
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

struct store *
store_get(void)
{
	struct store *s = pthread_getspecific(store_key);

	if (s == NULL && (s = store_open()) != NULL)
		pthread_setspecific(store_key, s);
	return s;
}

void
store_release(void)
{
	struct store *s = pthread_getspecific(store_key);

	store_close(s);
	pthread_setspecific(store_key, NULL);
}

sqlite3_stmt *
store_stmt(struct store *s, const char *sql)
{
	size_t h = ((uintptr_t)sql >> 3) % STORE_STMT_CACHE_SIZE, i;
	struct store_stmt *c;

	for (i = 0; i < STORE_STMT_CACHE_SIZE; i++) {
		c = &s->cache[(h + i) % STORE_STMT_CACHE_SIZE];
		if (c->sql == sql) {
			sqlite3_reset(c->stmt);
			sqlite3_clear_bindings(c->stmt);
			return c->stmt;
		}
		if (c->sql == NULL)
			break;
	}
	if (i == STORE_STMT_CACHE_SIZE)
		abort();	/* more distinct statements than slots */
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &c->stmt, NULL) != SQLITE_OK) {
		log_error("msg=\"cannot prepare statement\" err=\"%s\"",
		    sqlite3_errmsg(s->db));
		c->stmt = NULL;
		return NULL;
	}
	c->sql = sql;
	return c->stmt;
}

int
store_simple(struct store *s, const char *sql)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_error("msg=\"statement failed\" sql=\"%s\" err=\"%s\"", sql,
		    sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int
store_begin(struct store *s)
{
	static const char begin_read[] = "BEGIN";

	return store_simple(s, begin_read);
}

int
store_commit(struct store *s)
{
	static const char sql[] = "COMMIT";

	return store_simple(s, sql);
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static int (*store_reset_hook)(struct store *);

void
store_on_reset(int (*fn)(struct store *))
{
	store_reset_hook = fn;
}

/* Resets begun (store_reset_count). */
static atomic_uint store_resets;

unsigned
store_reset_count(void)
{
	return atomic_load(&store_resets);
}

int
store_reset(struct store *s)
{
	static const char sql[] = "SELECT name FROM sqlite_master WHERE "
	    "type = 'table' AND name NOT LIKE 'sqlite_%'";
	sqlite3_stmt *st = store_stmt(s, sql);
	char del[256], err[STORE_ERROR_MAX_BYTES];
	char **names = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (st == NULL)
		return -1;
	atomic_fetch_add(&store_resets, 1);
	while (sqlite3_step(st) == SQLITE_ROW) {
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
	for (i = 0; i < n; i++) {
		snprintf(del, sizeof(del), "DELETE FROM \"%s\"", names[i]);
		if (rc == 0 && store_exec(s->db, del, err, sizeof(err)) != 0) {
			log_error("msg=\"reset failed\" err=\"%s\"", err);
			rc = -1;
		}
		free(names[i]);
	}
	free(names);
	if (rc == 0 && store_reset_hook != NULL && store_reset_hook(s) != 0)
		rc = -1;
	return rc;
}

/* Whether table has both columns account_id and region: 1, 0 or -1. */
static int
store_table_scoped(struct store *s, const char *table)
{
	static const char sql[] = "SELECT count(*) FROM pragma_table_info(?1) "
	    "WHERE name IN ('account_id', 'region')";
	sqlite3_stmt *st = store_stmt(s, sql);
	int n = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_reset(st);
	return n == 2;
}

int
store_reset_scope(struct store *s, const char *account, const char *region)
{
	static const char sql[] = "SELECT name FROM sqlite_master WHERE "
	    "type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
	sqlite3_stmt *st = store_stmt(s, sql), *del;
	char text[256];
	char **names = NULL;
	size_t n = 0, i;
	int rc = 0, scoped;

	if (st == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_reset(st);
	/*
	 * The tables keyed by scope; the others hang off them and go by
	 * cascade or trigger (recipient, tracked_link, capture, event and
	 * publication with their message, outbox_attempt with its outbox
	 * row) or are not per scope (publish_cursor).
	 */
	for (i = 0; i < n && rc == 0; i++) {
		if ((scoped = store_table_scoped(s, names[i])) < 0) {
			rc = -1;
			break;
		}
		if (!scoped)
			continue;
		snprintf(text, sizeof(text), "DELETE FROM \"%s\" WHERE (?1 IS "
		    "NULL OR account_id = ?1) AND (?2 IS NULL OR region = ?2)",
		    names[i]);
		if (sqlite3_prepare_v2(s->db, text, -1, &del, NULL) !=
		    SQLITE_OK) {
			log_error("msg=\"reset failed\" err=\"%s\"",
			    sqlite3_errmsg(s->db));
			rc = -1;
			break;
		}
		store_bind_text(del, 1, account);
		store_bind_text(del, 2, region);
		if (sqlite3_step(del) != SQLITE_DONE) {
			log_error("msg=\"reset failed\" err=\"%s\"",
			    sqlite3_errmsg(s->db));
			rc = -1;
		}
		sqlite3_finalize(del);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (rc == 0 && store_reset_hook != NULL && store_reset_hook(s) != 0)
		rc = -1;
	return rc;
}

/* ---- accounts ---- */

char *
store_text_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

void
store_bind_text(sqlite3_stmt *st, int col, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, col, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

int
store_step_done(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_error("msg=\"statement failed\" err=\"%s\"",
		    sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

void
store_bind_scope(sqlite3_stmt *st, const char *account, const char *region)
{
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, region, -1, SQLITE_STATIC);
}

int
store_exec_keyed(struct store *s, const char *sql, const char *account,
    const char *region, const char *key)
{
	sqlite3_stmt *st = store_stmt(s, sql);

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	store_bind_text(st, 3, key);
	if (store_step_done(s, st) != 0)
		return -1;
	return sqlite3_changes(s->db);
}

long
store_count_keyed(struct store *s, const char *sql, const char *account,
    const char *region, const char *key)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	long n = -1;

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	if (key != NULL)
		store_bind_text(st, 3, key);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = (long)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

int
store_changes(struct store *s)
{
	return sqlite3_changes(s->db);
}

int
store_int64(struct store *s, const char *sql, int64_t dflt, int64_t *v)
{
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	*v = dflt;
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_account_get(struct store *s, const char *account, const char *region,
    struct store_account *out)
{
	static const char sql[] = "SELECT sending_enabled, production_access, "
	    "details FROM account WHERE account_id = ?1 AND region = ?2";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	out->sending_enabled = 1;
	out->production_access = 1;
	out->details = NULL;
	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->sending_enabled = sqlite3_column_int(st, 0);
		out->production_access = sqlite3_column_int(st, 1);
		out->details = store_text_dup(st, 2);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 1 : -1;
	}
	sqlite3_reset(st);
	return rc;
}

void
store_account_fini(struct store_account *a)
{
	free(a->details);
	a->details = NULL;
}

int
store_account_put(struct store *s, const char *account, const char *region,
    const struct store_account *a, int64_t now_ms)
{
	static const char sql[] = "INSERT OR REPLACE INTO account (account_id, "
	    "region, sending_enabled, production_access, details, updated_ms) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_int(st, 3, a->sending_enabled != 0);
	sqlite3_bind_int(st, 4, a->production_access != 0);
	if (a->details != NULL)
		sqlite3_bind_text(st, 5, a->details, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now_ms);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_error("msg=\"account write failed\" err=\"%s\"",
		    sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int
store_quota_used(struct store *s, const char *account, const char *region,
    int64_t since_ms, int64_t *out)
{
	static const char sql[] = "SELECT coalesce(sum(recipients), 0) FROM "
	    "quota_usage WHERE account_id = ?1 AND region = ?2 AND "
	    "minute_ms > ?3";
	sqlite3_stmt *st = store_stmt(s, sql);
	int rc;

	if (st == NULL)
		return -1;
	store_bind_scope(st, account, region);
	sqlite3_bind_int64(st, 3, since_ms);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}
