#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The NAT engine on a gateway router bound to this chassis: SNAT of an
# inside subnet to one address (ports kept, or picked when taken), and a
# floating IP (dnat_and_snat) both ways; real OVN central, namespaces on
# af_packet ports, every cache hit checked. Proves:
#  - vm1 -> ext1: ext1 sees the SNAT address, vm1 gets the answers;
#  - two inside hosts with the same source port to the same server: both
#    answered (the second connection gets another port);
#  - ext1 -> the floating IP reaches vm2, which sees ext1's address, and
#    the answer comes from the floating IP; vm2's own connections out
#    leave from it too;
#  - ferryctl ct list shows the translations in the router's zones.
. "$(dirname "$0")/../lib/ferry.sh"
need_root
t_ovn_central || exit 1

instance vm1 10.0.0.11/24
instance vm2 10.0.0.12/24
instance vm3 10.0.0.13/24
instance ext1 172.16.0.10/24
for v in vm1 vm2 vm3; do on $v ip route add default via 10.0.0.254; done
on ext1 ip route add default via 172.16.0.1
m1=$(mac_of vm1) m2=$(mac_of vm2) m3=$(mac_of vm3) me=$(mac_of ext1)
nb ls-add sw0 -- ls-add out0
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "$m1 10.0.0.11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$m2 10.0.0.12"
nb lsp-add sw0 vm3 -- lsp-set-addresses vm3 "$m3 10.0.0.13"
nb lsp-add out0 ext1 -- lsp-set-addresses ext1 "$me 172.16.0.10"
nb lr-add gw0 -- set logical_router gw0 options:chassis=hv1
nb lrp-add gw0 gw0-sw0 00:00:00:00:ff:11 10.0.0.254/24
nb lrp-add gw0 gw0-out 00:00:00:00:ff:12 172.16.0.1/24
nb lsp-add sw0 sw0-gw0 -- lsp-set-type sw0-gw0 router -- lsp-set-addresses sw0-gw0 router \
	-- lsp-set-options sw0-gw0 router-port=gw0-sw0
nb lsp-add out0 out0-gw0 -- lsp-set-type out0-gw0 router -- lsp-set-addresses out0-gw0 router \
	-- lsp-set-options out0-gw0 router-port=gw0-out
nb lr-nat-add gw0 snat 172.16.0.100 10.0.0.0/24
nb lr-nat-add gw0 dnat_and_snat 172.16.0.101 10.0.0.12
nb --wait=sb sync

one_chassis_args vm1 vm2 vm3 ext1
ferryd_start "${ARGS[@]}" || exit 1
T_CLEANUP+=("[ -n \"\$FERRYD_PID\" ] && kill \$FERRYD_PID")
check "ports claimed and up" wait_for 20 lports_up vm1 vm2 vm3 ext1
nb --timeout=20 --wait=hv sync

# On ext1, a UDP server that answers each datagram with the address and
# port it came from; a TCP one on vm2 likewise.
on ext1 python3 -c '
import socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 7000))
while True:
    d, a = u.recvfrom(100); u.sendto(("%s:%d" % a).encode(), a)' >/dev/null 2>&1 &
T_CLEANUP+=("kill $! 2>/dev/null")
on vm2 python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 7001)); s.listen(8)
while True:
    c, a = s.accept(); c.sendall(("%s:%d" % a).encode()); c.close()' >/dev/null 2>&1 &
T_CLEANUP+=("kill $! 2>/dev/null")
sleep 0.3

# seen FROM [SPORT]: what ext1's server saw of FROM's datagram (from port SPORT).
seen() {
	on "$1" timeout 4 python3 -c '
import socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(1)
if len(sys.argv) > 1: u.bind(("0.0.0.0", int(sys.argv[1])))
for _ in range(3):
    try:
        u.sendto(b"x", ("172.16.0.10", 7000)); print(u.recv(100).decode()); break
    except socket.timeout: pass' ${2:+"$2"}
}
check "ping vm1 -> ext1 across gw0" wait_for 10 bash -c "ip netns exec $(ns_of vm1) ping -c 1 -W 1 172.16.0.10 >/dev/null"
s1=$(seen vm1 40000)
check_eq "ext1 sees vm1 as the SNAT address, its port kept" "172.16.0.100:40000" "$s1"
s3=$(seen vm3 40000)
check "vm3, same source port to the same server: answered from another port ($s3)" \
	bash -c "[[ '$s3' == 172.16.0.100:* && '$s3' != 172.16.0.100:40000 ]]"
s2=$(seen vm2)
check "vm2 (a floating IP) leaves from 172.16.0.101 ($s2)" bash -c "[[ '$s2' == 172.16.0.101:* ]]"
got=$(on ext1 timeout 4 python3 -c '
import socket
s = socket.create_connection(("172.16.0.101", 7001), timeout=3); print(s.recv(100).decode())' 2>/dev/null)
check "ext1 -> the floating IP reaches vm2, which sees ext1 ($got)" bash -c "[[ '$got' == 172.16.0.10:* ]]"

check "ct list: the SNAT connection, its reply to 172.16.0.100" bash -c \
	"'$FERRYCTL' -s '$FERRY_SOCK' ct list 'src=10.0.0.11,dst=172.16.0.10,sport=40000' | grep -q 'reply=(src=172.16.0.10,dst=172.16.0.100,sport=7000,dport=40000)'"
cache() { fctl --json cache | json "$1"; }
check_eq "every cache hit agrees with the pipeline (cache-check)" 0 \
	"$(cache 'sum(w["check_mismatches"] for w in j["workers"])')"
check "ferryd stops cleanly" ferryd_stop
t_done
