#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stateful ACLs through ferry's connection tracker, one chassis. Real OVN
# central, namespaces as instances on af_packet ports, ferryd in mode ovn
# with every cache hit checked against the pipeline. Proves:
#  - allow-related: vm1 may open connections (ICMP, UDP, TCP) to vm2 and
#    gets the replies, while vm2 may not open any to vm1 (a drop ACL on
#    vm1's egress), and `ferryctl lflow drops' names that ACL's flow;
#  - reject ACLs answer a TCP segment with a RST and a UDP datagram with
#    ICMP port unreachable, for a port the instance listens on, and an
#    SCTP INIT with an ABORT (its Initiate Tag, T bit clear, as RFC 9260
#    8.4 says, CRC32c right; sent and checked with scapy);
#  - a logged ACL writes its verdicts to ferry's log, limited by its meter;
#  - fragments (a 4,000-byte UDP datagram both ways) follow their first
#    fragment's connection, and later fragments that come before their
#    first wait for it;
#  - allow-stateless bypasses the tracker (no connection in vm3's zone);
#  - an ACL added while a connection is open stops it (ct_mark.blocked),
#    and removed, lets it go on;
#  - a zone's connection limit refuses the excess and counts it;
#  - `ferryctl ct list / stats / zones / flush' show and forget the
#    connections, and a restarted ferryd keeps its zone numbers;
#  - the flow cache replays ct actions on hits (continuations) with zero
#    disagreements under cache-check.
. "$(dirname "$0")/../lib/ferry.sh"
need_root
t_ovn_central || exit 1

instance vm1 10.0.0.11/24
instance vm2 10.0.0.12/24
instance vm3 10.0.0.13/24
# vm4 and vm5 reach ferryd through net_tap ports bridged to their veths:
# af_packet ports hand ferryd IP fragments reassembled (the PMD's fanout
# asks the kernel to), tap ports as they are on the wire.
instance vm4 10.0.0.14/24
instance vm5 10.0.0.15/24
for v in vm4 vm5; do
	br=f${T_ID}b$v
	ip link add "$br" type bridge || exit 1
	ip link set "$br" type bridge nf_call_iptables 0 nf_call_ip6tables 0 nf_call_arptables 0
	T_LINKS+=("$br" "f${T_ID}t$v")
	sysctl -qw "net.ipv6.conf.$br.disable_ipv6=1"
	ip link set "$(if_of $v)" master "$br"
	ip link set "$br" up
done
m1=$(mac_of vm1) m2=$(mac_of vm2) m3=$(mac_of vm3) m4=$(mac_of vm4) m5=$(mac_of vm5)
nb ls-add sw0
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "$m1 10.0.0.11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$m2 10.0.0.12"
nb lsp-add sw0 vm3 -- lsp-set-addresses vm3 "$m3 10.0.0.13"
nb lsp-add sw0 vm4 -- lsp-set-addresses vm4 "$m4 10.0.0.14"
nb lsp-add sw0 vm5 -- lsp-set-addresses vm5 "$m5 10.0.0.15"
nb acl-add sw0 from-lport 1002 'inport == "vm4" && ip4' allow-related
nb acl-add sw0 to-lport 1001 'outport == "vm4" && ip4' drop
nb meter-add acl-meter drop 2 pktps 2
nb acl-add sw0 from-lport 1002 'inport == "vm1" && ip4' allow-related
nb --log --name=vm1-in --severity=warning --meter=acl-meter \
	acl-add sw0 to-lport 1001 'outport == "vm1" && ip4' drop
nb acl-add sw0 to-lport 1005 'outport == "vm2" && tcp.dst == 9999' reject
nb acl-add sw0 to-lport 1005 'outport == "vm2" && udp.dst == 9999' reject
nb acl-add sw0 to-lport 1005 'outport == "vm2" && sctp.dst == 9999' reject
nb acl-add sw0 from-lport 1003 'inport == "vm3" && ip4' allow-stateless
nb acl-add sw0 to-lport 1003 'outport == "vm3" && ip4' allow-stateless
nb --wait=sb sync

one_chassis_args vm1 vm2 vm3
args=("${ARGS[@]}" --set conntrack.max-connections=4096)
i=3
for v in vm4 vm5; do
	args+=(--set "port.$v.devargs=net_tap$i,iface=f${T_ID}t$v" --set "port.$v.iface-id=$v")
	i=$((i + 1))
