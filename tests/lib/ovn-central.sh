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

OVN_SCHEMA_DIR=${OVN_SCHEMA_DIR:-/usr/share/ovn}

wait_for() {
	local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 ))
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

ovn_central_stop() {
	local dir=$1 p pids=()
	for p in northd sb nb; do
		[ -f "$dir/$p.pid" ] && pids+=("$(cat "$dir/$p.pid")")
	done
	[ ${#pids[@]} -eq 0 ] && return 0
	kill "${pids[@]}" 2>/dev/null
	for p in "${pids[@]}"; do
		wait_for 5 bash -c "! kill -0 $p"
	done
	return 0
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
