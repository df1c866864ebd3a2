/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Single-NIC mode: an underlay port with `exception = IFNAME' gets a host
 * exception port, a kernel tap interface (DPDK net_tap) of that name with
 * the NIC's MAC, so the host keeps its own address on the NIC's wire.
 * Workers send it whatever arrives on the underlay that is not ferry's,
 * and send what the host writes to it out of the underlay unchanged
 * (dataplane/pipeline/exception.c). The two ports name each other as
 * peers; the host port comes and goes with its underlay.
 */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "control/log/log.h"
#include "control/port/port_priv.h"

int port_host_add(struct port *ul, char *err, size_t errlen)
{
	struct rte_ether_addr a;
	char devargs[128], e[256];
	int rc = rte_eth_macaddr_get(ul->port_id, &a);
	if (rc < 0) {
		snprintf(err, errlen, "port %s: no MAC for its exception interface: %s",
		         ul->conf.name, strerror(-rc));
		return rc;
	}
	snprintf(devargs, sizeof(devargs), "net_tap_%s,iface=%s,mac=%02x:%02x:%02x:%02x:%02x:%02x",
	         ul->conf.exception, ul->conf.exception, a.addr_bytes[0], a.addr_bytes[1],
	         a.addr_bytes[2], a.addr_bytes[3], a.addr_bytes[4], a.addr_bytes[5]);
	struct port_conf pc = {
	        .devargs = devargs, .role = PORT_ROLE_HOST, .peer = ul->conf.name, .rxqs = 1};
	snprintf(pc.name, sizeof(pc.name), "%s", ul->conf.exception);
	rc = port_add(&pc, e, sizeof(e));
	if (rc < 0) {
		snprintf(err, errlen, "port %s: exception interface: %s", ul->conf.name, e);
		return rc;
	}
	/* The host's frames leave by the NIC unchanged: the same MTU. */
	uint16_t mtu;
	struct port *h = port_find(ul->conf.exception);
	if (h && rte_eth_dev_get_mtu(ul->port_id, &mtu) == 0 &&
	    (rc = rte_eth_dev_set_mtu(h->port_id, mtu)) < 0)
		LOG(WARNING, PORT, "port %s: exception interface MTU %u: %s", ul->conf.name, mtu,
		    strerror(-rc));
	/* The underlay names it as its peer only now that it exists. */
	free(ul->conf.peer);
	ul->conf.peer = strdup(ul->conf.exception);
	if (ul->conf.peer == NULL || tables_rebuild() < 0) {
		port_del(ul->conf.exception, e, sizeof(e));
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	LOG(INFO, PORT, "port %s: single-NIC mode, host exception interface %s", ul->conf.name,
	    ul->conf.exception);
	return 0;
}

void port_host_del(struct port *ul)
{
	char e[256];
	if (ul->conf.exception == NULL || port_find(ul->conf.exception) == NULL)
		return;
	free(ul->conf.peer);
	ul->conf.peer = NULL;
	if (port_del(ul->conf.exception, e, sizeof(e)) < 0)
		LOG(WARNING, PORT, "port %s: %s", ul->conf.name, e);
}
