#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Logical pipelines in the fast path, one chassis. Real OVN central
# (ovsdb-server, ovn-northd), namespaces as instances on af_packet ports,
# ferryd in mode ovn. Proves:
#  - one switch: ping and TCP between two ports, ARP answered by the
#    switch's ARP responder (no reply from the other instance needed);
#  - two switches behind a distributed router: IPv4 and IPv6 ping and TCP
#    across, the router answers ping (and ND) on its port IPs, `ping -t 1'
#    across gets time-exceeded from the router, in both families;
#  - isolation: a switch not connected to the others exchanges nothing;
#  - port security: a spoofed source MAC and a spoofed source IP are
#    dropped, and `ferryctl drops' names the logical flow that dropped;
#  - a localport is reached without being claimed;
#  - a virtual port is bound behind the parent that announces its address;
#  - ECMP: select() spreads flows over next hops, one flow keeps one;
#  - FDB: a port with unknown addresses is learned (an FDB row) and then
#    reached by it;
#  - changes take effect within a deadline: a port deleted becomes
#    unreachable, a router port added becomes reachable;
#  - `ferryctl trace' reports the stages of a packet, and agrees with
#    ovn-trace on the same database; `trace --live' reports real packets;
#  - the flow cache: every hit is checked against the pipeline (cache-check)
#    with zero disagreements; lflow stats include cached hits; an ACL added
#    to another switch leaves the entries of vm1 <-> vm2 in place.
. "$(dirname "$0")/../lib/ferry.sh"
need_root

ovn_central_start "$T_DIR/ovn" >/dev/null 2>&1 || { echo "FAIL: ovn central"; exit 1; }
T_CLEANUP+=("ovn_central_stop '$T_DIR/ovn'")
nb() { ovn-nbctl --timeout=10 "$@"; }

instance vm1 10.0.0.11/24
instance vm2 10.0.0.12/24
instance vm3 10.0.1.13/24
instance vm4 10.0.0.14/24
on vm1 ip route add default via 10.0.0.1
on vm2 ip route add default via 10.0.0.1
on vm3 ip route add default via 10.0.1.1

nb ls-add sw0 -- ls-add sw1 -- ls-add sw2 -- lr-add lr0
nb lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24
nb lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 10.0.1.1/24
for s in 0 1; do
	nb lsp-add sw$s sw$s-lr0 -- lsp-set-type sw$s-lr0 router -- lsp-set-addresses sw$s-lr0 router \
		-- lsp-set-options sw$s-lr0 router-port=lr0-sw$s
done
m1=$(mac_of vm1) m2=$(mac_of vm2) m3=$(mac_of vm3) m4=$(mac_of vm4)
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "$m1 10.0.0.11" -- lsp-set-port-security vm1 "$m1 10.0.0.11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$m2 10.0.0.12"
nb lsp-add sw1 vm3 -- lsp-set-addresses vm3 "$m3 10.0.1.13"
nb lsp-add sw2 vm4 -- lsp-set-addresses vm4 "$m4 10.0.0.14"
nb --wait=sb sync

args=(--set chassis.system-id=hv1 --set "chassis.ovn-remote=$OVN_SB_DB"
	--set chassis.ovn-encap-ip=127.0.0.1 --set dataplane.mode=ovn
	--set dataplane.cache-check=true)
i=0
for v in vm1 vm2 vm3 vm4; do
	args+=(--set "port.$v.devargs=net_af_packet$i,iface=$(if_of $v)" --set "port.$v.iface-id=$v")
	i=$((i + 1))
done
ferryd_start "${args[@]}" || exit 1
T_CLEANUP+=("kill $FERRYD_PID")

