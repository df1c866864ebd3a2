#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Load balancers on a logical switch through ferry's tracker (ct_lb_mark,
# NAT to a backend and back), one chassis, every cache hit checked.
# Proves:
#  - TCP connections to a VIP spread over its backends, and each answer
#    comes back from the VIP (the client's socket accepts it);
#  - a connection stays on its backend for all its messages;
#  - a backend removed from the VIP gets no new connections;
#  - with affinity_timeout, a client's connections stay on one backend;
#  - a UDP VIP answers from the VIP; an SCTP VIP spreads associations over
#    its backends and their INIT-ACKs come back from the VIP (scapy on
#    both ends: no kernel SCTP here);
#  - `ferryctl ct list' shows the translation (orig to the VIP, reply
#    from the backend);
#  - an IPv6 VIP spreads and answers from the VIP, and IPv6 affinity keeps
#    a client on one backend;
#  - hairpin: a backend reaching a VIP of its own switch and landing on
#    itself gets its answers from the VIP (ct_snat_to_vip in the switch's
#    SNAT zone), with and without stateful ACLs on that switch, and the
#    hairpinned connection shows in that zone with the VIP as source.
. "$(dirname "$0")/../lib/ferry.sh"
need_root
t_ovn_central || exit 1

# The client vm1 on sw1, the backends vm2 and vm3 on sw0, lr0 between;
# the load balancers on the client's switch, as OVN deployments have them.
instance vm1 10.0.1.11/24
instance vm2 10.0.0.12/24
instance vm3 10.0.0.13/24
on vm1 ip route add default via 10.0.1.1
on vm2 ip route add default via 10.0.0.1
on vm3 ip route add default via 10.0.0.1
# IPv6 too: vm1 fd00:0:0:1::11, vm2 fd00::12, vm3 fd00::13.
for v in vm1:fd00:0:0:1::11:fd00:0:0:1::1 vm2:fd00::12:fd00::1 vm3:fd00::13:fd00::1; do
	i=${v%%:*} rest=${v#*:}
	a=$(sed -E 's/^(.*::[0-9]+):.*/\1/' <<<"$rest") gw=$(sed -E 's/^.*::[0-9]+:(.*)$/\1/' <<<"$rest")
	on "$i" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0
	on "$i" ip -6 addr add "$a/64" dev eth0 nodad
	on "$i" ip -6 route add default via "$gw"
done
m1=$(mac_of vm1) m2=$(mac_of vm2) m3=$(mac_of vm3)
nb ls-add sw0 -- ls-add sw1 -- lr-add lr0
nb lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 fd00::1/64
nb lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 10.0.1.1/24 fd00:0:0:1::1/64
for s in 0 1; do
	nb lsp-add sw$s sw$s-lr0 -- lsp-set-type sw$s-lr0 router -- lsp-set-addresses sw$s-lr0 router \
		-- lsp-set-options sw$s-lr0 router-port=lr0-sw$s
done
nb lsp-add sw1 vm1 -- lsp-set-addresses vm1 "$m1 10.0.1.11 fd00:0:0:1::11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$m2 10.0.0.12 fd00::12"
nb lsp-add sw0 vm3 -- lsp-set-addresses vm3 "$m3 10.0.0.13 fd00::13"
nb lb-add lb-tcp 10.0.0.100:80 10.0.0.12:8080,10.0.0.13:8080 tcp
nb lb-add lb-udp 10.0.0.100:53 10.0.0.12:5353,10.0.0.13:5353 udp
nb lb-add lb-sctp 10.0.0.100:3868 10.0.0.12:3868,10.0.0.13:3868 sctp
nb lb-add lb-aff 10.0.0.101:80 10.0.0.12:8080,10.0.0.13:8080 tcp
nb set load_balancer lb-aff options:affinity_timeout=60
nb ls-lb-add sw1 lb-tcp
nb ls-lb-add sw1 lb-udp
nb ls-lb-add sw1 lb-aff
nb ls-lb-add sw1 lb-sctp
nb lb-add lb-v6 "[fd00:5::100]:80" "[fd00::12]:8080,[fd00::13]:8080" tcp
nb lb-add lb-v6aff "[fd00:5::101]:80" "[fd00::12]:8080,[fd00::13]:8080" tcp
nb set load_balancer lb-v6aff options:affinity_timeout=60
nb ls-lb-add sw1 lb-v6 -- ls-lb-add sw1 lb-v6aff
nb lb-add lb-hp 10.0.5.102:80 10.0.0.12:8080 tcp
nb lb-add lb-hp2 10.0.5.103:80 10.0.0.12:8080,10.0.0.13:8080 tcp
nb ls-lb-add sw0 lb-hp -- ls-lb-add sw0 lb-hp2
nb --wait=sb sync

one_chassis_args vm1 vm2 vm3
ferryd_start "${ARGS[@]}" --set conntrack.max-connections=4096 || exit 1
T_CLEANUP+=("[ -n \"\$FERRYD_PID\" ] && kill \$FERRYD_PID")
check "ports claimed and up" wait_for 20 lports_up vm1 vm2 vm3
nb --timeout=20 --wait=hv sync

# Backends: a TCP server on 8080 that answers every line with its name,
# and a UDP one on 5353.
for b in vm2 vm3; do
	on $b python3 -c '
import socket, sys, threading
name = sys.argv[1].encode()
def tcp():
    s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", 8080)); s.listen(64)
    while True:
        c, _ = s.accept()
        def serve(c):
            f = c.makefile("rb")
            for line in f:
                c.sendall(name + b"\n")
            c.close()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
def udp():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 5353))
    while True:
        d, a = u.recvfrom(2048); u.sendto(name, a)
