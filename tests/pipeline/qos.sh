#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# QoS bandwidth limits (set_meter) on one chassis. Real OVN central and
# northd, namespaces as instances on af_packet ports, ferryd in mode ovn
# with every cache hit checked against the pipeline. Proves:
#  - without QoS, a 16 Mbit/s UDP stream from vm1 reaches vm2 whole;
#  - a from-lport QoS row with a bandwidth (northd's set_meter in
#    ls_in_qos_meter) holds the stream to its rate, burst included;
#  - `ferryctl meter list' shows the policer with the logical flow, its
#    rate and burst, and what it passed and dropped; the drops are named
#    `meter-drop' and charged to the QoS flow (`ferryctl lflow drops');
#  - a to-lport row limits the egress side (ls_out_qos_meter);
#  - a changed rate applies at once, and with the rows removed the stream
#    is whole again;
#  - the flow cache replays each policer's verdict (hits both ways) with
#    no disagreement under cache-check.
. "$(dirname "$0")/../lib/ferry.sh"
need_root
t_ovn_central || exit 1

instance vm1 10.0.0.11/24
instance vm2 10.0.0.12/24
m1=$(mac_of vm1) m2=$(mac_of vm2)
nb ls-add sw0
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "$m1 10.0.0.11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$m2 10.0.0.12"
nb --wait=sb sync
one_chassis_args vm1 vm2
ferryd_start "${ARGS[@]}" || exit 1
T_CLEANUP+=("[ -n \"\$FERRYD_PID\" ] && kill \$FERRYD_PID")
check "ports claimed and up" wait_for 20 lports_up vm1 vm2
nb --timeout=20 --wait=hv sync
pings() { on vm1 ping -c 1 -W 1 10.0.0.12 >/dev/null 2>&1; }
check "ping vm1 -> vm2" wait_for 10 pings

# rate: a paced UDP stream of 1,000-byte datagrams vm1 -> vm2, 16 Mbit/s
# of frames (2,000 a second) for 2 s; prints the kbit/s of frames (the
# meter's measure: Ethernet header on) that vm2 received.
rate() {
	on vm2 timeout 6 python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.0.0.12", 7000))
s.settimeout(1.5); n = 0
try:
    while True:
        d = s.recv(2048); n += len(d) + 42
except socket.timeout:
    pass
print(n * 8 // 2000)' >"$T_DIR/rate" &
	local srv=$!
	sleep 0.3
	on vm1 python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
m = bytes(958); t0 = time.monotonic()
for i in range(4000):
    while time.monotonic() < t0 + i / 2000.0:
        time.sleep(0.0005)
    s.sendto(m, ("10.0.0.12", 7000))'
	wait $srv
	cat "$T_DIR/rate"
}
r0=$(rate)
check "without QoS the 16 Mbit/s stream arrives (got $r0 kbit/s)" test "${r0:-0}" -ge 12000

# 2,000 kbit/s, burst 400 kbit: 2 s pass 4,000 + 400 kbit, 2,200 kbit/s.
nb qos-add sw0 from-lport 100 'inport == "vm1" && udp' rate=2000 burst=400
nb --wait=hv sync
r1=$(rate)
check "a from-lport QoS row holds it to 2,000 kbit/s, burst 400 kbit (got $r1)" \
	test "${r1:-0}" -ge 1500 -a "${r1:-0}" -le 2500
policer() { fctl --json meter list | json "[p for p in j['policers'] if p['rate_kbps'] == $1]"; }
check "ferryctl meter list shows the policer (rate, burst)" \
	test "$(policer 2000 | python3 -c 'import ast,sys; p=ast.literal_eval(sys.stdin.read()); print(len(p) == 1 and p[0]["burst_kbit"] == 400)')" = True
dropped() { fctl --json meter list | json "sum(p['dropped'] for p in j['policers'] if p['rate_kbps'] == $1)"; }
passed() { fctl --json meter list | json "sum(p['passed'] for p in j['policers'] if p['rate_kbps'] == $1)"; }
check "it dropped most of the 4,000 datagrams and passed some" \
	test "$(dropped 2000)" -ge 2500 -a "$(passed 2000)" -ge 400
port_drops() { fctl --json drops | json "sum(v for p in j for k, v in p.get('drops', {}).items() if k == 'meter-drop')" 2>/dev/null; }
qos_flow_drops() {
	fctl --json lflow drops 50 | json 'sum(r["packets"] for r in j if r["lflow"] and "set_meter" in r["actions"])'
}
check "its drops are charged to the QoS logical flow" test "$(qos_flow_drops)" -ge 2500

# The rate changed: the same policer, the new rate, at once.
nb set qos "$(nb --bare --columns _uuid find qos direction=from-lport)" bandwidth='{rate=4000, burst=400}'
nb --wait=hv sync
r2=$(rate)
check "a new rate of 4,000 kbit/s applies (got $r2)" test "${r2:-0}" -ge 3200 -a "${r2:-0}" -le 4800

# Egress: a to-lport row on vm2 at 1,000 kbit/s, lower than the ingress's.
nb qos-add sw0 to-lport 100 'outport == "vm2" && udp' rate=1000 burst=200
nb --wait=hv sync
r3=$(rate)
check "a to-lport QoS row limits the egress side to 1,000 kbit/s (got $r3)" \
	test "${r3:-0}" -ge 700 -a "${r3:-0}" -le 1300
fctl meter list
# The ingress policer (4,000 kbit/s) passes about 1,050 frames of 8.3 kbit
# in the 2 s; the egress one lets about 265 of them through.
check "the egress policer dropped what was over its rate" test "$(dropped 1000)" -ge 600

nb qos-del sw0
nb --wait=hv sync
r4=$(rate)
check "with the rows removed the stream is whole again (got $r4)" test "${r4:-0}" -ge 12000
check "ping vm1 -> vm2 still" pings
check "no cache disagreement with the pipeline" \
	test "$(fctl --json cache | json 'sum(w["check_mismatches"] for w in j["workers"])')" -eq 0
check "cache hits replayed the policers" \
	test "$(fctl --json cache | json 'sum(w["hits"] for w in j["workers"])')" -ge 4000
t_done
