# SPDX-License-Identifier: Apache-2.0
# Sourced by bench/compare.sh: scenario 7, the control plane at three
# sizes. Each size is its own OVN central and topology (cp_topo.py:
# switches of 50 ports with port security and DHCPv4 on one router, a
# port group with ACLs): 2 switches (about 1,000 logical flows), 40
# (about 17,500) and 231 (about 100,000). A few ports, spread over the
# switches, are bound on the chassis (1, 4, 16), each a net_null port.
# For each side, in turn:
#
#   ready    process start (ferryd; ovs-vswitchd and ovn-controller,
#            their database configured beforehand) until every bound
#            port is up in the Northbound and the chassis acknowledges
#            the Southbound's nb_cfg (ovn-controller once its flows are
#            in ovs-vswitchd; ferryd also has the ports in its published
#            pipelines): cp_wait.py, polling every 10 ms
#   memory   resident memory once ready: ferryd, and ferryd less its
#            mbuf pool (DPDK's packet buffers, when not on hugepages);
#            ovn-controller and ovs-vswitchd apart
#   acl      one ACL added to the port group (ovn-nbctl --wait=sb), then
#            ovn-nbctl --wait=hv sync: until the chassis has acknowledged
#            it; northd's share (until --wait=sb returns, the same work for
#            both) is recorded apart
#
#   cp_size SWITCHES BOUND  build one size, run both sides $REPS times

CP_SIZES=("2 1" "40 4" "231 16")
CP_ACL='outport == @pg0 && ip4 && udp.dst == 53'

