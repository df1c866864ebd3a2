#!/usr/bin/env bash
# Logical pipelines benchmark: ferryd in mode ovn against ferryd's own
# cross-connect on identical ports, one worker on the same CPU, in one run.
#
#   rx: net_pcap with infinite_rx=1, bound as vm1 (port security on)
#   tx: net_null with no-rx=1, bound as the destination logical port
#
#   bench/pipeline.sh [--quick] [--seconds N] [--reps N] [--cpu C] [--json FILE]
#                     [--only SCENARIO,...]   (xconnect, switch, router,
#                                              encap, decap, switch-nocache,
#                                              router-nocache)
#
# Scenarios, each with 1 and with 100,000 distinct UDP 5-tuples, 64-byte
# frames: cross-connect (the reference: in peer=out, no pipeline), vif to
# vif on one logical switch, vif to vif across a distributed router, and
# Geneve both ways with a second chassis, hv2 (registered with
# ovn-sbctl, it holds vm4 on the same switch): encap (vm1 to vm4, out
# of a net_null underlay whose next hop to hv2 is a static neighbour) and
# decap (a pcap of hv2's Geneve from vm4 to vm1 into the underlay, vm1 a
# net_null sink). Every run first proves forwarding (the sink's tx
# counter grows; for encap and decap also hv2's tunnel counters); one that
# does not forward is reported FAILED, never as a number. Mpps is the
# sink's tx packets over a timed window; cycles per packet are the
# worker's busy TSC cycles over the packets it received in that window.
# --quick: one repetition of 2 s; default: 3 repetitions of 5 s (min /
# median / max). Needs root (OVN central's sockets, hugepages); hugepages
# are reserved for the run when possible and given back after.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=5
REPS=3
CPU=$(($(nproc) - 1))
OUT=build/bench-pipeline.json
FLOWS=(1 100000)
ONLY=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) REPS=1 SECONDS_RUN=2; shift ;;
	--seconds) SECONDS_RUN=$2; shift 2 ;;
	--reps) REPS=$2; shift 2 ;;
	--cpu) CPU=$2; shift 2 ;;
	--only) ONLY=$2; shift 2 ;;
	--json) OUT=$2; shift 2 ;;
	*) echo "usage: $0 [--quick] [--seconds N] [--reps N] [--cpu C] [--json FILE] [--only SCENARIO,...]" >&2; exit 2 ;;
	esac
done
CMDLINE="bench/pipeline.sh $*"
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
FERRYD=build/control/ferryd
FERRYCTL=build/control/ferryctl
. tests/lib/ovn-central.sh