done
# tap_up: the kernel side of each tap into its bridge (with a MAC of its
# own: one equal to the bridge's would make frames the bridge's).
tap_up() {
	local v t
	for v in vm4 vm5; do
		t=f${T_ID}t$v
		sysctl -qw "net.ipv6.conf.$t.disable_ipv6=1"
		ip link set "$t" address "02:00:00:00:7b:$([ $v = vm4 ] && echo 04 || echo 05)"
		ip link set "$t" master "f${T_ID}b$v"
		ip link set "$t" up
	done
}
ferryd_start "${args[@]}" || exit 1
T_CLEANUP+=("[ -n \"\$FERRYD_PID\" ] && kill \$FERRYD_PID")
tap_up

all_up() { lports_up vm1 vm2 vm3 vm4 vm5; }
check "ports claimed and up" wait_for 20 all_up
nb --timeout=20 --wait=hv sync
pings() { on "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }
no_ping() { ! on "$1" ping -c 2 -i 0.3 -W 1 "$2" >/dev/null 2>&1; }

check "ping vm1 -> vm2 (allow-related, the reply passes)" wait_for 10 pings vm1 10.0.0.12
check "ping vm2 -> vm1 is dropped (no connection, drop ACL)" no_ping vm2 10.0.0.11
acl_drops() {
	[ "$(fctl --json lflow drops 100 | json 'sum(r["packets"] for r in j if r["lflow"] and "outport == \"vm1\"" in r["match"])')" -ge 1 ]
}
check "ferryctl lflow drops names the drop ACL's flow" acl_drops

# A logged ACL: its drops are in ferry's log, at most its meter's rate
# (2 per second, burst 2) however many packets it drops.
logged() { grep -c 'acl_log: name="vm1-in", verdict=drop, severity=warning, direction=to-lport, port=vm1: icmp,.*nw_src=10.0.0.12,nw_dst=10.0.0.11' "$T_DIR/ferryd.log"; }
check "the logged ACL's drop is in ferry's log" wait_for 3 test "$(logged)" -ge 1
n0=$(logged)
on vm2 ping -c 40 -i 0.05 -W 1 10.0.0.11 >/dev/null 2>&1
sleep 0.5
n1=$(logged)
check "40 drops in 2 s log at most the meter's 2/s + burst (got $((n1 - n0)))" \
	test $((n1 - n0)) -ge 2 -a $((n1 - n0)) -le 8
check "the rest are counted as over the meter" test "$(fctl --json ct stats | json 'j["acl_log_limited"]')" -ge 30
check "TCP vm1 -> vm2, 1 MiB checked" tcp_ok vm1 vm2 10.0.0.12
tcp_fails() { ! tcp_ok "$@" 2>/dev/null; }
check "TCP vm2 -> vm1 cannot connect" tcp_fails vm2 vm1 10.0.0.11

# udp_rt FROM TO ADDR [BYTES]: a datagram to a UDP echo on TO, and its
# answer (the same bytes back).
udp_rt() {
	local from=$1 to=$2 addr=$3 size=${4:-5}
	on "$to" timeout 4 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 5353))
d, a = s.recvfrom(65536); s.sendto(d, a)' "$addr" &
	local srv=$!
	sleep 0.3
	on "$from" timeout 3 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
m = bytes(i % 251 for i in range(int(sys.argv[2])))
s.sendto(m, (sys.argv[1], 5353)); d, _ = s.recvfrom(65536)
sys.exit(0 if d == m else 1)' "$addr" "$size"
	local rc=$?
	kill $srv 2>/dev/null
	wait $srv 2>/dev/null
	return $rc
}
check "UDP vm1 -> vm2 and its answer" udp_rt vm1 vm2 10.0.0.12
udp_fails() { ! udp_rt "$@" 2>/dev/null; }
check "UDP vm2 -> vm1 gets nothing" udp_fails vm2 vm1 10.0.0.11
# Fragments: a 4,000-byte datagram leaves vm4 in three fragments, its
# answer comes back in three; the later ones, without ports, follow the
# connection their first fragment found (the answer's through vm4's drop
# ACL, as a reply).
frag() { fctl --json ct stats | json "j['fragments']['$1']"; }
f0=$(frag followed)
check "a 4,000-byte UDP datagram and its answer, fragmented, through the ACL" \
	wait_for 5 udp_rt vm4 vm5 10.0.0.15 4000
