#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Geneve to another chassis, first stage (issue 8): one ferry chassis and,
# at the far end of a veth underlay, a stand-in for a second chassis
# (geneve_peer.py in its own namespace, with the kernel's UDP stack).
# Real OVN central; the second chassis is registered with ovn-sbctl and
# vm2 bound to it. Proves:
#  - output to a port on the other chassis leaves in Geneve to its encap
#    IP (after ferry resolved the next hop by ARP): VNI = the switch's
#    tunnel key, one option of class 0x0102 type 0x80 with vm1's and vm2's
#    port keys; the kernel accepts the outer UDP checksum;
#  - a broadcast reaches the other chassis once, with the flood group as
#    the egress key;
#  - Geneve from the other chassis is decapsulated and delivered to vm1:
#    vm1 pings vm2 (ARP and echo answered over there) and gets replies;
#  - ferry answers ARP for its encap IP; frames not for it are counted;
#  - the flow cache takes the encap direction, checked against the
#    pipeline on every hit;
#  - the flow cache takes the decap direction too (Geneve input hits it);
#  - trace shows the tunnel; tunnel list and underlay show the peer, its
#    next hop, packets both ways and the overlay MTU;
#  - with the underlay's MTU at 1400, a DF packet over the overlay MTU
#    (1342) gets ICMP "need to fragment" back, one without DF is a named
#    drop;
#  - malformed Geneve (truncated, bad version, wrong VNI, no option,
#    option past the option area, unknown port) is dropped by reason,
#    charged to the peer, and forwarding goes on;
#  - behind an allow-related ACL, a 4,000-byte UDP answer from the other
#    chassis whose fragments come last first passes: the later fragments
#    wait for their first (frag_early.h); an unsolicited one does not.
. "$(dirname "$0")/../lib/ferry.sh"
need_root

t_ovn_central

instance vm1 10.0.0.11/24
m1=$(mac_of vm1)
m2=02:00:00:00:00:22

# The underlay: a veth pair, one end for ferryd, the other in "peer".
# UNDERLAY=tap: ferryd's underlay is a net_tap port instead, which offers
# checksum offloads (done in software by the PMD), bridged to that veth;
# the outer checksums are then the port's work, and the peer's kernel
# still checks them.
PEER=f${T_ID}peer UL=f${T_ID}ul
ip netns add "$PEER"
T_NETNS+=("$PEER")
ip link add "$UL" type veth peer name eth0 netns "$PEER"
T_LINKS+=("$UL")
sysctl -qw "net.ipv6.conf.$UL.disable_ipv6=1"
ip link set "$UL" up
ul_devargs="net_af_packet1,iface=$UL"
if [ "${UNDERLAY:-veth}" = tap ]; then
	BR=f${T_ID}br TAP=f${T_ID}tap
	ip link add "$BR" type bridge
	T_LINKS+=("$BR" "$TAP")
	sysctl -qw "net.ipv6.conf.$BR.disable_ipv6=1"
	ip link set "$UL" master "$BR"
	ip link set "$BR" up
	ul_devargs="net_tap0,iface=$TAP"
fi
ip -n "$PEER" addr add 192.168.100.2/24 dev eth0
ip -n "$PEER" link set eth0 up
ip -n "$PEER" link set lo up
ip netns exec "$PEER" ethtool -K eth0 tx off >/dev/null

nb ls-add sw0
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "$m1 10.0.0.11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$m2 10.0.0.12"
sb chassis-add hv2 geneve 192.168.100.2
sb lsp-bind vm2 hv2
nb --wait=sb sync

ferryd_start --set chassis.system-id=hv1 --set "chassis.ovn-remote=$OVN_SB_DB" \
	--set chassis.ovn-encap-ip=192.168.100.1 --set dataplane.mode=ovn --set dataplane.cache-check=true \
	--set "port.vm1.devargs=net_af_packet0,iface=$(if_of vm1)" --set port.vm1.iface-id=vm1 \
	--set "port.ul.devargs=$ul_devargs" --set port.ul.role=underlay \
	--set port.ul.mtu=1400 || exit 1
