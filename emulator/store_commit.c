/*
 * store_commit — group commit of writes, and checkpoints off the request
 * path (see store.h for the callers' side).
 *
 * Every write runs on one shared connection (store_writer), one request at
 * a time under store_write_lock, each inside its own SAVEPOINT so a failing
 * request rolls back alone. The enclosing transaction (the batch) stays
 * open while requests join it; N requests then cost one COMMIT and one
 * write of each page they share, not N.
 *
 * A caller that can wait without blocking its thread (the HTTP layer, which
 * parks the connection) leaves a callback and goes on serving others; the
 * committer thread commits the batch as soon as it gets the lock and tells
 * every callback, so the batch holds whatever joined while the previous
 * COMMIT ran. A caller that cannot wait commits the batch itself.
 *
 * Checkpoints: SQLite's automatic checkpoint would run inside the COMMIT
 * that crosses the threshold, holding everyone up for the copy and the
 * fsync. Instead the writer's WAL hook wakes the checkpointer thread, which
 * copies pages back on its own connection (PASSIVE: writers go on). Under
 * steady load new commits keep landing while it copies, so the WAL would
 * never start over; once it is STORE_WAL_RESTART_PAGES long the checkpointer
 * takes the write lock for a moment and copies the short tail, after which
 * the next commit rewinds the WAL to its start.
 */
#include "store.h"
#include "store_int.h"

#include <pthread.h>
#include <stdlib.h>

#include "log.h"
#include "xmem.h"

/* Cap on one batch: past it a request commits the batch itself. */
#define STORE_BATCH_MAX 256
/* WAL pages that wake the checkpointer (SQLite's own default). */
#define STORE_CHECKPOINT_PAGES 1000
/* WAL pages after which the checkpointer makes it start over. */
#define STORE_WAL_RESTART_PAGES 8192

struct store_waiter {
	store_commit_fn fn;
	void *arg;
};

/* Under store_write_lock. */
static pthread_mutex_t store_write_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t store_batch_joined = PTHREAD_COND_INITIALIZER;
static struct store *store_writer;
static int store_batch_open;		/* BEGIN issued, COMMIT not yet */
static int store_batch_size;		/* requests in the open batch */
static struct store_waiter *store_waiters;	/* told at its COMMIT */
static size_t store_nwaiters, store_waiters_cap;
static int store_committer_idle;	/* waiting on store_batch_joined */
static int store_stopping;

/* Under store_ckpt_lock. */
static pthread_mutex_t store_ckpt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t store_ckpt_wanted_cond = PTHREAD_COND_INITIALIZER;
static int store_ckpt_wanted;
static int store_ckpt_stopping;
/* WAL pages when the last checkpoint ended: the next is wanted only once
 * STORE_CHECKPOINT_PAGES more have been written (or the WAL started over),
 * not after every commit while the copied frames stay in the WAL. */
static int store_ckpt_last;

static pthread_t store_committer, store_checkpointer;
static int store_threads_started;
static void (*store_committed_hook)(void);

void
store_on_commit(void (*fn)(void))
{
	store_committed_hook = fn;
}

/* The writer's WAL hook: runs after each commit, lock held. */
static int
store_wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	(void)arg;
	(void)db;
	(void)name;
	if (pages >= STORE_CHECKPOINT_PAGES) {
		pthread_mutex_lock(&store_ckpt_lock);
		if (!store_ckpt_wanted && (pages < store_ckpt_last ||
		    pages - store_ckpt_last >= STORE_CHECKPOINT_PAGES)) {
			store_ckpt_wanted = 1;
			pthread_cond_signal(&store_ckpt_wanted_cond);
		}
		pthread_mutex_unlock(&store_ckpt_lock);
	}
	return SQLITE_OK;
}

/*
 * Commits the open batch, if any (store_write_lock held), and hands its
 * waiters to the caller to tell with store_batch_tell (which needs no lock).
 * Returns the COMMIT's rc: 0 or -1, or 1 when no batch was open.
 */