all_up() { [ "$(nb lsp-get-up vm1)$(nb lsp-get-up vm2)$(nb lsp-get-up vm3)" = upupup ]; }
check "ports claimed and up" wait_for 20 all_up
nb --timeout=20 --wait=hv sync
pings() { on "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }
check "ping vm1 -> vm2 (one switch)" wait_for 10 pings vm1 10.0.0.12

# The switch answers ARP for vm2 itself: with vm2 down, vm1 still learns
# vm2's MAC from ferryd.
on vm1 ip neigh flush all
ip -n "$(ns_of vm2)" link set eth0 down
on vm1 arping -c 1 -w 2 -I eth0 10.0.0.12 >/dev/null 2>&1 || true
on vm1 ping -c 1 -W 1 10.0.0.12 >/dev/null 2>&1
check_eq "ARP responder answered for vm2 (its MAC)" "$m2" \
	"$(on vm1 ip neigh show 10.0.0.12 | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')"
ip -n "$(ns_of vm2)" link set eth0 up
on vm2 ip route replace default via 10.0.0.1

# tcp_ok (tests/lib/ferry.sh) sends this blob: 2 MiB here.
head -c 2097152 /dev/urandom >"$T_DIR/blob"
check "TCP vm1 -> vm2, 2 MiB checked" tcp_ok vm1 vm2 10.0.0.12

check "router answers ping on its port IP 10.0.0.1" wait_for 10 pings vm1 10.0.0.1
check "router answers ping on its far port IP 10.0.1.1" wait_for 10 pings vm1 10.0.1.1
check "ping vm1 -> vm3 across the router" wait_for 10 pings vm1 10.0.1.13
check "ping vm3 -> vm2 across the router" wait_for 10 pings vm3 10.0.0.12
check "TCP vm1 -> vm3 across the router, 2 MiB checked" tcp_ok vm1 vm3 10.0.1.13
ttl1=$(on vm1 ping -c 1 -W 2 -t 1 10.0.1.13 2>&1)
check "ping -t 1 across gets time-exceeded from the router" \
	grep -qi "from 10.0.0.1.*time to live exceeded" <<<"$ttl1"

# IPv6: the router gets fd00:0:0:0::1/64 and fd00:0:0:1::1/64, vm1 and vm3
# addresses in them (vm1's port security lists its own).
for v in vm1 vm3; do
	on $v sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0
done
on vm1 ip -6 addr add fd00::11/64 dev eth0 nodad
on vm3 ip -6 addr add fd00:0:0:1::13/64 dev eth0 nodad
on vm1 ip -6 route add default via fd00::1
on vm3 ip -6 route add default via fd00:0:0:1::1
nb set Logical_Router_Port lr0-sw0 'networks="10.0.0.1/24" "fd00::1/64"' \
	-- set Logical_Router_Port lr0-sw1 'networks="10.0.1.1/24" "fd00:0:0:1::1/64"'
nb lsp-set-addresses vm1 "$m1 10.0.0.11 fd00::11" -- lsp-set-port-security vm1 "$m1 10.0.0.11 fd00::11" \
	-- lsp-set-addresses vm3 "$m3 10.0.1.13 fd00:0:0:1::13"
pings6() { on "$1" ping -6 -c 1 -W 1 "$2" >/dev/null 2>&1; }
check "IPv6: the router answers ping on fd00::1 (ND answered by the router)" wait_for 10 pings6 vm1 fd00::1
check "IPv6: ping vm1 -> vm3 across the router" wait_for 10 pings6 vm1 fd00:0:0:1::13
check "IPv6: TCP vm1 -> vm3 across the router, 2 MiB checked" tcp_ok vm1 vm3 fd00:0:0:1::13
hl1=$(on vm1 ping -6 -c 1 -W 2 -t 1 fd00:0:0:1::13 2>&1)
check "IPv6: hop limit 1 across gets time-exceeded from the router" \
	grep -qi "from fd00::1.*time exceeded" <<<"$hl1"
# Quiet again: no IPv6 neighbour or MLD traffic from here on (the cache
# checks below count misses).
for v in vm1 vm3; do on $v sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done

check "isolation: vm1 cannot reach vm4 on an unconnected switch" bash -c "! ip netns exec $(ns_of vm1) ping -c 2 -W 1 10.0.0.14 >/dev/null 2>&1"

# Port security on vm1: a spoofed source IP, then a spoofed source MAC.
on vm1 ip addr add 10.0.0.99/24 dev eth0
on vm1 ping -c 3 -W 1 -I 10.0.0.99 10.0.0.12 >/dev/null 2>&1
spoof_ip=$?
check "spoofed source IP gets no answer" test "$spoof_ip" -ne 0
on vm1 ip addr del 10.0.0.99/24 dev eth0
# northd drops what check_in_port_sec() failed in ls_in_apply_port_sec.
psec_drops() {
	[ "$(fctl --json lflow drops 100 | json 'sum(r["packets"] for r in j if r["lflow"] and r["pipeline"] == "ingress" and "reg0[15] == 1" in r["match"])')" -ge 1 ]
}
check "ferryctl drops names the port security logical flow" psec_drops
on vm1 ip link set eth0 address 02:00:00:00:00:99
check "spoofed source MAC gets no answer" bash -c "! ip netns exec $(ns_of vm1) ping -c 2 -W 1 10.0.0.12 >/dev/null 2>&1"
on vm1 ip link set eth0 address "$m1"
check "vm1 reaches vm2 again with its own MAC" wait_for 10 pings vm1 10.0.0.12

# trace: a packet from vm1 to vm3 crosses sw0, lr0, sw1 and reaches vm3.
tr=$(fctl --json trace "inport == \"vm1\" && eth.src == $m1 && eth.dst == 00:00:00:00:ff:01 && ip4.src == 10.0.0.11 && ip4.dst == 10.0.1.13 && ip.ttl == 64 && icmp4.type == 8")
check_eq "trace: the packet reaches vm3" "vm3" \
	"$(json '[s["outport"] for s in j["stages"] if s["type"]=="deliver"][0]' <<<"$tr")"
check_eq "trace: crosses sw0, lr0 and sw1" "sw0 lr0 sw1" \
	"$(json '" ".join(dict.fromkeys(s["datapath"] for s in j["stages"] if s["type"]=="table"))' <<<"$tr")"

# The oracle: the same packets through ovn-trace on the same database.
# (Not a neighbour solicitation for a router address: ovn-trace 23.03
# fails an assertion on nd_na_router; the IPv6 pings above prove it.)
oracle() { python3 "$(dirname "$0")/oracle.py" "$OVN_SB_DB" "$FERRYCTL" "$FERRY_SOCK" "$@"; }
e1="inport == \"vm1\" && eth.src == $m1"
e3="inport == \"vm3\" && eth.src == $m3"
icmp="ip.ttl == 64 && icmp4.type == 8"
n_agree=0 n_flows=0
while IFS= read -r mf; do
	[ -n "$mf" ] || continue
	n_flows=$((n_flows + 1))
	dp=sw0
	case "$mf" in *'"vm3"'*) dp=sw1 ;; esac
	if oracle "$dp" "$mf"; then n_agree=$((n_agree + 1)); fi
