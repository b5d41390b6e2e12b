/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_haready.c - the connection-table half of the standby's ready rule
 * (sk_ha_csync_ready, control/ha/ha_csync.c), which ha.c asks only while a
 * live active is heard on either path.  The case it exists for: a standby
 * whose sekisho-cp starts while its dataplane heartbeat already hears the
 * active and the HA link is not up yet has no table: not ready until its
 * first bulk sync (it used to say ready at once; perf/ha_bulk_pair.sh saw
 * it ready with 437K of 1M records applied).  A link lost after the bulk
 * keeps it ready; with the link up, a resume not yet answered does not.
 */
#include <stdlib.h>
#include <string.h>

#include "cp.h"
#include "ha/ha_link.h" /* and through it control/ha/ha.h */
#include "ha/ha_priv.h"
#include "sk_test.h"

int
main(void)
{
	struct sk_ha *ha = calloc(1, sizeof(*ha));

	if (ha == NULL)
		return 1;
	/* sekisho-cp just started: no HA link, no link heartbeat, no bulk */
	SK_CHECK(sk_ha_csync_ready(ha) == 0, "link not up yet, no bulk: not ready");

	/* the link comes up, the active's heartbeat arrives, the bulk runs */
	ha->link_is_up = 1;
	SK_CHECK(sk_ha_csync_ready(ha) == 0, "link up, peer not heard on it yet: not ready");
	ha->lpeer_known = 1;
	ha->lpeer.role = SK_HA_ROLE_ACTIVE;
	ha->csync.st.bulk_in = 1;
	SK_CHECK(sk_ha_csync_ready(ha) == 0, "bulk receiving: not ready");
	ha->csync.st.bulk_in = 2;
	SK_CHECK(sk_ha_csync_ready(ha) == 1, "bulk done: ready");
	ha->csync.resume_asked = 1;
	SK_CHECK(sk_ha_csync_ready(ha) == 0, "a new session whose resume is not answered yet: not ready");
	ha->csync.resume_asked = 0;

	/* the link drops after the bulk (the dataplane heartbeat still hears
	 * the active): the table it has stays; the window resumes it later */
	ha->link_is_up = 0;
	SK_CHECK(sk_ha_csync_ready(ha) == 1, "link lost after the bulk: still ready");
	ha->csync.st.bulk_in = 0;
	SK_CHECK(sk_ha_csync_ready(ha) == 0, "link lost, the bulk was reset: not ready");

	/* the link's peer is not the active (this unit is, or both standby):
	 * nothing to receive */
	ha->link_is_up = 1;
	ha->lpeer.role = SK_HA_ROLE_STANDBY;
	SK_CHECK(sk_ha_csync_ready(ha) == 1, "peer on the link not active: ready");
	free(ha);
	return SK_TEST_DONE();
}
