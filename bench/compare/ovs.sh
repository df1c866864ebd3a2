# SPDX-License-Identifier: Apache-2.0
# Sourced by bench/compare.sh: Debian's OVS-DPDK (ovs-vswitchd-dpdk from
# openvswitch-switch-dpdk) programmed by ovn-controller, as a chassis
# would run them, on the ports ferryd gets.
#
# Each run starts a private ovsdb-server, ovs-vswitchd-dpdk and
# ovn-controller under $DIR/ovs, in a network namespace of their own (the
# userspace datapath's tap devices, br-int and br-phy, stay out of the
# host's). br-int (netdev) holds the vif ports: DPDK ports bound as
# logical ports with external_ids:iface-id. br-phy (netdev) holds the
# underlay's DPDK port; the encap IP is on br-phy's internal interface,
# whose MAC is fixed to $UL_MAC, and hv2's MAC is a static tunnel
# neighbour (tnl/neigh/set), since a sink answers no ARP. One PMD thread
# on $CPU (pmd-cpu-mask), every other thread on the other CPUs
# (dpdk-lcore-mask), hugepages when the harness has them.
#
#   ovs_start SRC_LPORT SRC_DEVARGS DST_LPORT DST_DEVARGS [both]
#                           a logical port "underlay" goes to br-phy;
#                           "both": traffic runs both ways, both ports
#                           are sinks
#   ovs_cp_start LPORT...   the control-plane case (see below)
#   ovs_stop
#   ovs_sink_tx             the sink ports' tx packets (live, from the
#                           datapath); OVS_SINKS names them
#   ovs_ct_established N    N UDP flows, each a connection in two zones,
#                           all replied
#   ovs_dump_flows          the datapath flows, ports by name
#   ovs_pmd_clear, ovs_pmd_stats
#                           "packets processing_cycles" of the PMD since
#                           the last clear