check "later fragments followed their first" test $(($(frag followed) - f0)) -ge 4
check "unsolicited fragments vm5 -> vm4 still dropped" udp_fails vm5 vm4 10.0.0.14 4000
# Out of order: the same kind of datagram from vm4 in three fragments,
# sent last first (scapy: the kernel sends them in order). The two later
# ones wait in ferry for the first, then follow it through the ACL, and
# vm5's kernel reassembles the datagram.
held() { fctl --json ct stats | json "j['fragments']['$1']"; }
h0=$(held released)
reverse_frags() {
	on vm5 timeout 5 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.0.0.15", 6100))
s.settimeout(4); d = s.recv(65536)
sys.exit(0 if d == bytes(i % 251 for i in range(3000)) else 1)' &
	local srv=$!
	sleep 0.3
	on vm4 /usr/bin/python3 -c '
from scapy.all import IP, UDP, conf, fragment, send
conf.verb = 0
p = IP(src="10.0.0.14", dst="10.0.0.15", id=4242) / UDP(sport=6101, dport=6100) / bytes(i % 251 for i in range(3000))
send(list(reversed(fragment(p, fragsize=1200))))'
	wait $srv
}
check "a datagram whose fragments come last first passes the ACL" reverse_frags
check "its two later fragments were held for their first" test $(($(held released) - h0)) -ge 2

# Reject: vm2 listens on 9999 (TCP and UDP), but a reject ACL answers
# for it: a TCP RST (the connection is refused at once) and an ICMP port
# unreachable (a connected UDP socket gets ECONNREFUSED).
on vm2 timeout 20 python3 -c '
import socket, threading
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind(("0.0.0.0", 9999)); t.listen(4)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 9999))
def echo():
    while True:
        d, a = u.recvfrom(100); u.sendto(d, a)
threading.Thread(target=echo, daemon=True).start()
while True: t.accept()' >/dev/null 2>&1 &
T_CLEANUP+=("kill $! 2>/dev/null")
sleep 0.3
refused() {
	on vm1 timeout 5 python3 -c '
import socket, sys
try:
    if sys.argv[1] == "tcp":
        socket.create_connection(("10.0.0.12", 9999), timeout=3)
    else:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(3)
        u.connect(("10.0.0.12", 9999)); u.send(b"x"); u.recv(100)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)' "$1"
}
check "reject: TCP to a rejected port is refused (a RST from ferry)" refused tcp
check "reject: UDP to a rejected port gets port unreachable (ICMP from ferry)" refused udp
if /usr/bin/python3 -c 'import scapy' 2>/dev/null; then
	check "reject: an SCTP INIT gets an ABORT with its Initiate Tag" \
		on vm1 /usr/bin/python3 "$(dirname "$0")/sctp_probe.py" 10.0.0.12 9999 init
else
	check "scapy for the SCTP checks (python3-scapy)" false
fi

# allow-stateless: vm3's traffic is never tracked in vm3's zone.
check "ping vm2 -> vm3 (allow-stateless both ways)" wait_for 10 pings vm2 10.0.0.13
check "ping vm3 -> vm2" wait_for 10 pings vm3 10.0.0.12
zone_of() { fctl --json ct zones | json "[z['zone'] for z in j if z['owner'] == '$1'][0]"; }
z1=$(zone_of vm1) z2=$(zone_of vm2) z3=$(zone_of vm3)
check "every port has its own zone" test "$z1" != "$z2" -a "$z2" != "$z3" -a "$z1" != "$z3" -a "$z1" -gt 0
check_eq "no connection in vm3's zone (stateless)" 0 "$(fctl --json ct list --zone vm3 | json 'len(j)')"

# ct list: vm1's ping is one connection in vm1's zone (ingress) and one in
# vm2's (egress), both with vm1 as the originator.
on vm1 ping -c 1 -W 1 10.0.0.12 >/dev/null 2>&1
listed() { fctl --json ct list "src=10.0.0.11,dst=10.0.0.12" | json "sorted(set(c['zone'] for c in j if c['conn'].startswith('icmp,')))"; }
check_eq "ct list: vm1's ping in vm1's and vm2's zones" "$(python3 -c "print(sorted({$z1, $z2}))")" "$(listed)"
check "ct list text reads like dpctl/dump-conntrack" bash -c \
	"'$FERRYCTL' -s '$FERRY_SOCK' ct list --zone $z1 | grep -q '^icmp,orig=(src=10.0.0.11,dst=10.0.0.12,id=[0-9]*,type=8),reply=(src=10.0.0.12,dst=10.0.0.11,id=[0-9]*,type=0),zone=$z1,mark=0,timeout='"
ctstat() { fctl --json ct stats | json "$1"; }
check "ct stats: connections now, creations counted" test "$(ctstat 'j["connections"]')" -ge 2 -a "$(ctstat 'j["created"]')" -ge 6
check "ct stats: by zone and protocol" test "$(ctstat 'j["by_protocol"].get("icmp", 0)')" -ge 2

