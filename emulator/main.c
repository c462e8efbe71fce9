/*
 * main — sesbox's entry point: reads the configuration, loads the models,
 * opens the store, serves HTTP until SIGINT or SIGTERM, then shuts down in
 * order. Also prints the generated docs (--help-markdown, --api-coverage).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "cfg.h"
#include "http.h"
#include "log.h"
#include "model.h"
#include "notify.h"
#include "op.h"
#include "outbox.h"
#include "pub.h"
#include "queue.h"
#include "route.h"
#include "sim.h"
#include "sns.h"
#include "smtp.h"
#include "store.h"
#include "tclock.h"
#include "version.h"
#include "xmem.h"

extern char **environ;

#define MAIN_ERROR_MAX_BYTES 512

/* After every commit: new mail to deliver, new events to publish, new
 * outbound requests (SNS deliveries, forwarded calls) to make, waiting
 * requests and live feeds to look again. */
static void
main_committed(void)
{
	queue_committed();
	pub_committed();
	outbox_committed();
	capture_committed();
	notify_committed();
}

static const struct cfg *main_cfg;

/* What configuration makes in the store: at start-up and after a reset,
 * in the caller's transaction. */
static int
main_config_state(struct store *s)
{
	return sns_config_subscribe(s, main_cfg, tclock_now_ms());
}

/* main_config_state in a transaction of its own. */
static int
main_config_apply(void)
{
	struct store *s = store_write_begin();

	if (s == NULL)
		return -1;
	return store_write_end(s, main_config_state(s) == 0);
}

static int
main_load_model(void)
{
	char err[MAIN_ERROR_MAX_BYTES];

	if (model_load(err, sizeof(err)) != 0 || op_init(err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "sesbox: embedded model: %s\n", err);
		return -1;
	}
	return 0;
}

/* Generated documentation: prints it and returns 1, or 0 when not asked. */
static int
main_docs(int argc, char **argv, int *status)
{
	if (argc == 2 && strcmp(argv[1], "--api-coverage") == 0) {
		*status = main_load_model() == 0 ? 0 : 1;
		if (*status == 0)
			op_coverage_markdown(stdout);
		model_free();
		op_fini();
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char err[CFG_ERROR_MAX_BYTES > MAIN_ERROR_MAX_BYTES ?
	    CFG_ERROR_MAX_BYTES : MAIN_ERROR_MAX_BYTES];
	char smtp_addr[SMTP_ADDR_MAX_BYTES], smtps_addr[SMTP_ADDR_MAX_BYTES];
	char feedback_addr[SMTP_ADDR_MAX_BYTES];
	struct cfg cfg;
	enum log_level level;
	sigset_t stop;
	long ncpu;
	unsigned threads;
	int sig, status = 1;

	xmem_jansson_init();
	if (main_docs(argc, argv, &status))
		return status;
	memset(&cfg, 0, sizeof(cfg));
	switch (cfg_load(&cfg, argc, argv, environ, err)) {
	case CFG_OK:
		break;
	case CFG_HELP:
		cfg_help(stdout, "sesbox");
		printf("\nGenerated documentation:\n"
		    "  --api-coverage   print docs/api-coverage.md\n");
		cfg_fini(&cfg);
		return 0;
	case CFG_HELP_MARKDOWN:
		cfg_markdown(stdout);
		cfg_fini(&cfg);
		return 0;
	case CFG_VERSION:
		printf("sesbox %s\n", SESBOX_VERSION);
		cfg_fini(&cfg);
		return 0;
	case CFG_ERROR:
		fprintf(stderr, "sesbox: %s\n", err);
		cfg_fini(&cfg);
		return 2;
	}
	if (log_level_parse(cfg.log_level, &level) == 0)
		log_set_level(level);

	/* Signals are taken by sigwait below; no thread handles them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (main_load_model() != 0)
		goto out_cfg;
	if (store_init(cfg.data, cfg.ephemeral, err, sizeof(err)) != 0) {
		fprintf(stderr, "sesbox: data: %s\n", err);
		goto out_model;
	}
	route_init(&cfg);
	if (cfg.simulator_rules != NULL && sim_rules_load(cfg.simulator_rules,
	    err, sizeof(err)) != 0) {
		fprintf(stderr, "sesbox: simulator-rules: %s\n", err);
		goto out_store;
	}
	store_on_commit(main_committed);
	main_cfg = &cfg;
	store_on_reset(main_config_state);
	if (main_config_apply() != 0) {
		fprintf(stderr, "sesbox: sns-subscriptions: cannot subscribe "
		    "(see the log)\n");
		goto out_store;
	}
	if (queue_start(&cfg) != 0 || pub_start() != 0) {
		fprintf(stderr, "sesbox: data: cannot start the delivery "
		    "queue\n");
		goto out_queue;
	}
	if (outbox_start() != 0) {
		fprintf(stderr, "sesbox: data: cannot start the outbound "
		    "sender\n");
		goto out_queue;
	}
	if (capture_start(&cfg) != 0) {
		fprintf(stderr, "sesbox: data: cannot start the retention "
		    "pruner\n");
		goto out_sns;
	}
	if (notify_start() != 0) {
		fprintf(stderr, "sesbox: cannot start the notifier\n");
		goto out_sns;
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	threads = cfg.http_threads > 0 ? (unsigned)cfg.http_threads :
	    (unsigned)(ncpu > 0 ? ncpu : 1);
	if (http_start(cfg.listen, threads, err, sizeof(err)) != 0) {
		fprintf(stderr, "sesbox: %s\n", err);
		goto out_notify;
	}
	if (smtp_start(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "sesbox: %s\n", err);
		goto out_http;
	}
	smtp_bound(SMTP_LISTENER_STARTTLS, smtp_addr);
	smtp_bound(SMTP_LISTENER_TLS, smtps_addr);
	smtp_bound(SMTP_LISTENER_FEEDBACK, feedback_addr);
	log_info("msg=listening version=%s addr=%.*s:%u threads=%u data=%s "
	    "ephemeral=%d strict_auth=%d region=%s smtp=%s smtps=%s "
	    "feedback=%s deliver=%s", SESBOX_VERSION,
	    (int)(strrchr(cfg.listen, ':') - cfg.listen), cfg.listen,
	    (unsigned)http_port(), threads, store_dir(), cfg.ephemeral,
	    cfg.strict_auth, cfg.region, smtp_addr, smtps_addr, feedback_addr,
	    cfg.deliver);
	if (sigwait(&stop, &sig) != 0)
		sig = 0;
	log_info("msg=stopping signal=%s", sig == SIGINT ? "INT" : "TERM");
	status = 0;
	smtp_stop();
out_http:
	http_stop();
out_notify:
	notify_shutdown();
	notify_stop();
out_sns:
	capture_stop();
	outbox_stop();
out_queue:
	pub_stop();
	queue_stop();
out_store:
	store_on_commit(NULL);
	store_on_reset(NULL);
	store_shutdown();
	sim_rules_fini();
	sns_signer_free();
out_model:
	op_fini();
	model_free();
out_cfg:
	cfg_fini(&cfg);
	if (status == 0)
		log_info("msg=stopped");
	return status;
}
