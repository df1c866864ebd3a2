/* SPDX-License-Identifier: Apache-2.0 */
/* ferry-lflow-check built without the OVSDB client: no live mode. */
#include <errno.h>
#include <stdio.h>

#include "check_db.h"

struct check_db *check_db_read(const char *remote, unsigned timeout_s, struct lflow_input *in)
{
	(void)timeout_s;
	(void)in;
	fprintf(stderr,
	        "--db %s: this build has no OVSDB client (control/ovsdb/); use "
	        "`ovsdb-client dump -f json' and --sb instead\n",
	        remote);
	errno = ENOTSUP;
	return NULL;
}

void check_db_free(struct check_db *d)
{
	(void)d;
}
