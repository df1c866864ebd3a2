# SPDX-License-Identifier: Apache-2.0
# Sourced by bench/compare.sh: the OVN topology both switches are measured
# on, built with ovn-nbctl in a private OVN central, and the pcaps.
#
#   sw0: vm1 (port security), vm2, vm4 (bound to hv2, another chassis)
#   lr0: lr0-sw0 10.0.0.1/24, lr0-sw1 10.0.1.1/24 (distributed)
#   sw1: vm3
#   sw2: vm5 (port security, an allow-related ACL), vm6
#   hv2: a chassis registered with ovn-sbctl chassis-add, encap 192.0.2.2
#
# The local chassis (ferryd or ovn-controller, in turn) is "bench" with
# encap IP 192.0.2.1. Scenarios (scenarios.sh) name the logical ports
# they bind and the pcap they replay.
#
#   topo_build              OVN central under $DIR/ovn, the topology, the
#                           Southbound keys (DP_KEY, K1, K4)
#   topo_pcap NAME FLOWS SIZE
#                           print the path of scenario NAME's pcap for
#                           FLOWS 5-tuples of SIZE-byte frames, writing
#                           it on first use

M1=50:54:00:00:00:01 M2=50:54:00:00:00:02 M3=50:54:00:00:00:03 M4=50:54:00:00:00:04
M5=50:54:00:00:00:05 M6=50:54:00:00:00:06
R0=00:00:00:00:ff:01
SYSTEM_ID=bench
ENCAP_IP=192.0.2.1 HV2_IP=192.0.2.2 HV2_MAC=02:00:c0:00:02:02
# The local underlay port's MAC: net_pcap's fixed one ("pcap" in ASCII),
# which ferryd's underlay port reports and OVS's br-phy is given, so that
# one decap pcap serves both.
UL_MAC=02:70:63:61:70:00

nb() { ovn-nbctl --timeout=30 "$@"; }
sb() { ovn-sbctl --timeout=30 "$@"; }

topo_build() {
	ovn_central_start "$DIR/ovn" >/dev/null 2>&1 || { echo "OVN central did not start" >&2; return 1; }
	nb ls-add sw0 -- ls-add sw1 -- lr-add lr0
	nb lrp-add lr0 lr0-sw0 $R0 10.0.0.1/24
	nb lrp-add lr0 lr0-sw1 00:00:00:00:ff:02 10.0.1.1/24
	local s
	for s in 0 1; do
		nb lsp-add sw$s sw$s-lr0 -- lsp-set-type sw$s-lr0 router \
			-- lsp-set-addresses sw$s-lr0 router -- lsp-set-options sw$s-lr0 router-port=lr0-sw$s
	done
	nb lsp-add sw0 vm1 -- lsp-set-addresses vm1 "$M1 10.0.0.11" \
		-- lsp-set-port-security vm1 "$M1 10.0.0.11"
	nb lsp-add sw0 vm2 -- lsp-set-addresses vm2 "$M2 10.0.0.12"
	nb lsp-add sw1 vm3 -- lsp-set-addresses vm3 "$M3 10.0.1.13"
	nb lsp-add sw0 vm4 -- lsp-set-addresses vm4 "$M4 10.0.0.14"
	# Stateful: only sw2 has ACLs, so the other scenarios stay stateless.
	nb ls-add sw2
	nb lsp-add sw2 vm5 -- lsp-set-addresses vm5 "$M5 10.0.2.15" \
		-- lsp-set-port-security vm5 "$M5 10.0.2.15"
	nb lsp-add sw2 vm6 -- lsp-set-addresses vm6 "$M6 10.0.2.16"
	nb acl-add sw2 from-lport 1001 'inport == "vm5" && ip4' allow-related
	nb acl-add sw2 to-lport 1000 'outport == "vm5" && ip4' drop
	sb chassis-add hv2 geneve $HV2_IP
	nb --wait=sb sync
	sb lsp-bind vm4 hv2
	# Geneve from hv2 names sw0 by its tunnel key and vm4 and vm1 by theirs.
	DP_KEY=$(topo_key Datapath_Binding external_ids:name=sw0)
	K1=$(topo_key Port_Binding logical_port=vm1)
	K4=$(topo_key Port_Binding logical_port=vm4)
	[ -n "$DP_KEY" ] && [ -n "$K1" ] && [ -n "$K4" ] || { echo "no tunnel keys in the Southbound" >&2; return 1; }
}

topo_key() { sb --bare --columns tunnel_key find "$@"; }

# The local chassis leaves nothing behind between runs: its Chassis row
# (and with it its claims and its Encap, whose IP the next one reuses).
topo_forget_chassis() {
	sb --if-exists chassis-del "$SYSTEM_ID" >/dev/null 2>&1 || true
}

topo_pcap() {
	local name=$1 flows=$2 size=$3 f
	f=$DIR/pcap/$name-$flows-$size.pcap
	if [ ! -f "$f" ]; then
		mkdir -p "$DIR/pcap"
		local args=(--flows "$flows" --size "$((size - 4))")
		case $name in
		switch) args+=(--eth-src "$M1" --eth-dst "$M2" --ip-src 10.0.0.11 --ip-dst 10.0.0.12) ;;
		router) args+=(--eth-src "$M1" --eth-dst "$R0" --ip-src 10.0.0.11 --ip-dst 10.0.1.13) ;;
		acl) args+=(--eth-src "$M5" --eth-dst "$M6" --ip-src 10.0.2.15 --ip-dst 10.0.2.16) ;;
		acl-reply) args+=(--eth-src "$M6" --eth-dst "$M5" --ip-src 10.0.2.16 --ip-dst 10.0.2.15 --reply) ;;
		acl-syn) args+=(--eth-src "$M5" --eth-dst "$M6" --ip-src 10.0.2.15 --ip-dst 10.0.2.16 --tcp-syn) ;;
		encap) args+=(--eth-src "$M1" --eth-dst "$M4" --ip-src 10.0.0.11 --ip-dst 10.0.0.14) ;;
		decap) args+=(--eth-src "$M4" --eth-dst "$M1" --ip-src 10.0.0.14 --ip-dst 10.0.0.11
			--geneve "$HV2_MAC,$UL_MAC,$HV2_IP,$ENCAP_IP" --vni "$DP_KEY"
			--in-key "$K4" --out-key "$K1") ;;
		*) echo "topo_pcap: no pcap for $name" >&2; return 1 ;;
		esac
		python3 bench/gen_pcap.py "$f" "${args[@]}" || return 1
	fi
	echo "$f"
}