if [ "${UNDERLAY:-veth}" = tap ]; then
	sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1"
	# The kernel side starts with ferry's MAC, which a bridge port's MAC
	# would make the bridge's own: frames to ferry would stop there.
	ip link set "$TAP" address 02:00:00:00:7a:99
	ip link set "$TAP" master "$BR"
	ip link set "$TAP" up
fi
T_CLEANUP+=("kill $FERRYD_PID")
check "vm1 claimed and up" wait_for 20 bash -c "[ \"\$(ovn-nbctl --timeout=5 lsp-get-up vm1)\" = up ]"

key() { sb --bare --columns tunnel_key find "$@"; }
dp_key=$(key Datapath_Binding external_ids:name=sw0)
k1=$(key Port_Binding logical_port=vm1)
k2=$(key Port_Binding logical_port=vm2)
flood=$(key Multicast_Group name=_MC_flood)

ip netns exec "$PEER" python3 "$(dirname "$0")/geneve_peer.py" "$T_DIR/peer.log" "$m2" 10.0.0.12 "$k2" &
T_CLEANUP+=("kill $!")

pings() { on vm1 ping -c 1 -W 1 10.0.0.12 >/dev/null 2>&1; }
check "vm1 pings vm2 on the other chassis, through the tunnel both ways" wait_for 15 pings
check "ferry answered ARP for its encap IP (the peer knows its MAC)" \
	bash -c "ip -n $PEER neigh show 192.168.100.1 | grep -q lladdr"

