# SPDX-License-Identifier: Apache-2.0
# Sourced by bench/compare.sh: ferryd as the chassis, on the ports OVS
# gets. Mode ovn, system-id $SYSTEM_ID, encap IP $ENCAP_IP, one worker on
# $CPU; a logical port "underlay" is a port with role=underlay whose next
# hop to hv2 is a static neighbour (a sink answers no ARP).
#
#   ferry_start SRC_LPORT SRC_DEVARGS DST_LPORT DST_DEVARGS MBUFS MEMORY_MB
#               HUGEPAGES(on|off)
#   ferry_stop
#   ferry_ready SRC DST     the vif ports are in the published snapshot
#   ferry_sink_tx           tx packets of the sink ports (FERRY_SINKS)
#   ferry_tunnel COUNTER, ferry_underlay_mac
#   ferry_cycles            "packets busy_cycles tsc_hz" of the worker
#   ferry_ct_established N  N UDP flows, each a connection in two zones,
#                           all replied

FERRYD=${FERRYD:-build/control/ferryd}
FERRYCTL=${FERRYCTL:-build/control/ferryctl}
FERRY_PID=
FERRY_SINKS=()
FERRY_EXTRA=() # more --set KEY=VALUE for one run

fctl() { "$FERRYCTL" -s "$DIR/ferryd.sock" "$@"; }
jq_() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

_ferry_port() { # NAME DEVARGS LPORT
	local a=(--set "port.$1.devargs=$2")
	if [ "$3" = underlay ]; then
		a+=(--set "port.$1.role=underlay" --set "port.$1.neighbours=$HV2_IP=$HV2_MAC")
	else
		a+=(--set "port.$1.iface-id=$3")
	fi
	printf '%s\n' "${a[@]}"
}

ferry_start() {
	local src=$1 srcdev=$2 dst=$3 dstdev=$4 mbufs=$5 mem=$6 huge=$7 args eal=(--no-pci)
	[ "$huge" = on ] && eal+=(--huge-dir "$HUGE_DIR")
	mapfile -t args < <(_ferry_port in "$srcdev" "$src"; _ferry_port out "$dstdev" "$dst")
	FERRY_SINKS=(out)
	"$FERRYD" --set "control.socket=$DIR/ferryd.sock" --set "dataplane.workers=$CPU" \
		--hugepages "$huge" --log-level warning --set "dataplane.mbufs=$mbufs" --memory "$mem" \
		--set "chassis.system-id=$SYSTEM_ID" --set "chassis.ovn-remote=$OVN_SB_DB" \
		--set "chassis.ovn-encap-ip=$ENCAP_IP" --set dataplane.mode=ovn \
		"${args[@]}" "${FERRY_EXTRA[@]}" -- "${eal[@]}" >"$DIR/ferryd.log" 2>&1 &
	FERRY_PID=$!
}

ferry_stop() {
	[ -n "$FERRY_PID" ] || return 0
	kill -TERM "$FERRY_PID" 2>/dev/null
	wait "$FERRY_PID" 2>/dev/null || true
	FERRY_PID=
}

ferry_ready() {
	local want p
	want=$(for p in "$1" "$2"; do [ "$p" = underlay ] || echo "$p"; done | sort | tr '\n' ' ')
	[ "$(fctl --json pipeline show |
		jq_ '" ".join(sorted(p["name"] for d in j["datapaths"] for p in d["ports"] if "dpdk_port" in p))') " = "$want" ]
}
ferry_sink_tx() {
	fctl --json counters | jq_ "sum(j['ports'][p]['tx_packets'] for p in '${FERRY_SINKS[*]}'.split())"
}
ferry_sink_moving() { [ "$(ferry_sink_tx)" -gt 0 ]; }
ferry_tunnel() { fctl --json tunnel list | jq_ "sum(p['$1'] for p in j if p['chassis'] == 'hv2')"; }
ferry_tunnel_moving() { [ "$(ferry_tunnel "$1")" -gt 0 ]; }
ferry_underlay_mac() { fctl --json underlay | jq_ 'j["mac"]'; }
ferry_cycles() {
	fctl --json worker list | jq_ '"%d %d %d" % (j["workers"][0]["packets"], j["workers"][0]["busy_cycles"], j["tsc_hz"])'
}
ferry_ct_conns() { fctl --json ct stats | jq_ 'j["connections"]'; }
ferry_ct_moving() { [ "$(ferry_ct_conns)" -gt 0 ]; }
ferry_ct_stat() { fctl --json ct stats | jq_ "j['$1']"; }
# "UDP REPLIED" connections: replied ones have 30 s left at most (the
# UDP replied timeout; first and multiple have 60, the defaults).
ferry_ct_replied() {
	fctl ct list | awk '/^udp,/ { n++; if (match($0, /timeout=[0-9]+/) && substr($0, RSTART + 8) + 0 <= 30) r++ }
		END { print n + 0, r + 0 }'
}
ferry_ct_established() {
	local n r
	read -r n r < <(ferry_ct_replied)
	[ "$n" -eq $(($1 * 2)) ] && [ "$r" -eq "$n" ]
}
ferry_hugepages() { fctl --json show | jq_ 'str(j["hugepages"]).lower()'; }
