#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The compiler inside ferryd, fed by the chassis agent's replica. Proves,
# against a real ovsdb-server and ovn-northd:
#  - `ferryctl lflow summary' counts every Logical_Flow row of the
#    Southbound database (ovn-monitor-all) and every (flow, datapath) pair
#    that `ovn-sbctl lflow-list' prints, with zero parse errors and nothing
#    unresolved;
#  - an ACL added with ovn-nbctl reaches it as an update: the counts follow
#    the database again, by a small incremental commit, not a recompile;
#  - deleting a switch removes its flows, and a port group change is
#    followed too;
#  - `lflow tables' and `lflow errors' answer, as text and JSON.
. "$(dirname "$0")/../lib/ferry.sh"
need_root

ovn_central_start "$T_DIR/ovn" >/dev/null 2>&1 || { echo "FAIL: ovn central"; exit 1; }
T_CLEANUP+=("ovn_central_stop '$T_DIR/ovn'")

nb() { ovn-nbctl --timeout=10 "$@"; }
# A small topology: two switches behind a router with SNAT, a port group
# with ACLs over an address set, a load balancer.
nb ls-add sw0 -- ls-add sw1 -- lr-add lr0
nb lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 -- lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 10.0.1.1/24
for s in 0 1; do
	nb lsp-add sw$s sw$s-lr0 -- lsp-set-type sw$s-lr0 router -- lsp-set-addresses sw$s-lr0 router \
		-- lsp-set-options sw$s-lr0 router-port=lr0-sw$s
done
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "00:00:00:00:00:01 10.0.0.11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "00:00:00:00:00:02 10.0.0.12"
nb lsp-add sw1 vm3 -- lsp-set-addresses vm3 "00:00:00:00:00:03 10.0.1.13"
nb pg-add pg_web vm1 vm2 -- create Address_Set name=as_clients addresses='"192.168.0.0/16"' >/dev/null
nb acl-add pg_web to-lport 1002 "outport == @pg_web && ip4.src == \$as_clients && tcp.dst == 80" allow-related
nb lb-add lb0 10.0.0.100:80 "10.0.0.11:80,10.0.0.12:80" tcp -- ls-lb-add sw0 lb0
nb --wait=sb sync

ferryd_start --set chassis.system-id=hv1 --set "chassis.ovn-remote=$OVN_SB_DB" \
	--set chassis.ovn-encap-ip=127.0.0.1 --set chassis.ovn-monitor-all=true \
	--set port.v1.devargs=net_null0,no-rx=1 --set port.v1.iface-id=vm1 || exit 1
if ! fctl lflow summary >/dev/null 2>&1; then
	echo "SKIP: this ferryd has no logical flow compiler (agent not linked yet)"
	exit 77
fi

rows() { ovn-sbctl --timeout=10 --bare --columns _uuid list Logical_Flow | grep -c .; }
pairs() { ovn-sbctl --timeout=10 lflow-list | grep -c 'table='; }
summary() { fctl --json lflow summary | json "$1"; }
# in_sync: ferryd counts what the database holds now, without errors.
in_sync() {
	local want_rows want_pairs
	want_rows=$(rows) want_pairs=$(pairs)
	[ "$(summary '"%d %d %d %d" % (j["flows"], j["instances"], j["parse_errors"], j["unresolved"])')" == \
		"$want_rows $want_pairs 0 0" ]
}

check "ferryd compiles every Logical_Flow row, no errors" wait_for 20 in_sync
check_eq "flows = Southbound rows" "$(rows)" "$(summary 'j["flows"]')"
check_eq "instances = lflow-list flows" "$(pairs)" "$(summary 'j["instances"]')"
check_eq "zero parse errors" 0 "$(summary 'j["parse_errors"]')"
check "per-action list of actions not yet executable" \
	bash -c "$(declare -f fctl json); FERRYCTL=$FERRYCTL FERRY_SOCK=$FERRY_SOCK; fctl --json lflow summary | json 'j[\"not_executable_by_action\"].get(\"handle_svc_check\", 0) > 0' | grep -qx True"
check "text summary lists them" bash -c "'$FERRYCTL' -s '$FERRY_SOCK' lflow summary | grep -q '^not yet executable: .*handle_svc_check'"
batches=$(summary 'j["batches"]')
before=$(summary 'j["flows"]')

# An ACL: new flows arrive as an update and are compiled incrementally.
nb acl-add pg_web from-lport 1001 "inport == @pg_web && udp.dst == 53" drop
nb --wait=sb sync
check "ACL added: counts follow" wait_for 20 in_sync
after=$(summary 'j["flows"]')
check "ACL added: more flows ($before -> $after)" test "$after" -gt "$before"
check "ACL added: by update batches, not a restart" test "$(summary 'j["batches"]')" -gt "$batches"
check "ACL added: a few flows recompiled, not all" \
	test "$(summary 'j["last_recompiled"]')" -lt "$((after / 2))"

# A port group member and a whole switch go away.
nb pg-set-ports pg_web vm1
nb ls-del sw1
nb --wait=sb sync
check "switch deleted, port group changed: counts follow" wait_for 20 in_sync
check "switch deleted: fewer flows" test "$(summary 'j["flows"]')" -lt "$after"

check "lflow tables lists tables with shapes" \
	bash -c "'$FERRYCTL' -s '$FERRY_SOCK' lflow tables | grep -Eq ': (exact|lpm|tuple), '"
check_eq "lflow tables --json matches summary" "$(summary 'j["tables"]')" \
	"$(fctl --json lflow tables | json 'len(j)')"
check "lflow tables sw0 filters by name" \
	bash -c "'$FERRYCTL' -s '$FERRY_SOCK' --json lflow tables sw0 | python3 -c 'import json,sys; j=json.load(sys.stdin); sys.exit(not j or any(t[\"datapath_name\"] != \"sw0\" for t in j))'"
check_eq "lflow errors: none" 0 "$(fctl --json lflow errors | json 'len(j)')"
check "ferryd exits cleanly" ferryd_stop
t_done