done <<EOF_FLOWS
$e1 && eth.dst == $m2 && ip4.src == 10.0.0.11 && ip4.dst == 10.0.0.12 && $icmp
$e1 && eth.dst == 00:00:00:00:ff:01 && ip4.src == 10.0.0.11 && ip4.dst == 10.0.0.1 && $icmp
$e1 && eth.dst == 00:00:00:00:ff:01 && ip4.src == 10.0.0.11 && ip4.dst == 10.0.1.1 && $icmp
$e1 && eth.dst == 00:00:00:00:ff:01 && ip4.src == 10.0.0.11 && ip4.dst == 10.0.1.13 && $icmp
$e1 && eth.dst == 00:00:00:00:ff:01 && ip4.src == 10.0.0.11 && ip4.dst == 10.0.1.13 && ip.ttl == 1 && icmp4.type == 8
$e1 && eth.dst == 00:00:00:00:ff:01 && ip4.src == 10.0.0.11 && ip4.dst == 10.0.1.13 && ip.ttl == 64 && udp.src == 5000 && udp.dst == 53
$e1 && eth.dst == 00:00:00:00:ff:01 && ip4.src == 10.0.0.11 && ip4.dst == 10.0.1.13 && ip.ttl == 64 && tcp.src == 40000 && tcp.dst == 80 && tcp.flags == 2
$e1 && eth.dst == 00:00:00:00:ff:01 && ip4.src == 10.0.0.11 && ip4.dst == 10.9.9.9 && $icmp
$e1 && eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && arp.sha == $m1 && arp.spa == 10.0.0.11 && arp.tpa == 10.0.0.12
$e1 && eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && arp.sha == $m1 && arp.spa == 10.0.0.11 && arp.tpa == 10.0.0.1
$e1 && eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && arp.sha == $m1 && arp.spa == 10.0.0.11 && arp.tpa == 10.0.0.77
$e1 && eth.dst == $m2 && ip4.src == 10.0.0.99 && ip4.dst == 10.0.0.12 && $icmp
inport == "vm1" && eth.src == 02:00:00:00:00:99 && eth.dst == $m2 && ip4.src == 10.0.0.11 && ip4.dst == 10.0.0.12 && $icmp
$e1 && eth.dst == 02:00:00:00:00:42 && ip4.src == 10.0.0.11 && ip4.dst == 10.0.0.42 && $icmp
$e3 && eth.dst == 00:00:00:00:ff:02 && ip4.src == 10.0.1.13 && ip4.dst == 10.0.0.12 && $icmp
$e3 && eth.dst == 00:00:00:00:ff:02 && ip4.src == 10.0.1.13 && ip4.dst == 10.0.0.11 && ip.ttl == 64 && udp.src == 53 && udp.dst == 5000
$e3 && eth.dst == ff:ff:ff:ff:ff:ff && arp.op == 1 && arp.sha == $m3 && arp.spa == 10.0.1.13 && arp.tpa == 10.0.1.1
$e3 && eth.dst == ff:ff:ff:ff:ff:ff && ip4.src == 10.0.1.13 && ip4.dst == 255.255.255.255 && ip.ttl == 64 && udp.src == 68 && udp.dst == 67
$e1 && eth.dst == 00:00:00:00:ff:01 && ip6.src == fd00::11 && ip6.dst == fd00:0:0:1::13 && ip.ttl == 64 && icmp6.type == 128 && icmp6.code == 0
$e1 && eth.dst == 00:00:00:00:ff:01 && ip6.src == fd00::11 && ip6.dst == fd00::1 && ip.ttl == 64 && icmp6.type == 128 && icmp6.code == 0
$e1 && eth.dst == 00:00:00:00:ff:01 && ip6.src == fd00::11 && ip6.dst == fd00:0:0:1::13 && ip.ttl == 1 && udp.src == 5000 && udp.dst == 53
$e1 && eth.dst == 00:00:00:00:ff:01 && ip6.src == fd00::99 && ip6.dst == fd00:0:0:1::13 && ip.ttl == 64 && icmp6.type == 128 && icmp6.code == 0
EOF_FLOWS
check_eq "ferryctl trace agrees with ovn-trace --detailed on every packet (IPv4 and IPv6)" "$n_flows" "$n_agree"

