#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The IDL against a real ovsdb-server with the OVN Southbound schema:
#  1. a replica kept up to date by update notifications (inserts, modifies
#     of sets, maps and optional columns, deletes) ends up identical, value
#     for value, to a replica fetched fresh;
#  2. the same holds across an ovsdb-server restart in the middle;
#  3. the replica counts match ovn-sbctl's.
# usage: idl_sync.sh SB_REPLICA
set -u
REPLICA=$1
. "${FERRY_TESTS_LIB:-$(dirname "$0")/../lib}/ovn-central.sh"
DIR=$(mktemp -d)
trap 'kill $WPID 2>/dev/null; ovn_central_stop "$DIR"; rm -rf "$DIR"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

ovn_central_start "$DIR" || fail "ovn central did not start"

topology() { # $1: prefix
	local p=$1 i j
	for i in 1 2 3; do
		ovn-nbctl ls-add $p-s$i
		for j in 1 2 3 4; do
			ovn-nbctl lsp-add $p-s$i $p-s$i-p$j -- \
				lsp-set-addresses $p-s$i-p$j "00:00:00:00:0$i:0$j 10.$i.0.$j"
		done
	done
	ovn-nbctl lr-add $p-r1 -- lrp-add $p-r1 $p-r1-s1 00:00:00:00:ff:01 10.1.0.254/24
	ovn-nbctl --wait=sb lsp-add $p-s1 $p-s1-r1 -- lsp-set-type $p-s1-r1 router -- \
		lsp-set-addresses $p-s1-r1 router -- lsp-set-options $p-s1-r1 router-port=$p-r1-s1
	ovn-nbctl pg-add $p-pg $p-s1-p1 $p-s1-p2 -- pg-set-ports $p-pg $p-s1-p3
	ovn-nbctl acl-add $p-pg to-lport 100 "outport==@${p//-/_}pg && ip4" allow-related 2>/dev/null
	ovn-sbctl chassis-add $p-hv geneve 192.0.2.$((RANDOM % 200 + 1))
	ovn-sbctl lsp-bind $p-s1-p1 $p-hv -- lsp-bind $p-s1-p2 $p-hv
	ovn-sbctl lsp-unbind $p-s1-p1
	ovn-sbctl set Chassis $p-hv other_config:a=1 other_config:b=2
	ovn-sbctl remove Chassis $p-hv other_config a -- set Chassis $p-hv other_config:b=3
	ovn-nbctl lsp-del $p-s2-p3 -- ls-del $p-s3
	ovn-nbctl --wait=sb sync
}

# 1. updates applied to a live replica.
"$REPLICA" -t 60 -d -u done1 "$OVN_SB_DB" >"$DIR/live1" &
WPID=$!
wait_for 10 grep -q waiting "$DIR/live1" || fail "replica did not sync"
topology a
ovn-sbctl set SB_Global . external_ids:done1=1
wait $WPID || fail "live replica failed"
"$REPLICA" -d "$OVN_SB_DB" | sort >"$DIR/fresh1"
grep -v waiting "$DIR/live1" | sort >"$DIR/live1.s"
diff -u "$DIR/fresh1" "$DIR/live1.s" || fail "live replica differs from a fresh one"
[ "$(wc -l <"$DIR/fresh1")" -gt 100 ] || fail "too few rows replicated"
echo "ok 1 live replica equals fresh replica ($(wc -l <"$DIR/fresh1") rows)"

# 2. the server restarts under a live replica, with changes meanwhile.
"$REPLICA" -t 60 -d -u done2 "$OVN_SB_DB" >"$DIR/live2" &
WPID=$!
wait_for 10 grep -q waiting "$DIR/live2" || fail "replica did not sync"
ovn_sb_restart "$DIR" || fail "restart"
topology b
ovn-sbctl set SB_Global . external_ids:done2=1
wait $WPID || fail "replica did not survive the restart"
"$REPLICA" -d "$OVN_SB_DB" | sort >"$DIR/fresh2"
grep -v waiting "$DIR/live2" | sort >"$DIR/live2.s"
diff -u "$DIR/fresh2" "$DIR/live2.s" || fail "replica differs after a server restart"
echo "ok 2 replica equal after server restart"

# 3. counts agree with ovn-sbctl.
"$REPLICA" "$SB_TCP" >"$DIR/counts" || fail "tcp replica"
for t in Port_Binding Logical_Flow Datapath_Binding Chassis Multicast_Group; do
	want=$(ovn-sbctl --bare --columns=_uuid list $t | grep -c .)
	got=$(awk -v t=$t '$1 == t { print $2 }' "$DIR/counts")
	[ "$want" = "$got" ] || fail "$t: ovn-sbctl has $want rows, replica $got"
done
grep -q "method monitor_cond_since" "$DIR/counts" || fail "monitor_cond_since not used"
echo "ok 3 counts agree over tcp"
