#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Southbound scale benchmark: a private OVN central holding ~2,000 logical
# switch ports and 15,000+ logical flows (built with ovn-nbctl), then
#   1. sb_replica: time from start to a full replica (monitor-all) and RSS;
#   2. ferryd: time from process start to a ready chassis (registered,
#      replica synced, its port claimed and up), with and without
#      ovn-monitor-all;
#   3. ovn-controller (+ ovsdb-server for Open_vSwitch and ovs-vswitchd,
#      userspace datapath) for comparison: time until it acknowledges nb_cfg
#      (flows installed), and RSS, when ovs-vswitchd is available.
#
# usage: sb_bench.sh BUILD_DIR [PORTS]      (PORTS defaults to 2000)
set -u
BUILD=$1
PORTS=${2:-2000}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../tests/lib/ovn-central.sh"
DIR=$(mktemp -d)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[ -f "$DIR/ovs/ovn-controller.pid" ] && kill "$(cat "$DIR/ovs/ovn-controller.pid")" 2>/dev/null
	[ -f "$DIR/ovs/vswitchd.pid" ] && kill "$(cat "$DIR/ovs/vswitchd.pid")" 2>/dev/null
	[ -f "$DIR/ovs/db.pid" ] && kill "$(cat "$DIR/ovs/db.pid")" 2>/dev/null
	ovn_central_stop "$DIR"
	rm -rf "$DIR"
}
trap cleanup EXIT
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
rss_mb() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

ovn_central_start "$DIR" >/dev/null 2>&1 || { echo "ovn central did not start"; exit 1; }

# Topology: SWITCHES switches of PER ports, all attached to one router,
# each port with addresses and port security; one port group with an ACL.
PER=50
SWITCHES=$(( (PORTS + PER - 1) / PER ))
t0=$(now_ms)
{
	echo "lr-add r0"
	for s in $(seq 1 $SWITCHES); do
		echo "-- ls-add s$s"
		echo "-- lrp-add r0 r0-s$s 00:00:01:00:$(printf %02x $((s / 256))):$(printf %02x $((s % 256))) 10.$((s / 256)).$((s % 256)).254/24"
		echo "-- lsp-add s$s s$s-r0 -- lsp-set-type s$s-r0 router -- lsp-set-addresses s$s-r0 router -- lsp-set-options s$s-r0 router-port=r0-s$s"
		for p in $(seq 1 $PER); do
			n=$(( (s - 1) * PER + p ))
			[ $n -gt "$PORTS" ] && break
			mac=$(printf "00:00:02:%02x:%02x:%02x" $((n >> 16)) $(((n >> 8) & 255)) $((n & 255)))
			ip="10.$((s / 256)).$((s % 256)).$p"
			echo "-- lsp-add s$s lp$n -- lsp-set-addresses lp$n \"$mac $ip\" -- lsp-set-port-security lp$n \"$mac $ip\""
		done
	done
	echo "-- pg-add pg0 $(seq -f 'lp%g' 1 20 | tr '\n' ' ')"
	echo "-- acl-add pg0 to-lport 1000 \"outport == @pg0 && ip4 && tcp.dst == 22\" allow-related"
	echo "-- acl-add pg0 to-lport 900 \"outport == @pg0 && ip4\" drop"
} | tr '\n' ' ' >"$DIR/nbctl.args"
eval ovn-nbctl --timeout=600 "$(cat "$DIR/nbctl.args")" >/dev/null || { echo "building the topology failed"; exit 1; }
# DHCPv4 on every port (a few logical flows each), one options row per switch.
{
	for s in $(seq 1 $SWITCHES); do
		u=$(ovn-nbctl create DHCP_Options cidr=10.$((s / 256)).$((s % 256)).0/24 \
			options='"lease_time"="3600" "router"="10.'$((s / 256)).$((s % 256))'.254" "server_id"="10.'$((s / 256)).$((s % 256))'.254" "server_mac"="00:00:01:00:00:01"')
		for p in $(seq 1 $PER); do
			n=$(( (s - 1) * PER + p ))
			[ $n -gt "$PORTS" ] && break
			echo "-- lsp-set-dhcpv4-options lp$n $u"
		done
	done
} | tr '\n' ' ' >"$DIR/dhcp.args"
eval ovn-nbctl --timeout=600 "$(cat "$DIR/dhcp.args")" >/dev/null || { echo "DHCP options failed"; exit 1; }
ovn-nbctl --timeout=600 --wait=sb sync
n_pb=$(ovn-sbctl --bare --columns=_uuid list Port_Binding | grep -c .)
n_lf=$(ovn-sbctl --bare --columns=_uuid list Logical_Flow | grep -c .)
echo "topology: $n_pb port bindings, $n_lf logical flows, built in $(( $(now_ms) - t0 )) ms"

