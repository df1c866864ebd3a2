#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Corpus test: a private OVN central, a topology that uses every feature
# northd has (as far as the installed OVN supports it), and every resulting
# Logical_Flow compiled by ferry-lflow-check. Proves: zero parse errors on
# what northd really emits, from lflow-list text, from a JSON dump and from
# the live database through ferry's own OVSDB client (the last two giving
# the same summary); and that an incremental update equals a full compile.
# Prints the actions not executable yet, per action.
#
#   corpus.sh CHECK_BINARY
set -u
CHECK=$1
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root"; exit 77; }
for t in ovsdb-server ovsdb-tool ovn-northd ovn-nbctl ovn-sbctl; do
	command -v $t >/dev/null || { echo "missing $t"; exit 1; }
done
here=$(dirname "$0")
. "$here/../lib/ovn-central.sh"
dir=$(mktemp -d)
trap 'ovn_central_stop "$dir"; rm -rf "$dir"' EXIT
ovn_central_start "$dir" || { echo "OVN central did not start"; exit 1; }

nb() { ovn-nbctl --timeout=10 "$@"; }
# Optional features: tolerated if this OVN lacks them, reported.
nb_opt() { ovn-nbctl --timeout=10 "$@" >/dev/null 2>&1 || echo "note: unsupported here: $*"; }

# Drop debugging: northd writes sample(..., obs_point=$cookie) into every
# flow that drops.
nb set NB_Global . options:debug_drop_collector_set=123 options:debug_drop_domain_id=1

# Chassis for gateway ports and HA groups.
ovn-sbctl --timeout=10 chassis-add gw1 geneve 127.0.0.2
ovn-sbctl --timeout=10 chassis-add gw2 geneve 127.0.0.3

# Switches, ports, port security, DHCP, DNS.
nb ls-add sw0 -- ls-add sw1 -- ls-add public
nb set logical_switch sw0 other_config:mcast_snoop=true other_config:mcast_querier=true
nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "00:00:00:00:00:01 10.0.0.11 aef0::11" \
	-- lsp-set-port-security vm1 "00:00:00:00:00:01 10.0.0.11 aef0::11"
nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "00:00:00:00:00:02 10.0.0.12 aef0::12"
nb lsp-add sw0 vm3 -- lsp-set-addresses vm3 dynamic
nb lsp-add sw1 vm4 -- lsp-set-addresses vm4 "00:00:00:00:00:04 20.0.0.14 bef0::14"
nb lsp-add sw1 vip1 -- lsp-set-type vip1 virtual \
	-- lsp-set-options vip1 virtual-ip=20.0.0.100 virtual-parents=vm4
nb lsp-add sw0 lport1 -- lsp-set-type lport1 localport -- lsp-set-addresses lport1 "00:00:00:00:00:09 10.0.0.9"
nb set logical_switch sw0 other_config:subnet=10.0.0.0/24
d4=$(nb create DHCP_Options cidr=10.0.0.0/24 \
	options='"lease_time"="3600" "router"="10.0.0.1" "server_id"="10.0.0.1" "server_mac"="00:00:00:00:ff:01" "dns_server"="{8.8.8.8,7.7.7.7}" "domain_name"="\"ovn.org\"" "classless_static_route"="{30.0.0.0/24,10.0.0.4,0.0.0.0/0,10.0.0.1}"')
d6=$(nb create DHCP_Options cidr="aef0\:\:/64" options='"server_id"="00:00:00:00:ff:02" "dns_server"="{ae70::1}"')
nb lsp-set-dhcpv4-options vm1 "$d4" -- lsp-set-dhcpv6-options vm1 "$d6"
dns=$(nb create DNS records='{"vm1.ovn.org"="10.0.0.11 aef0::11"}')
nb add logical_switch sw0 dns_records "$dns"

# Localnet with VLAN on the public switch.
nb lsp-add public ln-public -- lsp-set-type ln-public localnet -- lsp-set-addresses ln-public unknown \
	-- lsp-set-options ln-public network_name=physnet1 -- set logical_switch_port ln-public tag=100

