# SPDX-License-Identifier: Apache-2.0
# Sourced by system tests: namespaces as instances, ferryd in the
# background, ferryctl, and assertions. Every test gets its own directory
# and its own names, and cleans up on exit whatever happens.
#
# Environment (set by meson): FERRYD, FERRYCTL: the binaries under test.

set -uo pipefail
_here=$(dirname "${BASH_SOURCE[0]}")
. "$_here/ovn-central.sh"

T_FAILS=0
T_CHECKS=0
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/ferry-test.XXXXXX")
T_ID=$(printf '%04x' $(( $$ % 65536 )))  # short unique tag for names
T_NETNS=()
T_LINKS=()
T_CLEANUP=()
T_LOGS=()  # more logs to show when a test fails
FERRYD_PID=
declare -A FERRYD_PIDS=()  # ferryd_start_as: NAME -> pid

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root (namespaces, af_packet)"
		exit 77
	fi
}

t_cleanup() {
	local c
	# A ferryd that died before its test ended: say so first, with its
	# last words, ahead of everything a failed check prints below.
	if [ -n "$FERRYD_PID" ] && ! kill -0 "$FERRYD_PID" 2>/dev/null; then
		wait "$FERRYD_PID" 2>/dev/null
		echo "---- ferryd (pid $FERRYD_PID) died during the test: exit status $? ----"
		grep -h -A 24 -E "fatal signal|ERROR: AddressSanitizer|runtime error" \
			"$T_DIR"/ferryd*.log 2>/dev/null | head -n 40
	fi
	for c in "${T_CLEANUP[@]}"; do eval "$c" >/dev/null 2>&1; done
	if [ -n "$FERRYD_PID" ] && kill -0 "$FERRYD_PID" 2>/dev/null; then
		kill -KILL "$FERRYD_PID" 2>/dev/null
	fi
	local p
	for p in "${FERRYD_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for l in "${T_LINKS[@]}"; do ip link del "$l" >/dev/null 2>&1; done
	for n in "${T_NETNS[@]}"; do ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL; ip netns del "$n" >/dev/null 2>&1; done
	if [ "$T_FAILS" -ne 0 ]; then
		for l in "$T_DIR"/ferryd.log "$T_DIR"/ferryd-*.log "${T_LOGS[@]}"; do
			[ -f "$l" ] || continue
			echo "---- ${l#"$T_DIR"/} ----"
			tail -n 50 "$l"
		done
	fi
	rm -rf "$T_DIR"
}
trap t_cleanup EXIT

# check DESCRIPTION CMD...: run CMD, count a failure if it fails.
check() {
	local what=$1
	shift
	T_CHECKS=$((T_CHECKS + 1))
	if "$@"; then
		echo "ok   - $what"
	else
		echo "FAIL - $what"
		T_FAILS=$((T_FAILS + 1))
	fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	T_CHECKS=$((T_CHECKS + 1))
	if [ "$2" == "$3" ]; then
		echo "ok   - $1 ($3)"
	else
		echo "FAIL - $1: expected '$2', got '$3'"
		T_FAILS=$((T_FAILS + 1))
	fi
}

t_done() {
	echo "$T_CHECKS checks, $T_FAILS failed"
	[ "$T_FAILS" -eq 0 ]
	exit $?
}

# instance NAME IP/PREFIX: a namespace with one veth; the host end is
# called ${T_ID}NAME (at most 15 characters) and is what ferryd takes.
# IPv6 is off inside so that the only packets are the ones a test sends.
instance() {
	local name=$1 addr=$2 ns="f${T_ID}$1" host="f${T_ID}$1"
	ip netns add "$ns" || return 1
	T_NETNS+=("$ns")
	ip link add "$host" type veth peer name eth0 netns "$ns" || return 1
	T_LINKS+=("$host")
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	sysctl -qw "net.ipv6.conf.$host.disable_ipv6=1"
	ip -n "$ns" addr add "$addr" dev eth0
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
	# af_packet hands frames over as they are: checksums must be complete.
	ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null
	ip link set "$host" up
}

# Namespace and host interface of instance NAME.
ns_of() { echo "f${T_ID}$1"; }
if_of() { echo "f${T_ID}$1"; }
# on NAME CMD...: run CMD inside instance NAME.
on() {
	local ns
	ns=$(ns_of "$1")
	shift
	ip netns exec "$ns" "$@"
}
mac_of() { on "$1" cat /sys/class/net/eth0/address; }

# t_ovn_central: a private OVN central for this test (ovn-central.sh),
# stopped at exit; nb and sb are its ovn-nbctl and ovn-sbctl.
t_ovn_central() {
	ovn_central_start "$T_DIR/ovn" >/dev/null 2>&1 || { echo "FAIL: ovn central"; exit 1; }
	T_CLEANUP+=("ovn_central_stop '$T_DIR/ovn'")
}
nb() { ovn-nbctl --timeout=10 "$@"; }
sb() { ovn-sbctl --timeout=10 "$@"; }

FERRY_SOCK=
fctl() { "$FERRYCTL" -s "$FERRY_SOCK" "$@"; }

# one_chassis_args INSTANCE...: into ARGS, ferryd's arguments for one
# chassis hv1 on the test's OVN central (t_ovn_central), mode ovn, every
# cache hit checked, each INSTANCE an af_packet vif port bound as itself.
one_chassis_args() {
	local i=0 v
	ARGS=(--set chassis.system-id=hv1 --set "chassis.ovn-remote=$OVN_SB_DB"
		--set chassis.ovn-encap-ip=127.0.0.1 --set dataplane.mode=ovn
		--set dataplane.cache-check=true)
	for v in "$@"; do
		ARGS+=(--set "port.$v.devargs=net_af_packet$i,iface=$(if_of "$v")"
			--set "port.$v.iface-id=$v")
		i=$((i + 1))
	done
}

