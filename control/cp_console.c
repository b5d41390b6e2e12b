/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cp_console.c - `sekisho-cp --commit FILE`: validate a config and commit it
 * to the running dataplane directly, without the REST daemon.  For the
 * console of a unit whose management plane is down, and for labs.  The
 * dataplane is found by the file prefix in the config's dataplane group.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cp_console.h"
#include "sk_image_api.h"
#include "dplink/dplink.h"

int
sk_cp_console_commit(const char *path, long long replaces)
{
	struct sk_cfg_diag diag;
	struct sk_image_hdr *h;
	struct sk_dplink *l = NULL;
	char err[512];
	uint64_t cur, gen, us;
	size_t len;
	void *img;
	int rc;

	sk_cfg_diag_init(&diag);
	img = sk_cfg_compile_file(path, &len, &diag);
	if (img == NULL) {
		sk_cfg_diag_print(&diag, stderr);
		sk_cfg_diag_free(&diag);
		return 1;
	}
	sk_cfg_diag_free(&diag);
	h = img;
	rc = sk_dplink_attach(sk_image_settings(h)->file_prefix, &l, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", path, err);
		free(img);
		return 3;
	}
	cur = sk_dplink_generation(l);
	/* The header is outside the CRC: numbering the generation needs no rehash. */
	h->generation = cur + 1;
	rc = sk_dplink_commit(l, img, len, replaces >= 0 ? (uint64_t)replaces : cur, &gen, &us,
			      err, sizeof(err));
	free(img);
	if (rc != 0) {
		fprintf(stderr, "%s: commit refused: %s\n", path, err);
		sk_dplink_detach(l);
		return rc == -ESTALE ? 4 : 1;
	}
	printf("%s: generation %" PRIu64 " replaces %" PRIu64 " (built in %" PRIu64 " us)\n", path,
	       gen, cur, us);
	sk_dplink_detach(l);
	return 0;
}
