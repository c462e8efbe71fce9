/*
 * embed — files compiled into the binary (service models, SQL migrations,
 * later the web UI). The table itself is generated at build time by
 * emulator/tools/embed.c; this module only looks files up. No run-time file
 * access happens here.
 */
#ifndef EMBED_H
#define EMBED_H

#include <stddef.h>

struct embed_file {
	const char *path;	/* project-relative, e.g. "emulator/schema/001.sql" */
	const unsigned char *data;	/* NUL-terminated; len excludes the NUL */
	size_t len;
};

/* Generated table, terminated by a row whose path is NULL. */
extern const struct embed_file embed_files[];

/* The embedded file at path (borrowed, static), or NULL. */
const struct embed_file *embed_find(const char *path);

#endif
