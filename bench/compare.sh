#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ferry against OVS-DPDK programmed by ovn-controller: the same OVN
# topology (built with ovn-nbctl), the same ports, the same core, in one
# invocation. For each scenario and repetition, in turn:
#
#   testpmd  dpdk-testpmd io forwarding on the ports: the ceiling
#   ferry    ferryd (mode ovn) as chassis "bench"
#   ovs      Debian's ovs-vswitchd-dpdk + ovn-controller as chassis "bench"
#
# Ports: a net_pcap source (infinite_rx=1) and a net_null sink (no-rx=1),
# bound as the scenario's logical ports (external_ids:iface-id for OVS),
# or as the underlay (Geneve to or from hv2, a chassis registered in the
# Southbound). One forwarding core on CPU --cpu for all three; the other
# threads on the other CPUs. Before its window every run proves that the
# switch forwards through the OVN pipeline (the sink's counter grows;
# ferry's tunnel counters, OVS's datapath flow actions); a run that does
# not is reported FAILED with the reason, never as a number.
#
#   bench/compare.sh [--quick | --smoke] [--seconds N] [--reps N] [--cpu C]
#                    [--only SCENARIO,...] [--switches testpmd,ferry,ovs]
#                    [--flows N,...] [--sizes BYTES,...] [--json FILE]
#                    [--syns N] [--cp-sizes SWITCHES:BOUND,...]
#
# Scenarios 1 and 2 run with each number of distinct UDP 5-tuples
# (--flows, default 1, 1,000, 100,000 and 1,000,000), scenario 1 also
# with each frame size (--sizes, default 64 and 1,518 bytes on the wire;
# sizes past the first up to 100,000 flows), the others with the first
# of each; acl-est (established both ways) with each flow count, acl-new
# with --syns distinct TCP SYNs (default 500,000), fed once. Default: 3 repetitions of 5 s (min / median / max), the load
# average before each run recorded. --quick: one repetition of 2 s, 1
# and 100,000 flows. --smoke (CI): one repetition of 1 s, one flow,
# 64-byte frames, ferry and OVS only, no hugepages; exits 1 when a
# scenario does not forward on either, 77 when it cannot run here (not
# root, no OVS-DPDK). Results: a table on stdout, JSON in
# build/bench-compare.json (--json), the logs of failed runs beside it in
# bench-compare-logs/. If FERRY_BENCH_LOCK names a file, the whole
# run holds an exclusive flock on it (shared machines: one measurement at
# a time).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${FERRY_BENCH_LOCK:-}" ] && [ -z "${FERRY_BENCH_LOCKED:-}" ]; then
	FERRY_BENCH_LOCKED=1 exec flock "$FERRY_BENCH_LOCK" "$0" "$@"
fi
CMDLINE="bench/compare.sh $*"
SECONDS_RUN=5
WARMUP=1
REPS=3
CPU=$(($(nproc) - 1))
OUT=build/bench-compare.json
SMOKE=false
FLOWS=(1 1000 100000 1000000)
SIZES=(64 1518)
SWITCHES=(testpmd ferry ovs)
ONLY=
CP_SIZES_ARG=()
ACL_SYNS=500000
usage() {
	sed -n '/^#   bench\/compare.sh/,/^#$/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) REPS=1 SECONDS_RUN=2 FLOWS=(1 100000); shift ;;
	--smoke) SMOKE=true REPS=1 SECONDS_RUN=1 WARMUP=0.5 SWITCHES=(ferry ovs) FLOWS=(1) SIZES=(64) ACL_SYNS=1000; shift ;;
	--seconds) SECONDS_RUN=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--cpu) CPU=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	--switches) IFS=, read -r -a SWITCHES <<<"$2"; shift 2 ;;
	--flows) IFS=, read -r -a FLOWS <<<"$2"; shift 2 ;;
	--sizes) IFS=, read -r -a SIZES <<<"$2"; shift 2 ;;
	--syns) ACL_SYNS=$2; shift 2 ;;
	--cp-sizes) IFS=, read -r -a CP_SIZES_ARG <<<"${2//:/ }"; shift 2 ;;
	--json) OUT=$2; shift 2 ;;
	*) usage ;;
	esac
