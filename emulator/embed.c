/*
 * embed — look-ups in the generated table of embedded files (see embed.h).
 */
#include "embed.h"

#include <string.h>

const struct embed_file *
embed_find(const char *path)
{
	const struct embed_file *f;

	for (f = embed_files; f->path != NULL; f++)
		if (strcmp(f->path, path) == 0)
			return f;
	return NULL;
}
