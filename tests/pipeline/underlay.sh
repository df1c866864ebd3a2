#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The underlay's own traffic (issue 8): one ferry chassis whose underlay
# is routed. ferry's underlay veth leads to a Linux router (a namespace
# with ip_forward=1); the stand-in for a second chassis (geneve_peer.py,
# as in tunnel.sh) sits on another subnet behind it. Proves:
#  - the configuration refuses a gateway outside the encap IP's prefix,
#    one without prefix-length, one on a port that is not the underlay;
#  - a peer outside the prefix is reached through the gateway: ferry
#    resolves the gateway's MAC by ARP and the tunnel works both ways;
#  - ferry answers ICMP echo for its encap IP, on-link and routed (the
#    kernel that pings checks both checksums);
#  - ferryctl underlay shows the prefix, the gateway and its MAC;
#  - next hops age (reachable-time 2 s here): idle, one turns stale; with
#    traffic flowing it is asked again by unicast and stays, no packet
#    lost and none sent unresolved; when it stops answering it is
#    forgotten, packets to the peer count as unresolved, and it is
#    resolved again once it answers;
#  - the same over an IPv6 underlay (a second run): ferry answers
#    neighbour solicitations for its encap IP and ICMPv6 echo, resolves
#    the gateway by ND, and Geneve goes both ways over IPv6 (the peer's
#    kernel checks the outer UDP checksum).
. "$(dirname "$0")/../lib/ferry.sh"
need_root

# Configuration errors, before anything runs.
cfg() { "$FERRYD" -c /dev/null --set chassis.ovn-encap-ip=192.168.100.1 \
	--set port.ul.devargs=net_null0 --set port.ul.role=underlay "$@" --check-config 2>&1; }
# refused TEXT ARGS...: --check-config with ARGS fails (status 2) saying TEXT.
refused() {
	local want=$1 out
	shift
	out=$(cfg "$@")
	[ $? -eq 2 ] && grep -qF "$want" <<<"$out"
}
check "a gateway outside the encap IP's prefix is refused" \
	refused "gateway 192.168.1.1 is not another address of 192.168.100.1/24" \
	--set port.ul.prefix-length=24 --set port.ul.gateway=192.168.1.1
check "a gateway without prefix-length is refused" refused "gateway needs prefix-length" \
	--set port.ul.gateway=192.168.100.254
check "a gateway on a vif port is refused" refused "gateway is for role underlay only" \
	--set port.v.devargs=net_null1 --set port.v.gateway=192.168.100.254
check "prefix-length over 32 for an IPv4 encap IP is refused" refused "prefix-length 64 is over 32" \
	--set port.ul.prefix-length=64
check "a gateway of the other family is refused" refused "are not of one family" \
	--set port.ul.prefix-length=24 --set port.ul.gateway=fd00::1
accepted() { cfg "$@" >/dev/null; }
check "a gateway inside the prefix is accepted" \
	accepted --set port.ul.prefix-length=24 --set port.ul.gateway=192.168.100.254

t_ovn_central

instance vm1 10.0.0.11/24
m1=$(mac_of vm1)
m2=02:00:00:00:00:22

# ferry (192.168.100.1) -- router (.100.254 | .200.254) -- peer (192.168.200.2)
RTR=f${T_ID}rtr PEER=f${T_ID}peer UL=f${T_ID}ul
ip netns add "$RTR"
T_NETNS+=("$RTR")
ip netns add "$PEER"
T_NETNS+=("$PEER")
ip link add "$UL" type veth peer name eth0 netns "$RTR"
T_LINKS+=("$UL")
ip -n "$RTR" link add eth1 type veth peer name eth0 netns "$PEER"
sysctl -qw "net.ipv6.conf.$UL.disable_ipv6=1"
ip link set "$UL" up
ip netns exec "$RTR" sysctl -qw net.ipv4.ip_forward=1
ip -n "$RTR" addr add 192.168.100.254/24 dev eth0
ip -n "$RTR" addr add 192.168.200.254/24 dev eth1
for l in lo eth0 eth1; do ip -n "$RTR" link set "$l" up; done
ip -n "$PEER" addr add 192.168.200.2/24 dev eth0
ip -n "$PEER" link set eth0 up
ip -n "$PEER" link set lo up
ip -n "$PEER" route add default via 192.168.200.254
ip netns exec "$PEER" ethtool -K eth0 tx off >/dev/null
ip netns exec "$RTR" ethtool -K eth0 tx off >/dev/null
rtr_mac=$(ip -n "$RTR" link show eth0 | awk '/ether/ {print $2}')

nb ls-add sw0
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "$m1 10.0.0.11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$m2 10.0.0.12"
sb chassis-add hv2 geneve 192.168.200.2
sb lsp-bind vm2 hv2
nb --wait=sb sync

