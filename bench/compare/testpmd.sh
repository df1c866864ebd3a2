# SPDX-License-Identifier: Apache-2.0
# Sourced by bench/compare.sh: dpdk-testpmd's io forwarding on the same
# two ports (port 0 the net_pcap source, port 1 the net_null sink), one
# forwarding core on $CPU: the ceiling of the harness, no switching.
#
#   testpmd_run SRC_DEVARGS DST_DEVARGS MBUFS HUGE SECONDS
#                           writes its log to $DIR/testpmd.log
#   testpmd_rate WARMUP     "tx_packets pps" of port 1: the last total and
#                           the median of the per-second rates after WARMUP
#                           seconds

testpmd_run() {
	local mem=(--no-huge -m "$(mem_mb "$3")" --no-shconf --iova-mode=va)
	[ "$4" = true ] && mem=(--in-memory --huge-dir "$HUGE_DIR")
	timeout -s INT "$5" dpdk-testpmd "${mem[@]}" --no-pci \
		--lcores "0@($(cpu_list_other)),1@$CPU" --log-level='*:error' \
		--vdev "$1" --vdev "$2" -- --forward-mode=io --auto-start --stats-period 1 \
		--nb-cores=1 --rxq=1 --txq=1 --burst=32 --txd=1024 --rxd=1024 \
		--total-num-mbufs="$3" >"$DIR/testpmd.log" 2>&1 </dev/null || true
	return 0
}

testpmd_rate() {
	python3 - "$DIR/testpmd.log" "$1" <<'PY'
import math, re, statistics, sys
txt, warm = open(sys.argv[1]).read(), float(sys.argv[2])
tx, pps = 0, []
# Each periodic block lists port 0 then port 1: the sink is the second.
for block in txt.split("NIC statistics for port 1")[1:]:
    m = re.search(r"TX-packets:\s+(\d+)", block)
    r = re.search(r"Tx-pps:\s+(\d+)", block)
    if m and r:
        tx = int(m.group(1))
        pps.append(int(r.group(1)))
pps = pps[math.ceil(warm) + 1:] or pps[1:]
print(tx, statistics.median(pps) if pps else 0)
PY
}
