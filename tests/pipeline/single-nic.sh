#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Single-NIC mode (issue 8): the underlay NIC is also the host's only NIC.
# ferryd's underlay is a veth to a "switch" namespace (a Linux bridge)
# where another underlay host and the stand-in Geneve peer (geneve_peer.py)
# live. `exception = IFNAME' makes ferryd create a tap with the NIC's MAC;
# the test moves it into a "host" namespace that gets the host's address.
# Proves:
#  - the exception interface exists with the NIC's MAC and MTU, and keeps working
#    after it moved to another namespace;
#  - the host pings the other underlay host and is pinged by it (ARP both
#    ways through ferry), and makes a TCP connection that carries 256 KiB
#    both ways, while pings flow through the Geneve tunnel to the peer;
#  - Geneve to the encap IP and ARP for it stay ferry's: a capture in the
#    host sees none of them, and sees ARP for its own address;
#  - ferryctl underlay counts what went to and came from the host;
#  - the host may hold the encap IP itself: ARP replies to it reach both
#    ferry and the host, the host's ping and TCP work, the tunnel too;
#  - a bad exception name is refused by the configuration.
. "$(dirname "$0")/../lib/ferry.sh"
need_root

cfg() { "$FERRYD" -c /dev/null --set chassis.ovn-encap-ip=192.168.100.1 \
	--set port.ul.devargs=net_null0 "$@" --check-config 2>&1; }
refused() {
	local want=$1 out
	shift
	out=$(cfg "$@")
	[ $? -eq 2 ] && grep -qF "$want" <<<"$out"
}
check "exception on a vif port is refused" refused "exception is for role underlay only" \
	--set port.ul.exception=host0
check "an exception name over 15 characters is refused" refused "must be an interface name" \
	--set port.ul.role=underlay --set port.ul.exception=a-very-long-name0

t_ovn_central

instance vm1 10.0.0.11/24
m1=$(mac_of vm1)
m2=02:00:00:00:00:22

# switch: br0 joins ferry's NIC, the other host and the Geneve peer.
SW=f${T_ID}sw OTHER=f${T_ID}oth PEER=f${T_ID}peer HOST=f${T_ID}host
UL=f${T_ID}ul EXC=f${T_ID}h
for n in "$SW" "$OTHER" "$PEER" "$HOST"; do
	ip netns add "$n"
	T_NETNS+=("$n")
	ip -n "$n" link set lo up
done
ip -n "$SW" link add br0 type bridge
ip -n "$SW" link set br0 up
ip link add "$UL" type veth peer name p-ferry netns "$SW"
T_LINKS+=("$UL")
sysctl -qw "net.ipv6.conf.$UL.disable_ipv6=1"
ip link set "$UL" up
for n in OTHER PEER; do
	ip -n "$SW" link add "p-$n" type veth peer name eth0 netns "${!n}"
done
for p in p-ferry p-OTHER p-PEER; do
	ip -n "$SW" link set "$p" master br0
	ip -n "$SW" link set "$p" up
done
ip -n "$OTHER" addr add 192.168.100.3/24 dev eth0
ip -n "$PEER" addr add 192.168.100.2/24 dev eth0
for n in "$OTHER" "$PEER"; do
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$n" link set eth0 up
	# af_packet hands frames over as they are: checksums must be complete.
	ip netns exec "$n" ethtool -K eth0 tx off >/dev/null
done

nb ls-add sw0
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "$m1 10.0.0.11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$m2 10.0.0.12"
sb chassis-add hv2 geneve 192.168.100.2
sb lsp-bind vm2 hv2
nb --wait=sb sync

ferryd_start --set chassis.system-id=hv1 --set "chassis.ovn-remote=$OVN_SB_DB" \
	--set chassis.ovn-encap-ip=192.168.100.1 --set dataplane.mode=ovn \
	--set "port.vm1.devargs=net_af_packet0,iface=$(if_of vm1)" --set port.vm1.iface-id=vm1 \
	--set "port.ul.devargs=net_af_packet1,iface=$UL" --set port.ul.role=underlay \
	--set "port.ul.exception=$EXC" --set port.ul.mtu=1400 || exit 1
T_CLEANUP+=("kill $FERRYD_PID")
check "vm1 claimed and up" wait_for 20 bash -c "[ \"\$(ovn-nbctl --timeout=5 lsp-get-up vm1)\" = up ]"

ul_mac=$(ip link show "$UL" | awk '/ether/ {print $2}')
check_eq "the exception interface has the NIC's MAC" "$ul_mac" \
	"$(ip link show "$EXC" 2>/dev/null | awk '/ether/ {print $2}')"
check_eq "the exception interface has the NIC's MTU" 1400 "$(cat "/sys/class/net/$EXC/mtu")"
ip link set "$EXC" netns "$HOST"
ip netns exec "$HOST" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip -n "$HOST" addr add 192.168.100.10/24 dev "$EXC"
ip -n "$HOST" link set "$EXC" up
# A tap that is down (as it is while it moves) takes nothing: count the
# drops from here on.
ulay() { fctl --json underlay | json "$1"; }
drops0=$(ulay '"%d %d" % (j["exception"]["to_host_drops"], j["exception"]["from_host_drops"])')

k2=$(sb --bare --columns tunnel_key find Port_Binding logical_port=vm2)
ip netns exec "$PEER" python3 "$(dirname "$0")/geneve_peer.py" "$T_DIR/peer.log" "$m2" 10.0.0.12 "$k2" &
T_CLEANUP+=("kill $!")

