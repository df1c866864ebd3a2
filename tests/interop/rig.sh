# SPDX-License-Identifier: Apache-2.0
# Sourced by the multi-chassis tests (interop.sh: ferry and a stock
# chassis; two-ferry.sh: two ferry chassis). One topology, one set of
# checks; the test says what runs hv2 and starts it.
#
# Chassis hv1 (ferry, encap 192.168.100.1) and hv2 (encap
# 192.168.100.2) share the underlay "ul" (underlay.sh). Logical topology:
#
#   sw0 10.0.0.0/24 fd00::/64 --- lr0 (distributed) --- sw1 10.0.1.0/24
#                                                        fd00:0:0:1::/64
#   hv1: vm1 (sw0, .11, fd00::11)  vmu1 (sw0, .21, addresses "unknown")
#        vm5a (sw0, copy of vm5)
#   hv2: vm2 (sw0, .12, fd00::12)  vmu2 (sw0, .22, addresses "unknown")
#        vm4 (sw1, 10.0.1.14, fd00:0:0:1::14)  vm5b (sw0, copy of vm5)
#
# vm5 (10.0.0.15) has an instance on each chassis with the same MAC, as a
# VM being migrated would; requested-chassis says which one is bound.
# Every instance has MTU 1400, so that Geneve (58 bytes more) fits the
# 1500-byte underlay.
#
# The test defines: hv2_set_encap IP (the peer's encap IP changes),
# hv2_delete (hv2 goes away and its Chassis row with it) and
# hv2_return (hv2 comes back).

_rig=$(dirname "${BASH_SOURCE[0]}")
. "$_rig/../lib/ferry.sh"
. "$_rig/../lib/underlay.sh"
FRAMES="$_rig/frames.py"
VM5_MAC=02:00:00:00:00:15
UNKNOWN_MAC=02:00:00:00:99:99