# Router: internal ports, gateway port with HA chassis group, IPv6 RA.
nb lr-add lr0
nb lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 aef0::1/64
nb lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 20.0.0.1/24 bef0::1/64
nb lrp-add lr0 lr0-public 00:00:00:00:ff:03 172.16.0.1/24 2001:db8::1/64
nb set logical_router_port lr0-sw0 ipv6_ra_configs:address_mode=slaac ipv6_ra_configs:send_periodic=true
nb set logical_router_port lr0-sw1 ipv6_ra_configs:address_mode=dhcpv6_stateful
nb lsp-add sw0 sw0-lr0 -- lsp-set-type sw0-lr0 router -- lsp-set-addresses sw0-lr0 router \
	-- lsp-set-options sw0-lr0 router-port=lr0-sw0
nb lsp-add sw1 sw1-lr0 -- lsp-set-type sw1-lr0 router -- lsp-set-addresses sw1-lr0 router \
	-- lsp-set-options sw1-lr0 router-port=lr0-sw1
nb lsp-add public public-lr0 -- lsp-set-type public-lr0 router -- lsp-set-addresses public-lr0 router \
	-- lsp-set-options public-lr0 router-port=lr0-public
nb ha-chassis-group-add hagrp
nb ha-chassis-group-add-chassis hagrp gw1 20
nb ha-chassis-group-add-chassis hagrp gw2 10
hag=$(nb --bare --columns _uuid find ha_chassis_group name=hagrp)
nb set logical_router_port lr0-public ha_chassis_group="$hag"
nb set logical_router_port lr0-public options:gateway_mtu=1400
nb set logical_router lr0 options:mcast_relay=true

# NAT: SNAT, DNAT, dnat_and_snat (distributed).
nb lr-nat-add lr0 snat 172.16.0.1 10.0.0.0/24
nb lr-nat-add lr0 dnat 172.16.0.100 10.0.0.12
nb lr-nat-add lr0 dnat_and_snat 172.16.0.110 10.0.0.11 vm1 00:00:00:00:aa:01
nb_opt lr-nat-add lr0 snat 2001:db8::1 aef0::/64

# Static routes, ECMP, policies.
nb lr-route-add lr0 0.0.0.0/0 172.16.0.254
nb lr-route-add lr0 30.0.0.0/24 20.0.0.50
nb --ecmp lr-route-add lr0 40.0.0.0/24 20.0.0.51
nb --ecmp lr-route-add lr0 40.0.0.0/24 20.0.0.52
nb_opt --ecmp-symmetric-reply lr-route-add lr0 50.0.0.0/24 172.16.0.253
nb lr-route-add lr0 ::/0 2001:db8::fe
nb lr-policy-add lr0 1000 "ip4.src == 10.0.0.0/24 && ip4.dst == 30.0.0.0/24" drop
nb lr-policy-add lr0 900 "ip4.src == 20.0.0.0/24" reroute 172.16.0.252
nb lr-policy-add lr0 800 "ip4.dst == 8.8.8.8" allow

# Load balancers with health checks, on the switch and the router.
nb lb-add lb0 10.0.0.100:80 "10.0.0.11:80,10.0.0.12:80" tcp
nb lb-add lb1 10.0.0.101 "10.0.0.11,10.0.0.12"
nb lb-add lb6 "[aef0::100]:80" "[aef0::11]:80,[aef0::12]:80" tcp
nb lb-add lbu 172.16.0.120:53 "10.0.0.11:53" udp
nb_opt lb-add lbs 10.0.0.102:5000 "10.0.0.11:5000" sctp
nb set load_balancer lb0 ip_port_mappings:10.0.0.11=vm1:10.0.0.1 ip_port_mappings:10.0.0.12=vm2:10.0.0.1
nb --id=@hc create Load_Balancer_Health_Check vip="10.0.0.100\:80" -- add Load_Balancer lb0 health_check @hc >/dev/null
nb set load_balancer lb0 options:hairpin_snat_ip=169.254.0.1
nb_opt set load_balancer lb1 options:affinity_timeout=60
nb ls-lb-add sw0 lb0 -- ls-lb-add sw0 lb1 -- ls-lb-add sw0 lb6
nb lr-lb-add lr0 lb0 -- lr-lb-add lr0 lbu -- lr-lb-add lr0 lb1
nb_opt ls-lb-add sw0 lbs
nb set logical_switch sw0 other_config:vlan-passthru=false