DIR=$(mktemp -d /tmp/ferry-bench.XXXXXX)
PID=
HUGE_NR=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
HUGE_OLD=
HUGE_MNT=
cleanup() {
	if [ -n "$PID" ]; then kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; fi
	ovn_central_stop "$DIR/ovn" >/dev/null 2>&1 || true
	[ -n "$HUGE_MNT" ] && umount "$HUGE_MNT" 2>/dev/null
	[ -n "$HUGE_OLD" ] && echo "$HUGE_OLD" >"$HUGE_NR" 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT

# 100,000 frames stay in the replay ring of net_pcap (infinite_rx), so the
# pool holds them plus the working set; every run uses the same pool.
MBUFS=262143
# Hugepages as ferryd would use them on a real chassis: reserve 2 GiB of
# 2 MiB pages if fewer are free and memory allows, mount hugetlbfs if
# nothing has; both undone at exit. ferryd falls back to plain memory
# otherwise, and each run records which it got.
reserve_hugepages() {
	local free want=1024
	[ "$(id -u)" -eq 0 ] && [ -w "$HUGE_NR" ] || return 0
	free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	[ "$free" -ge "$want" ] && return 0
	[ "$(awk '/MemAvailable/ {print $2}' /proc/meminfo)" -gt $((want * 2048 * 3)) ] || return 0
	HUGE_OLD=$(cat "$HUGE_NR")
	echo $((HUGE_OLD + want - free)) >"$HUGE_NR" 2>/dev/null || true
	if ! grep -q " hugetlbfs " /proc/mounts; then
		mkdir -p "$DIR/huge" && mount -t hugetlbfs nodev "$DIR/huge" && HUGE_MNT=$DIR/huge
	fi
}
reserve_hugepages

ovn_central_start "$DIR/ovn" >/dev/null 2>&1 || { echo "OVN central did not start" >&2; exit 1; }
nb() { ovn-nbctl --timeout=10 "$@"; }
M1=50:54:00:00:00:01 M2=50:54:00:00:00:02 M3=50:54:00:00:00:03 M4=50:54:00:00:00:04 R0=00:00:00:00:ff:01
# The underlay: our encap IP and hv2's, and hv2's MAC as the underlay's
# static neighbour (a net_null sink never answers ARP).
ENCAP_IP=192.0.2.1 HV2_IP=192.0.2.2 HV2_MAC=02:00:c0:00:02:02
# hv2's Geneve goes to the underlay port's MAC: net_pcap's fixed one
# ("pcap" in ASCII), which each decap run checks with ferryctl underlay.
UL_MAC=02:70:63:61:70:00
nb ls-add sw0 -- ls-add sw1 -- lr-add lr0
nb lrp-add lr0 lr0-sw0 $R0 10.0.0.1/24
nb lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 10.0.1.1/24
for s in 0 1; do
	nb lsp-add sw$s sw$s-lr0 -- lsp-set-type sw$s-lr0 router -- lsp-set-addresses sw$s-lr0 router \
		-- lsp-set-options sw$s-lr0 router-port=lr0-sw$s
done
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "$M1 10.0.0.11" -- lsp-set-port-security vm1 "$M1 10.0.0.11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$M2 10.0.0.12"
nb lsp-add sw1 vm3 -- lsp-set-addresses vm3 "$M3 10.0.1.13"
nb lsp-add sw0 vm4 -- lsp-set-addresses vm4 "$M4 10.0.0.14"
ovn-sbctl --timeout=10 chassis-add hv2 geneve $HV2_IP
nb --wait=sb sync
ovn-sbctl --timeout=10 lsp-bind vm4 hv2
# Geneve from hv2 names sw0 by its tunnel key and vm4 and vm1 by theirs.
key() { ovn-sbctl --timeout=10 --bare --columns tunnel_key find "$@"; }
DP_KEY=$(key Datapath_Binding external_ids:name=sw0)
K1=$(key Port_Binding logical_port=vm1)
K4=$(key Port_Binding logical_port=vm4)
[ -n "$DP_KEY" ] && [ -n "$K1" ] && [ -n "$K4" ] || { echo "no tunnel keys in the Southbound" >&2; exit 1; }

for f in "${FLOWS[@]}"; do
	python3 bench/gen_pcap.py "$DIR/switch-$f.pcap" --flows "$f" --eth-src $M1 --eth-dst $M2 \
		--ip-src 10.0.0.11 --ip-dst 10.0.0.12
	python3 bench/gen_pcap.py "$DIR/router-$f.pcap" --flows "$f" --eth-src $M1 --eth-dst $R0 \
		--ip-src 10.0.0.11 --ip-dst 10.0.1.13
	python3 bench/gen_pcap.py "$DIR/encap-$f.pcap" --flows "$f" --eth-src $M1 --eth-dst $M4 \
		--ip-src 10.0.0.11 --ip-dst 10.0.0.14
	python3 bench/gen_pcap.py "$DIR/decap-$f.pcap" --flows "$f" --eth-src $M4 --eth-dst $M1 \
		--ip-src 10.0.0.14 --ip-dst 10.0.0.11 --geneve "$HV2_MAC,$UL_MAC,$HV2_IP,$ENCAP_IP" \
		--vni "$DP_KEY" --in-key "$K4" --out-key "$K1"
done

SOCK=$DIR/ferryd.sock
fctl() { "$FERRYCTL" -s "$SOCK" "$@"; }
jq_() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
sink_tx() { fctl --json counters out | jq_ 'j["ports"]["out"]["tx_packets"]'; }
sink_moving() { [ "$(sink_tx)" -gt 0 ]; }
# hv2's tunnel counter (tx_packets or rx_packets) in ferryctl tunnel list.
tunnel_count() { fctl --json tunnel list | jq_ "sum(p['$1'] for p in j if p['chassis'] == 'hv2')"; }
tunnel_moving() { [ "$(tunnel_count "$1")" -gt 0 ]; }
# Flow cache hits and misses over all workers ("0 0" in cross-connect).
cache_hm() { fctl --json cache 2>/dev/null | jq_ '" ".join(str(sum(w[k] for w in j["workers"])) for k in ("hits", "misses"))' 2>/dev/null || echo "0 0"; }
bound() {
	[ "$(fctl --json pipeline show |
		jq_ '" ".join(sorted(p["name"] for d in j["datapaths"] for p in d["ports"] if "dpdk_port" in p))')" = "$1" ]
}

# run_one SCENARIO FLOWS: one ferryd, one timed window; appends one JSON
# object (the result, or why it failed) to $DIR/runs.jsonl. Not in a
# subshell, so that the exit trap always knows ferryd's pid.
run_one() {
	local scen=$1 flows=$2 pcap dst bind load c0 c1 t0 t1 s0 s1 h0 h1 hp
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	pcap=$DIR/switch-$flows.pcap dst=vm2
	case "$scen" in
	router*) pcap=$DIR/router-$flows.pcap dst=vm3 ;;
	encap | decap) pcap=$DIR/$scen-$flows.pcap ;;
	esac
	bind="vm1 $dst" # the logical ports bound here, as pipeline show lists them
	local args=(--set "control.socket=$SOCK" --set "dataplane.workers=$CPU" --hugepages auto
		--log-level warning --set "dataplane.mbufs=$MBUFS"
		--set "port.in.devargs=net_pcap0,rx_pcap=$pcap,infinite_rx=1"
		--set "port.out.devargs=net_null0,no-rx=1")
	if [ "$scen" = xconnect ]; then
		args+=(--set port.in.peer=out)
	else
		args+=(--set chassis.system-id=bench --set "chassis.ovn-remote=$OVN_SB_DB"
			--set chassis.ovn-encap-ip=$ENCAP_IP --set dataplane.mode=ovn)
		case "$scen" in
		encap) # vm1 in, the underlay out: to vm4 on hv2
			bind=vm1
			args+=(--set port.in.iface-id=vm1 --set port.out.role=underlay
				--set "port.out.neighbours=$HV2_IP=$HV2_MAC") ;;
		decap) # the underlay in: hv2's Geneve from vm4, to vm1 out
			bind=vm1
			args+=(--set port.in.role=underlay --set port.out.iface-id=vm1) ;;
		*) args+=(--set port.in.iface-id=vm1 --set "port.out.iface-id=$dst") ;;
		esac
		# Without the flow cache every packet walks the logical
		# pipelines: what a miss costs, less recording the entry.
		case "$scen" in *-nocache) args+=(--set dataplane.cache-entries=0) ;; esac
	fi
	"$FERRYD" "${args[@]}" -- --no-pci >"$DIR/ferryd.log" 2>&1 &
	PID=$!
	fail() {
		echo "{\"scenario\": \"$scen\", \"flows\": $flows, \"load\": \"$load\", \"failed\": \"$1\"}" >>"$DIR/runs.jsonl"
		kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true
		PID=
		cp "$DIR/ferryd.log" "$DIR/failed-$scen-$flows.log"
	}
	wait_for 30 fctl show || { fail "ferryd did not start"; return; }
	if [ "$scen" != xconnect ]; then
		wait_for 30 bound "$bind" || { fail "ports not bound in the snapshot"; return; }
		nb --timeout=30 --wait=hv sync >/dev/null || { fail "ovn-nbctl --wait=hv sync"; return; }
	fi
	# Forwarding first: the sink's counter must move, or there is no number.
	wait_for 10 sink_moving || { fail "nothing reached the sink"; return; }
	case "$scen" in
	encap) wait_for 5 tunnel_moving tx_packets || { fail "no tunnel tx to hv2"; return; } ;;
	decap) wait_for 5 tunnel_moving rx_packets || { fail "no tunnel rx from hv2"; return; }
		local mac
		mac=$(fctl --json underlay | jq_ 'j["mac"]')
		[ "$mac" = "$UL_MAC" ] || { fail "the pcap's outer MAC $UL_MAC is not the underlay's ($mac)"; return; } ;;
	esac
	hp=$(fctl --json show | jq_ 'str(j["hugepages"]).lower()')
	sleep 1 # warm-up: caches, the replay ring, the first rebuilds
	c0=$(fctl --json worker list) s0=$(sink_tx) h0=$(cache_hm) t0=$(date +%s.%N)
	sleep "$SECONDS_RUN"
	c1=$(fctl --json worker list) s1=$(sink_tx) h1=$(cache_hm) t1=$(date +%s.%N)
	kill -TERM "$PID"
	wait "$PID" || true
	PID=
	python3 - "$scen" "$flows" "$load" "$hp" "$c0" "$c1" "$s0" "$s1" "$t0" "$t1" "$h0" "$h1" <<'PY'