# trace --live: the next real packets that match, captured on the worker.
fctl --json trace --live "inport == \"vm1\" && icmp4 && ip4.dst == 10.0.0.12" --count 2 --wait 15 \
	>"$T_DIR/live.json" 2>&1 &
live_pid=$!
armed() { [ "$(fctl --json pipeline show | json 'j["live_trace_armed"]')" = True ]; }
check "a live trace is armed" wait_for 5 armed
on vm1 ping -c 3 -i 0.2 -W 1 10.0.0.12 >/dev/null 2>&1
wait $live_pid
check_eq "trace --live captured 2 real packets" 2 "$(json 'len(j["packets"])' <"$T_DIR/live.json")"
check_eq "each was delivered to vm2" "vm2 vm2" \
	"$(json '" ".join([s["outport"] for p in j["packets"] for s in p["stages"] if s["type"] == "deliver"])' <"$T_DIR/live.json")"

# The flow cache.
cache() { fctl --json cache | json "$1"; }
check "the flow cache hits" test "$(cache 'sum(w["hits"] for w in j["workers"])')" -gt 1000
check_eq "every hit agrees with the pipeline (cache-check)" 0 \
	"$(cache 'sum(w["check_mismatches"] for w in j["workers"])')"
check "cache-check ran on the hits" test "$(cache 'sum(w["check_runs"] for w in j["workers"])')" -gt 1000
check "lflow stats count cached packets (port security saw the TCP transfer)" test \
	"$(fctl --json lflow stats 200 | json 'max(r["hits"] for r in j if "check_in_port_sec" in r["actions"])')" -gt 1000
