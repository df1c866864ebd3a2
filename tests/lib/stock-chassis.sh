# SPDX-License-Identifier: Apache-2.0
# Sourced by system tests after ferry.sh and underlay.sh: a stock OVN
# chassis to interoperate with. It is ovs-vswitchd with the userspace
# datapath (datapath_type=netdev, no kernel module) plus ovn-controller,
# each chassis in a network namespace of its own (two userspace OVS in one
# namespace would collide on their "ovs-netdev" device). Geneve from OVS
# userspace leaves through br-phy, a bridge holding the underlay veth,
# with the encap IP on br-phy's internal interface.
#
# Everything a chassis writes (database, sockets, pids, logs) lives in
# $T_DIR/NAME; nothing touches the system's own Open vSwitch or OVN.
#
#   stock_chassis_start NAME ENCAP_IP/PREFIX [UNDERLAY]
#                                 start chassis NAME (system-id NAME) on
#                                 UNDERLAY (default "ul", see underlay.sh),
#                                 against $OVN_SB_DB
#   stock_vif CHASSIS NAME IP/PREFIX [IP6/PREFIX]
#                                 an instance NAME (namespace, eth0 with MTU
#                                 1400) whose veth peer is on CHASSIS's
#                                 br-int with external_ids:iface-id=NAME;
#                                 `on NAME` and mac_of work as for instance
#   stock_ns CHASSIS              the chassis's namespace
#   stock_vsctl CHASSIS ARGS...   ovs-vsctl on its database
#   stock_appctl CHASSIS DAEMON ARGS...
#                                 ovs-appctl to its ovs-vswitchd or
#                                 ovn-controller
#   stock_controller_stop CHASSIS, stock_controller_start CHASSIS
#                                 stop, start again its ovn-controller
#   stock_chassis_stop CHASSIS    stop its daemons (also done at exit)

