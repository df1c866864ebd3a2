#!/usr/bin/env bash
# Proves: every kind of port ferry documents carries traffic, checked end to
# end. af_xdp on veth; tap (its kernel side moved into an instance); a VM's
# vhost-user (a virtio-user peer driven by testpmd); a CNF's memif (testpmd
# as client); pcap in and out, byte for byte, with malformed frames dropped
# under their named reasons when parsing is on; and two workers sharing the
# queues, each transmitting on its own queue.
. "$(dirname "$0")/../lib/ferry.sh"
need_root

instance a 10.79.0.1/24
instance b 10.79.0.2/24
instance t 10.79.1.1/24
instance u 10.79.1.2/24
# The tap port's kernel side becomes instance t's second interface.
check "reserve hugepages for the DPDK peers" hugepages_for_peer

cat >"$T_DIR/in.py" <<'PY'
import struct, sys
def pkt(b):  # pcap record
    return struct.pack("<IIII", 0, 0, len(b), len(b)) + b
eth = bytes.fromhex("020000000002020000000001")
def ip4(proto, payload, ihl=5, total=None):
    total = total if total is not None else 20 + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, 0, 64, proto, 0,
                    bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return h + payload
udp = struct.pack("!HHHH", 1000, 2000, 12, 0) + b"abcd"
good = [eth + b"\x08\x00" + ip4(17, udp) + bytes(18) for _ in range(20)]
bad = [eth + b"\x08\x00" + ip4(17, udp, ihl=4),          # ip4-bad-ihl
       eth + b"\x08\x00" + ip4(17, udp, total=400),      # ip4-bad-length
       eth[:10]]                                         # eth-truncated
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for p in good + bad:
        f.write(pkt(p))
PY
python3 "$T_DIR/in.py" "$T_DIR/in.pcap"

check "ferryd starts with two workers" ferryd_start --workers 0-1 --xc-parse true \
	--set "port.a.devargs=net_af_xdp0,iface=$(if_of a)" --set port.a.peer=b \
	--set "port.b.devargs=net_af_xdp1,iface=$(if_of b)" --set port.b.peer=a
check_eq "two workers" 2 "$(fctl --json worker list | json "len(j['workers'])")"
check "af_xdp: ping a -> b" on a ping -c 3 -i 0.1 -W 2 10.79.0.2

# tap <-> af_packet
check "tap port" fctl port add tap "net_tap0,iface=f${T_ID}tap" peer=u
check "af_packet port, two queue pairs" fctl port add u "net_af_packet0,iface=$(if_of u),qpairs=2" peer=tap rxqs=2
ip link set "f${T_ID}tap" netns "$(ns_of t)"
on t ip link set eth0 down
on t ip addr add 10.79.1.1/24 dev "f${T_ID}tap"
on t ip link set "f${T_ID}tap" up
on t ethtool -K "f${T_ID}tap" tx off >/dev/null 2>&1
check "tap: ping t -> u" on t ping -c 3 -i 0.1 -W 2 10.79.1.2
# a, b, tap, u:0, u:1 spread over the two workers, least loaded first
check_eq "queues spread over the workers" "3 2" \
	"$(fctl --json worker list | json "' '.join(str(len(w['rx_queues'])) for w in j['workers'])")"

# A VM: ferry is the vhost-user server, testpmd's virtio-user the guest.
check "vhost-user port" fctl port add vm "net_vhost0,iface=$T_DIR/vm.sock" peer=sink
check "sink port" fctl port add sink net_null0,no-rx=1
testpmd_peer vm "net_virtio_user0,path=$T_DIR/vm.sock,queues=1" txonly
check "vhost-user: link up when the guest starts" wait_for 20 bash -c \
	"'$FERRYCTL' -s '$FERRY_SOCK' --json port list | grep -q '\"name\": \"vm\".*\"link_up\": true' ||
	 '$FERRYCTL' -s '$FERRY_SOCK' --json port list | python3 -c 'import json,sys; sys.exit(0 if [p for p in json.load(sys.stdin) if p[\"name\"]==\"vm\" and p[\"link_up\"]] else 1)'"
