/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control side of the logical pipelines: builds the fast path's
 * snapshot (dataplane/api/pipeline.h) from the compiled logical tables,
 * the Southbound bindings in the replica and the local ports, publishes it,
 * and keeps the counters of snapshots it retires.
 *
 * When: after every replica batch that the compiler or the bindings care
 * about, and after every local port event, coalesced into one rebuild per
 * turn of the event loop. A rebuild is whole (the compiler's own work is
 * incremental; copying its tables is a few milliseconds even for large
 * databases) and never stalls workers: they switch at their next
 * quiescent point.
 *
 * ferryctl: `pipeline show', `drops', `lflow stats', `trace'. Log type
 * ferry.pipeline.
 */
#ifndef FERRY_CONTROL_PIPELINE_H
#define FERRY_CONTROL_PIPELINE_H

#include <stdbool.h>

struct event_base;
struct ovsdb_idl;
struct ferry_conf;

/** Start building snapshots from @p idl for chassis @p conf->system_id. */
int pipeline_start(struct event_base *base, struct ovsdb_idl *idl, const struct ferry_conf *conf);
/** Unpublish and free (workers must be stopped or still running: both safe). */
void pipeline_stop(void);

#endif