OVS_SCHEMA=${OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
# Debian installs a DPDK-enabled ovs-vswitchd as an alternative; the plain
# build needs no hugepages and starts faster.
if [ -z "${OVS_VSWITCHD:-}" ]; then
	if [ -x /usr/lib/openvswitch-switch/ovs-vswitchd ]; then
		OVS_VSWITCHD=/usr/lib/openvswitch-switch/ovs-vswitchd
	else
		OVS_VSWITCHD=ovs-vswitchd
	fi
fi

stock_ns() { echo "s${T_ID}$1"; }
stock_dir() { echo "$T_DIR/$1"; }
stock_vsctl() {
	local dir
	dir=$(stock_dir "$1")
	shift
	ovs-vsctl --db="unix:$dir/db.sock" --timeout=10 "$@"
}
stock_appctl() {
	local dir ctl
	dir=$(stock_dir "$1")
	ctl="$dir/$2.ctl"
	# ovn-controller has no --unixctl: its socket is named after its pid.
	[ -S "$ctl" ] || ctl="$dir/$2.$(cat "$dir/$2.pid").ctl"
	ovs-appctl -t "$ctl" "${@:3}"
}

# _stock_run CHASSIS CMD...: CMD in the chassis's namespace, with every
# directory the OVS and OVN libraries default to pointed at its own.
_stock_run() {
	local dir ns
	dir=$(stock_dir "$1")
	ns=$(stock_ns "$1")
	shift
	ip netns exec "$ns" env OVS_RUNDIR="$dir" OVS_LOGDIR="$dir" OVS_DBDIR="$dir" \
		OVS_SYSCONFDIR="$dir" OVN_RUNDIR="$dir" OVN_LOGDIR="$dir" OVN_DBDIR="$dir" \
		OVN_SYSCONFDIR="$dir" "$@"
}

# _stock_daemon CHASSIS NAME CMD ARGS...: a detached daemon whose pid
# and log are $dir/NAME.{pid,log}; its control socket is in $dir too
# (see stock_appctl).
_stock_daemon() {
	local chassis=$1 name=$2 dir
	dir=$(stock_dir "$chassis")
	shift 2
	[[ " ${T_LOGS[*]} " == *" $dir/$name.log "* ]] || T_LOGS+=("$dir/$name.log")
	_stock_run "$chassis" "$@" --detach --no-chdir --pidfile="$dir/$name.pid" \
		--log-file="$dir/$name.log" -vconsole:off
}

stock_chassis_start() {
	local name=$1 encap=$2 ul=${3:-ul} dir ns ulif
	dir=$(stock_dir "$name")
	ns=$(stock_ns "$name")
	ulif=$(underlay_if "$ul" "$name")
	mkdir -p "$dir" || return 1
	ip netns add "$ns" || return 1
	T_NETNS+=("$ns")
	T_CLEANUP=("stock_chassis_stop '$name'" "${T_CLEANUP[@]}")
	# Quiet: no IPv6 of the chassis's own (router solicitations, MLD) on
	# the underlay or on br-int's ports.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	# The underlay veth stays a kernel interface too (OVS reads it with a
	# packet socket): the kernel must not answer ARP on it for br-phy's
	# address, or peers learn the veth's MAC instead of br-phy's.
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1
	ip netns exec "$ns" sysctl -qw net.ipv4.conf.default.arp_ignore=1
	ip -n "$ns" link set lo up
	underlay_attach "$ul" "$name" "$ns" || return 1
	# The underlay veth's own offloads would hand OVS frames without
	# complete checksums.
	ip netns exec "$ns" ethtool -K "$ulif" tx off >/dev/null

	ovsdb-tool create "$dir/conf.db" "$OVS_SCHEMA" || return 1
	_stock_daemon "$name" ovsdb-server ovsdb-server --remote="punix:$dir/db.sock" \
		--unixctl="$dir/ovsdb-server.ctl" \
		"$dir/conf.db" || return 1
	stock_vsctl "$name" --no-wait init || return 1
	stock_vsctl "$name" --no-wait set Open_vSwitch . \
		"external_ids:system-id=$name" "external_ids:hostname=$name" \
		"external_ids:ovn-remote=$OVN_SB_DB" external_ids:ovn-encap-type=geneve \
		"external_ids:ovn-encap-ip=${encap%/*}" \
		external_ids:ovn-bridge-datapath-type=netdev || return 1
	_stock_daemon "$name" ovs-vswitchd "$OVS_VSWITCHD" "unix:$dir/db.sock" \
		--unixctl="$dir/ovs-vswitchd.ctl" || return 1

	stock_vsctl "$name" add-br br-phy -- set Bridge br-phy datapath_type=netdev \
		-- add-port br-phy "$ulif" || return 1
	ip -n "$ns" addr add "$encap" dev br-phy || return 1
	ip -n "$ns" link set br-phy up || return 1
	stock_vsctl "$name" add-br br-int -- set Bridge br-int datapath_type=netdev \
		fail_mode=secure other_config:disable-in-band=true || return 1
	stock_controller_start "$name"
}

stock_controller_start() {
	_stock_daemon "$1" ovn-controller ovn-controller "unix:$(stock_dir "$1")/db.sock"
}

# stock_controller_stop CHASSIS: SIGTERM, as a restart would: ovn-controller
# leaves its Chassis row and bindings behind.
stock_controller_stop() {
	stop_pidfiles "$(stock_dir "$1")" ovn-controller
}

stock_chassis_stop() {
	stop_pidfiles "$(stock_dir "$1")" ovn-controller ovs-vswitchd ovsdb-server
}

stock_vif() {
	local chassis=$1 name=$2 addr=$3 addr6=${4:-} ns cns
	ns=$(ns_of "$name")
	cns=$(stock_ns "$chassis")
	ip netns add "$ns" || return 1
	T_NETNS+=("$ns")
	ip -n "$cns" link add "$name" type veth peer name eth0 netns "$ns" || return 1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "$addr" dev eth0
	if [ -n "$addr6" ]; then
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
		ip -n "$ns" -6 addr add "$addr6" dev eth0 nodad
	fi
	# Inside Geneve (58 bytes more) on a 1500-byte underlay.
	ip -n "$ns" link set eth0 mtu 1400
	ip -n "$cns" link set "$name" mtu 1400
	ip -n "$ns" link set eth0 up
	# OVS reads the frames with a packet socket: checksums must be complete.
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null
	ip -n "$cns" link set "$name" up
	stock_vsctl "$chassis" add-port br-int "$name" \
		-- set Interface "$name" "external_ids:iface-id=$name"
}