rec() { python3 -c "
import json, sys
recs = [json.loads(l) for l in open('$T_DIR/peer.log')]
print($1)"; }
check_eq "Geneve VNI is sw0's tunnel key" "$dp_key" "$(rec 'sorted({r["vni"] for r in recs})[0]')"
check_eq "one OVN option, class 0x0102 type 0x80, 4 bytes" "[{'class': 258, 'type': 128, 'len': 4}]" \
	"$(rec 'recs[-1]["options"]')"
check_eq "unicast echo: ingress key vm1, egress key vm2" "$k1 $k2" \
	"$(rec '" ".join(str(r[k]) for r in recs if r["inner"] == "icmp-echo" for k in ("in", "out")).split()[0] + " " + [str(r["out"]) for r in recs if r["inner"] == "icmp-echo"][0]')"
# ARP for an address nobody answers for locally is flooded: one copy goes
# to hv2, with the flood group as its egress key.
on vm1 ping -c 1 -W 1 10.0.0.99 >/dev/null 2>&1
flooded() { [ "$(rec 'sorted({str(r["out"]) for r in recs if r["inner"] == "arp"})')" = "['$flood']" ]; }
check "a broadcast reaches the other chassis with the flood group as egress key" wait_for 5 flooded
check "trace shows the tunnel to hv2" bash -c "$FERRYCTL -s $FERRY_SOCK --json trace 'inport == \"vm1\" && eth.src == $m1 && eth.dst == $m2 && ip4.src == 10.0.0.11 && ip4.dst == 10.0.0.12 && ip.ttl == 64 && icmp4.type == 8' | grep -q '\"chassis\": \"hv2\"'"

# ferryctl tunnel list and underlay.
tl() { fctl --json tunnel list | json "$1"; }
check_eq "tunnel list: hv2 at 192.168.100.2, next hop resolved" "hv2 192.168.100.2 True" \
	"$(tl '" ".join([j[0]["chassis"], j[0]["encap_ip"], str(j[0]["next_hop_mac"] is not None)])')"
check "tunnel list: packets both ways" test "$(tl 'min(j[0]["tx_packets"], j[0]["rx_packets"])')" -gt 0
ulay() { fctl --json underlay | json "$1"; }
check_eq "underlay: encap IP, MTU 1400 and the overlay MTU (less 58 for IPv4 Geneve)" \
	"192.168.100.1 1400 1342" "$(ulay '" ".join([j["encap_ip"], str(j["mtu"]), str(j["overlay_mtu"])])')"
check_eq "underlay: outer checksums offloaded on a tap underlay only" \
	"$([ "${UNDERLAY:-veth}" = tap ] && echo True || echo False)" "$(ulay 'j["tx_csum_offload"]')"
check_eq "underlay: the peer's MAC was learned" \
	"$(ip -n "$PEER" link show eth0 | awk '/ether/ {print $2}')" \
	"$(ulay '[n["mac"] for n in j["next_hops"] if n["ip"] == "192.168.100.2"][0]')"

# The flow cache takes the encap direction: repeated pings hit it, and
# every hit agrees with the pipeline (cache-check).
on vm1 ping -c 5 -i 0.2 -W 1 10.0.0.12 >/dev/null 2>&1
cache() { fctl --json cache | json "$1"; }
check "encap: pings through the tunnel hit the flow cache" test "$(cache 'sum(w["hits"] - w["decap_hits"] for w in j["workers"])')" -ge 4
check "decap: their replies from the tunnel hit it too" test "$(cache 'sum(w["decap_hits"] for w in j["workers"])')" -ge 4
check_eq "encap: every hit agrees with the pipeline" 0 "$(cache 'sum(w["check_mismatches"] for w in j["workers"])')"
check "tunnel list counts the cached packets too" test "$(tl 'j[0]["tx_packets"]')" -ge 6

# Not ours: a UDP datagram to another port of the encap IP.
before=$(fctl --json drops | json 'sum(r["packets"] for r in j if r["reason"] == "underlay-not-ours")')
ip netns exec "$PEER" python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.168.100.1", 9999))'
not_ours() { [ "$(fctl --json drops | json 'sum(r["packets"] for r in j if r["reason"] == "underlay-not-ours")')" -gt "$before" ]; }
check "frames on the underlay that are not ours are counted" wait_for 5 not_ours

# Path MTU: the overlay MTU is 1342. A DF packet over it gets "need to
# fragment" from the address it was sent to; the sender's kernel learns the
# path MTU. Without DF: a named drop.
drops_of() { fctl --json drops | json "sum(r['packets'] for r in j if r['reason'] == '$1')"; }
big=$(drops_of tunnel-too-big)
on vm1 ping -c 1 -W 1 -M do -s 1400 10.0.0.12 >"$T_DIR/big.txt" 2>&1
check "DF over the overlay MTU: ICMP need to fragment with MTU 1342" grep -q "mtu = 1342" "$T_DIR/big.txt"
check "the sender learned the path MTU" bash -c "ip netns exec $(ns_of vm1) ip route get 10.0.0.12 | grep -q 'mtu 1342'"
on vm1 ping -c 1 -W 1 -M dont -s 1400 10.0.0.12 >/dev/null 2>&1
check_eq "both over-size packets are named drops (tunnel-too-big)" $((big + 2)) "$(drops_of tunnel-too-big)"
check "a packet at the overlay MTU still passes" on vm1 ping -c 1 -W 2 -M do -s 1314 10.0.0.12

# Malformed Geneve from hv2's encap IP: each dropped by name, charged to
# hv2, and forwarding goes on.
ip netns exec "$PEER" python3 - "$dp_key" "$k1" <<'PY'
import socket, struct, sys
vni, k1 = int(sys.argv[1]), int(sys.argv[2])
def opt(i, o, cls=0x0102, typ=0x80, ln=1):
    return struct.pack("!HBB", cls, typ, ln) + struct.pack("!HH", i, o)
def gnv(v, opts, inner=b"", ver=0):
    return struct.pack("!BBH", ver << 6 | len(opts) // 4, 0, 0x6558) + struct.pack("!I", v << 8) + opts + inner
inner = bytes.fromhex("ffffffffffff020000000022") + b"\x88\xb5" + bytes(46)  # local experimental
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for p in [b"\x00\x00\x65",                                  # geneve-truncated
          gnv(vni, opt(2, k1), inner, ver=1),                  # geneve-bad-version
          gnv(0xabcde, opt(2, k1), inner),                     # tunnel-unknown-datapath
          gnv(vni, b"", inner),                                # tunnel-no-ovn-option
          gnv(vni, struct.pack("!HBB", 0x0102, 0x80, 5) + bytes(4), inner),  # geneve-bad-option
          gnv(vni, opt(2, 30000), inner)]:                     # tunnel-unknown-port
    s.sendto(p, ("192.168.100.1", 6081))
PY
peer_drops() { fctl --json tunnel list | json "j[0]['drops_by_reason'].get('$1', 0)"; }
malformed() {
	for r in geneve-truncated geneve-bad-version tunnel-unknown-datapath tunnel-no-ovn-option \
		geneve-bad-option tunnel-unknown-port; do
		[ "$(peer_drops "$r")" -ge 1 ] || return 1
	done
}
check "malformed Geneve: six reasons, each charged to hv2" wait_for 5 malformed
check "malformed Geneve: ferryctl drops names them too" test "$(drops_of tunnel-unknown-port)" -ge 1
check "forwarding goes on after malformed input" on vm1 ping -c 1 -W 2 10.0.0.12
check_eq "every cache hit still agrees with the pipeline" 0 "$(cache 'sum(w["check_mismatches"] for w in j["workers"])')"

# Fragments over the tunnel, out of order, through a stateful ACL: vm1
# sends a datagram to vm2 (opening the connection) and waits for a
# 4,000-byte answer that arrives in three inner fragments, last first.
nb acl-add sw0 from-lport 1002 'inport == "vm1" && ip4' allow-related
nb acl-add sw0 to-lport 1001 'outport == "vm1" && ip4' drop
nb --wait=sb sync
frag() { fctl --json ct stats | json "j['fragments']['$1']"; }
# answer PORT: vm1 sends from PORT (unless "unsolicited") and prints the
# size of the datagram it gets back within 3 s (0 for none), while hv2
# sends one in reversed fragments from 10.0.0.12:7000 to vm1's PORT.
answer() {
	local port=$1 open=${2:-open}
	on vm1 python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('10.0.0.11', $port))
if '$open' == 'open':
    s.sendto(b'hello', ('10.0.0.12', 7000))
s.settimeout(3)
try:
    print(len(s.recv(8192)))
except socket.timeout:
    print(0)" >"$T_DIR/answer.txt" &
	local rx=$!
	sleep 0.5
	ip netns exec "$PEER" /usr/bin/python3 - "$dp_key" "$k2" "$k1" "$m2" "$m1" "$port" <<'PY'
import socket, struct, sys
from scapy.all import IP, UDP, Ether, fragment, raw
vni, k2, k1, m2, m1, port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6])
opt = struct.pack("!HBB", 0x0102, 0x80, 1) + struct.pack("!HH", k2, k1)
hdr = struct.pack("!BBH", len(opt) // 4, 0, 0x6558) + struct.pack("!I", vni << 8) + opt
p = IP(src="10.0.0.12", dst="10.0.0.11", id=4242 + port) / UDP(sport=7000, dport=port) / (b"x" * 4000)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for f in reversed(fragment(p, fragsize=1200)):
    s.sendto(hdr + raw(Ether(src=m2, dst=m1) / f), ("192.168.100.1", 6081))
PY
	wait $rx
	cat "$T_DIR/answer.txt"
}
# The ACLs are in force once vm1's datagrams are tracked.
tracked() {
	on vm1 python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('10.0.0.12', 6999))"
	[ "$(fctl --json ct list "src=10.0.0.11,dst=10.0.0.12" | json "len([c for c in j if c['conn'].startswith('udp,')])")" -gt 0 ]
}
check "allow-related commits vm1's datagrams to hv2" wait_for 10 tracked
h0=$(frag held) r0=$(frag released)
check_eq "an answer in reversed fragments over Geneve passes the ACL whole" 4000 "$(answer 7001)"
check "its two later fragments were held for their first, then released" \
	test $(($(frag held) - h0)) -ge 2 -a $(($(frag released) - r0)) -ge 2
check_eq "an unsolicited datagram, fragmented the same way, is dropped" 0 "$(answer 7100 unsolicited)"
check_eq "every cache hit still agrees with the pipeline" 0 "$(cache 'sum(w["check_mismatches"] for w in j["workers"])')"

check "clean stop" ferryd_stop
t_done
