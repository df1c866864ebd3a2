#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Proves, against a real ovsdb-server and ovn-northd, that ferryd is an
# ordinary OVN chassis:
#  - ovn-sbctl show lists it with its geneve encap IP;
#  - a port bound on ferryd turns lsp-get-up to up, and to down when the
#    port is removed; ovn-nbctl --wait=hv sync returns;
#  - it survives a Southbound server restart and carries on, with no
#    duplicate Chassis or Encap rows;
#  - two ferryd chassis side by side each claim their ports, and one port
#    present on both stays with the first claimant without flapping;
#  - a restarted ferryd keeps its Chassis row; exit --cleanup removes it.
. "$(dirname "$0")/../lib/ferry.sh"

ovn_central_start "$T_DIR/ovn" >/dev/null 2>&1 || { echo "FAIL: ovn central"; exit 1; }
T_CLEANUP+=("ovn_central_stop '$T_DIR/ovn'")

declare -A PIDS
# fd_start NAME ARGS...: a ferryd with socket $T_DIR/NAME.sock, chassis NAME.
fd_start() {
	local name=$1
	shift
	"$FERRYD" --set "control.socket=$T_DIR/$name.sock" --set "chassis.system-id=$name" \
		--set "chassis.ovn-remote=$OVN_SB_DB" --set "chassis.ovn-remote-probe-interval=5000" \
		"$@" >>"$T_DIR/$name.log" 2>&1 &
	PIDS[$name]=$!
	T_CLEANUP+=("kill -KILL ${PIDS[$name]}")
	wait_for 30 "$FERRYCTL" -s "$T_DIR/$name.sock" show
}
fd() { local name=$1; shift; "$FERRYCTL" -s "$T_DIR/$name.sock" "$@"; }
fd_stop() { kill -TERM "${PIDS[$1]}"; wait "${PIDS[$1]}"; }
is_up() { [ "$(ovn-nbctl lsp-get-up "$1")" = "$2" ]; }
pb_chassis() {
	local c
	c=$(ovn-sbctl --bare --columns=chassis find Port_Binding logical_port="$1")
	[ -n "$c" ] && ovn-sbctl --bare --columns=name list Chassis "$c"
}
count() { ovn-sbctl --bare --columns=_uuid find "$@" | grep -c .; }
bound_to() { [ "$(pb_chassis "$1")" = "$2" ]; }
state_is() { fd "$1" --json chassis bindings | json "[p['state'] for p in j if p['iface_id'] == '$2'][0]" | grep -qx "$3"; }

ovn-nbctl ls-add sw0
for p in lp1 lp2 lp3 lp4; do ovn-nbctl lsp-add sw0 $p; done
ovn-nbctl --wait=sb sync

fd_start hv1 --set chassis.ovn-encap-ip=192.0.2.1 \
	--set port.v1.devargs=net_null0,no-rx=1 --set port.v1.iface-id=lp1 || { cat "$T_DIR/hv1.log"; exit 1; }
if ! fd hv1 sb status >/dev/null 2>&1; then
	echo "SKIP: this ferryd has no chassis agent (not linked yet)"
	exit 77
fi

check "chassis hv1 listed with its geneve encap" \
	wait_for 10 bash -c "ovn-sbctl show | grep -A3 'Chassis hv1' | grep -q '192.0.2.1'"
check "lp1 up once bound on hv1" wait_for 10 is_up lp1 up
check_eq "lp1 bound to hv1" hv1 "$(pb_chassis lp1)"
check "ovn-nbctl --wait=hv sync returns" ovn-nbctl --timeout=10 --wait=hv sync
check_eq "chassis shows the encap" 192.0.2.1 "$(fd hv1 --json chassis show | json 'j["encaps"][0]["ip"]')"

check "port removed" fd hv1 port del v1
check "lp1 down after its port is removed" wait_for 10 is_up lp1 down
check_eq "lp1 released" "" "$(pb_chassis lp1)"

# Southbound server restart.
uuid=$(ovn-sbctl --bare --columns=_uuid find Chassis name=hv1)
check "Southbound server restarted" ovn_sb_restart "$T_DIR/ovn"
check "hv1 reconnects" wait_for 15 bash -c "$FERRYCTL -s $T_DIR/hv1.sock --json sb status | grep -q '\"synced\": true'"
check "port added after the restart" fd hv1 port add v2 net_null1,no-rx=1 role=vif iface-id=lp2
check "lp2 up" wait_for 10 is_up lp2 up
check_eq "one Chassis row for hv1" 1 "$(count Chassis name=hv1)"
check_eq "same Chassis row as before" "$uuid" "$(ovn-sbctl --bare --columns=_uuid find Chassis name=hv1)"
check_eq "one Encap row for hv1" 1 "$(count Encap chassis_name=hv1)"
check "--wait=hv after the restart" ovn-nbctl --timeout=10 --wait=hv sync

# A second chassis beside it, with lp3 and also lp2 (bound to hv1).
fd_start hv2 --set chassis.ovn-encap-ip=192.0.2.2 \
	--set port.w3.devargs=net_null2,no-rx=1 --set port.w3.iface-id=lp3 \
	--set port.w2.devargs=net_null3,no-rx=1 --set port.w2.iface-id=lp2
check "lp3 up on hv2" wait_for 10 is_up lp3 up
check_eq "lp3 bound to hv2" hv2 "$(pb_chassis lp3)"
check "hv2 sees lp2 held by hv1" wait_for 10 state_is hv2 lp2 "bound to another chassis"
check "--wait=hv with two chassis" ovn-nbctl --timeout=10 --wait=hv sync
check_eq "lp2 still on hv1 (no flapping)" hv1 "$(pb_chassis lp2)"
check_eq "hv1 claimed lp2 once" 2 "$(fd hv1 --json chassis show | json 'j["counters"]["claims"]')"
check_eq "two chassis listed" 2 "$(ovn-sbctl --bare --columns=name list Chassis | grep -c .)"

# hv1 leaves with cleanup: lp2 becomes free and hv2 takes it.
check "hv1 exits with cleanup" fd hv1 exit --cleanup
wait "${PIDS[hv1]}"
check_eq "hv1 gone" 0 "$(count Chassis name=hv1)"
check_eq "hv1's Chassis_Private gone" 0 "$(count Chassis_Private name=hv1)"
check "lp2 moves to hv2" wait_for 10 bound_to lp2 hv2

# hv2 restarts (no cleanup): same Chassis row, ports bound again.
uuid=$(ovn-sbctl --bare --columns=_uuid find Chassis name=hv2)
check "hv2 stops" fd_stop hv2
check_eq "hv2 kept after a plain exit" 1 "$(count Chassis name=hv2)"
fd_start hv2 --set chassis.ovn-encap-ip=192.0.2.2 \
	--set port.w3.devargs=net_null2,no-rx=1 --set port.w3.iface-id=lp3
check "hv2 back" wait_for 10 bash -c "$FERRYCTL -s $T_DIR/hv2.sock --json chassis show | grep -q '\"ready_ms\": [1-9]'"
check_eq "hv2 kept its Chassis row" "$uuid" "$(ovn-sbctl --bare --columns=_uuid find Chassis name=hv2)"
check "lp2 released by restarted hv2 (port gone)" wait_for 10 bound_to lp2 ""
check_eq "lp3 still on hv2" hv2 "$(pb_chassis lp3)"
fd hv2 exit --cleanup >/dev/null
wait "${PIDS[hv2]}"
t_done
