/*
 * fixture — helpers the unit suites share for golden cases: find the
 * fixtures directory, list the case folders of an area, read a case file.
 * Header-only (static inline functions) so each suite stays one translation unit.
 */
#ifndef FIXTURE_H
#define FIXTURE_H

#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "xmem.h"

/* fixtures/ root: $SESBOX_FIXTURES, else ./fixtures (new string). */
static inline char *
fixture_path(const char *area, const char *name, const char *file)
{
	const char *root = getenv("SESBOX_FIXTURES");

	if (root == NULL || *root == '\0')
		root = "fixtures";
	if (file != NULL)
		return xasprintf("%s/%s/%s/%s", root, area, name, file);
	if (name != NULL)
		return xasprintf("%s/%s/%s", root, area, name);
	return xasprintf("%s/%s", root, area);
}

static inline int
fixture_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted case folder names of area (new array of new strings). */
static inline size_t
fixture_cases(const char *area, char ***out)
{
	char *dir = fixture_path(area, NULL, NULL);
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			v = xrealloc(v, (n + 1) * sizeof(*v));
			v[n++] = xstrdup(e->d_name);
		}
		closedir(d);
	}
	free(dir);
	if (n > 0)
		qsort(v, n, sizeof(*v), fixture_cmp);
	*out = v;
	return n;
}

static inline void
fixture_cases_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Contents of area/name/file (new, NUL-terminated), or NULL when absent. */
static inline char *
fixture_read(const char *area, const char *name, const char *file,
    size_t *len)
{
	char *path = fixture_path(area, name, file), *buf;
	FILE *f = fopen(path, "rb");
	long n;

	free(path);
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

/* Strips one trailing newline (files end with one; bodies must not). */
static inline void
fixture_chomp(char *s, size_t *len)
{
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '\n')
		s[--n] = '\0';
	if (len != NULL)
		*len = n;
}

/* Checked-fixture pair for suites that need the embedded models. */
static inline void
fixture_model_setup(void)
{
	char err[256];

	ck_assert_msg(model_load(err, sizeof(err)) == 0, "%s", err);
}

static inline void
fixture_model_teardown(void)
{
	model_free();
}

/* Asserts got equals want, showing both (keys sorted) when not. */
static inline void
fixture_check_json(const char *what, json_t *got, json_t *want)
{
	char *g = json_dumps(got, JSON_SORT_KEYS | JSON_COMPACT);
	char *w = json_dumps(want, JSON_SORT_KEYS | JSON_COMPACT);

	ck_assert_msg(json_equal(got, want), "%s:\n got %s\nwant %s", what,
	    g ? g : "(null)", w ? w : "(null)");
	free(g);
	free(w);
}

/* Runs a one-case suite (takes s); the process exit status. */
static inline int
fixture_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

#endif