# Port groups, address sets, ACLs with every verdict, logging, meters, labels.
nb pg-add pg_web vm1 vm2
nb pg-add pg_db vm4
nb create Address_Set name=as_v4 addresses='"10.0.0.11","10.0.0.12","30.0.0.0/24"' >/dev/null
nb create Address_Set name=as_v6 addresses='"aef0::11","bef0::/64"' >/dev/null
nb meter-add acl_meter drop 10 pktps
nb acl-add pg_web from-lport 1002 "inport == @pg_web && ip4" allow-related
nb acl-add pg_web to-lport 1002 "outport == @pg_web && ip4.src == \$as_v4 && tcp.dst == {80, 443}" allow-related
nb acl-add pg_web to-lport 1001 "outport == @pg_web && ip6.src == \$as_v6" allow
nb acl-add pg_web to-lport 1000 "outport == @pg_web && ip4.src == \$pg_db_ip4" reject
nb --log --severity=alert --name=web_drop --meter=acl_meter acl-add pg_web to-lport 900 "outport == @pg_web && udp" drop
nb_opt --label=1234 acl-add pg_db from-lport 1000 "inport == @pg_db && icmp4" allow-related
nb_opt acl-add sw1 from-lport 1100 "ip4.dst == 20.0.0.0/24 && tcp" allow-stateless
nb acl-add sw1 to-lport 1000 "ip6 && icmp6" allow
nb_opt --apply-after-lb acl-add sw0 from-lport 500 "ip4.dst == 10.0.0.100" allow-related
nb_opt acl-add sw1 from-lport 200 "arp" pass

# QoS and mirroring, if present.
nb_opt qos-add sw0 from-lport 100 "ip4" dscp=10 rate=1000 burst=100
nb_opt set logical_switch sw0 other_config:fdb_age_threshold=60
nb_opt lsp-add sw1 unknown1 -- lsp-set-addresses unknown1 unknown

nb --wait=sb sync
sleep_until_stable() {
	local prev=-1 n
	for _ in $(seq 1 50); do
		n=$(ovn-sbctl --timeout=5 --bare --columns _uuid list Logical_Flow | grep -c .)
		[ "$n" -eq "$prev" ] && return 0
		prev=$n
		nb --wait=sb sync
	done
}
sleep_until_stable

out="$dir/lflows.txt"
ovn-sbctl --timeout=10 lflow-list >"$out"
n=$(grep -c 'table=' "$out")
echo "logical flows: $n"
[ "$n" -gt 500 ] || { echo "FAIL: too few logical flows ($n)"; exit 1; }
grep -q 'sample(.*obs_point=\$cookie' "$out" ||
	{ echo "FAIL: no drop flow samples (debug_drop_collector_set)"; exit 1; }

"$CHECK" --quiet --tables "$out" >"$dir/check.txt"
rc=$?
grep -A2 'error in' "$dir/check.txt" | head -40
summary=$(grep '^flows:' "$dir/check.txt")
echo "lflow-list text, names unresolved: $summary"
case "$summary" in
*"flows: $n, parse errors: 0,"*) ;;
*) echo "FAIL: parse errors or flow count mismatch"; exit 1 ;;
esac
[ $rc -eq 0 ] || { echo "FAIL: checker exit $rc"; exit 1; }
rows=$(ovn-sbctl --timeout=10 --bare --columns _uuid list Logical_Flow | grep -c .)

# The JSON form lists rows (lflow-list repeats a flow per datapath of its group).
ovn-sbctl --timeout=10 --format=json list Logical_Flow >"$dir/lflows.json"
"$CHECK" --quiet "$dir/lflows.json" | grep "^flows: $rows, parse errors: 0," >/dev/null ||
	{ echo "FAIL: JSON input"; exit 1; }

