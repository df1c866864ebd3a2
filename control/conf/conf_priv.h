/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the files of control/conf/. */
#ifndef FERRY_CONF_PRIV_H
#define FERRY_CONF_PRIV_H

#include <stddef.h>

#include "control/conf/conf.h"

/* conf.c */
/** Format a message into @p err (nothing when @p err is NULL). */
void conf_errf(char *err, size_t errlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* conf_underlay.c */
/** An underlay port's own keys (gateway, prefix-length, reachable-time,
 *  exception), and that no other role has them; @p where names the port's
 *  place in the file. @return 0 or -EINVAL with @p err set. */
int conf_underlay_port_check(const struct port_conf *p, const char *where, char *err,
                             size_t errlen);
/** Underlay port @p p's prefix, gateway and static next hops against
 *  ovn-encap-ip. @return 0 or -EINVAL with @p err set. */
int conf_underlay_check(const struct ferry_conf *c, const struct port_conf *p, const char *file,
                        char *err, size_t errlen);

#endif