done

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, OVN central's sockets, hugepages)"
[ "$(nproc)" -ge 2 ] || skip "needs two CPUs (one forwarding core, one for the rest)"
command -v ovn-northd >/dev/null && command -v ovsdb-server >/dev/null || skip "no ovn-northd or ovsdb-server (ovn-central)"
. tests/lib/ovn-central.sh
. bench/compare/topology.sh
. bench/compare/scenarios.sh
. bench/compare/ferry.sh
. bench/compare/ovs.sh
. bench/compare/testpmd.sh
. bench/compare/control.sh
. bench/compare/feed.sh
[ ${#CP_SIZES_ARG[@]} -eq 0 ] || CP_SIZES=("${CP_SIZES_ARG[@]}")
for s in "${SWITCHES[@]}"; do
	case $s in
	ovs) ovs_available || skip "no $OVS_VSWITCHD_DPDK (openvswitch-switch-dpdk) or ovn-controller" ;;
	testpmd) command -v dpdk-testpmd >/dev/null || skip "no dpdk-testpmd" ;;
	ferry) ;;
	*) usage ;;
	esac
done
if [ -z "${FERRYD_PREBUILT:-}" ]; then
	[ -f build/build.ninja ] || meson setup build >/dev/null
	ninja -C build >/dev/null
fi

