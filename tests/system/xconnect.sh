#!/usr/bin/env bash
# Proves: ferryd cross-connects two namespaces over af_packet (ping and a
# TCP transfer pass, byte-exact); its counters match the traffic exactly;
# a port removed and added at runtime works and does not disturb another
# pair; an idle ferryd stays under 5% of a core; SIGTERM stops it cleanly.
. "$(dirname "$0")/../lib/ferry.sh"
need_root

instance a 10.77.0.1/24
instance b 10.77.0.2/24
instance c 10.77.1.1/24
instance d 10.77.1.2/24
# Static neighbours: no ARP, so every packet counted is one we sent.
on a ip neigh add 10.77.0.2 lladdr "$(mac_of b)" dev eth0
on b ip neigh add 10.77.0.1 lladdr "$(mac_of a)" dev eth0
on c ip neigh add 10.77.1.2 lladdr "$(mac_of d)" dev eth0
on d ip neigh add 10.77.1.1 lladdr "$(mac_of c)" dev eth0

cat >"$T_DIR/ferryd.conf" <<CONF
# cross-connect a<->b from a file; c<->d come from the command line
[dataplane]
mode = cross-connect
idle-sleep-us = 1000

[port a]
devargs = net_af_packet0,iface=$(if_of a)
peer = b

[port b]
devargs = net_af_packet1,iface=$(if_of b)
peer = a
CONF
check "ferryd starts" ferryd_start -c "$T_DIR/ferryd.conf" \
	--set "port.c.devargs=net_af_packet2,iface=$(if_of c)" --set port.c.peer=d \
	--set "port.d.devargs=net_af_packet3,iface=$(if_of d)" --set port.d.peer=c
check_eq "four ports" 4 "$(fctl --json port list | json 'len(j)')"

check "ping a -> b" on a ping -c 3 -i 0.1 -W 2 10.77.0.2
check "ping c -> d" on c ping -c 3 -i 0.1 -W 2 10.77.1.2

# TCP: 8 MiB of random bytes, checked by digest on the far side.
on b python3 - >"$T_DIR/rx.sha" <<'PY' &
import hashlib, socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 5001)); s.listen(1); s.settimeout(20)
c, _ = s.accept(); h = hashlib.sha256()
while True:
    d = c.recv(65536)
    if not d: break
    h.update(d)
print(h.hexdigest())
PY
rx_pid=$!
head -c 8388608 /dev/urandom >"$T_DIR/blob"
check "receiver listening" wait_for 10 bash -c \
	"ip netns exec $(ns_of b) ss -ltnH 'sport = :5001' | grep -q 5001"
check "TCP transfer a -> b" on a python3 -c "
import socket; s = socket.create_connection(('10.77.0.2', 5001), timeout=20)
s.sendall(open('$T_DIR/blob', 'rb').read()); s.close()"
wait $rx_pid
check_eq "TCP bytes arrive intact" "$(sha256sum <"$T_DIR/blob" | cut -d' ' -f1)" "$(cat "$T_DIR/rx.sha")"

# Counters: exactly 50 echo requests (98-byte frames) and 50 replies.
fctl --json counters >"$T_DIR/c0.json"
on a ping -c 50 -i 0.01 -W 2 -q 10.77.0.2 >/dev/null
fctl --json counters >"$T_DIR/c1.json"
delta() { python3 -c "
import json; a=json.load(open('$T_DIR/c0.json')); b=json.load(open('$T_DIR/c1.json'))
print(b['ports']['$1']['$2'] - a['ports']['$1']['$2'])"; }
check_eq "a rx_packets" 50 "$(delta a rx_packets)"
check_eq "a rx_bytes" 4900 "$(delta a rx_bytes)"
check_eq "b tx_packets" 50 "$(delta b tx_packets)"
check_eq "b rx_packets" 50 "$(delta b rx_packets)"
check_eq "a tx_bytes" 4900 "$(delta a tx_bytes)"
check_eq "no drops" 0 "$(fctl --json counters | json "j['drops_total']")"
check "text counters name the ports" bash -c "fctl() { \"$FERRYCTL\" -s \"$FERRY_SOCK\" \"\$@\"; }; fctl counters | grep -q '^a '"
check_eq "worker 0 polls all four queues" 4 "$(fctl --json worker list | json "len(j['workers'][0]['rx_queues'])")"

# Runtime removal and re-adding of b, while c -> d keeps pinging.
on c ping -c 150 -i 0.01 -W 2 -q 10.77.1.2 >"$T_DIR/cd.ping" 2>&1 &
cd_pid=$!
check "port del b" fctl port del b
check "a -> b fails without b" bash -c "! ip netns exec $(ns_of a) ping -c 2 -i 0.1 -W 1 10.77.0.2"
check "a's packets counted as no-peer" test "$(fctl --json counters a | json "j['ports']['a']['drops'].get('no-peer', 0)")" -ge 2
check "port add b" fctl port add b "net_af_packet1,iface=$(if_of b)" peer=a
check "ping a -> b again" on a ping -c 3 -i 0.1 -W 2 10.77.0.2
wait $cd_pid
check "c -> d lost nothing meanwhile" grep -q " 0% packet loss" "$T_DIR/cd.ping"
check "duplicate port refused" bash -c "! \"$FERRYCTL\" -s \"$FERRY_SOCK\" port add b net_null0"
check "bad devargs refused" bash -c "! \"$FERRYCTL\" -s \"$FERRY_SOCK\" port add z net_nosuchdriver0"
check "ferryd alive after bad commands" fctl show

# Idle: ferryd's CPU time over 3 s must stay under 5% of one core.
sleep 0.5
t0=$(cpu_ticks "$FERRYD_PID"); s0=$(date +%s%N)
sleep 3
t1=$(cpu_ticks "$FERRYD_PID"); s1=$(date +%s%N)
hz=$(getconf CLK_TCK)
idle_pct=$(python3 -c "print(round(100.0 * ($t1 - $t0) / $hz / (($s1 - $s0) / 1e9), 2))")
check "idle CPU ${idle_pct}% < 5%" python3 -c "import sys; sys.exit(0 if $idle_pct < 5 else 1)"

check "SIGTERM exits 0" ferryd_stop
check "ports closed on the way out" grep -q "port a removed" "$T_DIR/ferryd.log"
check "socket removed" test ! -e "$FERRY_SOCK"
t_done