key() { sb --bare --columns tunnel_key find "$@"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

rig_need_tools() {
	local t
	for t in ovn-northd ovsdb-server dumpcap tshark python3; do
		if ! command -v "$t" >/dev/null; then
			echo "SKIP: $t not installed"
			exit 77
		fi
	done
}

# rig_start: OVN central and the underlay.
rig_start() {
	t_ovn_central
	underlay_create ul || { echo "FAIL: underlay"; exit 1; }
}

# ferry_vif NAME IP/PREFIX [IP6/PREFIX]: an instance for a ferry chassis.
ferry_vif() {
	instance "$1" "$2" || return 1
	on "$1" ip link set eth0 mtu 1400
	ip link set "$(if_of "$1")" mtu 1400
	if [ -n "${3:-}" ]; then
		on "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0
		on "$1" ip -6 addr add "$3" dev eth0 nodad
	fi
}

# ferry_chassis NAME ENCAP_IP [ARGS...] -- PORT...: ferryd as chassis NAME
# on the underlay, with ARGS added to its configuration; each PORT is an
# instance (its iface-id the same name) or INSTANCE:IFACE-ID.
ferry_chassis() {
	local name=$1 encap=$2 i=0 p args
	shift 2
	args=(--set "chassis.system-id=$name" --set "chassis.ovn-remote=$OVN_SB_DB"
		--set "chassis.ovn-encap-ip=$encap" --set dataplane.mode=ovn
		--set dataplane.cache-check=true)
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	shift
	for p in "$@"; do
		args+=(--set "port.${p%%:*}.devargs=net_af_packet$i,iface=$(if_of "${p%%:*}")"
			--set "port.${p%%:*}.iface-id=${p#*:}")
		i=$((i + 1))
	done
	args+=(--set "port.ul.devargs=net_af_packet$i,iface=$(underlay_if ul "$name")"
		--set port.ul.role=underlay)
	ferryd_start_as "$name" "${args[@]}"
}

# rig_topology: the logical topology above, vm5 requested on hv2. The
# instances must exist (their MACs are read here).
rig_topology() {
	local s v
	nb ls-add sw0 -- ls-add sw1 -- lr-add lr0
	nb lrp-add lr0 lr0-sw0 00:00:00:00:ff:01 10.0.0.1/24 fd00::1/64
	nb lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 10.0.1.1/24 fd00:0:0:1::1/64
	for s in 0 1; do
		nb lsp-add sw$s sw$s-lr0 -- lsp-set-type sw$s-lr0 router \
			-- lsp-set-addresses sw$s-lr0 router -- lsp-set-options sw$s-lr0 router-port=lr0-sw$s
	done
	nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "$(mac_of vm1) 10.0.0.11 fd00::11"
	nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$(mac_of vm2) 10.0.0.12 fd00::12"
	nb lsp-add sw1 vm4 -- lsp-set-addresses vm4 "$(mac_of vm4) 10.0.1.14 fd00:0:0:1::14"
	nb lsp-add sw0 vmu1 -- lsp-set-addresses vmu1 unknown
	nb lsp-add sw0 vmu2 -- lsp-set-addresses vmu2 unknown
	nb lsp-add sw0 vm5 -- lsp-set-addresses vm5 "$VM5_MAC 10.0.0.15" \
		-- lsp-set-options vm5 requested-chassis=hv2
	for v in vm1 vm2; do
		on $v ip route add default via 10.0.0.1
		on $v ip -6 route add default via fd00::1
	done
	on vm4 ip route add default via 10.0.1.1
	on vm4 ip -6 route add default via fd00:0:0:1::1
	# Who answers for vm5: the instance on hv1 says hv1, the one on hv2 hv2.
	on vm5a ip link set eth0 address "$VM5_MAC"
	on vm5b ip link set eth0 address "$VM5_MAC"
	# (Disowned: they die with their namespace, unreported.)
	ip netns exec "$(ns_of vm5a)" python3 "$FRAMES" answer 7777 hv1 &
	disown $!
	ip netns exec "$(ns_of vm5b)" python3 "$FRAMES" answer 7777 hv2 &
	disown $!
	nb --wait=sb sync
}

pings() {
	local six=
	[[ $2 == *:* ]] && six=-6
	on "$1" ping $six -c 1 -W "${3:-1}" "$2" >/dev/null 2>&1
}
# For deadlines of a second: one ping waits 200 ms for its reply.
pings_fast() { pings "$1" "$2" 0.2; }

neigh_mac() {
	on "$1" ip neigh show "$2" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'
}

rig_all_up() {
	local v
	for v in vm1 vmu1 vm2 vm4 vmu2 vm5; do
		[ "$(nb lsp-get-up $v)" = up ] || return 1
	done
}

# Both chassis registered, every port up, and --wait=hv acknowledged by
# both.
rig_check_chassis() {
	check "every port bound and up" wait_for 30 rig_all_up
	check "vm5 bound on hv2 (requested-chassis)" bound_on vm5 hv2
	check "ovn-nbctl --wait=hv sync returns" nb --timeout=20 --wait=hv sync
	local cfg
	cfg=$(nb get NB_Global . nb_cfg)
	check_eq "both chassis acknowledged nb_cfg" "hv1,$cfg hv2,$cfg" \
		"$(sb --format=csv --no-headings --columns=name,nb_cfg list Chassis_Private | sort | tr '\n' ' ' | sed 's/ $//')"
	check_eq "hv_cfg caught up" "$cfg" "$(nb get NB_Global . hv_cfg)"
}

# Ping and TCP, IPv4 and IPv6, both directions, on one switch (vm1, vm2)
# and across the distributed router (vm1, vm4).
rig_check_traffic() {
	check "ping vm1 -> vm2, one switch, hv1 to hv2" wait_for 10 pings vm1 10.0.0.12
	check "ping vm2 -> vm1, one switch, hv2 to hv1" wait_for 10 pings vm2 10.0.0.11
	check "ping vm1 -> vm4 across the router, hv1 to hv2" wait_for 10 pings vm1 10.0.1.14
	check "ping vm4 -> vm1 across the router, hv2 to hv1" wait_for 10 pings vm4 10.0.0.11
	check "IPv6: ping vm1 -> vm2" wait_for 10 pings vm1 fd00::12
	check "IPv6: ping vm2 -> vm1" wait_for 10 pings vm2 fd00::11
	check "IPv6: ping vm1 -> vm4 across the router" wait_for 10 pings vm1 fd00:0:0:1::14
	check "IPv6: ping vm4 -> vm1 across the router" wait_for 10 pings vm4 fd00::11
	check "TCP vm1 -> vm2, 1 MiB checked" tcp_ok vm1 vm2 10.0.0.12
	check "TCP vm2 -> vm1, 1 MiB checked" tcp_ok vm2 vm1 10.0.0.11
	check "TCP vm1 -> vm4 across the router" tcp_ok vm1 vm4 10.0.1.14
	check "TCP vm4 -> vm1 across the router" tcp_ok vm4 vm1 10.0.0.11
	check "IPv6: TCP vm1 -> vm2" tcp_ok vm1 vm2 fd00::12
	check "IPv6: TCP vm2 -> vm1" tcp_ok vm2 vm1 fd00::11
	check "IPv6: TCP vm1 -> vm4 across the router" tcp_ok vm1 vm4 fd00:0:0:1::14
	check "IPv6: TCP vm4 -> vm1 across the router" tcp_ok vm4 vm1 fd00::11
}

# ARP that only the instance itself can answer (addresses "unknown": no
# ARP responder on any chassis): the request is flooded to the other
# chassis, the reply comes back.
rig_check_arp() {
	check "ARP from hv1 resolves vmu2 on hv2" wait_for 10 pings vmu1 10.0.0.22
	check_eq "vmu1 learned vmu2's MAC" "$(mac_of vmu2)" "$(neigh_mac vmu1 10.0.0.22)"
	check "ARP from hv2 resolves vmu1 on hv1" wait_for 10 pings vmu2 10.0.0.21
	check_eq "vmu2 learned vmu1's MAC" "$(mac_of vmu1)" "$(neigh_mac vmu2 10.0.0.21)"
	check "ARP from hv1 resolves vm2 on hv2" wait_for 10 pings vm1 10.0.0.12
	check_eq "vm1 learned vm2's MAC" "$(mac_of vm2)" "$(neigh_mac vm1 10.0.0.12)"
}

# flood FROM DSTMAC DSTIP WHAT "EXPECTED..." "NOT..." : one frame from
# FROM, marked; each EXPECTED instance gets exactly one copy, each NOT
# none (in the time the expected copies took, plus 300 ms).
flood() {
	local from=$1 dmac=$2 dip=$3 what=$4 yes=$5 no=$6 v pids=() marker
	marker="ferry-$RANDOM-$RANDOM-$RANDOM"
	rm -f "$T_DIR"/got-*
	for v in $yes $no; do
		on "$v" python3 "$FRAMES" listen "$marker" "$T_DIR/got-$v" &
		pids+=($!)
	done
	for v in $yes $no; do wait_for 10 test -e "$T_DIR/got-$v.ready"; done
	on "$from" python3 "$FRAMES" send "$dmac" "$dip" "$marker"
	for v in $yes; do wait_for 5 test -s "$T_DIR/got-$v"; done
	sleep 0.3
	for v in $yes $no; do touch "$T_DIR/got-$v.stop"; done
	wait "${pids[@]}"
	for v in $yes; do
		check_eq "$what from $from reaches $v once" 1 "$(wc -l <"$T_DIR/got-$v")"
	done
	for v in $no; do
		check_eq "$what from $from does not reach $v" 0 "$(wc -l <"$T_DIR/got-$v")"
	done
}

# Broadcast reaches every port of the switch on both chassis; unknown
# unicast reaches the ports with addresses "unknown" on both, and only
# them. Both directions.
rig_check_flood() {
	flood vm1 ff:ff:ff:ff:ff:ff 10.0.0.255 broadcast "vm2 vmu1 vmu2" "vm4"
	flood vm2 ff:ff:ff:ff:ff:ff 10.0.0.255 broadcast "vm1 vmu1 vmu2" "vm4"
	flood vm1 $UNKNOWN_MAC 10.0.0.99 "unknown unicast" "vmu1 vmu2" "vm2"
	flood vm2 $UNKNOWN_MAC 10.0.0.99 "unknown unicast" "vmu1 vmu2" "vm1"
}

# geneve_fields PCAP: one line per Geneve frame: outer source, outer
# destination, UDP destination port, UDP checksum status (1: good), VNI,
# option class, type, length (with its header), data length, ingress key,
# egress key, inner destination MAC, inner IPv4 destination, ICMP type.
geneve_fields() {
	tshark -r "$1" -o udp.check_checksum:TRUE -Y geneve -T fields -E separator=/t \
		-e ip.src -e ip.dst -e udp.dstport -e udp.checksum.status -e geneve.vni \
		-e geneve.option.class -e geneve.option.type -e geneve.option.length \
		-e geneve.option.unknown.data -e eth.dst -e icmp.type 2>/dev/null | python3 -c '
import sys
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    src, dst = f[0].split(",")[:2], f[1].split(",")[:2]
    first = [x.split(",")[0] for x in f]
    data = int(f[8], 16) if f[8] else 0
    inner_ip = dst[1] if len(dst) > 1 else "-"
    print(src[0], dst[0], first[2], first[3], int(first[4], 0), first[5], first[6], first[7],
          len(f[8]) // 2, (data >> 16) & 0x7fff, data & 0xffff, f[9].split(",")[-1], inner_ip,
          f[10] or "-")'
}

# frame SRC DST VNI IN OUT INNER-MAC INNER-IP ICMP: rig_check_wire saw
# such a frame, with OVN's option (4 bytes of data), to UDP 6081, with a
# good UDP checksum.
frame() {
	grep -qx "$1 $2 6081 1 $3 0x0102 0x80 8 4 $4 $5 $6 $7 $8" "$T_DIR/geneve.txt"
}

# The wire format, watched on hv1's underlay link: Geneve both ways,
# VNI = the switch's tunnel key, OVN's one option (class 0x0102, type
# 0x80, 4 bytes) with the logical ingress and egress port keys, UDP
# 6081 with a correct checksum; broadcasts and unknown unicast with the
# multicast group's key as the egress key.
rig_check_wire() {
	local pcap="$T_DIR/underlay.pcapng" dpid
	ip netns exec "$(underlay_ns ul)" dumpcap -i p-hv1 -f "udp port 6081" -a duration:60 \
		-w "$pcap" >"$T_DIR/dumpcap.log" 2>&1 &
	dpid=$!
	T_CLEANUP+=("kill $dpid")
	wait_for 10 grep -q "Capturing on" "$T_DIR/dumpcap.log"
	pings vm1 10.0.0.12
	pings vm1 10.0.1.14
	pings vm4 10.0.0.11
	rig_check_flood
	# Once more, surely inside the capture this time.
	pings vm1 10.0.0.12
	pings vm1 10.0.1.14
	pings vm4 10.0.0.11
	kill -INT $dpid
	wait $dpid
	geneve_fields "$pcap" >"$T_DIR/geneve.txt"
	local sw0 sw1 k1 k2 k4 r0 r1 flood unknown
	sw0=$(key Datapath_Binding external_ids:name=sw0)
	sw1=$(key Datapath_Binding external_ids:name=sw1)
	k1=$(key Port_Binding logical_port=vm1)
	k2=$(key Port_Binding logical_port=vm2)
	k4=$(key Port_Binding logical_port=vm4)
	r0=$(key Port_Binding logical_port=sw0-lr0)
	r1=$(key Port_Binding logical_port=sw1-lr0)
	flood=$(key Multicast_Group name=_MC_flood datapath="$(sb --bare --columns _uuid find Datapath_Binding external_ids:name=sw0)")
	unknown=$(key Multicast_Group name=_MC_unknown datapath="$(sb --bare --columns _uuid find Datapath_Binding external_ids:name=sw0)")
	local h1=192.168.100.1 h2=192.168.100.2 m1 m2 m4
	m1=$(mac_of vm1) m2=$(mac_of vm2) m4=$(mac_of vm4)
	check "wire: echo vm1 -> vm2 leaves hv1 in Geneve (VNI sw0, keys vm1 -> vm2)" \
		frame $h1 $h2 "$sw0" "$k1" "$k2" "$m2" 10.0.0.12 8
	check "wire: its reply from hv2 (VNI sw0, keys vm2 -> vm1)" \
		frame $h2 $h1 "$sw0" "$k2" "$k1" "$m1" 10.0.0.11 0
	check "wire: echo vm1 -> vm4 routed on hv1 (VNI sw1, keys sw1-lr0 -> vm4)" \
		frame $h1 $h2 "$sw1" "$r1" "$k4" "$m4" 10.0.1.14 8
	check "wire: echo vm4 -> vm1 routed on hv2 (VNI sw0, keys sw0-lr0 -> vm1)" \
		frame $h2 $h1 "$sw0" "$r0" "$k1" "$m1" 10.0.0.11 8
	check "wire: the reply routed on hv1 (VNI sw1, keys sw1-lr0 -> vm4)" \
		frame $h1 $h2 "$sw1" "$r1" "$k4" "$m4" 10.0.1.14 0
	check "wire: broadcast from vm1 with the flood group as egress key" \
		frame $h1 $h2 "$sw0" "$k1" "$flood" ff:ff:ff:ff:ff:ff 10.0.0.255 -
	check "wire: broadcast from vm2 with the flood group as egress key" \
		frame $h2 $h1 "$sw0" "$k2" "$flood" ff:ff:ff:ff:ff:ff 10.0.0.255 -
	check "wire: unknown unicast from vm1 with the unknown group as egress key" \
		frame $h1 $h2 "$sw0" "$k1" "$unknown" $UNKNOWN_MAC 10.0.0.99 -
	check "wire: unknown unicast from vm2 with the unknown group as egress key" \
		frame $h2 $h1 "$sw0" "$k2" "$unknown" $UNKNOWN_MAC 10.0.0.99 -
	check_eq "wire: every Geneve frame carries OVN's option to UDP 6081 with a good checksum" "" \
		"$(awk '$3 != 6081 || $4 != 1 || $6 != "0x0102" || $7 != "0x80" || $8 != 8 || $9 != 4' "$T_DIR/geneve.txt" | head -3)"
	if [ "$T_FAILS" -ne 0 ]; then
		echo "---- Geneve frames on hv1's underlay link ----"
		head -n 40 "$T_DIR/geneve.txt"
	fi
}

# vm5_is WHO FROM: vm5's address answers from the instance on WHO,
# asked from instance FROM.
vm5_is() {
	[ "$(on "$2" python3 "$FRAMES" ask 10.0.0.15 7777 0.2 2>/dev/null)" = "$1" ]
}

# bound_on PORT CHASSIS: the Southbound database has PORT bound on CHASSIS.
bound_on() {
	local c
	c=$(sb --bare --columns chassis find Port_Binding logical_port="$1")
	[ -n "$c" ] && [ "$(sb --bare --columns name list Chassis "$c")" = "$2" ]
}

# rig_check_move: vm5 moves from hv2 to hv1 and back (requested-chassis,
# as a CMS migrating a VM does): once the Southbound database shows the
# new binding, traffic from both chassis follows within a second.
rig_check_move() {
	check "before: vm1 (hv1) reaches vm5 on hv2" wait_for 10 vm5_is hv2 vm1
	check "before: vm2 (hv2) reaches vm5 on hv2" wait_for 10 vm5_is hv2 vm2
	local t0
	nb lsp-set-options vm5 requested-chassis=hv1
	check "vm5 unbound from hv2 and bound on hv1" wait_for 10 bound_on vm5 hv1
	t0=$(now_ms)
	check "moved: vm1 reaches vm5 on hv1 within 1 s" wait_for_ms 1000 vm5_is hv1 vm1
	check "moved: vm2 reaches vm5 on hv1 (through the tunnel) within 1 s" wait_for_ms 1000 vm5_is hv1 vm2
	echo "# traffic followed vm5 to hv1 in $(( $(now_ms) - t0 )) ms"
	nb lsp-set-options vm5 requested-chassis=hv2
	check "vm5 back on hv2" wait_for 10 bound_on vm5 hv2
	t0=$(now_ms)
	check "moved back: vm1 reaches vm5 on hv2 within 1 s" wait_for_ms 1000 vm5_is hv2 vm1
	check "moved back: vm2 reaches vm5 on hv2 within 1 s" wait_for_ms 1000 vm5_is hv2 vm2
	echo "# traffic followed vm5 back to hv2 in $(( $(now_ms) - t0 )) ms"
}

encap_is() { [ "$(sb --bare --columns ip find Encap chassis_name="$1")" = "$2" ]; }
no_chassis() { [ -z "$(sb --bare --columns _uuid find Chassis name="$1")" ]; }
no_tunnel() { [ "$(fctl_of hv1 --json tunnel list | json 'len(j)')" = 0 ]; }

# rig_check_encap_change: hv2's encap IP changes (hv2_set_encap); once the
# Southbound database shows it, traffic both ways follows within a second.
rig_check_encap_change() {
	local t0
	hv2_set_encap 192.168.100.22
	check "hv2's new encap IP in the Southbound database" wait_for 10 encap_is hv2 192.168.100.22
	t0=$(now_ms)
	check "new encap IP: vm1 -> vm2 within 1 s" wait_for_ms 1000 pings_fast vm1 10.0.0.12
	check "new encap IP: vm4 -> vm1 within 1 s" wait_for_ms 1000 pings_fast vm4 10.0.0.11
	echo "# traffic followed the new encap IP in $(( $(now_ms) - t0 )) ms"
}

# rig_check_delete: hv2 is deleted (hv2_delete): within a second of its
# Chassis row going, hv1 has no tunnel to it, and vm2 is out of reach;
# hv2 comes back (hv2_return), and once vm2 is bound again traffic
# resumes within a second.
rig_check_delete() {
	local t0
	check "hv2 goes away" hv2_delete
	check "hv2's Chassis row is gone" wait_for 10 no_chassis hv2
	t0=$(now_ms)
	check "hv1 drops its tunnel to hv2 within 1 s" wait_for_ms 1000 no_tunnel
	check "vm1 no longer reaches vm2" bash -c "! ip netns exec $(ns_of vm1) ping -c 1 -W 1 10.0.0.12 >/dev/null 2>&1"
	hv2_return
	check "hv2 back, vm2 bound on it" wait_for 20 bound_on vm2 hv2
	t0=$(now_ms)
	check "vm1 -> vm2 again within 1 s" wait_for_ms 1000 pings_fast vm1 10.0.0.12
	check "vm4 -> vm1 again within 1 s" wait_for_ms 1000 pings_fast vm4 10.0.0.11
	echo "# traffic resumed $(( $(now_ms) - t0 )) ms after vm2 was bound again"
}

# rig_check_cache: ferry chassis NAME checked every cache hit against the
# pipeline (dataplane.cache-check); none disagreed.
rig_check_cache() {
	check_eq "$1: every flow cache hit agrees with the pipeline" 0 \
		"$(fctl_of "$1" --json cache | json 'sum(w["check_mismatches"] for w in j["workers"])')"
}

# rig_check_acl: stateful ACLs across the chassis, the same on each side.
# One instance at a time is protected (allow-related out, drop in): its
# connections out work both ways, connections in are dropped, and the
# router's ICMP time exceeded for its TTL-1 ping passes as related; first vm1
# on hv1, then vm2 on hv2, so each chassis plays both roles. The ACLs
# are gone at the end.
rig_acl_protect() { # PORT
	nb acl-del sw0 >/dev/null
	nb acl-add sw0 from-lport 1002 "inport == \"$1\" && ip4" allow-related
	nb acl-add sw0 to-lport 1001 "outport == \"$1\" && ip4" drop
	nb --timeout=20 --wait=hv sync
}
no_pings() { ! on "$1" ping -c 2 -i 0.3 -W 1 "$2" >/dev/null 2>&1; }
# ttl_exceeded FROM ADDR: a ping with TTL 1 across lr0 is answered by the
# router's ICMP time exceeded, an error related to FROM's connection.
ttl_exceeded() { # (ping itself fails: no echo reply comes)
	local out
	out=$(on "$1" ping -c 1 -t 1 -W 2 "$2" 2>&1)
	grep -q "Time to live exceeded" <<<"$out"
}
# rig_acl_tcp_refused FROM TO ADDR: a connection to a listener on TO
# gets no answer within 3 s.
rig_acl_tcp_refused() {
	local srv rc
	on "$2" timeout 6 python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5002)); s.listen(1); s.accept()' "$3" &
	srv=$!
	wait_for 5 bash -c "ip netns exec $(ns_of "$2") ss -ltn | grep -q :5002"
	on "$1" timeout 4 python3 -c '