# The other underlay host echoes whatever a TCP client sends.
ip netns exec "$OTHER" python3 -c '
import socket, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.168.100.3", 5555))
s.listen(4)
def echo(c):
    while True:
        b = c.recv(65536)
        if not b:
            break
        c.sendall(b)
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=echo, args=(c,), daemon=True).start()
' &
T_CLEANUP+=("kill $!")

pings() { on vm1 ping -c 1 -W 1 10.0.0.12 >/dev/null 2>&1; }
check "vm1 pings vm2 on the other chassis through the tunnel" wait_for 15 pings

# What reaches the host, seen from inside it: every frame the tap hands
# the host's kernel, sorted by kind, until SIGTERM.
cat >"$T_DIR/sniff.py" <<'PY'
import json, signal, socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
n = {"geneve": 0, "arp_for_encap_ip": 0, "arp_for_host": 0, "icmp": 0, "tcp": 0}
def done(*_):
    open(sys.argv[2], "w").write(json.dumps(n))
    sys.exit(0)
signal.signal(signal.SIGTERM, done)
print("ready", flush=True)
while True:
    f, addr = s.recvfrom(65535)
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    et = struct.unpack("!H", f[12:14])[0]
    if et == 0x0806 and f[38:42] == socket.inet_aton("192.168.100.1"):
        n["arp_for_encap_ip"] += 1
    elif et == 0x0806 and f[38:42] == socket.inet_aton("192.168.100.10"):
        n["arp_for_host"] += 1
    elif et == 0x0800:
        ihl = (f[14] & 15) * 4
        if f[23] == 17 and struct.unpack("!H", f[14 + ihl + 2:14 + ihl + 4])[0] == 6081:
            n["geneve"] += 1
        n["icmp"] += f[23] == 1
        n["tcp"] += f[23] == 6
PY
ip netns exec "$HOST" python3 "$T_DIR/sniff.py" "$EXC" "$T_DIR/sniff.json" >"$T_DIR/sniff.out" &
sniffer=$!
T_CLEANUP+=("kill $sniffer")
wait_for 5 grep -q ready "$T_DIR/sniff.out"
# Both ask again: the peer for the encap IP (ferry's to answer), the
# other host for the host's address (the host's).
ip -n "$PEER" neigh flush dev eth0
ip -n "$OTHER" neigh flush dev eth0

# Geneve keeps flowing while the host talks.
on vm1 ping -q -i 0.1 -c 60 -w 30 10.0.0.12 >"$T_DIR/tunnel-ping.txt" 2>&1 &
tunnel_ping=$!
host_pings() { ip netns exec "$HOST" ping -c 1 -W 1 192.168.100.3 >/dev/null 2>&1; }
check "the host pings the other underlay host through the exception interface" wait_for 10 host_pings
check "the other underlay host pings the host" \
	ip netns exec "$OTHER" ping -q -c 3 -i 0.2 -W 1 192.168.100.10
tcp() {
	ip netns exec "$HOST" python3 -c '
import os, socket, sys
data = os.urandom(256 * 1024)
c = socket.create_connection(("192.168.100.3", 5555), timeout=5)
c.sendall(data)
c.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = c.recv(65536)
    if not b:
        break
    got += b
sys.exit(0 if got == data else 1)'
}
check "the host's TCP connection carries 256 KiB both ways" tcp
wait "$tunnel_ping"
check "60 pings through the tunnel meanwhile, none lost" grep -q ' 60 received' "$T_DIR/tunnel-ping.txt"
kill "$sniffer"
wait "$sniffer"
seen() { json "j[\"$1\"]" <"$T_DIR/sniff.json"; }
check_eq "Geneve stays ferry's: none reached the host" 0 "$(seen geneve)"
check_eq "ARP for the encap IP stays ferry's: none reached the host" 0 "$(seen arp_for_encap_ip)"
check "ARP for the host's address reached the host" test "$(seen arp_for_host)" -ge 1
check "the host's ICMP and TCP reached it" test "$(seen icmp)" -ge 3 -a "$(seen tcp)" -ge 10
check "the peer resolved the encap IP again meanwhile (ferry answered)" bash -c \
	"ip -n $PEER neigh show 192.168.100.1 | grep -q lladdr"

check_eq "ferryctl underlay names the exception interface" "$EXC" "$(ulay 'j["exception"]["iface"]')"
check "ferryctl underlay: frames went to the host" test "$(ulay 'j["exception"]["to_host_packets"]')" -ge 100
check "ferryctl underlay: frames came from the host" test "$(ulay 'j["exception"]["from_host_packets"]')" -ge 100
check_eq "ferryctl underlay: no exception drops since the host was up" "$drops0" \
	"$(ulay '"%d %d" % (j["exception"]["to_host_drops"], j["exception"]["from_host_drops"])')"
check "ferryctl underlay shows single-NIC mode" bash -c "$FERRYCTL -s $FERRY_SOCK underlay | grep -q 'single-NIC mode: host interface $EXC'"

# The host takes the encap IP as its own address, as single-NIC hosts
# often do: ferry still answers ARP for it, and hands the host the ARP
# replies to it and whatever else is not ferry's.
ip -n "$HOST" addr flush dev "$EXC"
ip -n "$HOST" addr add 192.168.100.1/24 dev "$EXC"
ip -n "$HOST" neigh flush dev "$EXC"
ip -n "$OTHER" neigh flush dev eth0
check "sharing the encap IP, the host pings the other underlay host" wait_for 10 host_pings
check "sharing the encap IP, the host's TCP connection carries 256 KiB both ways" tcp
check "the host learned the other host's MAC from an ARP reply ferry also took" bash -c \
	"ip -n $HOST neigh show 192.168.100.3 | grep -q lladdr"
check "the tunnel still works" wait_for 10 pings

check "clean stop" ferryd_stop
t_done