# The whole Southbound database: every name resolved (ports, multicast
# groups, port groups, address sets, residency), routing tables as LPM.
ovsdb-client --timeout=10 dump -f json "$OVN_SB_DB" >"$dir/sb1.json"
"$CHECK" --quiet --tables --sb "$dir/sb1.json" --chassis gw1 >"$dir/check-sb.txt"
rc=$?
grep 'error in' "$dir/check-sb.txt" | head -20
grep -E '^(tables|flows):' "$dir/check-sb.txt"
grep "^flows: $rows, parse errors: 0, unresolved: 0," "$dir/check-sb.txt" >/dev/null ||
	{ echo "FAIL: flows with errors or unresolved names"; exit 1; }
[ $rc -eq 0 ] || { echo "FAIL: checker exit $rc"; exit 1; }
grep -q ' ingress 13: lpm' "$dir/check-sb.txt" ||
	{ echo "FAIL: lr_in_ip_routing is not LPM"; exit 1; }
grep '^not yet executable:' "$dir/check-sb.txt" | fold -s -w 100
grep -q '^not yet executable: .* [0-9]* flows' "$dir/check-sb.txt" ||
	{ echo "FAIL: no per-action list of actions not yet executable"; exit 1; }

# Live: the same database read through ferry's OVSDB client (unix socket,
# then TCP) must give the same tables and summary as the file.
summary() { grep -E '^(tables|flows|not yet executable):' "$1"; }
"$CHECK" --quiet --tables --db "$OVN_SB_DB" --chassis gw1 >"$dir/check-db.txt" 2>"$dir/check-db.err"
rc=$?
if grep -q 'has no OVSDB client' "$dir/check-db.err"; then
	echo "note: live mode skipped: ferry-lflow-check was built without control/ovsdb"
else
	[ $rc -eq 0 ] || { cat "$dir/check-db.err"; echo "FAIL: live mode exit $rc"; exit 1; }
	diff <(summary "$dir/check-sb.txt") <(summary "$dir/check-db.txt") ||
		{ echo "FAIL: live mode summary differs from the dump"; exit 1; }
	diff <(grep '^table ' "$dir/check-sb.txt") <(grep '^table ' "$dir/check-db.txt") >/dev/null ||
		{ echo "FAIL: live mode tables differ from the dump"; exit 1; }
	"$CHECK" --quiet --db "$SB_TCP" --chassis gw1 >"$dir/check-tcp.txt" ||
		{ echo "FAIL: live mode over TCP"; exit 1; }
	diff <(summary "$dir/check-sb.txt") <(summary "$dir/check-tcp.txt") ||
		{ echo "FAIL: live mode over TCP differs"; exit 1; }
	echo "live mode (unix and tcp): same summary and tables as the dump"
fi
# A remote that answers nothing fails cleanly, within its timeout.
"$CHECK" --quiet --timeout 2 --db "unix:$dir/none.sock" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: unreachable remote gave exit $rc, not 2"; exit 1; }

# Incremental: an ACL, an address set member and a port later, the changed
# rows applied one by one must give the tables a full compile gives.
nb acl-add pg_web to-lport 1003 "outport == @pg_web && ip4.src == \$as_v4 && udp.dst == 53" allow
nb add Address_Set as_v4 addresses 40.0.0.0/24
nb lsp-add sw1 vm5 -- lsp-set-addresses vm5 "00:00:00:00:00:05 20.0.0.15" -- pg-set-ports pg_db vm4 vm5
nb --wait=sb sync
ovsdb-client --timeout=10 dump -f json "$OVN_SB_DB" >"$dir/sb2.json"
"$CHECK" --quiet --sb "$dir/sb1.json" --chassis gw1 --update "$dir/sb2.json" --time >"$dir/incr.txt"
rc=$?
grep -E '^(incremental|full)' "$dir/incr.txt"
grep -q '^incremental == full: yes' "$dir/incr.txt" && [ $rc -eq 0 ] ||
	{ echo "FAIL: incremental update differs from a full compile"; exit 1; }
echo "PASS"