static int
store_batch_commit(struct store_waiter **w, size_t *nw)
{
	static const char commit[] = "COMMIT";
	int rc = 0;

	*w = NULL;
	*nw = 0;
	if (!store_batch_open)
		return 1;
	if ((rc = store_simple(store_writer, commit)) != 0)
		sqlite3_exec(store_db(store_writer), "ROLLBACK", NULL, NULL,
		    NULL);
	store_batch_open = 0;
	store_batch_size = 0;
	*w = store_waiters;
	*nw = store_nwaiters;
	store_waiters = NULL;
	store_nwaiters = store_waiters_cap = 0;
	return rc;
}

static void
store_batch_tell(struct store_waiter *w, size_t nw, int rc)
{
	void (*hook)(void) = store_committed_hook;
	size_t i;

	for (i = 0; i < nw; i++)
		w[i].fn(w[i].arg, rc);
	free(w);
	if (rc == 0 && hook != NULL)
		hook();
}

/* A COMMIT's outcome for callers: none (1) is success. */
static int
store_batch_rc(int rc)
{
	return rc > 0 ? 0 : rc;
}

/* Commits the open batch, releases the lock, tells the waiters. Returns
 * 0, or -1 when the COMMIT failed. */
static int
store_batch_finish(void)
{
	struct store_waiter *w;
	size_t nw;
	int rc = store_batch_commit(&w, &nw);

	pthread_mutex_unlock(&store_write_lock);
	store_batch_tell(w, nw, rc);
	return store_batch_rc(rc);
}

/* Releases the lock after a request that leaves nothing to wait for: a
 * batch with waiters is the committer's; one without is closed now. */
static void
store_write_unlock(void)
{
	if (store_nwaiters > 0 || !store_batch_open) {
		pthread_mutex_unlock(&store_write_lock);
		return;
	}
	(void)store_batch_finish();
}

static void *
store_committer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&store_write_lock);
	for (;;) {
		if (store_nwaiters == 0) {
			if (store_stopping)
				break;
			store_committer_idle = 1;
			pthread_cond_wait(&store_batch_joined,
			    &store_write_lock);
			store_committer_idle = 0;
			continue;
		}
		(void)store_batch_finish();
		pthread_mutex_lock(&store_write_lock);
	}
	pthread_mutex_unlock(&store_write_lock);
	return NULL;
}

static void *
store_checkpointer_main(void *arg)
{
	struct store *c = NULL;
	int log_pages, copied;

	(void)arg;
	pthread_mutex_lock(&store_ckpt_lock);
	for (;;) {
		while (!store_ckpt_wanted && !store_ckpt_stopping)
			pthread_cond_wait(&store_ckpt_wanted_cond,
			    &store_ckpt_lock);
		if (store_ckpt_stopping)
			break;
		store_ckpt_wanted = 0;
		pthread_mutex_unlock(&store_ckpt_lock);
		if (c == NULL)
			c = store_open();
		log_pages = 0;
		if (c != NULL && sqlite3_wal_checkpoint_v2(store_db(c), NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied) ==
		    SQLITE_OK && log_pages >= STORE_WAL_RESTART_PAGES) {
			/* The tail, with no batch open and none landing
			 * meanwhile: the next BEGIN then sees it all copied. */
			struct store_waiter *w;
			size_t nw;
			int rc;

			pthread_mutex_lock(&store_write_lock);
			rc = store_batch_commit(&w, &nw);
			store_batch_tell(w, nw, rc);
			if (sqlite3_wal_checkpoint_v2(store_db(c), NULL,
			    SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied) !=
			    SQLITE_OK)
				log_warn("msg=\"checkpoint failed\" err=\"%s\"",
				    sqlite3_errmsg(store_db(c)));
			pthread_mutex_unlock(&store_write_lock);
			log_pages = 0;	/* the next commit starts it over */
		}
		pthread_mutex_lock(&store_ckpt_lock);
		store_ckpt_last = log_pages;
	}
	pthread_mutex_unlock(&store_ckpt_lock);
	store_close(c);
	return NULL;
}