mkdir -p "$(dirname "$OUT")"
LOGS=$(dirname "$OUT")/bench-compare-logs
DIR=$(mktemp -d /tmp/ferry-compare.XXXXXX)
HUGE_NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
HUGE_OLD=
HUGE_DIR=
cleanup() {
	set +e
	feed_stop
	ferry_stop
	ovs_stop
	ovn_central_stop "$DIR/ovn" >/dev/null 2>&1 || true
	[ -n "$HUGE_DIR" ] && umount "$HUGE_DIR" 2>/dev/null
	[ -n "$HUGE_OLD" ] && echo "$HUGE_OLD" >"$HUGE_NR" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPUs other than the forwarding one, as a list and as a mask.
cpu_list_other() { seq 0 $(($(nproc) - 1)) | grep -vx "$CPU" | paste -sd, -; }
cpu_mask_other() { printf '0x%x' $(((1 << $(nproc)) - 1 & ~(1 << CPU))); }

# The packet pool: net_pcap's infinite_rx keeps every frame of the pcap
# in mbufs, so it holds them plus the working set. OVS sizes its own
# shared pool: 262,144 mbufs at most, which bounds the flows it can run.
OVS_MAX_FLOWS=200000
pool_mbufs() {
	local n=262143
	# The smoke test replays one frame: a small pool will do.
	if [ "$SMOKE" = true ]; then echo 32767; return; fi
	while [ "$n" -lt $(($1 + 32768)) ]; do n=$((n * 2 + 1)); done
	echo "$n"
}
# DPDK memory for a pool of mbufs of 2,368 bytes, in MiB, given to ferryd
# and testpmd alike: the pool, 60% more, and 256 MiB (without hugepages,
# ferryd's own estimate, a quarter more and 128 MiB, cannot hold 262,143).
mem_mb() { echo $(($1 * 2368 * 8 / 5 / 1048576 + 256)); }
# With hugepages ferryd's own plan holds: the pool, a quarter more, 128 MiB.
huge_mb() { echo $(($1 * 2368 * 5 / 4 / 1048576 + 128)); }
OVS_MEM_MB=1024
# The frames a run replays from mbufs: its flows, twice when the sink
# replays the replies, none when a feeder sends them (S_* of the scenario).
pool_frames() {
	if [ "$S_FEED" = true ]; then echo 0
	elif [ -n "$S_REPLY" ]; then echo $(($1 * 2))
	else echo "$1"
	fi
}

# Hugepages when the machine has them, enough for the largest pool: all
# three then run on them (our own hugetlbfs mount, and the pages we added
# given back at exit). Without them, a pool past 262,143 mbufs is not
# run (DPDK without hugepages takes a minute and more to fail on it).
# The smoke test never takes them: it must not disturb the machine.
HUGE=false
HUGE_MB=0
reserve_hugepages() {
	local free want f
	want=$(($(huge_mb 262143) / 2 + 64))
	for f in "${FLOWS[@]}"; do
		want=$((want > $(huge_mb "$(pool_mbufs "$f")") / 2 + 64 ? want : $(huge_mb "$(pool_mbufs "$f")") / 2 + 64))
	done
	# OVS takes OVS_MEM_MB whatever the pool: on a machine with no pages
	# of its own, fewer left it unable to start.
	want=$((want > OVS_MEM_MB / 2 + 32 ? want : OVS_MEM_MB / 2 + 32))
	[ "$SMOKE" = false ] && [ -w "$HUGE_NR" ] || return 0
	free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	if [ "$free" -lt "$want" ] &&
		[ "$(awk '/MemAvailable/ {print $2}' /proc/meminfo)" -gt $((want * 2048 * 3)) ]; then
		HUGE_OLD=$(cat "$HUGE_NR")
		echo $((HUGE_OLD + want - free)) >"$HUGE_NR" 2>/dev/null || true
		free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	fi
	[ "$free" -ge "$want" ] || return 0
	mkdir -p "$DIR/huge" && mount -t hugetlbfs -o pagesize=2M nodev "$DIR/huge" || return 0
	HUGE_DIR=$DIR/huge HUGE=true HUGE_MB=$((free * 2))
}
reserve_hugepages

# pool_mode FLOWS: "huge", "plain" (no hugepages) or "none" (too large).
pool_mode() {
	local n
	n=$(pool_mbufs "$1")
	if [ "$HUGE" = true ] && [ "$(huge_mb "$n")" -le "$HUGE_MB" ]; then echo huge
	elif [ "$n" -le 262143 ]; then echo plain
	else echo none
	fi
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# emit KEY=VALUE...: one JSON object on runs.jsonl (numbers stay numbers).
emit() {
	python3 - "$@" >>"$DIR/runs.jsonl" <<'PY'
import json, sys
r = {}
for a in sys.argv[1:]:
    k, v = a.split("=", 1)
    for conv in (int, float):
        try:
            v = conv(v)
            break
        except ValueError:
            pass
    r[k] = {"true": True, "false": False}.get(v, v) if isinstance(v, str) else v
print(json.dumps(r))
PY
}

TSC_HZ=
# tsc_hz: the TSC's rate, as a ferryd run reported it (OVS's cycles are
# TSC cycles too), else the kernel's idea of the CPU's clock.
tsc_hz() {
	[ -n "$TSC_HZ" ] && { echo "$TSC_HZ"; return; }
	awk '/^cpu MHz/ { printf "%.0f\n", $4 * 1e6; exit }' /proc/cpuinfo
}

above() { [ "$($1)" -gt "$2" ]; } # READER N: it reads more than N

# feed_measure SINK_READER CYCLES_READER N: feed the pcap of N frames
# once (feed.sh) and read the sink and "packets cycles [tsc_hz]" before
# and after; sets WIN as window does. Done when the sink has N, or has
# not moved for a second. mpps is then the core's capacity in new
# connections: TSC rate over cycles per SYN.
feed_measure() {
	local s0 s1 c0 c1 prev=-1 hz deadline=$((SECONDS + 120))
	if ! c0=$($2) || ! s0=$($1); then WIN=("failed=the switch stopped answering"); return; fi
	feed_go
	# The switch's core may sleep when idle: give the first frames time.
	wait_for 30 above "$1" "$s0" 2>/dev/null || true
	s1=$($1) || { WIN=("failed=the switch stopped answering"); return; }
	while [ "$s1" -ne "$prev" ] && [ $((s1 - s0)) -lt "$3" ] && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 1
		prev=$s1
		s1=$($1) || { WIN=("failed=the switch stopped answering"); return; }
	done
	c1=$($2) || { WIN=("failed=the switch stopped answering"); return; }
	hz=$(tsc_hz)
	mapfile -t WIN < <(python3 - "$s0" "$s1" "$c0" "$c1" "$3" "$hz" "$(feed_sent)" <<'PY'
import sys
s0, s1, n, hz, fed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
c0, c1 = [list(map(int, a.split())) for a in sys.argv[3:5]]
tx, rx, cyc = s1 - s0, c1[0] - c0[0], c1[1] - c0[1]
print(f"syns={n}", f"fed={fed}", f"sink_packets={tx}", f"rx_packets={rx}", sep="\n")
if tx != n or rx != n:
    print(f"failed={n} SYNs fed, {rx} received, {tx} at the sink")
else:
    cpp = cyc / rx
    hz = c1[2] if len(c1) > 2 else hz
    print(f"cycles_per_packet={cpp:.2f}", f"mpps={hz / cpp / 1e6:.4f}", f"tsc_hz={hz}", sep="\n")
PY
)
}

# window SINK_READER CYCLES_READER: after the warm-up, read the sink's tx
# packets and "packets cycles [tsc_hz]" at both ends of a timed window;
# sets WIN to KEY=VALUE words for emit ("failed=..." if the sink stopped).
window() {
	local s0 s1 c0 c1 t0 t1
	sleep "$WARMUP"
	if ! c0=$($2) || ! s0=$($1); then WIN=("failed=the switch stopped answering"); return; fi
	t0=$(date +%s.%N)
	sleep "$SECONDS_RUN"
	if ! c1=$($2) || ! s1=$($1); then WIN=("failed=the switch stopped answering"); return; fi
	t1=$(date +%s.%N)
	mapfile -t WIN < <(python3 - "$s0" "$s1" "$t0" "$t1" "$c0" "$c1" <<'PY'
import sys
s0, s1, t0, t1 = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
c0, c1 = [list(map(int, a.split())) for a in sys.argv[5:7]]
t, tx, rx, cyc = t1 - t0, s1 - s0, c1[0] - c0[0], c1[1] - c0[1]
print(f"seconds={t:.3f}", f"sink_packets={tx}", f"rx_packets={rx}", sep="\n")
if tx > 0 and rx > 0:
    print(f"mpps={tx / t / 1e6:.4f}", f"cycles_per_packet={cyc / rx:.2f}", sep="\n")
else:
    print("failed=the sink stopped during the window")
if len(c1) > 2:
    print(f"tsc_hz={c1[2]}")
PY
)
}

# Each run_SWITCH SCENARIO FLOWS SIZE appends one JSON object to
# runs.jsonl: the numbers, or "failed" with the reason. They run in this
# shell (no subshell), so that the exit trap knows what to stop.
RUN=()
failed() {
	emit "${RUN[@]}" "failed=$1"
	keep_logs "$1"
}
# keep_logs REASON: the failed run's logs, beside the JSON.
keep_logs() {
	local log=$LOGS/${RUN[0]#switch=}-${RUN[1]#scenario=}-${RUN[2]#flows=}-${RUN[3]#size=}.log
	mkdir -p "$LOGS"
	case ${RUN[0]#switch=} in
	ferry) cp "$DIR/ferryd.log" "$log" ;;
	ovs) tail -n 100 "$DIR"/ovs/*.log >"$log"; grep -i memif "$DIR"/ovs/ovs-vswitchd.log >>"$log" ;;
	testpmd) cp "$DIR/testpmd.log" "$log" ;;
	esac 2>/dev/null || true
	if [ "$SMOKE" = true ]; then
		echo "---- $1: $log" >&2
		tail -n 30 "$log" >&2 2>/dev/null || true
	fi
}
run_begin() { # SWITCH SCENARIO FLOWS SIZE
	scenario "$2"
	RUN=("switch=$1" "scenario=$2" "flows=$3" "size=$4" "title=$S_TITLE" "rep=$REP" "load=$(loadavg)")
}

# run_ports FLOWS SIZE: SRCDEV and DSTDEV, the devargs of the scenario's
# source and sink (the replies' replay, the feeder's memif port).
run_ports() {
	local pcap rpcap
	pcap=$(topo_pcap "$S_PCAP" "$1" "$2") || return 1
	SRCDEV="net_pcap0,rx_pcap=$pcap,infinite_rx=1" DSTDEV="net_null0,no-rx=1"
	if [ -n "$S_REPLY" ]; then
		rpcap=$(topo_pcap "$S_REPLY" "$1" "$2") || return 1
		DSTDEV="net_pcap1,rx_pcap=$rpcap,infinite_rx=1"
	fi
	if [ "$S_FEED" = true ]; then
		feed_start "$pcap" || { feed_stop; return 1; }
		SRCDEV=$FEED_DEVARGS
	fi
}

run_ferry() {
	local mbufs huge mem mac frames
	run_begin ferry "$@"
	frames=$(pool_frames "$2")
	mbufs=$(pool_mbufs "$frames")
	case $(pool_mode "$frames") in
	huge) huge=on mem=0 ;; # ferryd plans the memory itself
	plain) huge=off mem=$(mem_mb "$mbufs") ;;
	*) emit "${RUN[@]}" "skipped=$mbufs mbufs need hugepages here"; return ;;
	esac
	run_ports "$2" "$3" || { failed "no pcap, or the feeder did not start"; return; }
	topo_forget_chassis
	FERRY_EXTRA=()
	# Two connections a flow (a zone each way), and room to spare.
	[ "$S_CT" = true ] && FERRY_EXTRA=(--set "conntrack.max-connections=$(($2 * 2 + 65536))")
	ferry_start "$S_SRC" "$SRCDEV" "$S_DST" "$DSTDEV" "$mbufs" "$mem" "$huge"
	[ -n "$S_REPLY" ] && FERRY_SINKS=(in out)
	local fail=
	if ! wait_for 30 fctl show; then fail="ferryd did not start"
	elif ! wait_for 30 ferry_ready "$S_SRC" "$S_DST"; then fail="ports not bound in ferryd's snapshot"
	elif ! nb --wait=hv sync >/dev/null; then fail="ovn-nbctl --wait=hv sync"
	elif [ "$S_FEED" = true ] && [ "$(ferry_sink_tx)/$(ferry_ct_conns)" != 0/0 ]; then
		fail="packets or connections before the feed"
	elif [ "$S_FEED" != true ] && ! wait_for 10 ferry_sink_moving; then fail="nothing reached the sink"
	elif [ -n "$S_TUNNEL" ] && ! wait_for 5 ferry_tunnel_moving "$S_TUNNEL"; then
		fail="hv2's tunnel $S_TUNNEL did not grow"
	elif [ "$S_SRC" = underlay ] && mac=$(ferry_underlay_mac) && [ "$mac" != "$UL_MAC" ]; then
		fail="the pcap's outer MAC $UL_MAC is not the underlay's ($mac)"
	elif [ "$S_CT" = true ] && [ "$S_FEED" != true ] && ! wait_for 5 ferry_ct_moving; then
		fail="no connection in ferryd's tracker"
	elif [ -n "$S_REPLY" ] && ! wait_for 30 ferry_ct_established "$2"; then
		fail="not every flow established: UDP connections, replied: $(ferry_ct_replied) (want $(($2 * 2)))"
	fi
	if [ -n "$fail" ]; then ferry_stop; feed_stop; failed "$fail"; return; fi
	local ct= proof="sink tx grows"
	[ "$S_CT" = true ] && ct="; $(ferry_ct_conns) connections tracked"
	[ -n "$S_REPLY" ] && ct+=", all replied (timeout 30 s or less; UDP, replied: $(ferry_ct_replied))"
	[ "$S_FEED" = true ] && proof="nothing at the sink and no connection before the feed"
	RUN+=("hugepages=$(ferry_hugepages)" "mbufs=$mbufs"
		"proof=$proof${S_TUNNEL:+; hv2 tunnel $S_TUNNEL grows}$ct")
	if [ "$S_FEED" = true ]; then
		feed_measure ferry_sink_tx ferry_cycles "$2"
		feed_stop
		RUN+=("created=$(ferry_ct_stat created)" "refused=$(ferry_ct_stat refused)")
		[[ " ${WIN[*]}" == *" failed="* ]] || [ "$(ferry_ct_stat created)" -eq $(($2 * 2)) ] ||
			WIN+=("failed=$(ferry_ct_stat created) connections created, not $(($2 * 2)) (refused: $(ferry_ct_stat refused))")
	else
		window ferry_sink_tx ferry_cycles
	fi
	local w
	for w in "${WIN[@]}"; do [[ $w == tsc_hz=* ]] && TSC_HZ=${w#tsc_hz=}; done
	emit "${RUN[@]}" "${WIN[@]}"
	[[ " ${WIN[*]}" != *" failed="* ]] || keep_logs "a failed measurement"
	ferry_stop
}

# ovs_proof: every expected action appears in a datapath flow that
# carried packets; prints the flows that matched, or what did not.
ovs_proof() {
	local flows re hit hits=
	flows=$(ovs_dump_flows | grep -v 'packets:0,') || { echo "no datapath flows"; return 1; }
	for re in "${S_OVS_ACTIONS[@]}"; do
		hit=$(grep -E -- "$re" <<<"$flows" | head -n 1)
		[ -n "$hit" ] || { echo "no datapath flow that carried packets matches $re"; return 1; }
		hits+="$hit"$'\n'
	done
	printf '%s' "$hits"
}

run_ovs() {
	local proof= frames
	run_begin ovs "$@"
	frames=$(pool_frames "$2")
	if [ "$frames" -gt "$OVS_MAX_FLOWS" ]; then
		emit "${RUN[@]}" "skipped=OVS's packet pool (262,144 mbufs) cannot hold net_pcap's replay of $frames frames"
		return
	fi
	run_ports "$2" "$3" || { failed "no pcap, or the feeder did not start"; return; }
	topo_forget_chassis
	local fail=
	if ! ovs_start "$S_SRC" "$SRCDEV" "$S_DST" "$DSTDEV" "${S_REPLY:+both}"; then
		fail="OVS did not start: $(tail -n 2 "$DIR/ovs/ovs-vswitchd.log" 2>/dev/null | tr '\n' ' ')"
	elif ! wait_for 30 ovs_lports_up; then fail="ports not up in the Northbound"
	elif ! nb --wait=hv sync >/dev/null; then fail="ovn-nbctl --wait=hv sync"
	elif [ "$S_FEED" = true ] && [ "$(ovs_sink_tx)/$(ovs_ct_count)" != 0/0 ]; then
		fail="packets or connections before the feed"
	elif [ "$S_FEED" != true ] && ! wait_for 10 ovs_sink_moving; then fail="nothing reached the sink"
	elif [ -n "$S_REPLY" ] && ! wait_for 30 ovs_ct_established "$2"; then
		fail="not every flow established: UDP connections, replied: $(ovs_ct_replied) (want $(($2 * 2)))"
	# Once established, the datapath's flows for them are too.
	elif [ "$S_FEED" != true ] && ! proof=$(ovs_proof); then fail="$proof"
	fi
	if [ -n "$fail" ]; then
		# The datapath's flows say most about a failed proof: keep them.
		ovs_dump_flows >"$DIR/ovs/datapath-flows.log" 2>&1 || true
		ovs_stop; feed_stop; failed "$fail"; return
	fi
	if [ "$S_FEED" = true ]; then
		RUN+=("hugepages=$HUGE" "maxconns=$(ovs_appctl dpctl/ct-get-maxconns)")
		ovs_pmd_clear
		feed_measure ovs_sink_tx ovs_pmd_stats "$2"
		# What OVS made of the memif port, for a failed feed's log.
		ovs_vsctl list Interface in >"$DIR/ovs/memif-port.log" 2>&1
		feed_stop
		cp "$DIR/feed/testpmd.log" "$DIR/ovs/feeder-testpmd.log" 2>/dev/null
		RUN+=("created=$(ovs_ct_count)")
		if [[ " ${WIN[*]}" == *" failed="* ]]; then :
		elif ! proof=$(ovs_proof); then WIN+=("failed=$proof")
		elif [ "$(ovs_ct_count)" -ne $(($2 * 2)) ]; then
			WIN+=("failed=$(ovs_ct_count) connections in OVS's tracker, not $(($2 * 2))")
		fi
		RUN+=("proof=nothing at the sink and no connection before the feed; datapath flows: $(tr '\n' '|' <<<"$proof")")
	else
		local ct=
		[ -n "$S_REPLY" ] && ct="; UDP connections, all replied (timeout 30 s or less): $(ovs_ct_replied)"
		RUN+=("hugepages=$HUGE" "proof=sink tx grows; datapath flows: $(tr '\n' '|' <<<"$proof")$ct")
		ovs_pmd_clear
		window ovs_sink_tx ovs_pmd_stats
	fi
	emit "${RUN[@]}" "${WIN[@]}"
	[[ " ${WIN[*]}" != *" failed="* ]] || keep_logs "a failed measurement"
	ovs_stop
}
ovs_lports_up() {
	local p
	for p in "$S_SRC" "$S_DST"; do
		[ "$p" = underlay ] || [ "$(nb get Logical_Switch_Port "$p" up)" = true ] || return 1
	done
}

run_testpmd() {
	local pcap mbufs huge tx pps
	run_begin testpmd "$@"
	if [ -n "$S_REPLY" ] || [ "$S_FEED" = true ]; then
		emit "${RUN[@]}" "skipped=testpmd's ceiling is measured one way, on net_pcap's replay"
		return
	fi
	pcap=$(topo_pcap "$S_PCAP" "$2" "$3") || { failed "no pcap"; return; }
	mbufs=$(pool_mbufs "$2")
	case $(pool_mode "$2") in
	huge) huge=true ;;
	plain) huge=false ;;
	*) emit "${RUN[@]}" "skipped=$mbufs mbufs need hugepages here"; return ;;
	esac
	# Loading a large pcap into the replay ring takes a few seconds.
	testpmd_run "net_pcap0,rx_pcap=$pcap,infinite_rx=1" "net_null0,no-rx=1" "$mbufs" "$huge" \
		"$(python3 -c "import math; print(math.ceil($WARMUP + $SECONDS_RUN) + 3 + $2 // 100000)")"
	read -r tx pps < <(testpmd_rate "$WARMUP")
	if [ "$tx" -le 0 ] || [ "$pps" = 0 ]; then failed "nothing reached the sink"; return; fi
	emit "${RUN[@]}" "hugepages=$huge" "mbufs=$mbufs" "proof=sink tx grows (io forwarding)" \
		"sink_packets=$tx" "mpps=$(python3 -c "print($pps / 1e6)")"
}

# The data-plane scenarios, then "control" (scenario 7, control.sh).
SCENARIOS=("${SCENARIOS_ALL[@]}")
[ "$SMOKE" = true ] || SCENARIOS+=(control)
[ -n "$ONLY" ] && IFS=, read -r -a SCENARIOS <<<"$ONLY"
CONTROL=false
for s in "${SCENARIOS[@]}"; do
	[ "$s" = control ] && CONTROL=true && continue
	[[ " ${SCENARIOS_ALL[*]} " == *" $s "* ]] || { echo "unknown scenario $s (${SCENARIOS_ALL[*]} control)" >&2; exit 2; }
done

echo "ferry against OVS-DPDK + ovn-controller: ${SECONDS_RUN}s windows, $REPS repetition(s)," \
	"forwarding core on CPU $CPU, hugepages: $HUGE" >&2
: >"$DIR/runs.jsonl"
# combos: "scenario flows size", each scenario with the flow counts and
# sizes it asks for (S_FLOWS, S_SIZES: all, or only the first).
COMBOS=()
for s in "${SCENARIOS[@]}"; do
	[ "$s" != control ] || continue
	scenario "$s"
	for f in "${FLOWS[@]}"; do
		if [ "$S_FLOWS" != all ] && [ "$S_FLOWS" != first ]; then
			[ "$f" = "${FLOWS[0]}" ] && COMBOS+=("$s $S_FLOWS ${SIZES[0]}")
			continue
		fi
		[ "$S_FLOWS" = all ] || [ "$f" = "${FLOWS[0]}" ] || continue
		for z in "${SIZES[@]}"; do
			[ "$z" = "${SIZES[0]}" ] || { [ "$S_SIZES" = all ] && [ "$f" -le 100000 ]; } || continue
			COMBOS+=("$s $f $z")
		done
	done
done
[ ${#COMBOS[@]} -eq 0 ] || topo_build || exit 1
for REP in $(seq "$REPS"); do
	for c in "${COMBOS[@]}"; do
		read -r s f z <<<"$c"
		for sw in "${SWITCHES[@]}"; do
			"run_$sw" "$s" "$f" "$z"
			echo "  rep $REP $sw $s $f flows ${z}B: $(tail -n 1 "$DIR/runs.jsonl" | cut -c1-300)" >&2
		done
	done
done

if [ "$CONTROL" = true ]; then
	ovn_central_stop "$DIR/ovn" >/dev/null 2>&1 || true
	for c in "${CP_SIZES[@]}"; do
		# shellcheck disable=SC2086 # "SWITCHES BOUND"
		cp_size $c || echo "control plane: building $c failed" >&2
	done
fi

rc=0
python3 bench/compare/report.py "$DIR/runs.jsonl" "$OUT" --command "$CMDLINE" --cpu "$CPU" \
	--seconds "$SECONDS_RUN" --reps "$REPS" --smoke "$SMOKE" || rc=$?
# Plots beside the JSON, where matplotlib is installed (python3-matplotlib).
if [ "$SMOKE" = false ]; then
	for py in python3 /usr/bin/python3; do
		if "$py" -c "import matplotlib" 2>/dev/null; then
			"$py" bench/compare/plot.py "$OUT" || echo "plots failed" >&2
			break
		fi
	done
fi
exit $rc