ferryd_start --set chassis.system-id=hv1 --set "chassis.ovn-remote=$OVN_SB_DB" \
	--set chassis.ovn-encap-ip=192.168.100.1 --set dataplane.mode=ovn \
	--set "port.vm1.devargs=net_af_packet0,iface=$(if_of vm1)" --set port.vm1.iface-id=vm1 \
	--set "port.ul.devargs=net_af_packet1,iface=$UL" --set port.ul.role=underlay \
	--set port.ul.prefix-length=24 --set port.ul.gateway=192.168.100.254 \
	--set port.ul.reachable-time=2 || exit 1
T_CLEANUP+=("kill $FERRYD_PID")
check "vm1 claimed and up" wait_for 20 bash -c "[ \"\$(ovn-nbctl --timeout=5 lsp-get-up vm1)\" = up ]"

k2=$(sb --bare --columns tunnel_key find Port_Binding logical_port=vm2)
ip netns exec "$PEER" python3 "$(dirname "$0")/geneve_peer.py" "$T_DIR/peer.log" "$m2" 10.0.0.12 "$k2" &
peer_pid=$!
T_CLEANUP+=("kill $peer_pid")

pings() { on vm1 ping -c 1 -W 1 10.0.0.12 >/dev/null 2>&1; }
check "vm1 pings vm2 on a chassis behind a router, through the tunnel both ways" wait_for 15 pings
tl() { fctl --json tunnel list | json "$1"; }
check_eq "tunnel list: hv2's next hop is the gateway's MAC" "$rtr_mac" "$(tl 'j[0]["next_hop_mac"]')"
ulay() { fctl --json underlay | json "$1"; }
check_eq "underlay: prefix and gateway" "24 192.168.100.254" "$(ulay '"%s %s" % (j["prefix_length"], j["gateway"])')"
check_eq "underlay: the gateway's MAC was learned" "$rtr_mac" \
	"$(ulay '[n["mac"] for n in j["next_hops"] if n["ip"] == "192.168.100.254"][0]')"
check_eq "underlay: no next hop for the peer itself (it is not on-link)" "[]" \
	"$(ulay '[n for n in j["next_hops"] if n["ip"] == "192.168.200.2"]')"

# ICMP echo for the encap IP: the kernel that pings checks the IP and
# ICMP checksums of the replies; a large payload checks the ICMP sum.
check "the router pings the encap IP" ip netns exec "$RTR" ping -q -c 3 -i 0.2 -W 1 192.168.100.1
check "the peer pings the encap IP through the router, 1200-byte payload" \
	ip netns exec "$PEER" ping -q -c 3 -i 0.2 -W 1 -s 1200 192.168.100.1

# Ageing. gwf FIELD: the gateway's next-hop entry's FIELD (None: no entry).
gwf() { ulay "([n[\"$1\"] for n in j[\"next_hops\"] if n[\"ip\"] == \"192.168.100.254\"] + [None])[0]"; }
ctr() { ulay "j[\"counters\"][\"$1\"]"; }
is_stale() { [ "$(gwf state)" = stale ]; }
check "idle, the gateway's entry turns stale after reachable-time" wait_for 6 is_stale
unres0=$(ctr unresolved) probes0=$(ctr probes) ref0=$(gwf refreshes)
ping30() { on vm1 ping -q -c 30 -i 0.2 -w 15 10.0.0.12 | grep -q ' 30 received'; }
check "30 pings over 3 reachable-times, none lost" ping30
check_eq "no packet was sent unresolved meanwhile" "$unres0" "$(ctr unresolved)"
check "the stale gateway was asked again by unicast" test "$(ctr probes)" -gt "$probes0"
check "and confirmed itself, more than once" test "$(gwf refreshes)" -ge $((ref0 + 2))
check_eq "nothing forgotten so far" 0 "$(ulay 'j["forgotten"]')"

# The gateway stops answering ARP: probed, then forgotten.
ip -n "$RTR" link set eth0 arp off
gone() { on vm1 ping -c 1 -W 0.3 10.0.0.12 >/dev/null 2>&1; [ "$(gwf state)" = None ]; }
check "a next hop that does not answer is forgotten" wait_for 15 gone
check_eq "forgotten counted" 1 "$(ulay 'j["forgotten"]')"
check_eq "tunnel list: hv2 unresolved" None "$(tl 'j[0]["next_hop_mac"]')"
unres1=$(ctr unresolved)
on vm1 ping -c 2 -i 0.2 -W 0.5 10.0.0.12 >/dev/null 2>&1
check "packets to hv2 now count as unresolved" test "$(ctr unresolved)" -gt "$unres1"
ip -n "$RTR" link set eth0 arp on
ip -n "$RTR" neigh flush dev eth0
check "the gateway answers again: resolved, the tunnel works" wait_for 15 pings
check_eq "tunnel list: hv2's next hop is the gateway's MAC again" "$rtr_mac" "$(tl 'j[0]["next_hop_mac"]')"

