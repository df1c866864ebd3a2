#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Static underlay next hops (the underlay port's neighbours key): one
# ferry chassis and, at the far end of a veth underlay, the stand-in
# chassis of tunnel.sh. Proves:
#  - a bad neighbours value is refused with a message naming the key;
#  - the configured next hop is in ferryctl underlay (marked static) and
#    hv2 is resolved in tunnel list before any packet has moved;
#  - vm1 reaches vm2 on hv2 through the tunnel with ferry never sending an
#    ARP request on the underlay and nothing dropped as unresolved (it
#    still answers the peer's own ARP for the encap IP);
#  - an ARP claim for the neighbour's address from another MAC does not
#    replace the static entry.
. "$(dirname "$0")/../lib/ferry.sh"
need_root

bad=$("$FERRYD" --check-config --set port.ul.devargs=net_null0 --set port.ul.role=underlay \
	--set port.ul.neighbours=192.168.100.2=ff:ff:ff:ff:ff:ff 2>&1)
check_eq "a broadcast MAC is refused at start, naming the key" 2 "$?"
check "the message says which port, which key and why" \
	grep -q "port 'ul': neighbours: 'ff:ff:ff:ff:ff:ff' is not a unicast MAC" <<<"$bad"

t_ovn_central

instance vm1 10.0.0.11/24
m1=$(mac_of vm1)
m2=02:00:00:00:00:22

PEER=f${T_ID}peer UL=f${T_ID}ul
ip netns add "$PEER"
T_NETNS+=("$PEER")
ip link add "$UL" type veth peer name eth0 netns "$PEER"
T_LINKS+=("$UL")
sysctl -qw "net.ipv6.conf.$UL.disable_ipv6=1"
ip link set "$UL" up
ip -n "$PEER" addr add 192.168.100.2/24 dev eth0
ip -n "$PEER" link set eth0 up
ip -n "$PEER" link set lo up
ip netns exec "$PEER" ethtool -K eth0 tx off >/dev/null
peer_mac=$(ip -n "$PEER" link show eth0 | awk '/ether/ {print $2}')

nb ls-add sw0
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "$m1 10.0.0.11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$m2 10.0.0.12"
sb chassis-add hv2 geneve 192.168.100.2
sb lsp-bind vm2 hv2
nb --wait=sb sync

# Every ARP frame on the peer's side of the underlay, from before ferryd starts.
ip netns exec "$PEER" python3 "$(dirname "$0")/arp_watch.py" watch eth0 "$T_DIR/arp.log" &
T_CLEANUP+=("kill $!")
: >"$T_DIR/arp.log"

ferryd_start --set chassis.system-id=hv1 --set "chassis.ovn-remote=$OVN_SB_DB" \
	--set chassis.ovn-encap-ip=192.168.100.1 --set dataplane.mode=ovn \
	--set "port.vm1.devargs=net_af_packet0,iface=$(if_of vm1)" --set port.vm1.iface-id=vm1 \
	--set "port.ul.devargs=net_af_packet1,iface=$UL" --set port.ul.role=underlay \
	--set "port.ul.neighbours=192.168.100.2=$peer_mac,192.168.100.9=02:00:00:00:00:99" || exit 1
T_CLEANUP+=("kill $FERRYD_PID")
check "vm1 claimed and up" wait_for 20 bash -c "[ \"\$(ovn-nbctl --timeout=5 lsp-get-up vm1)\" = up ]"

ulay() { fctl --json underlay | json "$1"; }
tl() { fctl --json tunnel list | json "$1"; }
check_eq "underlay: both configured next hops, static, before any traffic" \
	"192.168.100.2 $peer_mac True 192.168.100.9 02:00:00:00:00:99 True" \
	"$(ulay '" ".join(" ".join([n["ip"], n["mac"], str(n["static"])]) for n in j["next_hops"])')"
check_eq "tunnel list: hv2 resolved to the static MAC before any traffic" "$peer_mac" \
	"$(tl 'j[0]["next_hop_mac"]')"
check_eq "port list shows the key" "192.168.100.2=$peer_mac,192.168.100.9=02:00:00:00:00:99" \
	"$(fctl --json port list | json '[p["neighbours"] for p in j if p["name"] == "ul"][0]')"

k2=$(sb --bare --columns tunnel_key find Port_Binding logical_port=vm2)
ip netns exec "$PEER" python3 "$(dirname "$0")/geneve_peer.py" "$T_DIR/peer.log" "$m2" 10.0.0.12 "$k2" &
T_CLEANUP+=("kill $!")

pings() { on vm1 ping -c 1 -W 1 10.0.0.12 >/dev/null 2>&1; }
check "vm1 pings vm2 on the other chassis, through the tunnel both ways" wait_for 15 pings
unresolved() { fctl --json drops | json 'sum(r["packets"] for r in j if r["reason"] == "tunnel-unresolved")'; }
check_eq "nothing dropped for an unresolved next hop" 0 "$(unresolved)"
arp() { python3 -c "
import json
recs = [json.loads(l) for l in open('$T_DIR/arp.log')]
print($1)"; }
check "ferry answered the peer's ARP for the encap IP (the watcher sees ARP)" \
	test "$(arp 'sum(1 for r in recs if r["op"] == 2 and r["spa"] == "192.168.100.1")')" -ge 1
check_eq "ferry sent no ARP request on the underlay" 0 \
	"$(arp 'sum(1 for r in recs if r["op"] == 1 and r["spa"] == "192.168.100.1")')"

# Someone claims 192.168.100.2 from another MAC: ferry answers (and would
# learn the asker), but the static entry stays.
ip netns exec "$PEER" python3 "$(dirname "$0")/arp_watch.py" ask eth0 02:00:00:00:0b:ad \
	192.168.100.2 192.168.100.1
answered() { [ "$(arp 'sum(1 for r in recs if r["op"] == 2 and r["tpa"] == "192.168.100.2" and r["spa"] == "192.168.100.1")')" -ge 2 ]; }
check "ferry answered the claim" wait_for 5 answered
check_eq "the static next hop holds against ARP" "$peer_mac static" \
	"$(ulay '[n["mac"] + (" static" if n["static"] else " learned") for n in j["next_hops"] if n["ip"] == "192.168.100.2"][0]')"
check "vm1 still reaches vm2" pings

check "clean stop" ferryd_stop
t_done
