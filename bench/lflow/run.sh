#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Logical flow compiler benchmark: a private OVN central, a topology built
# with batched ovn-nbctl (SWITCHES switches x PORTS ports, ROUTERS routers,
# a port group with ACLs and address sets, load balancers, SNAT), the
# Southbound database dumped, then ferry-lflow-check timing a full compile
# (and peak RSS) and two incremental updates (one ACL added; one port
# added), each proven equal to a full compile of the new database; the
# same through ferry's OVSDB client from the live database (--db).
#
# With OVN_CONTROLLER=1 (the default when ovn-controller and ovs-vswitchd
# are installed and we are root): a stock chassis on the same Southbound
# database for comparison: its own ovsdb-server and ovs-vswitchd
# (userspace datapath, datapath_type=netdev) in a network namespace of
# their own, with a private database and run directory, plus
# ovn-controller with ovn-monitor-all and one port bound behind each router
# so that every datapath is local. Once it has settled, a forced full
# recompute (inc-engine/recompute) is timed with stopwatch/show, and its
# RSS recorded beside ferry's.
#
#   bench/lflow/run.sh CHECK_BINARY [SWITCHES PORTS ROUTERS]
set -eu
CHECK=$(realpath "$1")
S=${2:-200} P=${3:-10} R=${4:-20}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../../tests/lib/ovn-central.sh"
dir=$(mktemp -d)
ns=ferrylb$$
cleanup() {
	local p
	for p in ovn-controller vswitchd ovsdb; do
		[ -f "$dir/ovs/$p.pid" ] && kill "$(cat "$dir/ovs/$p.pid")" 2>/dev/null
	done
	ip netns del "$ns" 2>/dev/null
	ovn_central_stop "$dir"
	rm -rf "$dir"
}
trap cleanup EXIT
ovn_central_start "$dir" >/dev/null 2>&1
nb() { ovn-nbctl --timeout=120 "$@"; }

t0=$(date +%s)
cmds=()
for r in $(seq 1 "$R"); do
	cmds+=(-- lr-add lr$r -- lrp-add lr$r lr$r-pub 00:00:01:00:$(printf %02x $r):ff 172.16.$r.1/16)
	cmds+=(-- lr-nat-add lr$r snat 172.16.$r.1 10.$r.0.0/16)
	cmds+=(-- lr-nat-add lr$r dnat_and_snat 172.16.$r.100 10.$r.$r.11)
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
	cmds+=(-- lb-add lb$s 10.$r.$s.100:80 "10.$r.$s.11:80,10.$r.$s.12:80" tcp -- ls-lb-add sw$s lb$s \
		-- lr-lb-add lr$r lb$s)
done
[ ${#cmds[@]} -gt 0 ] && nb "${cmds[@]:1}" >/dev/null
nb --wait=sb sync
t1=$(date +%s)
ovsdb-client --timeout=60 dump -f json "$OVN_SB_DB" >"$dir/sb1.json"
n=$(ovn-sbctl --timeout=60 --bare --columns _uuid list Logical_Flow | grep -c .)
echo "topology: $S switches x $P ports, $R routers; built in $((t1 - t0)) s; Logical_Flow rows: $n"

echo "== live database through ferry's OVSDB client"
"$CHECK" --quiet --time --db "$OVN_SB_DB" | grep -E '^(full|flows)'

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

# ovn-controller on the same database (see the top).
if [ "${OVN_CONTROLLER:-1}" = 1 ] && [ "$(id -u)" -eq 0 ] &&
	command -v ovn-controller >/dev/null && command -v ovs-vswitchd >/dev/null; then
	o=$dir/ovs
	mkdir -p "$o"
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	export OVS_RUNDIR=$o OVS_DBDIR=$o OVS_LOGDIR=$o OVN_RUNDIR=$o
	vs() { ovs-vsctl --db="unix:$o/db.sock" --timeout=30 "$@"; }
	ovsdb-tool create "$o/conf.db" /usr/share/openvswitch/vswitch.ovsschema
	ip netns exec "$ns" ovsdb-server --detach --no-chdir --pidfile="$o/ovsdb.pid" \
		--log-file="$o/ovsdb.log" -vconsole:off --unixctl="$o/ovsdb.ctl" --remote="punix:$o/db.sock" "$o/conf.db"
	vs --no-wait init
	ip netns exec "$ns" ovs-vswitchd --detach --no-chdir --pidfile="$o/vswitchd.pid" \
		--log-file="$o/vswitchd.log" -vconsole:off --unixctl="$o/vswitchd.ctl" "unix:$o/db.sock"
	vs set Open_vSwitch . external_ids:system-id=hv-ovs external_ids:ovn-remote="$OVN_SB_DB" \
		external_ids:ovn-encap-type=geneve external_ids:ovn-encap-ip=127.0.0.1 \
		external_ids:ovn-monitor-all=true
	vs add-br br-int -- set Bridge br-int datapath_type=netdev fail-mode=secure
	for r in $(seq 1 "$R"); do
		vs add-port br-int vif$r -- set Interface vif$r type=internal external_ids:iface-id=vm$r-1
	done
	ip netns exec "$ns" ovn-controller --detach --no-chdir --pidfile="$o/ovn-controller.pid" \
		--log-file="$o/ovn-controller.log" -vconsole:off "unix:$o/db.sock"
	oc() { ovn-appctl -t "$o/ovn-controller.$(cat "$o/ovn-controller.pid").ctl" "$@"; }
	t0=$(date +%s%N)
	bound() { [ -n "$(ovn-sbctl --bare --columns chassis find Port_Binding logical_port=vm$R-1)" ]; }
	wait_for 600 bound
	nb --timeout=600 --wait=hv sync
	t1=$(date +%s%N)
	nflows=$(ovs-ofctl dump-flows br-int | grep -c 'table=' || true)
	echo "== ovn-controller $(ovn-controller --version | head -1 | awk '{print $2}'), ovs-vswitchd netdev"
	echo "start to ports bound and --wait=hv: $(( (t1 - t0) / 1000000 )) ms, OpenFlow flows: $nflows"
	oc stopwatch/reset >/dev/null
	t0=$(date +%s%N)
	oc inc-engine/recompute >/dev/null
	nb --timeout=600 --wait=hv sync
	t1=$(date +%s%N)
	echo "full recompute to --wait=hv: $(( (t1 - t0) / 1000000 )) ms"
	oc stopwatch/show | awk '/^Statistics for/{name=$3} /Maximum:/{print "  stopwatch " name " max " $2 " " $3}' |
		grep -E "ovn-controller-loop|flow-generation|flow-installation"
	rss() { awk '/VmRSS/{r=$2} /VmHWM/{h=$2} END{print r " KiB (peak " h " KiB)"}' "/proc/$1/status"; }
	echo "ovn-controller RSS $(rss "$(cat "$o/ovn-controller.pid")")"
	echo "ovs-vswitchd RSS $(rss "$(cat "$o/vswitchd.pid")")"
fi