# An ACL added while a connection is open: a ping stream from vm1 stops
# (its connection is marked blocked), and goes on when the ACL goes.
on vm1 ping -i 0.1 -W 1 10.0.0.12 >"$T_DIR/stream" 2>&1 &
stream=$!
T_CLEANUP+=("pkill -f 'ping -i 0.1 -W 1 10.0.0.12'")
replies() { grep -c "bytes from" "$T_DIR/stream"; }
grows() { local a; a=$(replies); sleep 0.6; [ "$(replies)" -gt "$a" ]; }
still() { local a; a=$(replies); sleep 1; [ "$(replies)" -eq "$a" ]; }
check "the ping stream flows" wait_for 5 grows
nb --wait=sb --name=block acl-add sw0 from-lport 1004 'inport == "vm1" && ip4.dst == 10.0.0.12' drop
check "an ACL added mid-connection stops it" wait_for 5 still
blocked() { fctl --json ct list --zone "$z1" "src=10.0.0.11,dst=10.0.0.12" | json "any(',mark=1' in c['conn'] for c in j)"; }
check_eq "its connection is marked blocked (ct_mark.blocked)" True "$(blocked)"
nb --wait=sb acl-del sw0 from-lport 1004 'inport == "vm1" && ip4.dst == 10.0.0.12'
check "the ACL removed, the connection goes on" wait_for 5 grows
# (on runs ping under ip netns exec: stop the ping itself.)
pkill -f "ping -i 0.1 -W 1 10.0.0.12"
wait $stream 2>/dev/null

cache() { fctl --json cache | json "$1"; }
check "the flow cache hits stateful walks" test "$(cache 'sum(w["hits"] for w in j["workers"])')" -gt 500
# One UDP conversation, 100 datagrams each way in lockstep. After the
# first, vm1's datagrams find the established entry: the input port's
# last entry, or (between them vm1 sends to vm3, so that vm1's port last
# took another entry) by the hash, passing over the entry its first
# datagram left (ct.new) until the two swap places (cache.h).
swaps0=$(cache 'sum(w["swaps"] for w in j["workers"])')
on vm2 timeout 10 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.0.0.12", 5354))
for _ in range(100):
    d, a = s.recvfrom(2048); s.sendto(d, a)' &
echo_srv=$!
sleep 0.3
check "100 datagrams of one UDP conversation each answered" on vm1 timeout 8 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
o = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(100):
    s.sendto(b"%d" % i, ("10.0.0.12", 5354))
    assert s.recv(2048) == b"%d" % i
    o.sendto(b"x", ("10.0.0.13", 9))'
wait $echo_srv 2>/dev/null
check "the established entry moved before the new one" \
	test "$(cache 'sum(w["swaps"] for w in j["workers"])')" -gt "$swaps0"
check_eq "every hit agrees with the pipeline (cache-check)" 0 \
	"$(cache 'sum(w["check_mismatches"] for w in j["workers"])')"

# ct flush: one zone, then everything.
fctl ct flush --zone vm2 >/dev/null
check_eq "ct flush --zone vm2 empties vm2's zone" 0 "$(fctl --json ct list --zone vm2 | json 'len(j)')"
fctl ct flush >/dev/null
check_eq "ct flush empties the table" 0 "$(ctstat 'j["connections"]')"
check "after a flush vm1 opens again" wait_for 5 pings vm1 10.0.0.12

# A zone's limit: vm4's zone (quiet: vm4 is used by the fragment test
# alone) may hold one connection; a UDP exchange takes it, the next
# (another source port) is refused (ct.inv, dropped by the ACLs' ct.inv
# flow) and counted.
limit_of() { fctl --json ct limit --zone vm4 | json "j[0]['$1']"; }
fctl ct flush --zone vm4 >/dev/null
fctl ct limit --zone vm4 1 >/dev/null
check_eq "limit 1 on vm4's zone, empty" "0 1" "$(limit_of conns) $(limit_of limit)"
check "limit 1: vm4's first connection (UDP) passes" udp_rt vm4 vm5 10.0.0.15
check "limit 1: its second is refused" udp_fails vm4 vm5 10.0.0.15
check "the refusal is counted in vm4's zone, which holds 1" \
	test "$(limit_of refused)" -ge 1 -a "$(limit_of conns)" -eq 1
fctl ct limit --zone vm4 default >/dev/null
check "back to the default (none): the next UDP connection passes" udp_rt vm4 vm5 10.0.0.15

# Zone numbers survive a restart (kept beside the control socket).
check "ferryd stops cleanly" ferryd_stop
ferryd_start "${args[@]}" || exit 1
tap_up
check "ports up again" wait_for 20 all_up
check_eq "vm1 keeps its zone across a restart" "$z1" "$(zone_of vm1)"
check_eq "vm2 keeps its zone across a restart" "$z2" "$(zone_of vm2)"
check "ping vm1 -> vm2 after the restart" wait_for 10 pings vm1 10.0.0.12
check "ping vm2 -> vm1 still dropped" no_ping vm2 10.0.0.11
check "ferryd stops cleanly at the end" ferryd_stop
t_done