threading.Thread(target=udp, daemon=True).start()
tcp()' $b >/dev/null 2>&1 &
	T_CLEANUP+=("kill $! 2>/dev/null")
done
sleep 0.5

# conns N [MSGS [VIP [CLIENT]]]: N connections to the VIP (10.0.0.100)
# from CLIENT (vm1), MSGS lines each; one line per connection: the
# backends that answered it, space separated.
conns() {
	on "${4:-vm1}" timeout 30 python3 -c '
import socket, sys
for i in range(int(sys.argv[1])):
    s = socket.create_connection((sys.argv[3], 80), timeout=3)
    f = s.makefile("rb"); got = []
    for m in range(int(sys.argv[2])):
        s.sendall(b"hello\n"); got.append(f.readline().strip().decode())
    s.close(); print(" ".join(got))' "$1" "${2:-1}" "${3:-10.0.0.100}"
}
check "TCP to the VIP answers" wait_for 10 bash -c "$(declare -f conns on ns_of); T_ID=$T_ID; conns 1 | grep -q vm"
out=$(conns 24)
check_eq "24 connections, 24 answers" 24 "$(grep -c . <<<"$out")"
n2=$(grep -c vm2 <<<"$out") n3=$(grep -c vm3 <<<"$out")
check "connections spread over both backends (vm2 $n2, vm3 $n3)" test "$n2" -ge 2 -a "$n3" -ge 2
sticky=$(conns 4 5)
check "each connection stays on its backend (5 messages each)" \
	bash -c "! grep -Eq 'vm2.*vm3|vm3.*vm2' <<<'$sticky' && [ \$(grep -c . <<<'$sticky') -eq 4 ]"

udp_vip() {
	on vm1 timeout 3 python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(2)
u.connect(("10.0.0.100", 53)); u.send(b"q"); print(u.recv(100).decode())'
}
check "UDP to the VIP is answered from the VIP (a connected socket)" \
	bash -c "$(declare -f udp_vip on ns_of); T_ID=$T_ID; udp_vip | grep -Eq '^vm[23]$'"

# SCTP: vm2 and vm3 answer INITs (their INIT-ACKs carry 12 and 13), vm1
# asks 10 associations of the VIP.
if /usr/bin/python3 -c 'import scapy' 2>/dev/null; then
	for b in vm2:12 vm3:13; do
		on "${b%%:*}" timeout 30 /usr/bin/python3 "$(dirname "$0")/sctp_lb.py" serve 3868 "${b#*:}" 25 \
			>/dev/null 2>&1 &
		T_CLEANUP+=("kill $! 2>/dev/null")
	done
	sleep 2
	sc=$(on vm1 timeout 60 /usr/bin/python3 "$(dirname "$0")/sctp_lb.py" ask 10.0.0.100 3868 10)
	check "SCTP VIP: 10 INIT-ACKs from the VIP, both backends used ($(sort <<<"$sc" | uniq -c | tr '\n' ' '))" \
		test "$(grep -cE '^1[23]$' <<<"$sc")" -eq 10 -a "$(sort -u <<<"$sc" | grep -c .)" -eq 2
else
	check "scapy for the SCTP VIP (python3-scapy)" false
fi

check "ct list: to the VIP, the reply from a backend" \
	bash -c "'$FERRYCTL' -s '$FERRY_SOCK' ct list 'dst=10.0.0.100,sport=' | grep -Eq '^tcp,orig=\(src=10.0.1.11,dst=10.0.0.100,sport=[0-9]+,dport=80\),reply=\(src=10.0.0.1[23],dst=10.0.1.11,sport=8080,'"

