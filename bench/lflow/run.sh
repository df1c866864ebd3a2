#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Logical flow compiler benchmark: a private OVN central, a topology built
# with batched ovn-nbctl (SWITCHES switches x PORTS ports, ROUTERS routers,
# a port group with ACLs and address sets, load balancers, SNAT), the
# Southbound database dumped, then ferry-lflow-check timing a full compile
# (and peak RSS) and two incremental updates (one ACL added; one port
# added), each proven equal to a full compile of the new database.
#
#   bench/lflow/run.sh CHECK_BINARY [SWITCHES PORTS ROUTERS]
set -eu
CHECK=$(realpath "$1")
S=${2:-200} P=${3:-10} R=${4:-20}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tests/lib/ovn-central.sh"
dir=$(mktemp -d)
trap 'ovn_central_stop "$dir"; rm -rf "$dir"' EXIT
ovn_central_start "$dir" >/dev/null 2>&1
nb() { ovn-nbctl --timeout=120 "$@"; }

t0=$(date +%s)
cmds=()
for r in $(seq 1 "$R"); do
	cmds+=(-- lr-add lr$r -- lrp-add lr$r lr$r-pub 00:00:01:00:$(printf %02x $r):ff 172.16.$r.1/16)
	cmds+=(-- lr-nat-add lr$r snat 172.16.$r.1 10.$r.0.0/16)
done
for s in $(seq 1 "$S"); do
	r=$(( (s - 1) % R + 1 )) h=$(printf %02x $((s % 256))) k=$((s / 256))
	cmds+=(-- ls-add sw$s -- lrp-add lr$r lr$r-sw$s 00:00:02:$k:$h:ff 10.$r.$s.1/24)
	cmds+=(-- lsp-add sw$s sw$s-lr -- lsp-set-type sw$s-lr router -- lsp-set-addresses sw$s-lr router)
	cmds+=(-- lsp-set-options sw$s-lr router-port=lr$r-sw$s)
	for p in $(seq 1 "$P"); do
		cmds+=(-- lsp-add sw$s vm$s-$p -- lsp-set-addresses vm$s-$p "00:00:03:$k:$h:$(printf %02x $p) 10.$r.$s.$((p + 10))")
	done
	if [ ${#cmds[@]} -gt 4000 ]; then nb "${cmds[@]:1}" >/dev/null; cmds=(); fi
done
[ ${#cmds[@]} -gt 0 ] && nb "${cmds[@]:1}" >/dev/null
# A port group of every switch's first port, ACLs with address sets, LBs.
pg=$(for s in $(seq 1 "$S"); do printf 'vm%s-1 ' $s; done)
nb pg-add pg_web $pg -- create Address_Set name=as_clients addresses='"192.168.0.0/16","172.31.0.1"' >/dev/null
nb -- acl-add pg_web to-lport 1002 "outport == @pg_web && ip4.src == \$as_clients && tcp.dst == {80, 443}" allow-related \
	-- acl-add pg_web to-lport 1001 "outport == @pg_web && ip4.src == \$pg_web_ip4" allow-related \
	-- acl-add pg_web from-lport 1000 "inport == @pg_web && ip4" allow-related \
	-- acl-add pg_web to-lport 900 "outport == @pg_web && ip4" drop
cmds=()
for s in $(seq 1 "$S"); do
	r=$(( (s - 1) % R + 1 ))
	[ $((s % 10)) -eq 0 ] || continue
	cmds+=(-- lb-add lb$s 10.$r.$s.100:80 "10.$r.$s.11:80,10.$r.$s.12:80" tcp -- ls-lb-add sw$s lb$s)
done
[ ${#cmds[@]} -gt 0 ] && nb "${cmds[@]:1}" >/dev/null
nb --wait=sb sync
t1=$(date +%s)
ovsdb-client --timeout=60 dump -f json "$OVN_SB_DB" >"$dir/sb1.json"
n=$(ovn-sbctl --timeout=60 --bare --columns _uuid list Logical_Flow | grep -c .)
echo "topology: $S switches x $P ports, $R routers; built in $((t1 - t0)) s; Logical_Flow rows: $n"

# Update 1: one ACL.  Update 2: one port.
nb acl-add pg_web to-lport 1003 "outport == @pg_web && ip4.src == \$as_clients && udp.dst == 53" allow
nb --wait=sb sync
ovsdb-client --timeout=60 dump -f json "$OVN_SB_DB" >"$dir/sb2.json"
nb lsp-add sw1 vmx -- lsp-set-addresses vmx "00:00:04:00:00:01 10.1.1.200"
nb --wait=sb sync
ovsdb-client --timeout=60 dump -f json "$OVN_SB_DB" >"$dir/sb3.json"

echo "== full compile, then one ACL added"
"$CHECK" --quiet --time --sb "$dir/sb1.json" --update "$dir/sb2.json" | grep -E '^(full|incremental|tables|flows)'
echo "== one port added"
"$CHECK" --quiet --time --sb "$dir/sb2.json" --update "$dir/sb3.json" | grep -E '^(incremental)'