import socket, sys
socket.create_connection((sys.argv[1], 5002), timeout=3)' "$3" 2>/dev/null
	rc=$?
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	[ "$rc" -ne 0 ]
}
rig_check_acl() {
	rig_acl_protect vm1
	check "ACL on vm1 (hv1): vm1 -> vm2 ping, reply back through hv1's tracker" \
		wait_for 10 pings vm1 10.0.0.12
	check "ACL on vm1 (hv1): TCP vm1 -> vm2, 1 MiB checked" tcp_ok vm1 vm2 10.0.0.12
	check "ACL on vm1 (hv1): vm2 -> vm1 dropped" no_pings vm2 10.0.0.11
	check "ACL on vm1 (hv1): TCP vm2 -> vm1 refused" rig_acl_tcp_refused vm2 vm1 10.0.0.11
	check "ACL on vm1 (hv1): across the router, vm1 -> vm4" wait_for 10 pings vm1 10.0.1.14
	check "ACL on vm1 (hv1): across the router, vm4 -> vm1 dropped" no_pings vm4 10.0.0.11
	check "ACL on vm1 (hv1): TTL 1 to vm4, lr0's time exceeded comes back (related)" \
		wait_for 5 ttl_exceeded vm1 10.0.1.14
	rig_acl_protect vm2
	check "ACL on vm2 (hv2): vm2 -> vm1 ping" wait_for 10 pings vm2 10.0.0.11
	check "ACL on vm2 (hv2): TCP vm2 -> vm1, 1 MiB checked" tcp_ok vm2 vm1 10.0.0.11
	check "ACL on vm2 (hv2): vm1 -> vm2 dropped" no_pings vm1 10.0.0.12
	check "ACL on vm2 (hv2): TCP vm1 -> vm2 refused" rig_acl_tcp_refused vm1 vm2 10.0.0.12
	check "ACL on vm2 (hv2): TTL 1 to vm4, lr0's time exceeded comes back (related)" \
		wait_for 5 ttl_exceeded vm2 10.0.1.14
	nb acl-del sw0 >/dev/null
	nb --timeout=20 --wait=hv sync
	check "ACLs gone: vm2 -> vm1 again" wait_for 10 pings vm2 10.0.0.11
}

