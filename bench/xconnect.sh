#!/usr/bin/env bash
# Cross-connect benchmark: ferryd against dpdk-testpmd (io forwarding) on
# identical ports, one forwarding core each, the same CPU, in one run.
#
#   rx: net_pcap with infinite_rx=1 (replays a pcap as fast as it is polled)
#   tx: net_null with no-rx=1 (a sink)
#
#   bench/xconnect.sh [--seconds N] [--cpu C] [--size BYTES]
#
# Prints Mpps and cycles per packet for testpmd, ferry, and ferry with
# xc-parse=true (every packet parsed into a flow key), and ferry's ratio
# to testpmd. Needs root only for hugepages; runs without them otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=10
CPU=$(( $(nproc) - 1 ))
SIZE=60
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECONDS_RUN=$2; shift 2 ;;
	--cpu) CPU=$2; shift 2 ;;
	--size) SIZE=$2; shift 2 ;;
	*) echo "usage: $0 [--seconds N] [--cpu C] [--size BYTES]" >&2; exit 2 ;;
	esac
done
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null

DIR=$(mktemp -d /tmp/ferry-bench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
PCAP=$DIR/udp.pcap
python3 bench/gen_pcap.py "$PCAP" --size "$SIZE"
RX="net_pcap0,rx_pcap=$PCAP,infinite_rx=1"
TX="net_null0,no-rx=1"
TSC_HZ=

# testpmd: Rx-pps of port 0, sampled every second; median of the samples
# after a 2 s warm-up.
run_testpmd() {
	timeout -s INT $((SECONDS_RUN + 3)) dpdk-testpmd --no-huge -m 512 --no-shconf \
		--lcores "0@(0-$((CPU > 0 ? CPU - 1 : 0))),1@$CPU" --log-level='*:error' \
		--vdev "$RX" --vdev "$TX" -- --forward-mode=io --auto-start --stats-period 1 \
		--nb-cores=1 --rxq=1 --txq=1 --burst=32 --txd=1024 --rxd=1024 \
		--total-num-mbufs=16383 >"$DIR/testpmd.log" 2>&1 || true
	python3 - "$DIR/testpmd.log" <<'PY'
import re, statistics, sys
txt = open(sys.argv[1]).read()
# Each stats block lists port 0 first; take its Rx-pps.
blocks = txt.split("NIC statistics for port 0")[1:]
pps = []
for b in blocks:
    m = re.search(r"Rx-pps:\s+(\d+)", b)
    if m:
        pps.append(int(m.group(1)))
pps = pps[2:] or pps
print(statistics.median(pps) if pps else 0)
PY
}

# ferryd: delta of the output port's tx counter over the run.
run_ferry() {
	local parse=$1 sock=$DIR/ferryd.sock pid c0 c1 t0 t1
	build/control/ferryd --socket "$sock" --workers "$CPU" --hugepages off \
		--xc-parse "$parse" --log-level warning \
		--set "port.in.devargs=$RX" --set port.in.peer=out \
		--set "port.out.devargs=$TX" >"$DIR/ferryd.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do build/control/ferryctl -s "$sock" show >/dev/null 2>&1 && break; sleep 0.1; done
	sleep 2
	c0=$(build/control/ferryctl -s "$sock" --json worker list)
	t0=$(date +%s.%N)
	sleep "$SECONDS_RUN"
	c1=$(build/control/ferryctl -s "$sock" --json worker list)
	t1=$(date +%s.%N)
	kill -TERM $pid; wait $pid || true
	python3 - "$c0" "$c1" "$t0" "$t1" <<'PY'
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
t = float(sys.argv[4]) - float(sys.argv[3])
wa, wb = a["workers"][0], b["workers"][0]
pkts = wb["packets"] - wa["packets"]
busy = wb["busy_cycles"] - wa["busy_cycles"]
print(pkts / t, busy / pkts if pkts else 0, b["tsc_hz"])
PY
}

echo "frame size $SIZE B (+4 FCS), ${SECONDS_RUN}s per run, forwarding core on CPU $CPU"
tp=$(run_testpmd)
read -r fx fx_cpp TSC_HZ < <(run_ferry false)
read -r fp fp_cpp _ < <(run_ferry true)
python3 - "$tp" "$fx" "$fx_cpp" "$fp" "$fp_cpp" "$TSC_HZ" <<'PY'
import sys
tp, fx, fx_cpp, fp, fp_cpp, hz = map(float, sys.argv[1:])
def row(name, pps, cpp):
    print(f"{name:<28} {pps/1e6:8.2f} Mpps {cpp:8.1f} cycles/pkt {100*pps/tp if tp else 0:6.1f}% of testpmd")
print(f"{'':<28} {'rate':>13} {'cost':>19}")
row("testpmd io", tp, hz / tp if tp else 0)
row("ferry cross-connect", fx, fx_cpp)
row("ferry cross-connect+parse", fp, fp_cpp)
PY
