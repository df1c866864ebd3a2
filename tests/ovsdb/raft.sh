#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Proves: with the Southbound database in a 3-member RAFT cluster and
# ovn-remote listing all members, ferryd keeps working when the leader is
# killed, and when the member it is connected to is killed: it reconnects
# to another member, resumes (monitor_cond_since: no full resync), binds
# ports added afterwards, and leaves no duplicate Chassis,
# Chassis_Private or Encap rows.
. "$(dirname "$0")/../lib/ferry.sh"

DIR="$T_DIR/ovn"
ovn_sb_cluster_start "$DIR" >/dev/null 2>&1 || { echo "FAIL: RAFT cluster did not start"; exit 1; }
T_CLEANUP+=("ovn_sb_cluster_stop '$DIR'")

ctl() { "$FERRYCTL" -s "$T_DIR/hv1.sock" "$@"; }
is_up() { [ "$(ovn-nbctl lsp-get-up "$1")" = "$2" ]; }
count() { ovn-sbctl --bare --columns=_uuid find "$@" | grep -c .; }
synced() { ctl --json sb status | json 'j["synced"]' | grep -qx True; }

ovn-nbctl ls-add sw0 -- lsp-add sw0 lp1 -- lsp-add sw0 lp2 -- lsp-add sw0 lp3
ovn-nbctl --wait=sb sync

"$FERRYD" --set "control.socket=$T_DIR/hv1.sock" --set chassis.system-id=hv1 \
	--set "chassis.ovn-remote=$OVN_SB_DB" --set chassis.ovn-encap-ip=192.0.2.1 \
	--set chassis.ovn-remote-probe-interval=2000 \
	--set port.v1.devargs=net_null0,no-rx=1 --set port.v1.iface-id=lp1 >"$T_DIR/ferryd.log" 2>&1 &
FERRYD_PID=$!
wait_for 30 ctl show || exit 1
if ! ctl sb status >/dev/null 2>&1; then
	echo "SKIP: this ferryd has no chassis agent (not linked yet)"
	exit 77
fi
check "lp1 up with a clustered Southbound" wait_for 15 is_up lp1 up

leader=$(ovn_sb_leader "$DIR")
check "a leader exists" test -n "$leader"
remote=$(ctl --json sb status | json 'j["remote"]')
echo "# ferryd on $remote, leader sb$leader"
kill -KILL "$(cat "$DIR/sb$leader.pid")"
check "a new leader is elected" wait_for 20 bash -c ". $(dirname "$0")/../lib/ovn-central.sh; l=\$(ovn_sb_leader $DIR) && [ \"\$l\" != $leader ]"
check "ferryd synced again" wait_for 20 synced
check_eq "ferryd not on the killed member" "" \
	"$(ctl --json sb status | json 'j["remote"]' | grep "sb$leader.sock")"
check "port added after the leader died" ctl port add v2 net_null1,no-rx=1 role=vif iface-id=lp2
check "lp2 up" wait_for 20 is_up lp2 up
check "--wait=hv" ovn-nbctl --timeout=15 --wait=hv sync
check_eq "one Chassis" 1 "$(count Chassis name=hv1)"
check_eq "one Chassis_Private" 1 "$(count Chassis_Private name=hv1)"
check_eq "one Encap" 1 "$(count Encap chassis_name=hv1)"

# If ferryd was not on the leader, bring that member back and kill the one
# ferryd uses, so that the reconnect path is always taken.
if [ "$remote" != "unix:$DIR/sb$leader.sock" ]; then
	check "killed member restarted" ovn_sb_member_start "$DIR" "$leader"
	check "it rejoins" wait_for 20 ovn_sb_member_connected "$DIR" "$leader"
	victim=$(ctl --json sb status | json 'j["remote"]')
	victim=${victim##*/sb}
	victim=${victim%.sock}
	echo "# killing sb$victim, the member ferryd uses"
	kill -KILL "$(cat "$DIR/sb$victim.pid")"
	check "ferryd moves to another member" wait_for 20 bash -c \
		"$FERRYCTL -s $T_DIR/hv1.sock --json sb status | grep -q '\"synced\": true' && ! $FERRYCTL -s $T_DIR/hv1.sock --json sb status | grep -q 'sb$victim.sock'"
	check "port added after the member died" ctl port add v3 net_null2,no-rx=1 role=vif iface-id=lp3
	check "lp3 up" wait_for 20 is_up lp3 up
	check_eq "still one Chassis" 1 "$(count Chassis name=hv1)"
	check_eq "still one Encap" 1 "$(count Encap chassis_name=hv1)"
fi
check_eq "reconnect resumed, no full resync" 1 \
	"$(ctl --json sb status | json 'j["counters"]["resumes"]')"
check_eq "one full sync in all" 1 "$(ctl --json sb status | json 'j["counters"]["full_syncs"]')"
ctl exit >/dev/null
wait "$FERRYD_PID"
FERRYD_PID=
t_done