# rig_check_lb: switch load balancers across the chassis. VIPs off the
# subnet (the clients send them to the router's MAC), on sw0: the chassis
# of the client translates. 10.0.5.100 has one backend, vm4 on hv2 (sw1);
# 10.0.5.101 has three: vm1 (hv1), vm2 and vm4 (hv2). Clients on each
# chassis get their answers from the VIP; connections spread over the
# backends of both chassis. Hairpin: 10.0.5.102 is vm1's alone, 10.0.5.103
# vm2's alone, and each asks its own: each chassis answers its instance
# from the VIP.
rig_lb_server() { # INSTANCE: a TCP server on 8080 answering with its name
	on "$1" timeout 120 python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080)); s.listen(16)
while True:
    c, _ = s.accept(); c.recv(10); c.sendall(sys.argv[1].encode()); c.close()' "$1" >/dev/null 2>&1 &
	disown $!
}
rig_lb_ask() { # CLIENT VIP N: the backends that answered N connections
	on "$1" timeout 30 python3 -c '
import socket, sys
for i in range(int(sys.argv[2])):
    s = socket.create_connection((sys.argv[1], 80), timeout=3)
    s.sendall(b"hi"); print(s.recv(100).decode()); s.close()' "$2" "$3"
}
rig_check_lb() {
	local out
	rig_lb_server vm1
	rig_lb_server vm2
	rig_lb_server vm4
	nb lb-add lb-one 10.0.5.100:80 10.0.1.14:8080 tcp
	nb lb-add lb-three 10.0.5.101:80 10.0.0.11:8080,10.0.0.12:8080,10.0.1.14:8080 tcp
	nb lb-add lb-hp1 10.0.5.102:80 10.0.0.11:8080 tcp
	nb lb-add lb-hp2 10.0.5.103:80 10.0.0.12:8080 tcp
	nb ls-lb-add sw0 lb-one -- ls-lb-add sw0 lb-three -- ls-lb-add sw0 lb-hp1 -- ls-lb-add sw0 lb-hp2
	nb --timeout=20 --wait=hv sync
	check "LB: vm1 (hv1) -> VIP, answered by vm4 on hv2 from the VIP" \
		wait_for 10 bash -c "$(declare -f rig_lb_ask on ns_of); T_ID=$T_ID; rig_lb_ask vm1 10.0.5.100 1 | grep -qx vm4"
	check "LB: vm2 (hv2) -> VIP, answered by vm4" \
		wait_for 10 bash -c "$(declare -f rig_lb_ask on ns_of); T_ID=$T_ID; rig_lb_ask vm2 10.0.5.100 1 | grep -qx vm4"
	out=$(rig_lb_ask vm2 10.0.5.101 30)
	check "LB: vm2 (hv2) -> a VIP with three backends on two chassis: 30 answers, all three used ($(sort <<<"$out" | uniq -c | tr '\n' ' '))" \
		test "$(grep -c . <<<"$out")" -eq 30 -a "$(sort -u <<<"$out" | grep -c .)" -eq 3
	out=$(rig_lb_ask vm1 10.0.5.101 30)
	check "LB: vm1 (hv1) -> the same VIP: 30 answers, all three used ($(sort <<<"$out" | uniq -c | tr '\n' ' '))" \
		test "$(grep -c . <<<"$out")" -eq 30 -a "$(sort -u <<<"$out" | grep -c .)" -eq 3
	out=$(rig_lb_ask vm1 10.0.5.102 4)
	check "LB hairpin on hv1: vm1 -> its own VIP, 4 answers from itself" \
		test "$(grep -cx vm1 <<<"$out")" -eq 4
	out=$(rig_lb_ask vm2 10.0.5.103 4)
	check "LB hairpin on hv2: vm2 -> its own VIP, 4 answers from itself" \
		test "$(grep -cx vm2 <<<"$out")" -eq 4
	nb ls-lb-del sw0 lb-one -- ls-lb-del sw0 lb-three -- ls-lb-del sw0 lb-hp1 -- ls-lb-del sw0 lb-hp2 \
		-- lb-del lb-one -- lb-del lb-three -- lb-del lb-hp1 -- lb-del lb-hp2
	nb --timeout=20 --wait=hv sync
}
