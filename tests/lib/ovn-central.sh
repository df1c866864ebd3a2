# SPDX-License-Identifier: Apache-2.0
# Sourced by system tests: a private OVN central (NB and SB ovsdb-server plus
# ovn-northd) in a temporary directory, on unix sockets, as an operator would
# run it. Nothing here touches the system's own OVN, if any.
#
#   ovn_central_start DIR      start everything under DIR; exports
#                              OVN_NB_DB, OVN_SB_DB (unix:DIR/nb.sock, ...)
#                              and SB_TCP (tcp:127.0.0.1:PORT) for ferryd
#   ovn_central_stop DIR       stop what ovn_central_start started
#   wait_for SECONDS CMD...    poll CMD until it succeeds or time runs out
#   wait_for_ms MS CMD...      the same with a deadline in milliseconds

OVN_SCHEMA_DIR=${OVN_SCHEMA_DIR:-/usr/share/ovn}

wait_for() { wait_for_ms $(( $1 * 1000 )) "${@:2}"; }

wait_for_ms() {
	local deadline=$(( $(date +%s%N) / 1000000 + $1 ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		if (( $(date +%s%N) / 1000000 > deadline )); then
			echo "timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}

# A free TCP port on 127.0.0.1, chosen by the kernel.
free_tcp_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

ovn_central_start() {
	local dir=$1
	mkdir -p "$dir"
	ovsdb-tool create "$dir/nb.db" "$OVN_SCHEMA_DIR/ovn-nb.ovsschema" || return 1
	ovsdb-tool create "$dir/sb.db" "$OVN_SCHEMA_DIR/ovn-sb.ovsschema" || return 1
	SB_TCP_PORT=$(free_tcp_port)
	ovsdb-server --detach --no-chdir --pidfile="$dir/nb.pid" --log-file="$dir/nb.log" -vconsole:off \
		--unixctl="$dir/nb.ctl" --remote="punix:$dir/nb.sock" "$dir/nb.db" || return 1
	ovsdb-server --detach --no-chdir --pidfile="$dir/sb.pid" --log-file="$dir/sb.log" -vconsole:off \
		--unixctl="$dir/sb.ctl" --remote="punix:$dir/sb.sock" \
		--remote="ptcp:$SB_TCP_PORT:127.0.0.1" "$dir/sb.db" || return 1
	export OVN_NB_DB="unix:$dir/nb.sock" OVN_SB_DB="unix:$dir/sb.sock"
	export SB_TCP="tcp:127.0.0.1:$SB_TCP_PORT"
	ovn-northd --detach --no-chdir --pidfile="$dir/northd.pid" --log-file="$dir/northd.log" -vconsole:off \
		--unixctl="$dir/northd.ctl" --ovnnb-db="$OVN_NB_DB" --ovnsb-db="$OVN_SB_DB" || return 1
	wait_for 10 ovn-nbctl --timeout=2 show || return 1
	wait_for 10 ovn-sbctl --timeout=2 show || return 1
}

# stop_pidfiles DIR NAME...: TERM the daemons whose DIR/NAME.pid exist and
# wait until each has gone.
stop_pidfiles() {
	local dir=$1 p pids=()
	shift
	for p in "$@"; do
		[ -f "$dir/$p.pid" ] && pids+=("$(cat "$dir/$p.pid")")
	done
	[ ${#pids[@]} -eq 0 ] && return 0
	kill "${pids[@]}" 2>/dev/null
	for p in "${pids[@]}"; do
		wait_for 5 bash -c "! kill -0 $p 2>/dev/null"
	done
	return 0
}

ovn_central_stop() {
	stop_pidfiles "$1" northd sb nb
}

# ovn_sb_restart DIR: stop the Southbound ovsdb-server started by
# ovn_central_start and start it again on the same unix socket and TCP port
# (SB_TCP), keeping its database file.
ovn_sb_restart() {
	local dir=$1 pid
	pid=$(cat "$dir/sb.pid") || return 1
	kill "$pid" 2>/dev/null
	wait_for 5 bash -c "! kill -0 $pid 2>/dev/null" || return 1
	ovsdb-server --detach --no-chdir --pidfile="$dir/sb.pid" --log-file="$dir/sb.log" -vconsole:off \
		--unixctl="$dir/sb.ctl" --remote="punix:$dir/sb.sock" \
		--remote="ptcp:${SB_TCP##*:}:127.0.0.1" "$dir/sb.db" || return 1
	wait_for 10 ovn-sbctl --timeout=2 show
}

# ovn_sb_cluster_start DIR: NB (standalone) plus a 3-member RAFT cluster for
# the Southbound database (ovsdb-tool create-cluster / join-cluster), each
# member on DIR/sbN.sock, and ovn-northd connected to all of them. Exports
# OVN_NB_DB and OVN_SB_DB (the three members, comma-separated).
ovn_sb_cluster_start() {
	local dir=$1 i
	mkdir -p "$dir"
	ovsdb-tool create "$dir/nb.db" "$OVN_SCHEMA_DIR/ovn-nb.ovsschema" || return 1
	ovsdb-tool create-cluster "$dir/sb1.db" "$OVN_SCHEMA_DIR/ovn-sb.ovsschema" \
		"unix:$dir/sb1.raft" || return 1
	for i in 2 3; do
		ovsdb-tool join-cluster "$dir/sb$i.db" OVN_Southbound "unix:$dir/sb$i.raft" \
			"unix:$dir/sb1.raft" || return 1
	done
	for i in 1 2 3; do
		ovn_sb_member_start "$dir" $i || return 1
	done
	ovsdb-server --detach --no-chdir --pidfile="$dir/nb.pid" --log-file="$dir/nb.log" -vconsole:off \
		--unixctl="$dir/nb.ctl" --remote="punix:$dir/nb.sock" "$dir/nb.db" || return 1
	export OVN_NB_DB="unix:$dir/nb.sock"
	export OVN_SB_DB="unix:$dir/sb1.sock,unix:$dir/sb2.sock,unix:$dir/sb3.sock"
	ovn-northd --detach --no-chdir --pidfile="$dir/northd.pid" --log-file="$dir/northd.log" -vconsole:off \
		--unixctl="$dir/northd.ctl" --ovnnb-db="$OVN_NB_DB" --ovnsb-db="$OVN_SB_DB" || return 1
	for i in 1 2 3; do
		wait_for 20 ovn_sb_member_connected "$dir" $i || return 1
	done
	wait_for 10 ovn-sbctl --timeout=2 show || return 1
}

# ovn_sb_member_start DIR N: (re)start cluster member N on DIR/sbN.sock.
ovn_sb_member_start() {
	ovsdb-server --detach --no-chdir --pidfile="$1/sb$2.pid" --log-file="$1/sb$2.log" \
		-vconsole:off --unixctl="$1/sb$2.ctl" --remote="punix:$1/sb$2.sock" "$1/sb$2.db"
}

# ovn_sb_member_connected DIR N: member N is part of its cluster.
ovn_sb_member_connected() {
	ovs-appctl -t "$1/sb$2.ctl" cluster/status OVN_Southbound 2>/dev/null |
		grep -q '^Status: cluster member'
}

# ovn_sb_leader DIR: print N of the member that is leader now.
ovn_sb_leader() {
	local i
	for i in 1 2 3; do
		if ovs-appctl -t "$1/sb$i.ctl" cluster/status OVN_Southbound 2>/dev/null |
			grep -q '^Role: leader'; then
			echo "$i"
			return 0
		fi
	done
	return 1
}

# ovn_sb_cluster_stop DIR: stop what ovn_sb_cluster_start started.
ovn_sb_cluster_stop() {
	stop_pidfiles "$1" northd sb1 sb2 sb3 nb
}