lport() { fctl --json lport stats | json "[p[\"$2\"] for p in j if p[\"name\"] == \"$1\"][0]"; }
# Eventually: a cache's hits count against the snapshot it has synced to,
# and a snapshot published just now waits for the worker's next poll.
lport_over() { [ "$(lport "$1" "$2")" -gt "$3" ]; }
check "lport stats: the TCP transfer entered from vm1 (cached packets included)" \
	wait_for 5 lport_over vm1 rx_packets 1000
check "lport stats: and left by vm2" wait_for 5 lport_over vm2 tx_packets 1000 || fctl lport stats
# Snapshots published in quick succession while the workers sleep: what
# the caches counted stays counted. (Before the control thread waited for
# every cache to see a snapshot before publishing the next, a cache two
# snapshots behind was flushed with nothing to fold its counts into.)
# Long sleeps (100 ms) make sure that several snapshots come while they do.
rx_before=$(lport vm1 rx_packets)
tx_before=$(lport vm2 tx_packets)
check "worker idle-sleep: 100 ms" fctl worker idle-sleep 100000
for i in 1 2 3 4 5 6; do nb lsp-add sw1 quick$i -- lsp-set-addresses quick$i "00:00:00:00:01:0$i 10.0.1.20$i"; nb lsp-del sw1 quick$i; done
lport_kept() { [ "$(lport vm1 rx_packets)" -ge "$rx_before" ] && [ "$(lport vm2 tx_packets)" -ge "$tx_before" ]; }
check "lport stats: cached counts survive 12 quick rebuilds ($rx_before in, $tx_before out)" \
	wait_for 5 lport_kept || fctl lport stats
check_eq "worker idle-sleep: back to 1 ms" 1000 "$(fctl --json worker idle-sleep 1000 | json 'j["idle_sleep_us"]')"
check "worker idle-sleep: out of range is refused" bash -c "! '$FERRYCTL' -s '$FERRY_SOCK' worker idle-sleep 100001"
check "pipeline show: no rebuild gave up waiting for a cache to catch up" test \
	"$(fctl --json pipeline show | json 'j["cache_sync_timeouts"]')" -eq 0