# Not ours: a UDP datagram to another port of the encap IP.
before=$(fctl --json drops | json 'sum(r["packets"] for r in j if r["reason"] == "underlay-not-ours")')
ip netns exec "$PEER" python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.168.100.1", 9999))'
not_ours() { [ "$(fctl --json drops | json 'sum(r["packets"] for r in j if r["reason"] == "underlay-not-ours")')" -gt "$before" ]; }
check "frames on the underlay that are not ours are counted" wait_for 5 not_ours

check "clean stop" ferryd_stop

# The IPv6 underlay: the same topology, addresses of the other family.
kill "$peer_pid"
ip netns exec "$RTR" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$RTR" addr add fd00:100::254/64 dev eth0 nodad
ip -n "$RTR" addr add fd00:200::254/64 dev eth1 nodad
ip -n "$PEER" addr add fd00:200::2/64 dev eth0 nodad
ip -n "$PEER" route add default via fd00:200::254
sb chassis-del hv2
sb chassis-add hv2 geneve fd00:200::2
sb lsp-bind vm2 hv2
ip netns exec "$PEER" python3 "$(dirname "$0")/geneve_peer.py" "$T_DIR/peer6.log" "$m2" 10.0.0.12 "$k2" ipv6 &
T_CLEANUP+=("kill $!")
ferryd_start --set chassis.system-id=hv1 --set "chassis.ovn-remote=$OVN_SB_DB" \
	--set chassis.ovn-encap-ip=fd00:100::1 --set dataplane.mode=ovn \
	--set "port.vm1.devargs=net_af_packet0,iface=$(if_of vm1)" --set port.vm1.iface-id=vm1 \
	--set "port.ul.devargs=net_af_packet1,iface=$UL" --set port.ul.role=underlay \
	--set port.ul.prefix-length=64 --set port.ul.gateway=fd00:100::254 \
	--set port.ul.neighbours=fd00:100::99=02:00:00:00:00:99 || exit 1
T_CLEANUP+=("kill $FERRYD_PID")
check "IPv6: vm1 pings vm2 through the tunnel, over IPv6 behind a router" wait_for 20 pings
check_eq "IPv6: a static next hop is listed as such" "02:00:00:00:00:99 static" \
	"$(ulay '[n["mac"] + " " + n["state"] for n in j["next_hops"] if n["ip"] == "fd00:100::99"][0]')"
check_eq "IPv6: the peer received Geneve from the encap IP" fd00:100::1 \
	"$(python3 -c "import json; print(json.loads(open('$T_DIR/peer6.log').readlines()[-1])['from'])")"
check_eq "IPv6: tunnel list: hv2 at fd00:200::2, next hop the gateway's MAC" "fd00:200::2 $rtr_mac" \
	"$(tl '"%s %s" % (j[0]["encap_ip"], j[0]["next_hop_mac"])')"
check_eq "IPv6: underlay: overlay MTU 1500 less 78, prefix and gateway" "1422 64 fd00:100::254" \
	"$(ulay '"%s %s %s" % (j["overlay_mtu"], j["prefix_length"], j["gateway"])')"
check_eq "IPv6: the gateway's MAC was learned by ND" "$rtr_mac" \
	"$(ulay '([n["mac"] for n in j["next_hops"] if n["ip"] == "fd00:100::254"] + [None])[0]')"
# The router forgets ferry's MAC (it may have it from ferry's own
# solicitation) and has to ask.
ip -n "$RTR" neigh flush dev eth0
answered0=$(ulay 'j["counters"]["answered"]') echoes0=$(ulay 'j["counters"]["echoes"]')
check "IPv6: the router pings the encap IP (ferry answered its solicitation)" \
	ip netns exec "$RTR" ping -q -6 -c 3 -i 0.2 -W 1 fd00:100::1
check "IPv6: the router's neighbour entry for the encap IP has ferry's MAC" bash -c \
	"ip -6 -n $RTR neigh show fd00:100::1 | grep -q \"lladdr \$(ip link show $UL | awk '/ether/ {print \$2}')\""
check "IPv6: the peer pings the encap IP through the router, 1200-byte payload" \
	ip netns exec "$PEER" ping -q -6 -c 3 -i 0.2 -W 1 -s 1200 fd00:100::1
check "IPv6: ferry counted the solicitation it answered" \
	test "$(ulay 'j["counters"]["answered"]')" -gt "$answered0"
check_eq "IPv6: ferry counted the 6 echoes it answered" $((echoes0 + 6)) "$(ulay 'j["counters"]["echoes"]')"
check "IPv6: clean stop" ferryd_stop
t_done
