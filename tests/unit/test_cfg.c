/*
 * test_cfg — Check suite "cfg" for emulator/cfg.c.
 *
 * Values are tested through all three sources (command line, environment,
 * config file) from the tables below, and the file cases under
 * fixtures/cfg/<case>/ are walked: a case is a folder holding sesbox.conf
 * (absent for "cannot read" cases), an expected file and, optionally, args
 * (one extra argument per line) and env (one NAME=VALUE per line). expected
 * holds either the exact error line or key=value lines compared with
 * cfg_value_format; "{file}" and "{dir}" stand for the case's sesbox.conf
 * and folder. The fixtures root is $SESBOX_FIXTURES, else "fixtures" (run
 * from the project root). This suite does not test the emulator's use of
 * the values.
 */
#include "cfg.h"

#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_PATH_MAX_BYTES 4096
#define TEST_LINES_MAX 64
#define TEST_FIXTURE_CASES_MIN 20

#define ARGV(...) ((char *[]){ "sesbox", __VA_ARGS__, NULL })
#define ENVP(...) ((char *[]){ __VA_ARGS__, NULL })
#define NOARGS ((char *[]){ "sesbox", NULL })

static int
argv_count(char **argv)
{
	int n = 0;

	while (argv[n] != NULL)
		n++;
	return n;
}

static enum cfg_result
load(struct cfg *c, char **argv, char **envp, char *err)
{
	return cfg_load(c, argv_count(argv), argv, envp, err);
}

/* SESBOX_ + key, computed here independently of cfg.c. */
static void
env_name(const char *key, char *buf, size_t n)
{
	size_t w = snprintf(buf, n, "SESBOX_"), i;

	for (i = 0; key[i] != '\0' && w + 1 < n; i++, w++)
		buf[w] = key[i] == '-' ? '_' :
		    (key[i] >= 'a' && key[i] <= 'z') ? key[i] - 32 : key[i];
	buf[w] = '\0';
}

/* New temporary file holding text; the caller unlinks and frees it. */
static char *
temp_file(const char *text)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	FILE *f;
	int fd;

	if (asprintf(&path, "%s/test_cfg.XXXXXX",
	    dir != NULL ? dir : "/tmp") == -1)
		abort();
	fd = mkstemp(path);
	ck_assert_int_ne(fd, -1);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* New string: everything fn writes. */