import json, sys
scen, flows, load, hp, c0, c1, s0, s1, t0, t1, h0, h1 = sys.argv[1:]
a, b = json.loads(c0)["workers"][0], json.loads(c1)["workers"][0]
t = float(t1) - float(t0)
rx = b["packets"] - a["packets"]
tx = int(s1) - int(s0)
busy = b["busy_cycles"] - a["busy_cycles"]
r = {"scenario": scen, "flows": int(flows), "load": load, "hugepages": hp == "true",
     "seconds": round(t, 3), "rx_packets": rx, "sink_packets": tx}
if tx <= 0:
    r["failed"] = "the sink stopped during the window"
else:
    r.update(mpps=tx / t / 1e6, cycles_per_packet=busy / rx if rx else 0,
             forwarded=tx / rx if rx else 0, tsc_hz=json.loads(c1)["tsc_hz"])
    # Flow cache hits and misses in the window: whether the path was cached.
    hits, misses = (int(b) - int(a) for a, b in zip(h0.split(), h1.split()))
    if hits + misses:
        r.update(cache_hits=hits, cache_misses=misses)
print(json.dumps(r))
PY
} >>"$DIR/runs.jsonl"

SCENARIOS=(xconnect switch router encap decap switch-nocache router-nocache)
if [ -n "${ONLY:-}" ]; then
	IFS=, read -r -a SCENARIOS <<<"$ONLY"