void
store_commit_start(void)
{
	store_stopping = store_ckpt_stopping = 0;
	if (pthread_create(&store_committer, NULL, store_committer_main,
	    NULL) != 0 || pthread_create(&store_checkpointer, NULL,
	    store_checkpointer_main, NULL) != 0)
		abort();
	store_threads_started = 1;
}

void
store_commit_stop(void)
{
	if (store_threads_started) {
		pthread_mutex_lock(&store_write_lock);
		store_stopping = 1;
		pthread_cond_signal(&store_batch_joined);
		pthread_mutex_unlock(&store_write_lock);
		pthread_join(store_committer, NULL);
		pthread_mutex_lock(&store_ckpt_lock);
		store_ckpt_stopping = 1;
		pthread_cond_signal(&store_ckpt_wanted_cond);
		pthread_mutex_unlock(&store_ckpt_lock);
		pthread_join(store_checkpointer, NULL);
		store_threads_started = 0;
	}
	pthread_mutex_lock(&store_write_lock);
	if (store_batch_open)
		(void)store_batch_finish();
	else
		pthread_mutex_unlock(&store_write_lock);
	store_close(store_writer);
	store_writer = NULL;
}

struct store *
store_write_begin(void)
{
	static const char begin[] = "BEGIN IMMEDIATE";
	static const char savepoint[] = "SAVEPOINT request";

	pthread_mutex_lock(&store_write_lock);
	if (store_writer == NULL) {
		if ((store_writer = store_open()) == NULL)
			goto fail;
		/* Replaces SQLite's automatic checkpoint (see above). */
		sqlite3_wal_hook(store_db(store_writer), store_wal_hook, NULL);
	}
	if (!store_batch_open) {
		if (store_simple(store_writer, begin) != 0)
			goto fail;
		store_batch_open = 1;
		store_batch_size = 0;
	}
	if (store_simple(store_writer, savepoint) != 0)
		goto fail;
	store_batch_size++;
	return store_writer;
fail:
	store_write_unlock();
	return NULL;
}

int
store_write_end_async(struct store *s, int ok, store_commit_fn fn, void *arg)
{
	static const char release[] = "RELEASE request";
	static const char undo[] = "ROLLBACK TO request";
	int rc;

	if (!ok && store_simple(s, undo) != 0)
		ok = -1;
	if (store_simple(s, release) != 0)
		ok = -1;
	if (ok > 0 && fn != NULL && store_batch_size < STORE_BATCH_MAX) {
		if (store_nwaiters == store_waiters_cap) {
			store_waiters_cap = store_waiters_cap ?
			    2 * store_waiters_cap : 64;
			store_waiters = xrealloc(store_waiters,
			    store_waiters_cap * sizeof(*store_waiters));
		}
		store_waiters[store_nwaiters].fn = fn;
		store_waiters[store_nwaiters++].arg = arg;
		if (store_committer_idle)
			pthread_cond_signal(&store_batch_joined);
		pthread_mutex_unlock(&store_write_lock);
		return 1;
	}
	if (ok == 0) {
		/* Nothing of this request to keep or wait for. */
		store_write_unlock();
		return 0;
	}
	/* Kept by a caller that cannot wait, a full batch, or a broken
	 * savepoint (whose batch is ended now): commit here. */
	rc = store_batch_finish();
	return ok < 0 ? -1 : rc;
}

int
store_write_end(struct store *s, int ok)
{
	return store_write_end_async(s, ok, NULL, NULL);
}

void
store_write_flush(void)
{
	pthread_mutex_lock(&store_write_lock);
	(void)store_batch_finish();
}