OVS_VSWITCHD_DPDK=${OVS_VSWITCHD_DPDK:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}
OVS_SCHEMA=${OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
OVS_NS=
OVS_SINKS=

ovs_available() { [ -x "$OVS_VSWITCHD_DPDK" ] && command -v ovn-controller >/dev/null; }

_ovs_run() {
	local o=$DIR/ovs
	ip netns exec "$OVS_NS" env OVS_RUNDIR="$o" OVS_LOGDIR="$o" OVS_DBDIR="$o" \
		OVS_SYSCONFDIR="$o" OVN_RUNDIR="$o" OVN_LOGDIR="$o" OVN_DBDIR="$o" \
		OVN_SYSCONFDIR="$o" "$@"
}
_ovs_daemon() {
	local name=$1 o=$DIR/ovs
	shift
	_ovs_run "$@" --detach --no-chdir --pidfile="$o/$name.pid" --log-file="$o/$name.log" \
		-vconsole:off 2>>"$o/$name.stderr"
}
ovs_vsctl() { ovs-vsctl --db="unix:$DIR/ovs/db.sock" --timeout=30 "$@"; }
ovs_appctl() { ovs-appctl -t "$DIR/ovs/ovs-vswitchd.ctl" "$@"; }
ovs_ofctl() { _ovs_run ovs-ofctl "$@"; }

# ovs_port BRIDGE NAME DEVARGS LPORT: a DPDK port; bound as LPORT unless
# LPORT is "underlay".
ovs_port() {
	local ids=()
	[ "$4" = underlay ] || ids=("external_ids:iface-id=$4")
	ovs_vsctl add-port "$1" "$2" -- set Interface "$2" type=dpdk \
		"options:dpdk-devargs=$3" "${ids[@]}"
}

# _ovs_db_start: the namespace, ovsdb-server and the Open_vSwitch row:
# the chassis's OVN keys, DPDK and its cores.
_ovs_db_start() {
	local o=$DIR/ovs extra mem
	rm -rf "$o" && mkdir -p "$o" || return 1
	OVS_NS=ferry-bench-$$
	ip netns add "$OVS_NS" || return 1
	ip -n "$OVS_NS" link set lo up
	ovsdb-tool create "$o/conf.db" "$OVS_SCHEMA" >/dev/null || return 1
	_ovs_daemon ovsdb-server ovsdb-server --remote="punix:$o/db.sock" \
		--unixctl="$o/ovsdb-server.ctl" "$o/conf.db" || return 1
	ovs_vsctl --no-wait init || return 1
	extra="--no-pci"
	mem=()
	if [ "$HUGE" = true ]; then
		mem=("other_config:dpdk-socket-mem=$OVS_MEM_MB")
		extra+=" --in-memory --huge-dir=$HUGE_DIR"
	else
		extra+=" --no-huge -m $OVS_MEM_MB --legacy-mem --no-shconf --iova-mode=va"
	fi
	ovs_vsctl --no-wait set Open_vSwitch . \
		"external_ids:system-id=$SYSTEM_ID" "external_ids:hostname=$SYSTEM_ID" \
		"external_ids:ovn-remote=$OVN_SB_DB" external_ids:ovn-encap-type=geneve \
		"external_ids:ovn-encap-ip=$ENCAP_IP" external_ids:ovn-bridge-datapath-type=netdev \
		other_config:dpdk-init=true "other_config:dpdk-lcore-mask=$(cpu_mask_other)" \
		"other_config:pmd-cpu-mask=$(printf '0x%x' $((1 << CPU)))" \
		"other_config:dpdk-extra=$extra" "${mem[@]}" || return 1
	ovs_vsctl --no-wait add-br br-int -- set Bridge br-int datapath_type=netdev \
		fail_mode=secure other_config:disable-in-band=true
}
_ovs_vswitchd_start() {
	_ovs_daemon ovs-vswitchd "$OVS_VSWITCHD_DPDK" "unix:$DIR/ovs/db.sock" \
		--unixctl="$DIR/ovs/ovs-vswitchd.ctl"
}
_ovs_controller_start() { _ovs_daemon ovn-controller ovn-controller "unix:$DIR/ovs/db.sock"; }

ovs_start() {
	local src=$1 srcdev=$2 dst=$3 dstdev=$4 both=${5:-}
	_ovs_db_start || return 1
	_ovs_vswitchd_start || return 1
	ovs_vsctl add-br br-phy -- set Bridge br-phy datapath_type=netdev \
		"other_config:hwaddr=$UL_MAC" || return 1
	if [ "$src" = underlay ]; then
		ovs_port br-phy ul "$srcdev" underlay || return 1
		ovs_port br-int out "$dstdev" "$dst" || return 1
		OVS_SINKS=out
	elif [ "$dst" = underlay ]; then
		ovs_port br-int in "$srcdev" "$src" || return 1
		ovs_port br-phy ul "$dstdev" underlay || return 1
		OVS_SINKS=ul
	else
		ovs_port br-int in "$srcdev" "$src" || return 1
		ovs_port br-int out "$dstdev" "$dst" || return 1
		OVS_SINKS=out
		[ -z "$both" ] || OVS_SINKS="in out"
	fi
	ip -n "$OVS_NS" addr add "$ENCAP_IP/24" dev br-phy || return 1
	ip -n "$OVS_NS" link set br-phy up || return 1
	ovs_appctl tnl/neigh/set br-phy "$HV2_IP" "$HV2_MAC" >/dev/null || return 1
	_ovs_controller_start
}

# ovs_cp_start LPORT...: for the control plane, every LPORT a net_null
# port on br-int, configured in the database first (as an operator's
# configuration is there before the daemons start); then ovs-vswitchd
# and ovn-controller start together. Sets OVS_T0 (ns) to their start.
ovs_cp_start() {
	local i=0 p
	_ovs_db_start || return 1
	for p in "$@"; do
		ovs_vsctl --no-wait add-port br-int "p$i" -- set Interface "p$i" type=dpdk \
			"options:dpdk-devargs=net_null$i,no-rx=1" "external_ids:iface-id=$p" || return 1
		i=$((i + 1))
	done
	OVS_T0=$(date +%s%N)
	_ovs_vswitchd_start && _ovs_controller_start
}
ovs_pid() { cat "$DIR/ovs/$1.pid"; }

ovs_stop() {
	[ -n "$OVS_NS" ] || return 0
	stop_pidfiles "$DIR/ovs" ovn-controller ovs-vswitchd ovsdb-server
	ip netns del "$OVS_NS" 2>/dev/null
	OVS_NS=
}

# "tx_packets" of the sinks, read from the datapath (the database's copy
# is refreshed only every few seconds).
ovs_sink_tx() {
	ovs_appctl dpctl/show -s | awk -v p=" $OVS_SINKS " '
		$1 == "port" { on = index(p, " " $3 " ") > 0; next }
		on && $1 == "TX" && $2 ~ /^packets:/ { sub("packets:", "", $2); t += $2 }
		END { print t + 0 }'
}
# "UDP REPLIED" connections: as for ferry, replied ones have 30 s left
# at most (other_bidir), unreplied ones 60 (other_first, other_multiple).
ovs_ct_replied() {
	ovs_appctl dpctl/dump-conntrack -s | awk '/^udp,/ { n++; if (match($0, /timeout=[0-9]+/) && substr($0, RSTART + 8) + 0 <= 30) r++ }
		END { print n + 0, r + 0 }'
}
ovs_ct_established() {
	local n r
	read -r n r < <(ovs_ct_replied)
	[ "$n" -eq $(($1 * 2)) ] && [ "$r" -eq "$n" ]
}
ovs_ct_count() { ovs_appctl dpctl/ct-stats-show | awk '/Total:/ { print $2; exit }'; }
ovs_sink_moving() { [ "$(ovs_sink_tx)" -gt 0 ] 2>/dev/null; }
ovs_dump_flows() { ovs_appctl dpctl/dump-flows --names; }
ovs_pmd_clear() { ovs_appctl dpif-netdev/pmd-stats-clear >/dev/null; }
ovs_pmd_stats() {
	ovs_appctl dpif-netdev/pmd-stats-show -pmd "$CPU" | awk '
		/packets received:/ { p = $3 }
		/processing cycles:/ { c = $3 }
		END { print (p == "" ? 0 : p), (c == "" ? 0 : c) }'
}
