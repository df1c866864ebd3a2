# SPDX-License-Identifier: Apache-2.0
# Sourced by system tests after ferry.sh: an underlay network that joins
# chassis, as a Linux bridge in a namespace of its own. Each chassis gets
# one veth: the bridge end stays in the underlay namespace, enslaved to
# the bridge; the other end is left in the root namespace (for ferryd's
# af_packet underlay port) or moved into a chassis's namespace (for a
# stock chassis, whose br-phy takes it).
#
#   underlay_create UL            namespace and bridge "br0" inside it
#   underlay_attach UL NAME [NS]  a veth for chassis NAME; its outer end is
#                                 called $(underlay_if UL NAME), in the root
#                                 namespace or in NS
#   underlay_if UL NAME           name of that outer end (15 chars at most)
#   underlay_ns UL                the underlay's namespace
#   on_underlay UL CMD...         run CMD in the underlay's namespace
#
# Namespaces and root-namespace links go on T_NETNS and T_LINKS, so
# ferry.sh removes them on exit. IPv6 is off on every underlay link: the
# only frames there are the chassis's own (ARP, Geneve).

underlay_ns() { echo "u${T_ID}$1"; }
underlay_if() { echo "u${T_ID}$1$2"; }
on_underlay() {
	local ns
	ns=$(underlay_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

underlay_create() {
	local ns
	ns=$(underlay_ns "$1")
	ip netns add "$ns" || return 1
	T_NETNS+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
	# No STP and no forwarding delay: a port forwards as soon as it is up.
	ip -n "$ns" link add br0 type bridge stp_state 0 forward_delay 0 || return 1
	ip -n "$ns" link set br0 up
}

underlay_attach() {
	local ul=$1 name=$2 target=${3:-} ns outer
	ns=$(underlay_ns "$ul")
	outer=$(underlay_if "$ul" "$name")
	if [ ${#outer} -gt 15 ]; then
		echo "underlay_attach: name too long: $outer" >&2
		return 1
	fi
	ip link add "$outer" type veth peer name "p-$name" netns "$ns" || return 1
	ip -n "$ns" link set "p-$name" master br0 || return 1
	ip -n "$ns" link set "p-$name" up
	if [ -n "$target" ]; then
		ip link set "$outer" netns "$target" || return 1
		ip netns exec "$target" sysctl -qw "net.ipv6.conf.$outer.disable_ipv6=1"
		ip -n "$target" link set "$outer" up
	else
		T_LINKS+=("$outer")
		sysctl -qw "net.ipv6.conf.$outer.disable_ipv6=1"
		ip link set "$outer" up
	fi
}