# 1. The IDL alone: full replica.
for i in 1 2 3; do
	"$BUILD/tests/ovsdb/sb_replica" -t 60 "$OVN_SB_DB" >"$DIR/replica.out" || exit 1
	echo "sb_replica run $i: full replica in $(awk '/^synced/ {print $2}' "$DIR/replica.out") ms," \
		"RSS $(awk '/^rss_kb/ {printf "%.1f", $2/1024}' "$DIR/replica.out") MB"
done

# 2. ferryd: a chassis with one port (lp1) bound.
ferry_run() { # $1: monitor-all true|false
	local sock="$DIR/f.sock" pid t1 ready
	rm -f "$sock"
	t1=$(now_ms)
	"$BUILD/control/ferryd" --set "control.socket=$sock" --set chassis.system-id=bench \
		--set "chassis.ovn-remote=$OVN_SB_DB" --set chassis.ovn-encap-ip=192.0.2.99 \
		--set "chassis.ovn-monitor-all=$1" \
		--set port.v1.devargs=net_null0,no-rx=1 --set port.v1.iface-id=lp1 >"$DIR/ferryd.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	wait_for 60 bash -c "[ \"\$(ovn-nbctl lsp-get-up lp1)\" = up ] && \
		'$BUILD/control/ferryctl' -s '$sock' --json chassis show | grep -q '\"ready_ms\": [1-9]'" ||
		{ tail "$DIR/ferryd.log"; return 1; }
	ready=$(( $(now_ms) - t1 ))
	echo "ferryd monitor-all=$1: process start to chassis ready (lp1 up) $ready ms;" \
		"agent $("$BUILD/control/ferryctl" -s "$sock" --json chassis show | python3 -c 'import json,sys; print(json.load(sys.stdin)["ready_ms"])') ms;" \
		"rows $("$BUILD/control/ferryctl" -s "$sock" --json sb status | python3 -c 'import json,sys; t=json.load(sys.stdin)["tables"]; print(t.get("Logical_Flow",0), "lflows,", t.get("Port_Binding",0), "bindings")');" \
		"RSS $(rss_mb "$pid") MB"
	"$BUILD/control/ferryctl" -s "$sock" exit --cleanup >/dev/null
	wait "$pid"
}
ferry_run true
ferry_run false

# 3. ovn-controller for comparison (needs ovs-vswitchd, userspace datapath).
if command -v ovs-vswitchd >/dev/null && command -v ovn-controller >/dev/null; then
	mkdir -p "$DIR/ovs"
	export OVS_RUNDIR="$DIR/ovs" OVS_DBDIR="$DIR/ovs" OVS_LOGDIR="$DIR/ovs" OVN_RUNDIR="$DIR/ovs"
	ovsdb-tool create "$DIR/ovs/conf.db" /usr/share/openvswitch/vswitch.ovsschema
	ovsdb-server --detach --no-chdir --pidfile="$DIR/ovs/db.pid" --log-file="$DIR/ovs/db.log" \
		-vconsole:off --remote="punix:$DIR/ovs/db.sock" "$DIR/ovs/conf.db"
	export DB_SOCK="unix:$DIR/ovs/db.sock"
	ovs-vsctl --db="$DB_SOCK" --no-wait init
	ovs-vswitchd --detach --no-chdir --pidfile="$DIR/ovs/vswitchd.pid" \
		--log-file="$DIR/ovs/vswitchd.log" -vconsole:off "$DB_SOCK"
	ovs-vsctl --db="$DB_SOCK" add-br br-int -- set Bridge br-int datapath_type=netdev \
		fail-mode=secure -- set Open_vSwitch . external_ids:system-id=ovnc \
		external_ids:ovn-remote="$OVN_SB_DB" external_ids:ovn-encap-type=geneve \
		external_ids:ovn-encap-ip=192.0.2.98 external_ids:ovn-monitor-all=true \
		-- add-port br-int vif1 -- set Interface vif1 type=internal external_ids:iface-id=lp2
	t1=$(now_ms)
	ovn-controller --detach --no-chdir --pidfile="$DIR/ovs/ovn-controller.pid" \
		--log-file="$DIR/ovs/ovn-controller.log" -vconsole:off "$DB_SOCK"
	if wait_for 120 bash -c "[ \"\$(ovn-nbctl lsp-get-up lp2)\" = up ] && \
		[ \"\$(ovn-sbctl --bare --columns=nb_cfg find Chassis_Private name=ovnc)\" = \
		\"\$(ovn-sbctl get SB_Global . nb_cfg)\" ]"; then
		echo "ovn-controller monitor-all=true: start to port up and nb_cfg acked $(( $(now_ms) - t1 )) ms;" \
			"RSS ovn-controller $(rss_mb "$(cat "$DIR/ovs/ovn-controller.pid")") MB," \
			"ovs-vswitchd $(rss_mb "$(cat "$DIR/ovs/vswitchd.pid")") MB"
	else
		echo "ovn-controller did not get ready in 120 s (see its log)"
	fi
fi
