/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Southbound chassis agent: what makes ferry an OVN chassis.
 *
 * It connects to ovn-remote, keeps a replica of the Southbound tables a
 * chassis needs (control/ovsdb), registers this chassis (Chassis, Encap,
 * Chassis_Private), claims the Port_Binding of each local VIF port and
 * reports it up, and acknowledges nb_cfg. See docs/southbound.md.
 */
#ifndef FERRY_CHASSIS_H
#define FERRY_CHASSIS_H

#include <stdbool.h>

struct event_base;
struct ferry_conf;
struct ovsdb_idl;

/**
 * Start the agent on @p base (the control thread's loop): connect, register
 * ctl commands ("sb status", "chassis show", "chassis bindings",
 * "exit --cleanup") and subscribe to port events. Call once, when
 * conf->ovn_remote is set; @p conf must outlive the agent.
 * @return 0, or -EINVAL (bad configuration, message logged) / -ENOMEM
 */
int chassis_start(struct event_base *base, const struct ferry_conf *conf);

/**
 * Stop the agent. With @p cleanup, or after `ferryctl exit --cleanup`,
 * first release this chassis's bindings and delete its Chassis and
 * Chassis_Private rows, running @p base for up to 5 s to do so. Without,
 * the rows stay so that a restart resumes as the same chassis.
 * Safe to call when not started.
 */
void chassis_stop(bool cleanup);

/** The replica, for later stages (NULL when not started). */
struct ovsdb_idl *chassis_idl(void);

#endif