fi
echo "ferry logical pipelines: 64-byte frames, ${SECONDS_RUN}s windows, $REPS repetition(s), worker on CPU $CPU" >&2
: >"$DIR/runs.jsonl"
for rep in $(seq "$REPS"); do
	for flows in "${FLOWS[@]}"; do
		for scen in "${SCENARIOS[@]}"; do
			run_one "$scen" "$flows"
			echo "  rep $rep $scen $flows flows: $(tail -n 1 "$DIR/runs.jsonl")" >&2
		done
	done
done

mkdir -p "$(dirname "$OUT")"
python3 - "$DIR/runs.jsonl" "$OUT" "$CMDLINE" "$CPU" "$SECONDS_RUN" "$REPS" <<'PY'
import json, platform, statistics, subprocess, sys
runs_path, out, cmd, cpu, secs, reps = sys.argv[1:]
runs = [json.loads(l) for l in open(runs_path) if l.strip()]
def sh(*c):
    try:
        return subprocess.run(c, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
commit = sh("git", "rev-parse", "--short=12", "HEAD")
if sh("git", "status", "--porcelain", "--untracked-files=no"):
    commit += "-dirty"
names = {"xconnect": "cross-connect (reference)", "switch": "mode ovn: vif to vif, one switch",
         "router": "mode ovn: vif to vif, across lr0",
         "encap": "Geneve encap: vif to a port on hv2",
         "decap": "Geneve decap: from hv2 to a vif",
         "switch-nocache": "one switch, no flow cache (every packet walks the pipeline)",
         "router-nocache": "across lr0, no flow cache (every packet walks the pipeline)"}
summary = []
ref, sw = {}, {}
for flows in sorted({r["flows"] for r in runs}):
    for scen in ("xconnect", "switch", "router", "encap", "decap", "switch-nocache", "router-nocache"):
        rs = [r for r in runs if r["scenario"] == scen and r["flows"] == flows]
        if not rs:
            continue  # not run (--only)
        ok = [r for r in rs if "failed" not in r]
        row = {"scenario": scen, "flows": flows, "runs": len(rs), "failed": len(rs) - len(ok)}
        if ok and not row["failed"]:
            m = sorted(r["mpps"] for r in ok)
            c = sorted(r["cycles_per_packet"] for r in ok)
            row.update(mpps={"min": m[0], "median": statistics.median(m), "max": m[-1]},
                       cycles_per_packet={"min": c[0], "median": statistics.median(c), "max": c[-1]},
                       hugepages=sorted({r["hugepages"] for r in ok}))
            if scen == "xconnect":
                ref[flows] = row["mpps"]["median"]
            elif flows in ref:
                row["vs_xconnect"] = row["mpps"]["median"] / ref[flows]
            if scen == "switch":
                sw[flows] = row["cycles_per_packet"]["median"]
            elif scen in ("encap", "decap") and flows in sw:
                row["cycles_over_switch"] = row["cycles_per_packet"]["median"] - sw[flows]
        else:
            row["why"] = sorted({r.get("failed", "") for r in rs if "failed" in r})
        summary.append(row)
doc = {"command": cmd, "commit": commit, "machine": {"cpu": model, "cpus": len(open("/proc/cpuinfo").read().split("processor")) - 1,
       "kernel": platform.release(), "dpdk": sh("pkg-config", "--modversion", "libdpdk")},
       "worker_cpu": int(cpu), "seconds": int(secs), "repetitions": int(reps), "frame_bytes": 64,
       "summary": summary, "runs": runs}
json.dump(doc, open(out, "w"), indent=1)
print(f"commit {commit}, {model}, worker on CPU {cpu}, {secs}s x {reps}")
print(f"hugepages: {', '.join(sorted({str(r.get('hugepages')) for r in runs if 'hugepages' in r})) or 'n/a'};"
      f" load before each run: {', '.join(r['load'].split()[0] for r in runs)}")
print(f"| scenario | flows | Mpps min / median / max | cycles/packet min / median / max | vs cross-connect |")
print(f"|---|---:|---:|---:|---:|")
for row in summary:
    name = names[row["scenario"]]
    if "mpps" not in row:
        print(f"| {name} | {row['flows']:,} | FAILED: {'; '.join(row['why'])} | | |")
        continue
    m, c = row["mpps"], row["cycles_per_packet"]
    vs = (f"{100 * row['vs_xconnect']:.1f}%" if "vs_xconnect" in row
          else "100%" if row["scenario"] == "xconnect" else "n/a")
    print(f"| {name} | {row['flows']:,} | {m['min']:.2f} / {m['median']:.2f} / {m['max']:.2f} "
          f"| {c['min']:.1f} / {c['median']:.1f} / {c['max']:.1f} | {vs} |")
over = [r for r in summary if "cycles_over_switch" in r]
if over:
    print("Geneve over local switching (median cycles per packet, aim: at most +40):")
    for row in over:
        print(f"- {row['scenario']}, {row['flows']:,} flows: {row['cycles_over_switch']:+.1f}")
print(f"JSON: {out}")
PY
