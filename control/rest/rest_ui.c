/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_ui.c - finding the console's embedded files by URL path; the
 * server (rest_server.c) sends them with the security headers.
 */
#include <string.h>

#include "rest_ui.h"

int
sk_rest_ui_path(const char *path)
{
	return strcmp(path, "/") == 0 || strcmp(path, "/ui") == 0 ||
	       strncmp(path, "/ui/", 4) == 0;
}

const struct sk_rest_ui_asset *
sk_rest_ui_find(const char *path)
{
	const struct sk_rest_ui_asset *a;

	if (strcmp(path, "/ui") == 0)
		path = "/ui/";
	/* Only names the table holds: no file system, so no traversal. */
	for (a = sk_rest_ui_assets; a->path != NULL; a++)
		if (strcmp(a->path, path) == 0)
			return a;
	return NULL;
}
