#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The NAT engine byte for byte. Real OVN central; ferryd in mode ovn with
# two net_pcap ports bound by iface-id, each reading frames from a veth's
# wire and writing what it sends to a pcap; a gateway router on this
# chassis between them, every cache hit checked against the pipeline.
# Every frame that leaves is compared, in order and byte for byte, with the
# one nat_datapath.py computes on its own (headers packed by hand, every
# checksum from scratch). Proves:
#  (a) SNAT of 10.0.0.0/24 to 172.16.0.100 with ports 7000-7003: a source
#      port in the range is kept, one outside it takes the range's first;
#      UDP and TCP checksums right, a zero UDP checksum stays zero; ICMP
#      echo ids are translated from the range (and back in the reply);
#  (b) exhaustion: a fifth client to a server whose four ports are taken
#      is dropped, counted as nat_exhausted (ct stats) and as a named drop
#      charged to the router's SNAT flow (lflow drops); nothing leaks;
#  (c) ICMP errors about translated datagrams, from the far side: port
#      unreachable quoting a whole UDP datagram, time exceeded from a
#      router past the server quoting a TCP header's first 8 bytes, one
#      quoting a datagram without UDP checksum: back to the inside host,
#      the quote as it sent it (inner IPv4 and L4 checksums right), the
#      error's checksum right; the router's address kept as the source;
#  (d) DNAT (dnat_and_snat 172.16.0.101 <-> 10.0.0.12): UDP and an echo to
#      the floating IP reach vm2, vm2's answer leaves from it; vm2's port
#      unreachable about a datagram it got reaches the sender from the
#      floating IP, quoting the datagram as sent; and an error quoting
#      vm2's translated answer (a reply) reaches vm2 with its own quote;
#  and nothing else leaves any port.
. "$(dirname "$0")/../lib/ferry.sh"
need_root
HERE=$(dirname "$0")
frames() { python3 "$HERE/nat_datapath.py" "$@"; }

t_ovn_central || exit 1
frames gen "$T_DIR" || exit 1
exp() { json "$1" <"$T_DIR/expect.json"; }

nb ls-add sw0 -- ls-add out0
nb lsp-add sw0 in -- lsp-set-addresses in "50:54:00:00:00:01 $(exp '" ".join(j["inside"])')"
nb lsp-add out0 ext -- lsp-set-addresses ext "50:54:00:00:00:0e 172.16.0.10 172.16.0.20"
nb lr-add gw0 -- set logical_router gw0 options:chassis=hv1
nb lrp-add gw0 gw0-sw0 00:00:00:00:ff:11 10.0.0.254/24
nb lrp-add gw0 gw0-out 00:00:00:00:ff:12 172.16.0.1/24
nb lsp-add sw0 sw0-gw0 -- lsp-set-type sw0-gw0 router -- lsp-set-addresses sw0-gw0 router \
	-- lsp-set-options sw0-gw0 router-port=gw0-sw0
nb lsp-add out0 out0-gw0 -- lsp-set-type out0-gw0 router -- lsp-set-addresses out0-gw0 router \
	-- lsp-set-options out0-gw0 router-port=gw0-out
nb --portrange lr-nat-add gw0 snat 172.16.0.100 10.0.0.0/24 7000-7003
nb lr-nat-add gw0 dnat_and_snat 172.16.0.101 10.0.0.12
nb --wait=sb sync

# The wires into the two ports: veths whose far ends sit alone in a
# namespace, IPv6 off, so that the kernel sends nothing of its own.
wire() {
	local w="f${T_ID}$1"
	ip netns add "$w" || return 1
	T_NETNS+=("$w")
	ip link add "$w" type veth peer name eth0 netns "$w" || return 1
	T_LINKS+=("$w")
	sysctl -qw "net.ipv6.conf.$w.disable_ipv6=1"
	ip netns exec "$w" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip link set "$w" up
	ip -n "$w" link set eth0 up
}
wire in && wire ext || exit 1

ferryd_start --set chassis.system-id=hv1 --set "chassis.ovn-remote=$OVN_SB_DB" \
	--set chassis.ovn-encap-ip=127.0.0.1 --set dataplane.mode=ovn --hugepages off \
	--set dataplane.cache-check=true \
	--set "port.in.devargs=net_pcap0,rx_iface_in=f${T_ID}in,tx_pcap=$T_DIR/out-in.pcap" \
	--set port.in.iface-id=in \
	--set "port.ext.devargs=net_pcap1,rx_iface_in=f${T_ID}ext,tx_pcap=$T_DIR/out-ext.pcap" \
	--set port.ext.iface-id=ext || exit 1
T_CLEANUP+=("[ -n \"\$FERRYD_PID\" ] && kill \$FERRYD_PID")

bound() {
	[ "$(fctl --json pipeline show |
		json '" ".join(sorted(p["name"] for d in j["datapaths"] for p in d["ports"] if "dpdk_port" in p))')" = "ext in" ]
}
check "in and ext bound to local ports in the published snapshot" wait_for 20 bound
check "northd sees the chassis done (--wait=hv)" nb --timeout=20 --wait=hv sync

counter() { fctl --json counters "$1" | json "j['ports']['$1']['$2']"; }
counter_is() { [ "$(counter "$1" "$2")" = "$3" ]; }
declare -A rx=([in]=0 [ext]=0)
for phase in 1 2 3 4; do
	port=$(exp "dict((('1','in'),('2','ext'),('3','in'),('4','ext')))['$phase']")
	rx[$port]=$((rx[$port] + $(exp "j['phases']['$phase']")))
	check "phase $phase: its frames sent on $port's wire" \
		ip netns exec "f${T_ID}$port" python3 "$HERE/nat_datapath.py" send "$T_DIR" "$phase" eth0
	check "phase $phase: $port received ${rx[$port]}" wait_for 10 counter_is "$port" rx_packets "${rx[$port]}"
done
for p in in ext; do
	n=$(exp "len(j['$p'])")
	check "$p transmitted $n" wait_for 10 counter_is "$p" tx_packets "$n"
done

ct_stat() { fctl --json ct stats | json "$1"; }
check_eq "ct stats: one new connection found no free port (nat_exhausted)" 1 \
	"$(ct_stat 'j["nat_exhausted"]')"
check_eq "in's drops: the exhausted one, named, nothing else" "ct-nat-exhausted=1" \
	"$(fctl --json counters in | json "' '.join(f'{k}={v}' for k, v in sorted(j['ports']['in']['drops'].items()))")"
check_eq "ext's drops: none" "" \
	"$(fctl --json counters ext | json "' '.join(f'{k}={v}' for k, v in sorted(j['ports']['ext']['drops'].items()))")"
check_eq "lflow drops: one packet, charged to gw0" "gw0:1" \
	"$(fctl --json lflow drops 100 | json '" ".join(sorted("%s:%d" % (r["datapath"], r["packets"]) for r in j if r["packets"]))')"
cache() { fctl --json cache | json "$1"; }
check "the cache served hits, each checked" bash -c "[ $(cache 'sum(w["check_runs"] for w in j["workers"])') -gt 0 ]"
check_eq "every cache hit agrees with the pipeline (cache-check)" 0 \
	"$(cache 'sum(w["check_mismatches"] for w in j["workers"])')"

# Closing the pcap ports flushes what they wrote.
check "clean stop" ferryd_stop
check "every frame out is the one expected, in order, byte for byte" frames check "$T_DIR"
t_done