static char *
capture(void (*fn)(FILE *, void *), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

static void
write_help(FILE *f, void *arg)
{
	(void)arg;
	cfg_help(f, "sesbox");
}

static void
write_markdown(FILE *f, void *arg)
{
	(void)arg;
	cfg_markdown(f);
}

static void
assert_value(const struct cfg *c, const char *key, const char *want)
{
	char *got = cfg_value_format(c, key);

	ck_assert_msg(got != NULL, "%s: no value", key);
	ck_assert_msg(strcmp(got, want) == 0, "%s: got '%s', want '%s'", key,
	    got, want);
	free(got);
}

/* ---- values through every source ---- */

struct value_case {
	const char *key;
	const char *value;
	const char *want;	/* formatted value, or the error reason */
};

static const struct value_case good_values[] = {
	{ "listen", "127.0.0.1:4579", "127.0.0.1:4579" },
	{ "listen", "0.0.0.0:0", "0.0.0.0:0" },
	{ "listen", "localhost:8080", "localhost:8080" },
	{ "listen", "mail-1.example.com:65535", "mail-1.example.com:65535" },
	{ "listen", "[::1]:4579", "[::1]:4579" },
	{ "listen", "[::]:1", "[::]:1" },
	{ "data", "/var/lib/sesbox", "/var/lib/sesbox" },
	{ "data", "dir with spaces", "dir with spaces" },
	{ "ephemeral", "true", "true" },
	{ "ephemeral", "TRUE", "true" },
	{ "ephemeral", "yes", "true" },
	{ "ephemeral", "on", "true" },
	{ "ephemeral", "1", "true" },
	{ "ephemeral", "false", "false" },
	{ "ephemeral", "no", "false" },
	{ "ephemeral", "Off", "false" },
	{ "ephemeral", "0", "false" },
	{ "region", "us-east-1", "us-east-1" },
	{ "region", "eu-west-2", "eu-west-2" },
	{ "region", "ap-southeast-1", "ap-southeast-1" },
	{ "region", "us-gov-west-1", "us-gov-west-1" },
	{ "region", "il-central-10", "il-central-10" },
	{ "log-level", "debug", "debug" },
	{ "log-level", "info", "info" },
	{ "log-level", "warn", "warn" },
	{ "log-level", "error", "error" },
	{ "default-account", "123456789012", "123456789012" },
	{ "credentials", "", "" },
	{ "credentials", "   ", "" },
	{ "credentials",
	  "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY:111111111111,"
	  "AKID2:secret2",
	  "AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY:111111111111,"
	  "AKID2:secret2:000000000000" },
	{ "credentials", " AKIAIOSFODNN7EXAMPLE:s:222222222222 , AK2:a ",
	  "AKIAIOSFODNN7EXAMPLE:s:222222222222,AK2:a:000000000000" },
	{ "strict-auth", "true", "true" },
	{ "http-threads", "0", "0" },
	{ "http-threads", "1", "1" },
	{ "http-threads", "256", "256" },
	{ "max-24h-send", "-1", "-1" },
	{ "max-24h-send", "0", "0" },
	{ "max-24h-send", "50000", "50000" },
	{ "max-24h-send", "1.5e3", "1500" },
	{ "max-24h-send", "200.25", "200.25" },
	{ "max-send-rate", "14", "14" },
	{ "max-send-rate", "0.5", "0.5" },
	{ "max-send-rate", "1e-3", "0.001" },
	{ "max-send-rate", ".1", "0.1" },
	{ "eventbridge-endpoint", "http://127.0.0.1:4566",
	  "http://127.0.0.1:4566" },
	{ "eventbridge-endpoint", "https://events.us-east-1.amazonaws.com/",
	  "https://events.us-east-1.amazonaws.com/" },
	{ "sns-endpoint", "http://localstack:4566/", "http://localstack:4566/" },
	{ "sns-subscriptions", "", "" },
	{ "sns-subscriptions", "events=http://127.0.0.1:8000/hook",
	  "events=http://127.0.0.1:8000/hook" },
	{ "sns-subscriptions", " a = http://x/1 , arn:aws:sns:eu-west-1:"
	  "111111111111:b_2=https://y/?q=1&r=2 ",
	  "a=http://x/1,arn:aws:sns:eu-west-1:111111111111:b_2=https://y/"
	  "?q=1&r=2" },
	{ "sns-subscriptions", "t=http://x/,t=http://y/",
	  "t=http://x/,t=http://y/" },
};

static const struct value_case bad_values[] = {
	{ "listen", "127.0.0.1", "expected HOST:PORT (got '127.0.0.1')" },
	{ "listen", "", "expected HOST:PORT (got '')" },
	{ "listen", ":4579",
	  "host is empty (expected HOST:PORT, e.g. 127.0.0.1:4579)" },
	{ "listen", "127.0.0.1:70000", "port must be 1-65535 (got 70000)" },
	{ "listen", "127.0.0.1:99999999999999999999999",
	  "port must be 1-65535 (got 99999999999999999999999)" },
	{ "listen", "127.0.0.1:http", "port must be 1-65535 (got 'http')" },
	{ "listen", "127.0.0.1:", "port must be 1-65535 (got '')" },
	{ "listen", "127.0.0.1:-1", "port must be 1-65535 (got '-1')" },
	{ "listen", "::1:4579", "IPv6 address must be in brackets, "
	  "e.g. [::1]:4579 (got '::1')" },
	{ "listen", "[::g]:4579", "invalid IPv6 address (got '[::g]')" },
	{ "listen", "[::1:4579", "invalid IPv6 address (got '[::1')" },
	{ "listen", "[]:4579", "invalid IPv6 address (got '[]')" },
	{ "listen", "999.1.1.1:80", "invalid IPv4 address (got '999.1.1.1')" },
	{ "listen", "1.2.3:80", "invalid IPv4 address (got '1.2.3')" },
	{ "listen", "bad_host:80", "invalid host name (got 'bad_host')" },
	{ "listen", "-bad.example:80",
	  "invalid host name (got '-bad.example')" },
	{ "listen", "bad-.example:80",
	  "invalid host name (got 'bad-.example')" },
	{ "listen", "a..b:80", "invalid host name (got 'a..b')" },
	{ "listen", "tab\there:80", "invalid host name (got 'tab\\x09here')" },
	{ "data", "", "must not be empty" },
	{ "ephemeral", "maybe", "expected true or false (got 'maybe')" },
	{ "ephemeral", "", "expected true or false (got '')" },
	{ "strict-auth", "2", "expected true or false (got '2')" },
	{ "region", "US-EAST-1",
	  "expected an AWS region such as us-east-1 (got 'US-EAST-1')" },
	{ "region", "us-east",
	  "expected an AWS region such as us-east-1 (got 'us-east')" },
	{ "region", "us-1", "expected an AWS region such as us-east-1 "
	  "(got 'us-1')" },
	{ "region", "use-east-1", "expected an AWS region such as us-east-1 "
	  "(got 'use-east-1')" },
	{ "region", "us-east-1a", "expected an AWS region such as us-east-1 "
	  "(got 'us-east-1a')" },
	{ "region", "", "expected an AWS region such as us-east-1 (got '')" },
	{ "log-level", "verbose",
	  "expected one of debug, info, warn, error (got 'verbose')" },
	{ "log-level", "INFO",
	  "expected one of debug, info, warn, error (got 'INFO')" },
	{ "default-account", "12345",
	  "account id must be 12 digits (got '12345')" },
	{ "default-account", "12345678901a",
	  "account id must be 12 digits (got '12345678901a')" },
	{ "default-account", "1234567890123",
	  "account id must be 12 digits (got '1234567890123')" },
	{ "credentials", "AKID",
	  "entry 1: expected ACCESS_KEY:SECRET_KEY[:ACCOUNT_ID] "
	  "(got 1 field)" },
	{ "credentials", "AK1:s1,AK2:a:111111111111:d",
	  "entry 2: expected ACCESS_KEY:SECRET_KEY[:ACCOUNT_ID] "
	  "(got 4 fields)" },
	{ "credentials", "AK1:s1,,AK2:s2", "entry 2 is empty" },
	{ "credentials", "AK1:s1,", "entry 2 is empty" },
	{ "credentials", ",AK1:s1", "entry 1 is empty" },
	{ "credentials", ":s1", "entry 1: access key must be 1-128 "
	  "characters of A-Z and 0-9 (got 0 characters)" },
	{ "credentials", "wJalrXUtnFEMI:AKID", "entry 1: access key must be "
	  "1-128 characters of A-Z and 0-9 (got 'w' at position 1)" },
	{ "credentials", "AK_1:s", "entry 1: access key must be "
	  "1-128 characters of A-Z and 0-9 (got '_' at position 3)" },
	{ "credentials",
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  ":s",
	  "entry 1: access key must be 1-128 characters of A-Z and 0-9 "
	  "(got 129 characters)" },
	{ "credentials", "AK1:", "entry 1 (AK1): secret key is empty" },
	{ "credentials", "AK1:s:123",
	  "entry 1 (AK1): account id must be 12 digits (got '123')" },
	{ "credentials", "AK1:s:",
	  "entry 1 (AK1): account id must be 12 digits (got '')" },
	{ "credentials", "AK1:s,AK2:t,AK1:u",
	  "entry 3 (AK1): duplicate access key (also entry 1)" },
	{ "http-threads", "-1", "expected an integer 0-256 (got '-1')" },
	{ "http-threads", "257", "expected an integer 0-256 (got '257')" },
	{ "http-threads", "1.5", "expected an integer 0-256 (got '1.5')" },
	{ "http-threads", "four", "expected an integer 0-256 (got 'four')" },
	{ "http-threads", "", "expected an integer 0-256 (got '')" },
	{ "http-threads", "99999999999999999999",
	  "expected an integer 0-256 (got '99999999999999999999')" },
	{ "max-24h-send", "-2", "expected a number >= -1 (got '-2')" },
	{ "max-24h-send", "lots", "expected a number >= -1 (got 'lots')" },
	{ "max-24h-send", "inf", "expected a number >= -1 (got 'inf')" },
	{ "max-24h-send", "nan", "expected a number >= -1 (got 'nan')" },
	{ "max-24h-send", "1e999", "expected a number >= -1 (got '1e999')" },
	{ "max-24h-send", "0x10", "expected a number >= -1 (got '0x10')" },
	{ "max-24h-send", "1e", "expected a number >= -1 (got '1e')" },
	{ "max-24h-send", "", "expected a number >= -1 (got '')" },
	{ "max-send-rate", "0", "expected a number > 0 (got '0')" },
	{ "max-send-rate", "-1", "expected a number > 0 (got '-1')" },
	{ "max-send-rate", "fast", "expected a number > 0 (got 'fast')" },
	{ "eventbridge-endpoint", "localhost:4566",
	  "expected an http:// or https:// URL (got 'localhost:4566')" },
	{ "eventbridge-endpoint", "", "expected an http:// or https:// URL "
	  "(got '')" },
	{ "sns-endpoint", "ftp://x/", "expected an http:// or https:// URL "
	  "(got 'ftp://x/')" },
	{ "sns-endpoint", "http://", "expected an http:// or https:// URL "
	  "(got 'http://')" },
	{ "sns-endpoint", "http://a b/", "expected an http:// or https:// URL "
	  "(got 'http://a b/')" },
	{ "sns-subscriptions", "events", "entry 1: expected TOPIC=URL "
	  "(got 'events')" },
	{ "sns-subscriptions", "a=http://x/,,b=http://y/", "entry 2 is empty" },
	{ "sns-subscriptions", "a=http://x/,", "entry 2 is empty" },
	{ "sns-subscriptions", "bad name=http://x/", "entry 1: expected a "
	  "topic name (1-256 characters of A-Z, a-z, 0-9, - and _) or "
	  "arn:aws:sns:REGION:ACCOUNT:NAME (got 'bad name')" },
	{ "sns-subscriptions", "=http://x/", "entry 1: expected a topic name "
	  "(1-256 characters of A-Z, a-z, 0-9, - and _) or "
	  "arn:aws:sns:REGION:ACCOUNT:NAME (got '')" },
	{ "sns-subscriptions", "arn:aws:sns:us-east-1:123:t=http://x/",
	  "entry 1: expected a topic name (1-256 characters of A-Z, a-z, 0-9, "
	  "- and _) or arn:aws:sns:REGION:ACCOUNT:NAME (got "
	  "'arn:aws:sns:us-east-1:123:t')" },
	{ "sns-subscriptions", "arn:aws:sqs:us-east-1:123456789012:t=http://x/",
	  "entry 1: expected a topic name (1-256 characters of A-Z, a-z, 0-9, "
	  "- and _) or arn:aws:sns:REGION:ACCOUNT:NAME (got "
	  "'arn:aws:sqs:us-east-1:123456789012:t')" },
	{ "sns-subscriptions", "a=http://x/,b=mailto:me@example.com",
	  "entry 2 (b): expected an http:// or https:// URL "
	  "(got 'mailto:me@example.com')" },
	{ "sns-subscriptions", "a=http://x/,a=http://x/",
	  "entry 2 (a): duplicate subscription (also entry 1)" },
};

/* Writes value as a quoted config-file value, so any text round-trips. */
static char *
file_line(const char *key, const char *value)
{
	char *s = malloc(strlen(key) + 2 * strlen(value) + 32), *w;

	ck_assert_ptr_nonnull(s);
	w = s + sprintf(s, "# written by test_cfg\n%s = \"", key);
	for (; *value != '\0'; value++) {
		if (*value == '"' || *value == '\\')
			*w++ = '\\';
		*w++ = *value;
	}
	strcpy(w, "\"\n");
	return s;
}

enum source { SRC_CLI, SRC_ENV, SRC_FILE, SRC_COUNT };

/*
 * Loads key=value from one source. Returns the result; *prefix gets the
 * new error prefix that source must produce, e.g. "SESBOX_LISTEN".
 */
static enum cfg_result
load_one(struct cfg *c, enum source src, const char *key, const char *value,
    char *err, char **prefix)
{
	char env[128], *arg, *var, *text, *path;
	enum cfg_result r;

	switch (src) {
	case SRC_CLI:
		ck_assert_int_ne(asprintf(&arg, "--%s=%s", key, value), -1);
		r = load(c, ARGV(arg), NULL, err);
		ck_assert_int_ne(asprintf(prefix, "--%s", key), -1);
		free(arg);
		return r;
	case SRC_ENV:
		env_name(key, env, sizeof(env));
		ck_assert_int_ne(asprintf(&var, "%s=%s", env, value), -1);
		r = load(c, NOARGS, ENVP(var), err);
		*prefix = strdup(env);
		free(var);
		return r;
	default:
		text = file_line(key, value);
		path = temp_file(text);
		r = load(c, ARGV("--config", path), NULL, err);
		ck_assert_int_ne(asprintf(prefix, "%s:2", path), -1);
		unlink(path);
		free(path);
		free(text);
		return r;
	}
}

START_TEST(t_good_values)
{
	const struct value_case *vc = &good_values[_i / SRC_COUNT];
	char err[CFG_ERROR_MAX_BYTES], *prefix;
	struct cfg c;
	enum cfg_result r;

	r = load_one(&c, _i % SRC_COUNT, vc->key, vc->value, err, &prefix);
	ck_assert_msg(r == CFG_OK, "%s=%s from %s: %s", vc->key, vc->value,
	    prefix, err);
	assert_value(&c, vc->key, vc->want);
	free(prefix);
	cfg_fini(&c);
}
END_TEST

START_TEST(t_bad_values)
{
	const struct value_case *vc = &bad_values[_i / SRC_COUNT];
	char err[CFG_ERROR_MAX_BYTES], want[CFG_ERROR_MAX_BYTES], *prefix;
	struct cfg c;
	enum cfg_result r;

	r = load_one(&c, _i % SRC_COUNT, vc->key, vc->value, err, &prefix);
	ck_assert_int_eq(r, CFG_ERROR);
	snprintf(want, sizeof(want), "%s: %s: %s", prefix, vc->key, vc->want);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(c.listen);
	free(prefix);
}
END_TEST

/* ---- defaults and precedence ---- */

START_TEST(t_defaults)
{
	char err[CFG_ERROR_MAX_BYTES];
	struct cfg c;

	ck_assert_int_eq(load(&c, NOARGS, NULL, err), CFG_OK);
	ck_assert_str_eq(c.listen, "127.0.0.1:4579");
	ck_assert_str_eq(c.data, "./sesbox-data");
	ck_assert_int_eq(c.ephemeral, 0);
	ck_assert_ptr_null(c.config);
	ck_assert_str_eq(c.region, "us-east-1");
	ck_assert_str_eq(c.log_level, "info");
	ck_assert_str_eq(c.default_account, "000000000000");
	ck_assert_ptr_null(c.credentials);
	ck_assert_uint_eq(c.ncredentials, 0);
	ck_assert_int_eq(c.strict_auth, 0);
	ck_assert_int_eq(c.http_threads, 0);
	ck_assert_double_eq(c.max_24h_send, 50000);
	ck_assert_double_eq(c.max_send_rate, 14);
	ck_assert_str_eq(err, "");
	cfg_fini(&c);
}
END_TEST

START_TEST(t_precedence)
{
	char err[CFG_ERROR_MAX_BYTES], *path;
	struct cfg c;

	path = temp_file("region = eu-west-1\nlog-level = warn\n"
	    "http-threads = 4\nmax-send-rate = 2\n");
	ck_assert_int_eq(load(&c, ARGV("--config", path, "--log-level",
	    "debug", "--max-send-rate=3"), ENVP("SESBOX_LOG_LEVEL=error",
	    "SESBOX_HTTP_THREADS=8", "SESBOX_MAX_SEND_RATE=5"), err), CFG_OK);
	ck_assert_str_eq(c.region, "eu-west-1");	/* file */
	ck_assert_int_eq(c.http_threads, 8);		/* env over file */
	ck_assert_str_eq(c.log_level, "debug");		/* CLI over env */
	ck_assert_double_eq(c.max_send_rate, 3);	/* CLI over both */
	ck_assert_str_eq(c.listen, "127.0.0.1:4579");	/* default */
	ck_assert_str_eq(c.config, path);
	cfg_fini(&c);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(t_precedence_errors)
{
	char err[CFG_ERROR_MAX_BYTES], want[CFG_ERROR_MAX_BYTES], *path;
	struct cfg c;

	/* A bad file value is an error even when the CLI overrides it. */
	path = temp_file("\nhttp-threads = 999\n");
	ck_assert_int_eq(load(&c, ARGV("--config", path, "--http-threads",
	    "2"), NULL, err), CFG_ERROR);
	snprintf(want, sizeof(want), "%s:2: http-threads: expected an "
	    "integer 0-256 (got '999')", path);
	ck_assert_str_eq(err, want);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(t_config_from_env)
{
	char err[CFG_ERROR_MAX_BYTES], *env, *a, *b;
	struct cfg c;

	a = temp_file("region = eu-west-1\n");
	b = temp_file("region = eu-west-2\n");
	ck_assert_int_ne(asprintf(&env, "SESBOX_CONFIG=%s", a), -1);
	ck_assert_int_eq(load(&c, NOARGS, ENVP(env), err), CFG_OK);
	ck_assert_str_eq(c.region, "eu-west-1");
	ck_assert_str_eq(c.config, a);
	cfg_fini(&c);
	/* --config beats SESBOX_CONFIG; only one file is read. */
	ck_assert_int_eq(load(&c, ARGV("--config", b), ENVP(env), err),
	    CFG_OK);
	ck_assert_str_eq(c.region, "eu-west-2");
	ck_assert_str_eq(c.config, b);
	cfg_fini(&c);
	ck_assert_int_eq(load(&c, ARGV("--config="), NULL, err), CFG_ERROR);
	ck_assert_str_eq(err, "--config: config: must not be empty");
	ck_assert_int_eq(load(&c, NOARGS, ENVP("SESBOX_CONFIG="), err),
	    CFG_ERROR);
	ck_assert_str_eq(err, "SESBOX_CONFIG: config: must not be empty");
	ck_assert_int_eq(load(&c, ARGV("--config", "/nonexistent/x.conf"),
	    NULL, err), CFG_ERROR);
	ck_assert_str_eq(err, "/nonexistent/x.conf: cannot read: "
	    "No such file or directory");
	unlink(a);
	unlink(b);
	free(a);
	free(b);
	free(env);
}
END_TEST

/* ---- command line ---- */

START_TEST(t_bool_forms)
{
	char err[CFG_ERROR_MAX_BYTES];
	struct cfg c;

	ck_assert_int_eq(load(&c, ARGV("--ephemeral"), NULL, err), CFG_OK);
	ck_assert_int_eq(c.ephemeral, 1);
	cfg_fini(&c);
	ck_assert_int_eq(load(&c, ARGV("--ephemeral=false"),
	    ENVP("SESBOX_EPHEMERAL=true"), err), CFG_OK);
	ck_assert_int_eq(c.ephemeral, 0);
	cfg_fini(&c);
	ck_assert_int_eq(load(&c, ARGV("--no-strict-auth"),
	    ENVP("SESBOX_STRICT_AUTH=1"), err), CFG_OK);
	ck_assert_int_eq(c.strict_auth, 0);
	cfg_fini(&c);
	ck_assert_int_eq(load(&c, ARGV("--no-ephemeral", "--ephemeral"),
	    NULL, err), CFG_OK);
	ck_assert_int_eq(c.ephemeral, 1);
	cfg_fini(&c);
	ck_assert_int_eq(load(&c, ARGV("--no-ephemeral=true"), NULL, err),
	    CFG_ERROR);
	ck_assert_str_eq(err, "--no-ephemeral: ephemeral: takes no value");
	/* A boolean does not take the next argument as its value. */
	ck_assert_int_eq(load(&c, ARGV("--ephemeral", "false"), NULL, err),
	    CFG_ERROR);
	ck_assert_str_eq(err, "false: unexpected argument (see --help)");
	ck_assert_int_eq(load(&c, ARGV("--no-listen"), NULL, err), CFG_ERROR);
	ck_assert_str_eq(err, "--no-listen: unknown option (see --help)");
}
END_TEST

START_TEST(t_cli_value_forms)
{
	char err[CFG_ERROR_MAX_BYTES];
	struct cfg c;

	ck_assert_int_eq(load(&c, ARGV("--listen", "[::1]:0", "--region",
	    "eu-west-1", "--region", "ap-south-1", "--max-24h-send", "-1",
	    "--data", "-dash", "--"), NULL, err), CFG_OK);
	ck_assert_str_eq(c.listen, "[::1]:0");
	ck_assert_str_eq(c.region, "ap-south-1");	/* last one wins */
	ck_assert_double_eq(c.max_24h_send, -1);
	ck_assert_str_eq(c.data, "-dash");
	cfg_fini(&c);
	ck_assert_int_eq(load(&c, ARGV("--data=--odd", "--log-level=warn"),
	    NULL, err), CFG_OK);
	ck_assert_str_eq(c.data, "--odd");
	ck_assert_str_eq(c.log_level, "warn");
	cfg_fini(&c);
}
END_TEST

static const struct {
	char *args[4];
	const char *err;
} cli_errors[] = {
	{ { "--frob" }, "--frob: unknown option (see --help)" },
	{ { "--frob=1" }, "--frob: unknown option (see --help)" },
	{ { "--Listen=x" }, "--Listen: unknown option (see --help)" },
	{ { "--listen_x" }, "--listen_x: unknown option (see --help)" },
	{ { "-x" }, "-x: unknown option (see --help)" },
	{ { "-hv" }, "-hv: unknown option (see --help)" },
	{ { "---" }, "---: unknown option (see --help)" },
	{ { "--no-" }, "--no-: unknown option (see --help)" },
	{ { "serve" }, "serve: unexpected argument (see --help)" },
	{ { "-" }, "-: unexpected argument (see --help)" },
	{ { "--ephemeral", "--", "x" }, "x: unexpected argument (see --help)" },
	{ { "--listen" }, "--listen: listen: missing value" },
	{ { "--listen", "--ephemeral" }, "--listen: listen: missing value" },
	{ { "--credentials", "--" }, "--credentials: credentials: missing "
	  "value" },
	{ { "--help=1" }, "--help: help: takes no value" },
	{ { "--version=yes" }, "--version: version: takes no value" },
	{ { "--frob", "--help" }, "--frob: unknown option (see --help)" },
	{ { "--http-threads", "300", "--help" }, NULL },	/* help wins */
};

START_TEST(t_cli_errors)
{
	char err[CFG_ERROR_MAX_BYTES], *argv[6] = { "sesbox" };
	struct cfg c;
	int i;

	for (i = 0; i < 4 && cli_errors[_i].args[i] != NULL; i++)
		argv[i + 1] = cli_errors[_i].args[i];
	argv[i + 1] = NULL;
	if (cli_errors[_i].err == NULL) {
		ck_assert_int_eq(load(&c, argv, NULL, err), CFG_HELP);
		return;
	}
	ck_assert_int_eq(load(&c, argv, NULL, err), CFG_ERROR);
	ck_assert_str_eq(err, cli_errors[_i].err);
}
END_TEST

START_TEST(t_actions)
{
	char err[CFG_ERROR_MAX_BYTES], *path;
	struct cfg c;

	ck_assert_int_eq(load(&c, ARGV("--help"), NULL, err), CFG_HELP);
	ck_assert_ptr_null(c.listen);
	ck_assert_int_eq(load(&c, ARGV("-h"), NULL, err), CFG_HELP);
	ck_assert_int_eq(load(&c, ARGV("--version"), NULL, err),
	    CFG_VERSION);
	ck_assert_int_eq(load(&c, ARGV("--version", "--help"), NULL, err),
	    CFG_VERSION);
	ck_assert_int_eq(load(&c, ARGV("--help-markdown"), NULL, err),
	    CFG_HELP_MARKDOWN);
	/* The help is reachable even with a broken config file. */
	path = temp_file("this is not a config file\n");
	ck_assert_int_eq(load(&c, ARGV("--config", path, "--help"),
	    ENVP("SESBOX_LISTEN=bad"), err), CFG_HELP);
	unlink(path);
	free(path);
	/* The actions are command-line only. */
	ck_assert_int_eq(load(&c, NOARGS, ENVP("SESBOX_HELP=1",
	    "SESBOX_VERSION=true", "SESBOX_HELP_MARKDOWN=1"), err), CFG_OK);
	cfg_fini(&c);
}
END_TEST

/* ---- environment ---- */

START_TEST(t_env_ignored)
{
	char err[CFG_ERROR_MAX_BYTES];
	struct cfg c;

	ck_assert_int_eq(load(&c, NOARGS, ENVP("SESBOX_FROBNICATE=1",
	    "SESBOX_LOGLEVEL=nonsense", "SESBOX_listen=nonsense",
	    "SESBOX_LISTEN", "SESBOX_=x", "LISTEN=nonsense",
	    "SESBOX_FIXTURES=/elsewhere", "SESBOX_REGION=eu-north-1",
	    "PATH=/bin"), err), CFG_OK);
	ck_assert_str_eq(c.log_level, "info");
	ck_assert_str_eq(c.listen, "127.0.0.1:4579");
	ck_assert_str_eq(c.region, "eu-north-1");
	cfg_fini(&c);
	/* The last of a repeated variable wins, like in a shell. */
	ck_assert_int_eq(load(&c, NOARGS, ENVP("SESBOX_REGION=eu-north-1",
	    "SESBOX_REGION=eu-south-2"), err), CFG_OK);
	ck_assert_str_eq(c.region, "eu-south-2");
	cfg_fini(&c);
}
END_TEST

START_TEST(t_error_one_line)
{
	char err[CFG_ERROR_MAX_BYTES], big[2000];
	struct cfg c;

	ck_assert_int_eq(load(&c, NOARGS, ENVP("SESBOX_REGION=a\nb"), err),
	    CFG_ERROR);
	ck_assert_str_eq(err, "SESBOX_REGION: region: expected an AWS region "
	    "such as us-east-1 (got 'a\\x0ab')");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(load(&c, ARGV("--listen", big), NULL, err),
	    CFG_ERROR);
	ck_assert_str_eq(err, "--listen: listen: expected HOST:PORT (got "
	    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...')");
	/* An unknown option is echoed, truncated, on one line. */
	big[0] = big[1] = '-';
	big[10] = '\n';
	ck_assert_int_eq(load(&c, ARGV(big), NULL, err), CFG_ERROR);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_uint_eq(strlen(err), CFG_ERROR_MAX_BYTES - 1);
	ck_assert_int_eq(strncmp(err, "--xxxxxxxx?xxx", 14), 0);
}
END_TEST

/* ---- credentials ---- */

START_TEST(t_credentials_accounts)
{
	char err[CFG_ERROR_MAX_BYTES], *path;
	const struct cfg_credential *cr;
	struct cfg c;

	/* default-account applies however the sources are ordered. */
	path = temp_file("credentials = \"AKIDEXAMPLE:wJalrXUtnFEMI/K7MDENG+"
	    "bPxRfiCYEXAMPLEKEY:111111111111,AKID2:secret2\"\n");
	ck_assert_int_eq(load(&c, ARGV("--config", path,
	    "--default-account", "222222222222"), NULL, err), CFG_OK);
	ck_assert_uint_eq(c.ncredentials, 2);
	ck_assert_str_eq(cfg_account_for_key(&c, "AKIDEXAMPLE"),
	    "111111111111");
	ck_assert_str_eq(cfg_account_for_key(&c, "AKID2"), "222222222222");
	ck_assert_str_eq(cfg_account_for_key(&c, "AKIDUNKNOWN"),
	    "222222222222");
	ck_assert_str_eq(cfg_account_for_key(&c, "akid2"), "222222222222");
	cr = cfg_credential_find(&c, "AKIDEXAMPLE");
	ck_assert_ptr_nonnull(cr);
	ck_assert_str_eq(cr->secret_key,
	    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	ck_assert_str_eq(cr->account_id, "111111111111");
	cr = cfg_credential_find(&c, "AKID2");
	ck_assert_ptr_nonnull(cr);
	ck_assert_str_eq(cr->secret_key, "secret2");
	ck_assert_str_eq(cr->account_id, "222222222222");
	ck_assert_ptr_null(cfg_credential_find(&c, "AKID"));
	ck_assert_ptr_null(cfg_credential_find(&c, ""));
	cfg_fini(&c);
	unlink(path);
	free(path);
	/* The environment replaces the whole list; an empty one clears it. */
	ck_assert_int_eq(load(&c, ARGV("--credentials", "AK1:s1"),
	    ENVP("SESBOX_CREDENTIALS=AK2:s2"), err), CFG_OK);
	ck_assert_uint_eq(c.ncredentials, 1);
	ck_assert_ptr_null(cfg_credential_find(&c, "AK2"));
	ck_assert_str_eq(cfg_account_for_key(&c, "AK1"), "000000000000");
	cfg_fini(&c);
	ck_assert_int_eq(load(&c, ARGV("--credentials="),
	    ENVP("SESBOX_CREDENTIALS=AK2:s2"), err), CFG_OK);
	ck_assert_uint_eq(c.ncredentials, 0);
	ck_assert_str_eq(cfg_account_for_key(&c, "AK2"), "000000000000");
	cfg_fini(&c);
}
END_TEST

START_TEST(t_credentials_not_echoed)
{
	char err[CFG_ERROR_MAX_BYTES];
	struct cfg c;

	/* A secret put first, or a bad entry, never reaches the message. */
	ck_assert_int_eq(load(&c, ARGV("--credentials",
	    "wJalrXUtnFEMI/K7MDENG:AKID"), NULL, err), CFG_ERROR);
	ck_assert_ptr_null(strstr(err, "wJalr"));
	ck_assert_int_eq(load(&c, ARGV("--credentials",
	    "AKID:topsecret:12"), NULL, err), CFG_ERROR);
	ck_assert_ptr_null(strstr(err, "topsecret"));
	ck_assert_int_eq(load(&c, ARGV("--credentials",
	    "AKID:top:secret:x"), NULL, err), CFG_ERROR);
	ck_assert_ptr_null(strstr(err, "top"));
}
END_TEST

/* ---- help, docs, API edges ---- */

/* Keys with no environment variable: the actions. */
static int
cli_only(const char *key)
{
	return strcmp(key, "help") == 0 || strcmp(key, "version") == 0 ||
	    strcmp(key, "help-markdown") == 0;
}

START_TEST(t_help_every_key)
{
	char *help = capture(write_help, NULL), flag[128], env[128];
	size_t i;

	ck_assert_int_eq(strncmp(help, "Usage: sesbox ", 14), 0);
	ck_assert_uint_ge(cfg_key_count(), 14);
	for (i = 0; i < cfg_key_count(); i++) {
		const char *k = cfg_key_name(i);

		snprintf(flag, sizeof(flag), "--%s", k);
		ck_assert_msg(strstr(help, flag) != NULL, "%s not in help", k);
		if (cli_only(k))
			continue;
		env_name(k, env, sizeof(env));
		ck_assert_msg(strstr(help, env) != NULL, "%s not in help", env);
	}
	ck_assert_ptr_nonnull(strstr(help, "--ephemeral, --no-ephemeral"));
	ck_assert_ptr_nonnull(strstr(help, "--listen HOST:PORT"));
	ck_assert_ptr_nonnull(strstr(help, "default: 127.0.0.1:4579"));
	ck_assert_ptr_nonnull(strstr(help, "debug|info|warn|error"));
	ck_assert_ptr_null(strstr(help, "SESBOX_HELP"));
	free(help);
}
END_TEST

START_TEST(t_markdown_every_key)
{
	char *md = capture(write_markdown, NULL), *again, cell[128];
	size_t i;

	ck_assert_int_eq(strncmp(md, "# Configuration\n", 16), 0);
	for (i = 0; i < cfg_key_count(); i++) {
		snprintf(cell, sizeof(cell), "\n| `%s` | ", cfg_key_name(i));
		ck_assert_msg(strstr(md, cell) != NULL, "%s not in table",
		    cfg_key_name(i));
	}
	ck_assert_ptr_nonnull(strstr(md, "| Key | Flag | Environment | "
	    "Default | Description |"));
	ck_assert_ptr_nonnull(strstr(md, "`SESBOX_LOG_LEVEL`"));
	ck_assert_ptr_nonnull(strstr(md, "SESBOX_CONFIG"));
	ck_assert_ptr_nonnull(strstr(md, "```\n# sesbox.conf\n"));
	ck_assert_ptr_nonnull(strstr(md,
	    "`--log-level debug\\|info\\|warn\\|error`"));
	ck_assert_ptr_nonnull(strstr(md, "Integer 0-256."));
	ck_assert_ptr_nonnull(strstr(md, "Number > 0."));
	ck_assert_ptr_nonnull(strstr(md, "misspelt"));
	ck_assert_int_eq(md[strlen(md) - 1], '\n');
	again = capture(write_markdown, NULL);
	ck_assert_str_eq(md, again);
	free(again);
	free(md);
}
END_TEST

START_TEST(t_key_table)
{
	size_t i, j;

	for (i = 0; i < cfg_key_count(); i++) {
		const char *k = cfg_key_name(i);

		ck_assert_uint_gt(strlen(k), 0);
		ck_assert_msg(strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789-")
		    == strlen(k), "bad key name %s", k);
		ck_assert_msg(strncmp(k, "no-", 3) != 0, "%s clashes with "
		    "--no-", k);
		ck_assert_uint_lt(strlen(k), 48);	/* env name buffer */
		for (j = 0; j < i; j++)
			ck_assert_str_ne(k, cfg_key_name(j));
	}
	ck_assert_ptr_null(cfg_key_name(cfg_key_count()));
}
END_TEST

START_TEST(t_value_format_edges)
{
	char err[CFG_ERROR_MAX_BYTES];
	struct cfg c;

	ck_assert_int_eq(load(&c, NOARGS, NULL, err), CFG_OK);
	ck_assert_ptr_null(cfg_value_format(&c, "frobnicate"));
	ck_assert_ptr_null(cfg_value_format(&c, "help"));
	ck_assert_ptr_null(cfg_value_format(&c, "config"));
	assert_value(&c, "credentials", "");
	assert_value(&c, "max-24h-send", "50000");
	cfg_fini(&c);
}
END_TEST

START_TEST(t_fini_safe)
{
	struct cfg c;
	char err[CFG_ERROR_MAX_BYTES];

	memset(&c, 0, sizeof(c));
	cfg_fini(&c);
	ck_assert_int_eq(load(&c, ARGV("--credentials", "AK1:s"), NULL, err),
	    CFG_OK);
	cfg_fini(&c);
	ck_assert_ptr_null(c.credentials);
	ck_assert_ptr_null(c.listen);
	cfg_fini(&c);
	/* On error nothing is left to free. */
	ck_assert_int_eq(load(&c, ARGV("--credentials", "AK1:s", "--region",
	    "x"), NULL, err), CFG_ERROR);
	ck_assert_ptr_null(c.credentials);
	ck_assert_ptr_null(c.region);
	cfg_fini(&c);
}
END_TEST

/* ---- fixtures ---- */

struct failures {
	char *text;
	size_t count;
};

static void __attribute__((format(printf, 2, 3)))
fail_add(struct failures *f, const char *fmt, ...)
{
	char *line, *t;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) == -1)
		abort();
	va_end(ap);
	if (asprintf(&t, "%s%s\n", f->text != NULL ? f->text : "", line) == -1)
		abort();
	free(f->text);
	free(line);
	f->text = t;
	f->count++;
}

/* New copy of s with {file} and {dir} replaced. */
static char *
substitute(const char *s, const char *file, const char *dir)
{
	char *out = strdup(""), *t;
	const char *p;

	while (*s != '\0') {
		p = strchr(s, '{');
		if (p == NULL) {
			p = s + strlen(s);
		}
		if (asprintf(&t, "%s%.*s", out, (int)(p - s), s) == -1)
			abort();
		free(out);
		out = t;
		if (*p == '\0')
			break;
		if (strncmp(p, "{file}", 6) == 0) {
			if (asprintf(&t, "%s%s", out, file) == -1)
				abort();
			s = p + 6;
		} else if (strncmp(p, "{dir}", 5) == 0) {
			if (asprintf(&t, "%s%s", out, dir) == -1)
				abort();
			s = p + 5;
		} else {
			if (asprintf(&t, "%s{", out) == -1)
				abort();
			s = p + 1;
		}
		free(out);
		out = t;
	}
	return out;
}

/*
 * Reads path's lines (no newline; blank lines and lines starting with '#'
 * skipped) into lines, substituted. Returns the count, or -1 if the file
 * is absent.
 */
static int
read_lines(const char *path, char **lines, const char *file, const char *dir)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	while ((len = getline(&line, &cap, f)) != -1 && n < TEST_LINES_MAX) {
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		lines[n++] = substitute(line, file, dir);
	}
	free(line);
	fclose(f);
	return n;
}

/* New "a/b". */
static char *
join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s/%s", a, b) == -1)
		abort();
	return s;
}

static int
is_expectation(const char *line)
{
	const char *eq = strchr(line, '=');

	return line[0] >= 'a' && line[0] <= 'z' && eq != NULL &&
	    strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
	    (size_t)(eq - line);
}

static void
fixture_run(const char *root, const char *name, struct failures *fails)
{
	char *dir, *file, *path, err[CFG_ERROR_MAX_BYTES];
	char *expected[TEST_LINES_MAX], *args[TEST_LINES_MAX];
	char *env[TEST_LINES_MAX + 1], *argv[TEST_LINES_MAX + 4], *got, *eq;
	int nexp, nargs, nenv, i, argc = 0;
	struct cfg c;
	enum cfg_result r;

	dir = join(root, name);
	file = join(dir, "sesbox.conf");
	path = join(dir, "expected");
	nexp = read_lines(path, expected, file, dir);
	free(path);
	path = join(dir, "args");
	nargs = read_lines(path, args, file, dir);
	free(path);
	path = join(dir, "env");
	nenv = read_lines(path, env, file, dir);
	free(path);
	if (nexp <= 0) {
		fail_add(fails, "%s: no expected file or it is empty", name);
		goto out;
	}
	argv[argc++] = "sesbox";
	argv[argc++] = "--config";
	argv[argc++] = file;
	for (i = 0; i < nargs; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	env[nenv > 0 ? nenv : 0] = NULL;
	r = cfg_load(&c, argc, argv, env, err);
	if (!is_expectation(expected[0])) {
		if (r != CFG_ERROR)
			fail_add(fails, "%s: loaded, expected error: %s", name,
			    expected[0]);
		else if (strcmp(err, expected[0]) != 0)
			fail_add(fails, "%s:\n  got  %s\n  want %s", name, err,
			    expected[0]);
		goto out;
	}
	if (r != CFG_OK) {
		fail_add(fails, "%s: result %d: %s", name, (int)r, err);
		goto out;
	}
	for (i = 0; i < nexp; i++) {
		if (!is_expectation(expected[i])) {
			fail_add(fails, "%s: bad expectation '%s'", name,
			    expected[i]);
			continue;
		}
		eq = strchr(expected[i], '=');
		*eq = '\0';
		got = cfg_value_format(&c, expected[i]);
		if (got == NULL || strcmp(got, eq + 1) != 0)
			fail_add(fails, "%s: %s: got '%s', want '%s'", name,
			    expected[i], got != NULL ? got : "(none)", eq + 1);
		free(got);
	}
	cfg_fini(&c);
out:
	for (i = 0; i < nexp; i++)
		free(expected[i]);
	for (i = 0; i < nargs; i++)
		free(args[i]);
	for (i = 0; i < nenv; i++)
		free(env[i]);
	free(file);
	free(dir);
}

static int
fixture_dir_filter(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

START_TEST(t_fixtures)
{
	const char *base = getenv("SESBOX_FIXTURES");
	char root[TEST_PATH_MAX_BYTES];
	struct failures fails = { NULL, 0 };
	struct dirent **cases;
	int n, i;

	snprintf(root, sizeof(root), "%s/cfg",
	    base != NULL ? base : "fixtures");
	n = scandir(root, &cases, fixture_dir_filter, alphasort);
	ck_assert_msg(n >= 0, "cannot list %s (run from the project root or "
	    "set SESBOX_FIXTURES)", root);
	ck_assert_msg(n >= TEST_FIXTURE_CASES_MIN, "only %d cases in %s", n,
	    root);
	for (i = 0; i < n; i++) {
		fixture_run(root, cases[i]->d_name, &fails);
		free(cases[i]);
	}
	free(cases);
	if (fails.count > 0)
		fprintf(stderr, "%s", fails.text);
	ck_assert_msg(fails.count == 0, "%zu of %d fixture cases failed:\n%s",
	    fails.count, n, fails.text);
}
END_TEST

static Suite *
cfg_suite(void)
{
	Suite *s = suite_create("cfg");
	TCase *tc = tcase_create("core");
	size_t ngood = sizeof(good_values) / sizeof(good_values[0]);
	size_t nbad = sizeof(bad_values) / sizeof(bad_values[0]);
	size_t ncli = sizeof(cli_errors) / sizeof(cli_errors[0]);

	tcase_add_loop_test(tc, t_good_values, 0, ngood * SRC_COUNT);
	tcase_add_loop_test(tc, t_bad_values, 0, nbad * SRC_COUNT);
	tcase_add_test(tc, t_defaults);
	tcase_add_test(tc, t_precedence);
	tcase_add_test(tc, t_precedence_errors);
	tcase_add_test(tc, t_config_from_env);
	tcase_add_test(tc, t_bool_forms);
	tcase_add_test(tc, t_cli_value_forms);
	tcase_add_loop_test(tc, t_cli_errors, 0, ncli);
	tcase_add_test(tc, t_actions);
	tcase_add_test(tc, t_env_ignored);
	tcase_add_test(tc, t_error_one_line);
	tcase_add_test(tc, t_credentials_accounts);
	tcase_add_test(tc, t_credentials_not_echoed);
	tcase_add_test(tc, t_help_every_key);
	tcase_add_test(tc, t_markdown_every_key);
	tcase_add_test(tc, t_key_table);
	tcase_add_test(tc, t_value_format_edges);
	tcase_add_test(tc, t_fini_safe);
	tcase_add_test(tc, t_fixtures);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(cfg_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