rss_mb() { awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# _cp_bump: a new nb_cfg, once northd has carried it to the Southbound.
_cp_bump() {
	local cfg
	cfg=$(($(nb get NB_Global . nb_cfg) + 1))
	nb set NB_Global . "nb_cfg=$cfg" || return 1
	wait_for 60 _cp_sb_cfg "$cfg" || return 1
	echo "$cfg"
}
_cp_sb_cfg() { [ "$(sb get SB_Global . nb_cfg)" = "$1" ]; }

# _cp_acl: "total northd" ms: one ACL added until the chassis has
# acknowledged it, and northd's share (until the Southbound has it).
_cp_acl() {
	local t0 t1 t2
	t0=$(date +%s%N)
	nb --timeout=120 --wait=sb acl-add pg0 to-lport 1001 "$CP_ACL" allow-related >/dev/null || return 1
	t1=$(date +%s%N)
	nb --timeout=120 --wait=hv sync >/dev/null || return 1
	t2=$(date +%s%N)
	nb --timeout=120 --wait=hv acl-del pg0 to-lport 1001 "$CP_ACL" >/dev/null || return 1
	echo $(((t2 - t0) / 1000000)) $(((t1 - t0) / 1000000))
}

# ferry_ready_all LPORT...: ferryd's published pipelines hold them all.
ferry_ready_all() {
	local want
	want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
	[ "$(fctl --json pipeline show |
		jq_ '" ".join(sorted(p["name"] for d in j["datapaths"] for p in d["ports"] if "dpdk_port" in p))') " = "$want" ]
}

cp_ferry() { # LFLOWS LPORT...
	local lflows=$1 cfg t0 r i=0 p args=() pool acl acl_sb rss huge=off ready up cfg_ms
	shift
	run_begin ferry control "$lflows" 0
	topo_forget_chassis
	cfg=$(_cp_bump) || { failed "nb_cfg did not reach the Southbound"; return; }
	for p in "$@"; do
		args+=(--set "port.p$i.devargs=net_null$i,no-rx=1" --set "port.p$i.iface-id=$p")
		i=$((i + 1))
	done
	[ "$HUGE" = true ] && huge=on
	t0=$(date +%s%N)
	"$FERRYD" --set "control.socket=$DIR/ferryd.sock" --set "dataplane.workers=$CPU" \
		--hugepages "$huge" --log-level info \
		--set "chassis.system-id=$SYSTEM_ID" --set "chassis.ovn-remote=$OVN_SB_DB" \
		--set "chassis.ovn-encap-ip=$ENCAP_IP" --set dataplane.mode=ovn "${args[@]}" \
		-- --no-pci ${HUGE_DIR:+--huge-dir "$HUGE_DIR"} >"$DIR/ferryd.log" 2>&1 &
	FERRY_PID=$!
	if ! r=$(python3 bench/compare/cp_wait.py "$DIR/ovn/nb.sock" "$DIR/ovn/sb.sock" "$SYSTEM_ID" \
		"$cfg" "$t0" 120 "$@" --then env DIR="$DIR" FERRYCTL="$FERRYCTL" \
		bash -c "$(declare -f fctl jq_ ferry_ready_all); ferry_ready_all $*" \
		2>&1); then
		ferry_stop; failed "not ready: $r"; return
	fi
	rss=$(rss_mb "$FERRY_PID")
	# DPDK's packet buffers: in the RSS only without hugepages.
	pool=0
	[ "$huge" = on ] || pool=$(sed -n 's/.*mbuf pool: .*(\([0-9.]*\) MiB).*/\1/p' "$DIR/ferryd.log" | head -n 1)
	acl=$(_cp_acl) || { ferry_stop; failed "the ACL change was not acknowledged"; return; }
	ferry_stop
	read -r acl acl_sb <<<"$acl"
	read -r ready up cfg_ms <<<"$r"
	emit "${RUN[@]}" "hugepages=$([ "$huge" = on ] && echo true || echo false)" "ports=$#" "ready_ms=$ready" "ports_up_ms=$up" \
		"nb_cfg_ms=$cfg_ms" "rss_mb=$rss" "pool_mb=${pool:-0}" \
		"rss_less_pool_mb=$(python3 -c "print(round($rss - ${pool:-0}, 1))")" \
		"acl_ms=$acl" "acl_northd_ms=$acl_sb"
}

cp_ovs() { # LFLOWS LPORT...
	local lflows=$1 cfg r acl acl_sb rc rv ready up cfg_ms
	shift
	run_begin ovs control "$lflows" 0
	topo_forget_chassis
	cfg=$(_cp_bump) || { failed "nb_cfg did not reach the Southbound"; return; }
	ovs_cp_start "$@" || { ovs_stop; failed "OVS did not start"; return; }
	if ! r=$(python3 bench/compare/cp_wait.py "$DIR/ovn/nb.sock" "$DIR/ovn/sb.sock" "$SYSTEM_ID" \
		"$cfg" "$OVS_T0" 120 "$@" 2>&1); then
		ovs_stop; failed "not ready: $r"; return
	fi
	rc=$(rss_mb "$(ovs_pid ovn-controller)") rv=$(rss_mb "$(ovs_pid ovs-vswitchd)")
	acl=$(_cp_acl) || { ovs_stop; failed "the ACL change was not acknowledged"; return; }
	ovs_stop
	read -r acl acl_sb <<<"$acl"
	read -r ready up cfg_ms <<<"$r"
	emit "${RUN[@]}" "hugepages=$HUGE" "ports=$#" "ready_ms=$ready" "ports_up_ms=$up" \
		"nb_cfg_ms=$cfg_ms" "ovn_controller_rss_mb=$rc" "ovs_vswitchd_rss_mb=$rv" \
		"rss_mb=$(python3 -c "print(round($rc + $rv, 1))")" "acl_ms=$acl" "acl_northd_ms=$acl_sb"
}

cp_size() {
	local switches=$1 bound=$2 lflows ports=() i
	rm -rf "$DIR/ovn"
	ovn_central_start "$DIR/ovn" >/dev/null 2>&1 || { echo "OVN central did not start" >&2; return 1; }
	python3 bench/compare/cp_topo.py "$switches" || return 1
	nb --timeout=600 --wait=sb sync || return 1
	lflows=$(sb --bare --columns=_uuid list Logical_Flow | grep -c .)
	# One bound port in each of BOUND switches spread over the topology.
	for i in $(seq 0 $((bound - 1))); do
		ports+=("lp$((i * switches / bound * 50 + 1))")
	done
	echo "control plane: $switches switches, $lflows logical flows, bound: ${ports[*]}" >&2
	for REP in $(seq "$REPS"); do
		for sw in "${SWITCHES[@]}"; do
			case $sw in
			ferry) cp_ferry "$lflows" "${ports[@]}" ;;
			ovs) cp_ovs "$lflows" "${ports[@]}" ;;
			*) continue ;;
			esac
			echo "  rep $REP $sw control $lflows lflows: $(tail -n 1 "$DIR/runs.jsonl" | cut -c1-300)" >&2
		done
	done
	ovn_central_stop "$DIR/ovn" >/dev/null 2>&1
}
