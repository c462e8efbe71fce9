/*
 * log — one logfmt line per event on stderr.
 *
 * Every line starts with ts= and level=, followed by the caller's key=value
 * pairs; each line goes out in a single write(2) so lines from concurrent
 * threads never interleave. Values passed through log_quote are escaped per
 * logfmt. This module never logs on its own and knows nothing of requests.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

enum log_level {
	LOG_DEBUG,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

#define LOG_LINE_MAX_BYTES 2048

/* Sets the lowest level written (default LOG_INFO). */
void log_set_level(enum log_level min);
/* Parses "debug", "info", "warn" or "error"; returns 0 or -1. */
int log_level_parse(const char *s, enum log_level *out);
/* Non-zero when lines at level would be written. */
int log_enabled(enum log_level level);
/*
 * Writes "ts=... level=... " + the formatted key=value pairs + "\n".
 * Lines longer than LOG_LINE_MAX_BYTES are cut.
 */
void log_emit(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Writes s into buf (size n) as a logfmt value: bare when it needs no
 * quoting, else double-quoted with \" \\ \n escaped. Returns buf.
 */
const char *log_quote(char *buf, size_t n, const char *s);

#define log_debug(...) \
	do { if (log_enabled(LOG_DEBUG)) log_emit(LOG_DEBUG, __VA_ARGS__); } while (0)
#define log_info(...) log_emit(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_emit(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_emit(LOG_ERROR, __VA_ARGS__)

#endif