check "lport stats: the router port sw0-lr0 carried the routed pings" test "$(lport sw0-lr0 tx_packets)" -gt 0
# No ARP probes either while misses are counted.
on vm1 ip neigh replace 10.0.0.12 lladdr "$m2" dev eth0 nud permanent
on vm2 ip neigh replace 10.0.0.11 lladdr "$m1" dev eth0 nud permanent
pings vm1 10.0.0.12
gen=$(fctl --json pipeline show | json 'j["generation"]')
misses0=$(cache 'sum(w["misses"] for w in j["workers"])')
# A port added to sw1 changes sw1's tables and ports, and lr0's (it
# resolves the new address statically), nothing of sw0's.
nb lsp-add sw1 vm9 -- lsp-set-addresses vm9 "00:00:00:00:00:09 10.0.1.19"
new_gen() { [ "$(fctl --json pipeline show | json 'j["generation"]')" -gt "$gen" ]; }
check "the new port reaches the fast path" wait_for 10 new_gen
check_eq "what changed is sw1's and lr0's alone" "lr0,sw1" "$(fctl --json pipeline show | json '",".join(sorted({d["name"] for d in j["datapaths"] for c in j["changed"] if c["datapath_key"] == d["key"]}))')"
on vm1 ping -c 3 -i 0.2 -W 1 10.0.0.12 >/dev/null 2>&1
check_eq "sw0's cache entries survive (no new misses for vm1 <-> vm2)" "$misses0" \
	"$(cache 'sum(w["misses"] for w in j["workers"])')"
check "invalidation was partial: entries remain" test "$(cache 'sum(w["entries"] for w in j["workers"])')" -gt 0
check "cache flush empties the cache" bash -c "$FERRYCTL -s $FERRY_SOCK cache flush >/dev/null"
flushed() { [ "$(cache 'sum(w["entries"] for w in j["workers"])')" -eq 0 ]; }
check "no entries after the flush" wait_for 5 flushed

# A localport (a metadata port, say): bound by its interface, claimed by
# no chassis, reachable from the local ports.
instance lp 10.0.0.50/24
mlp=$(mac_of lp)
nb lsp-add sw0 lp -- lsp-set-type lp localport -- lsp-set-addresses lp "$mlp 10.0.0.50"
check "a localport added at runtime" fctl port add lp "net_af_packet5,iface=$(if_of lp)" iface-id=lp
check "vm1 reaches the localport" wait_for 10 pings vm1 10.0.0.50
check_eq "nobody claims a localport" "" "$(ovn-sbctl --timeout=10 --bare --columns chassis find Port_Binding logical_port=lp)"

# A virtual port: vip (10.0.0.100) may live behind vm2 or vm5. When vm2
# announces the address (a gratuitous ARP), northd's flow runs
# bind_vport(); ferryd binds vip here with vm2 as its virtual parent, and
# frames for vip's MAC are delivered on vm2's port.
nb lsp-add sw0 vip -- lsp-set-type vip virtual -- lsp-set-addresses vip "00:00:00:00:01:00 10.0.0.100" \
	-- lsp-set-options vip virtual-ip=10.0.0.100 virtual-parents=vm2,vm5
