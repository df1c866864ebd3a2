# SPDX-License-Identifier: Apache-2.0
# Sourced by bench/compare.sh: a finite pcap fed once into a switch, when
# the harness says so (scenario acl-new: every frame a new connection).
#
# net_pcap replays from the moment a switch polls the port, which is
# before the switch has its pipeline: a finite pcap would be gone by then.
# So the switch's source is a memif port instead (the client), and
# dpdk-testpmd on the other CPUs is the memif server: interactive, its
# commands on a FIFO, its io forwarding from a net_pcap port (rx_pcap,
# read once; --no-flush-rx, or testpmd would drain it at "start") to
# the memif port, retrying a full ring rather than dropping; not waiting
# at start-up for the memif link (the switch connects later). The socket
# is a file (socket-abstract=no): OVS runs in a network namespace of its
# own, and abstract sockets belong to one.
#
#   feed_start PCAP         testpmd up, the memif socket listening;
#                           FEED_DEVARGS is the switch's port
#   feed_go                 start forwarding: the pcap, once
#   feed_sent               frames testpmd handed to the memif port
#   feed_stop

FEED_PID=
FEED_DEVARGS=

feed_start() {
	local o=$DIR/feed
	rm -rf "$o" && mkdir -p "$o" && mkfifo "$o/cmd" || return 1
	# Two queues each way: OVS's client asks for a ring per transmit
	# queue (one per PMD and one more), and memif's server refuses a ring
	# it has no queue for. testpmd gives every port as many queues, so the
	# net_pcap port gets a second, empty pcap.
	python3 bench/gen_pcap.py "$o/empty.pcap" --flows 0 || return 1
	FEED_DEVARGS="net_memif0,role=client,socket=$o/memif.sock,socket-abstract=no"
	# Forwarding waits on the FIFO: fd 7 holds it open between commands.
	stdbuf -oL dpdk-testpmd --no-huge -m 512 --no-shconf --iova-mode=va --no-pci --file-prefix ferry-feed-$$ \
		--lcores "0@($(cpu_list_other)),1@($(cpu_list_other))" --log-level='*:error' \
		--vdev "net_pcap0,rx_pcap=$1,rx_pcap=$o/empty.pcap" --vdev "net_memif0,role=server,socket=$o/memif.sock,socket-abstract=no" \
		-- -i --forward-mode=io --no-flush-rx --disable-link-check --nb-cores=1 --rxq=2 --txq=2 --burst=32 \
		--total-num-mbufs=16383 <"$o/cmd" >"$o/testpmd.log" 2>&1 &
	FEED_PID=$!
	exec 7>"$o/cmd"
	# A ring full for as long as the switch takes to drain it: wait, 10 us
	# at a time, up to a second a burst (a switch's core shared with other
	# work may stall that long), rather than drop a SYN.
	echo "set fwd io retry" >&7
	echo "set burst tx delay 10 retry 100000" >&7
	# memif's server takes a client once its port has started, not when
	# the socket appears: testpmd then names the port (line-buffered).
	wait_for 20 grep -q "^Port 1: " "$o/testpmd.log"
}
feed_go() { echo start >&7; }
feed_sent() {
	echo "show port stats 1" >&7
	sleep 0.5
	awk '/NIC statistics for port 1/ { on = 1 } on && /TX-packets:/ { t = $2; on = 0 } END { print t + 0 }' \
		"$DIR/feed/testpmd.log"
}
feed_stop() {
	[ -n "$FEED_PID" ] || return 0
	echo quit >&7 2>/dev/null
	exec 7>&-
	# testpmd quits on "quit" or at the end of its input; then be sure.
	wait_for 5 sh -c "! kill -0 $FEED_PID 2>/dev/null" || kill -TERM "$FEED_PID" 2>/dev/null
	wait "$FEED_PID" 2>/dev/null || true
	FEED_PID=
}