# A backend removed: new connections all go to the other.
nb --wait=sb --may-exist lb-add lb-tcp 10.0.0.100:80 10.0.0.13:8080 tcp
out=$(conns 10)
check_eq "backend vm2 removed: 10 new connections, all to vm3" 10 "$(grep -c vm3 <<<"$out")"

# Affinity: a client's connections to lb-aff's VIP all go to the backend
# its first one got (OVN learns it with commit_lb_aff, asks chk_lb_aff).
aff=$(conns 12 1 10.0.0.101)
check_eq "affinity: 12 connections answered" 12 "$(grep -c . <<<"$aff")"
check "affinity: all on one backend ($(sort <<<"$aff" | uniq -c | tr '\n' ' '))" \
	test "$(sort -u <<<"$aff" | grep -c .)" -eq 1
aff_found() { fctl --json ct stats | json "j['affinity']['found']"; }
check "affinity: found in the table for the later connections" test "$(aff_found)" -ge 10

# IPv6: a VIP that spreads, one with affinity.
out=$(conns 16 2 fd00:5::100)
check "IPv6 VIP: 16 connections answered from the VIP, both backends used ($(sort <<<"$out" | uniq -c | tr '\n' ' '))" \
	test "$(grep -cE '^(vm2 vm2|vm3 vm3)$' <<<"$out")" -eq 16 -a "$(sort -u <<<"$out" | grep -c .)" -eq 2
found=$(aff_found)
aff=$(conns 12 1 fd00:5::101)
check "IPv6 affinity: 12 connections, all on one backend ($(sort <<<"$aff" | uniq -c | tr '\n' ' '))" \
	test "$(grep -c . <<<"$aff")" -eq 12 -a "$(sort -u <<<"$aff" | grep -c .)" -eq 1
check "IPv6 affinity: found in the table for the later connections" test "$(aff_found)" -ge $((found + 10))

# Hairpin: vm2 is lb-hp's only backend, and asks it (on sw0, its own
# switch): it must answer itself from the VIP, its reply taken back
# through sw0's SNAT zone (chk_lb_hairpin_reply, ct_snat).
hairpin_ok() {
	local out
	out=$(conns 3 4 10.0.5.102 vm2)
	[ "$(grep -c '^vm2 vm2 vm2 vm2$' <<<"$out")" -eq 3 ]
}
check "hairpin: vm2 -> its own VIP, 3 connections of 4 messages, answered by itself" \
	wait_for 10 hairpin_ok
sw0_snat="$(sb --bare --columns _uuid find Datapath_Binding external_ids:name=sw0)_snat"
check "hairpin: sw0's SNAT zone holds it, source the VIP" \
	bash -c "'$FERRYCTL' -s '$FERRY_SOCK' ct list --zone '$sw0_snat' | grep -Eq '^tcp,orig=\(src=10.0.0.12,dst=10.0.0.12,sport=[0-9]+,dport=8080\),reply=\(src=10.0.0.12,dst=10.0.5.102,sport=8080,'"
# A VIP with vm2 one of two backends: its connections land on either.
hp2=$(conns 16 2 10.0.5.103 vm2)
check "hairpin among backends: vm2 -> a VIP of vm2 and vm3, 16 answered, both used ($(sort <<<"$hp2" | uniq -c | tr '\n' ' '))" \
	test "$(grep -cE '^(vm2 vm2|vm3 vm3)$' <<<"$hp2")" -eq 16 -a "$(sort -u <<<"$hp2" | grep -c .)" -eq 2
# The same with stateful ACLs on sw0: every packet of the hairpin passes
# vm2's zone twice (ingress and egress), as on a stock chassis.
nb acl-add sw0 from-lport 1002 ip4 allow-related -- acl-add sw0 to-lport 1002 ip4 allow-related
nb --timeout=20 --wait=hv sync
check "hairpin with stateful ACLs on the switch" wait_for 10 hairpin_ok
check "with the ACLs, vm3 -> the VIP reaches vm2" \
	bash -c "$(declare -f conns on ns_of); T_ID=$T_ID; conns 2 2 10.0.5.102 vm3 | grep -c '^vm2 vm2$' | grep -qx 2"

cache() { fctl --json cache | json "$1"; }
check "the flow cache hits load-balanced walks" test "$(cache 'sum(w["hits"] for w in j["workers"])')" -gt 100
check_eq "every hit agrees with the pipeline (cache-check)" 0 \
	"$(cache 'sum(w["check_mismatches"] for w in j["workers"])')"
check "ferryd stops cleanly" ferryd_stop
t_done