nb --wait=sb sync
garp() {
	on vm2 python3 -c '
import socket, struct
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
mac = bytes.fromhex("'"${m2//:/}"'")
ip = socket.inet_aton("10.0.0.100")
s.send(b"\xff" * 6 + mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac + ip + b"\x00" * 6 + ip)'
}
vip_bound() {
	garp
	[ "$(ovn-sbctl --timeout=10 --bare --columns virtual_parent find Port_Binding logical_port=vip)" = vm2 ] &&
		[ -n "$(ovn-sbctl --timeout=10 --bare --columns chassis find Port_Binding logical_port=vip)" ]
}
check "bind_vport: vip is bound here behind vm2" wait_for 10 vip_bound
vip_delivered() {
	fctl --json trace "inport == \"vm1\" && eth.src == $m1 && eth.dst == 00:00:00:00:01:00 && ip4.src == 10.0.0.11 && ip4.dst == 10.0.0.100 && ip.ttl == 64 && icmp4.type == 8" |
		json '[(o["outport"], o["dpdk_port"]) for o in j["outputs"]]' | grep -q ", 1)"
}
check "frames for vip leave on vm2's port" wait_for 5 vip_delivered

# ECMP: two routes to 10.9.0.0/24, via vm3 and via vm9 (unbound here);
# select() spreads flows over both, each flow keeping its next hop.
nb --ecmp lr-route-add lr0 10.9.0.0/24 10.0.1.13
nb --ecmp lr-route-add lr0 10.9.0.0/24 10.0.1.19
ecmp_hops() {
	for sport in $(seq 1000 1015); do
		fctl --json trace "inport == \"vm1\" && eth.src == $m1 && eth.dst == 00:00:00:00:ff:01 && ip4.src == 10.0.0.11 && ip4.dst == 10.9.0.1 && ip.ttl == 64 && udp.src == $sport && udp.dst == 53" |
			json '" ".join(s["outport"] for s in j["stages"] if s["type"] == "output" and s["datapath"] == "sw1")'
	done | sort | uniq -c | awk '{print $2}' | tr '\n' ' '
}
ecmp_both() { [ "$(ecmp_hops)" = "vm3 vm9 " ]; }
check "select() spreads 16 flows over both ECMP next hops" wait_for 5 ecmp_both
one_flow() {
	for i in 1 2 3; do
		fctl --json trace "inport == \"vm1\" && eth.src == $m1 && eth.dst == 00:00:00:00:ff:01 && ip4.src == 10.0.0.11 && ip4.dst == 10.9.0.1 && ip.ttl == 64 && udp.src == 1234 && udp.dst == 53" |
			json '" ".join(s["outport"] for s in j["stages"] if s["type"] == "output" and s["datapath"] == "sw1")'
	done | sort -u | wc -l
}
check_eq "a flow keeps its next hop" 1 "$(one_flow)"

# FDB learning: vm5's port has "unknown" addresses, so the switch learns
# its MAC (put_fdb, an FDB row written by ferryd) and then delivers to it
# by that row (get_fdb), not by flooding to the unknown group.
instance vm5 10.0.0.15/24
m5=$(mac_of vm5)
nb lsp-add sw0 vm5 -- lsp-set-addresses vm5 unknown
check "a port added at runtime" fctl port add vm5 "net_af_packet4,iface=$(if_of vm5)" iface-id=vm5
check "vm5 (unknown addresses) reaches vm2" wait_for 10 pings vm5 10.0.0.12
fdb_row() { ovn-sbctl --timeout=10 --bare --columns port_key find FDB "mac=\"$m5\"" | grep -q .; }
check "ferryd wrote vm5's MAC to the FDB table" wait_for 5 fdb_row
fdb_hit() {
	fctl --json trace "inport == \"vm2\" && eth.src == $m2 && eth.dst == $m5 && ip4.src == 10.0.0.12 && ip4.dst == 10.0.0.15 && ip.ttl == 64 && icmp4.type == 0" |
		json '"ok" if [s["outport"] for s in j["stages"] if s["type"] == "deliver"] == ["vm5"] and not [s for s in j["stages"] if s["type"] == "output" and s["outport"] == "_MC_unknown"] else ""' | grep -q ok
}
check "vm2 -> vm5 goes by the learned FDB entry, not the unknown group" wait_for 5 fdb_hit

# Changes: a router port added becomes reachable; a port deleted does not.
nb lrp-add lr0 lr0-sw2 00:00:00:00:ff:03 10.0.2.1/24
check "a router port added answers ping" wait_for 3 pings vm1 10.0.2.1
# An address changed: vm3 moves to 10.0.1.23; the router resolves the new
# address (its static ARP entry) and routes to it.
on vm3 ip addr add 10.0.1.23/24 dev eth0
nb lsp-set-addresses vm3 "$m3 10.0.1.23"
check "an address change takes effect" wait_for 3 pings vm1 10.0.1.23
nb lsp-del vm2
check "a deleted port is unreachable" wait_for 3 bash -c "! ip netns exec $(ns_of vm1) ping -c 1 -W 1 10.0.0.12 >/dev/null 2>&1"

check "clean stop" ferryd_stop
t_done