check "vhost-user: guest's packets arrive and go to the sink" wait_for 20 bash -c \
	"test \$('$FERRYCTL' -s '$FERRY_SOCK' --json counters sink | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"ports\"][\"sink\"][\"tx_packets\"])') -gt 1000"

# A CNF: ferry is the memif server, testpmd the client.
check "memif port" fctl port add cnf "net_memif0,role=server,socket=$T_DIR/memif.sock,id=0" peer=sink2 txqs=1
check "second sink" fctl port add sink2 net_null1,no-rx=1
testpmd_peer cnf "net_memif0,role=client,socket=$T_DIR/memif.sock,id=0" txonly
check "memif: CNF's packets arrive and go to the sink" wait_for 20 bash -c \
	"test \$('$FERRYCTL' -s '$FERRY_SOCK' --json counters sink2 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"ports\"][\"sink2\"][\"tx_packets\"])') -gt 1000"

# A VM whose QEMU owns the socket: ferry is the vhost-user client, and
# reconnects when the guest side goes away and comes back.
sink_tx() { "$FERRYCTL" -s "$FERRY_SOCK" --json counters "$1" |
	python3 -c "import json,sys; print(json.load(sys.stdin)['ports']['$1']['tx_packets'])"; }
export -f sink_tx
export FERRYCTL FERRY_SOCK
kill -INT "$TESTPMD_PID"  # the memif CNF has shown what it had to; free the CPU
testpmd_peer vmc "net_virtio_user1,path=$T_DIR/vmc.sock,server=1,queues=1" txonly
check "vhost-user client: the guest's socket appears" wait_for 20 test -S "$T_DIR/vmc.sock"
check "vhost-user client port" fctl port add vmc "net_vhost1,iface=$T_DIR/vmc.sock,client=1" peer=sink3
check "third sink" fctl port add sink3 net_null2,no-rx=1
check "vhost-user client: packets arrive" wait_for 20 bash -c "test \$(sink_tx sink3) -gt 1000"
kill -INT "$TESTPMD_PID"
wait "$TESTPMD_PID" 2>/dev/null
before=$(sink_tx sink3)
testpmd_peer vmc2 "net_virtio_user1,path=$T_DIR/vmc.sock,server=1,queues=1" txonly
check "vhost-user client: reconnects to a restarted guest" wait_for 30 bash -c \
	"test \$(sink_tx sink3) -gt $((before + 1000))"
kill -INT "$TESTPMD_PID"

# pcap in -> pcap out: good frames byte for byte, bad ones dropped by reason.
check "pcap out port" fctl port add pout "net_pcap1,tx_pcap=$T_DIR/out.pcap"
check "pcap in port" fctl port add pin "net_pcap0,rx_pcap=$T_DIR/in.pcap" peer=pout
check "all 23 frames read" wait_for 10 bash -c \
	"test \$('$FERRYCTL' -s '$FERRY_SOCK' --json counters pin | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"ports\"][\"pin\"][\"rx_packets\"])') -eq 23"
drops=$(fctl --json counters pin | json "' '.join(f'{k}={v}' for k, v in sorted(j['ports']['pin']['drops'].items()))")
check_eq "malformed frames dropped by reason" "eth-truncated=1 ip4-bad-ihl=1 ip4-bad-length=1" "$drops"
check "pcap out closed (flushed)" fctl port del pout
check "20 good frames out, byte for byte" python3 - "$T_DIR/in.pcap" "$T_DIR/out.pcap" <<'PY'
import struct, sys
def frames(path):
    d = open(path, "rb").read()[24:]
    out = []
    while d:
        _, _, cap, _ = struct.unpack("<IIII", d[:16])
        out.append(d[16:16 + cap]); d = d[16 + cap:]
    return out
i, o = frames(sys.argv[1]), frames(sys.argv[2])
sys.exit(0 if o == i[:20] else 1)
PY
check "global drop list names them" bash -c "'$FERRYCTL' -s '$FERRY_SOCK' drops | grep -q ip4-bad-ihl"

check "SIGTERM exits 0 with every kind of port open" ferryd_stop
t_done