# lports_up PORT...: every PORT is up in the Northbound.
lports_up() {
	local p
	for p in "$@"; do
		[ "$(nb lsp-get-up "$p")" = up ] || return 1
	done
}

# tcp_ok FROM TO ADDR: the bytes of $T_DIR/blob (1 MiB of random bytes
# unless the test made its own) from instance FROM to instance TO,
# listening on ADDR (IPv4 or IPv6) port 5001, compared byte for byte.
tcp_ok() {
	local from=$1 to=$2 addr=$3 srv rc
	[ -f "$T_DIR/blob" ] || head -c 1048576 /dev/urandom >"$T_DIR/blob"
	rm -f "$T_DIR/got"
	on "$to" timeout 15 python3 -c '
import socket, sys
a = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((a, 5001)); s.listen(1)
c, _ = s.accept(); d = b""
while True:
    b = c.recv(65536)
    if not b: break
    d += b
open(sys.argv[2], "wb").write(d)' "$addr" "$T_DIR/got" &
	srv=$!
	wait_for 5 bash -c "ip netns exec $(ns_of "$to") ss -ltn | grep -q :5001"
	on "$from" timeout 15 python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 5001), timeout=5)
s.sendall(open(sys.argv[2], "rb").read()); s.close()' "$addr" "$T_DIR/blob"
	rc=$?
	[ $rc -eq 0 ] || kill "$srv" 2>/dev/null
	wait "$srv"
	[ $rc -eq 0 ] && cmp -s "$T_DIR/blob" "$T_DIR/got"
}

# ferryd_start ARGS...: start ferryd with its socket and log in T_DIR.
ferryd_start() {
	FERRY_SOCK="$T_DIR/ferryd.sock"
	"$FERRYD" --set "control.socket=$FERRY_SOCK" "$@" >"$T_DIR/ferryd.log" 2>&1 &
	FERRYD_PID=$!
	wait_for 30 fctl show || { cat "$T_DIR/ferryd.log"; return 1; }
}

# ferryd_stop: SIGTERM, wait, return ferryd's exit status.
ferryd_stop() {
	local rc
	kill -TERM "$FERRYD_PID"
	wait "$FERRYD_PID"
	rc=$?
	FERRYD_PID=
	return $rc
}

# Several ferryd in one test, each a chassis of its own: NAME names its
# socket ($T_DIR/ferryd-NAME.sock) and log ($T_DIR/ferryd-NAME.log). Give
# each its own chassis.system-id, and DPDK vdev names (net_af_packetN)
# that are unique within that ferryd.
#   ferryd_start_as NAME ARGS...  start it, wait until it answers
#   fctl_of NAME ARGS...          ferryctl on that one
#   ferryd_pid_of NAME            its pid
#   ferryd_stop_as NAME           SIGTERM, wait, return its exit status
ferryd_sock_of() { echo "$T_DIR/ferryd-$1.sock"; }
ferryd_pid_of() { echo "${FERRYD_PIDS[$1]}"; }
fctl_of() {
	local sock
	sock=$(ferryd_sock_of "$1")
	shift
	"$FERRYCTL" -s "$sock" "$@"
}

ferryd_start_as() {
	local name=$1 sock
	shift
	sock=$(ferryd_sock_of "$name")
	"$FERRYD" --set "control.socket=$sock" "$@" >"$T_DIR/ferryd-$name.log" 2>&1 &
	FERRYD_PIDS[$name]=$!
	wait_for 30 fctl_of "$name" show || { cat "$T_DIR/ferryd-$name.log"; return 1; }
}

ferryd_stop_as() {
	local name=$1 pid rc
	pid=${FERRYD_PIDS[$name]}
	[ -n "$pid" ] || return 1
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	unset "FERRYD_PIDS[$name]"
	return $rc
}

# json EXPR: read JSON on stdin, print the Python expression EXPR of it (j).
json() { python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# CPU time (user+system) of PID in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# hugepages_for_peer: a DPDK peer (testpmd as a VM's virtio-user or a CNF)
# needs shareable memory, which means hugepages and hugetlbfs. Reserve 512
# 2 MiB pages (two peers and ferryd itself) and mount hugetlbfs if needed;
# undo both at exit.
hugepages_for_peer() {
	local nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages old
	old=$(cat "$nr") || return 1
	if [ "$old" -lt 512 ]; then
		echo 512 >"$nr" || return 1
		T_CLEANUP+=("echo $old > $nr")
	fi
	if ! grep -q " hugetlbfs " /proc/mounts; then
		mkdir -p "$T_DIR/huge" && mount -t hugetlbfs nodev "$T_DIR/huge" || return 1
		T_CLEANUP=("umount $T_DIR/huge" "${T_CLEANUP[@]}")
	fi
	[ "$(cat "$nr")" -ge 256 ]
}

# testpmd_peer NAME VDEV FWD-MODE: a DPDK application on the other side of
# a vhost-user or memif port, in the background, on CPU 0; its pid is left
# in TESTPMD_PID.
testpmd_peer() {
	local name=$1 vdev=$2 mode=$3
	dpdk-testpmd --in-memory --single-file-segments -m 64 --lcores '0@0,1@0' --no-pci \
		--log-level='*:error' --vdev "$vdev" -- --forward-mode="$mode" --auto-start \
		--nb-cores=1 --total-num-mbufs=2048 --stats-period 1 \
		>"$T_DIR/$name.log" 2>&1 &
	TESTPMD_PID=$!
	T_CLEANUP=("kill -INT $!" "${T_CLEANUP[@]}")
}
