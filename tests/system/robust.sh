#!/usr/bin/env bash
# Proves: ferryd built with ASan/UBSan forwards, survives malformed control
# requests and bad commands, and on SIGTERM exits 0 with no leak and no
# memory error; bad configuration and arguments are refused with a message
# naming file, line and key; ferryctl explains when ferryd is not there.
. "$(dirname "$0")/../lib/ferry.sh"
need_root
FERRYD=$FERRYD_ASAN
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Configuration and arguments first: no DPDK needed to refuse them.
printf '[dataplane]\nburst = 8\n\n[chassis]\novn-encap-ips = 1.2.3.4\n' >"$T_DIR/bad.conf"
out=$("$FERRYD" -c "$T_DIR/bad.conf" --check-config 2>&1); rc=$?
check_eq "bad key: exit status 2" 2 "$rc"
check "bad key: file, line and key named" grep -qF "$T_DIR/bad.conf:5: unknown key 'ovn-encap-ips' in [chassis]" <<<"$out"
out=$("$FERRYD" --burst 0 --check-config 2>&1); rc=$?
check_eq "bad value on the command line: exit 2" 2 "$rc"
check "bad value: named" grep -qF "'burst' must be an integer from 1 to 256, not '0'" <<<"$out"
out=$("$FERRYD" --no-such-option 2>&1); rc=$?
check_eq "unknown option: exit 2" 2 "$rc"
out=$("$FERRYD" -c "$T_DIR/missing.conf" 2>&1); rc=$?
check "missing file: named" grep -qF "$T_DIR/missing.conf: cannot open" <<<"$out"
check "good configuration passes --check-config" "$FERRYD" --set port.x.devargs=net_null0 --check-config
out=$("$FERRYCTL" -s "$T_DIR/nobody.sock" show 2>&1); rc=$?
check_eq "ferryctl without ferryd: exit 3" 3 "$rc"
check "ferryctl says so" grep -q "is ferryd running?" <<<"$out"

instance a 10.78.0.1/24
instance b 10.78.0.2/24
check "ferryd-asan starts" ferryd_start \
	--set "port.a.devargs=net_af_packet0,iface=$(if_of a)" --set port.a.peer=b \
	--set "port.b.devargs=net_af_packet1,iface=$(if_of b)" --set port.b.peer=a \
	--xc-parse true
check "ping through ferryd-asan (parsing every packet)" on a ping -c 5 -i 0.05 -W 2 10.78.0.2

# Malformed control traffic: none of it may hurt the daemon.
python3 - "$FERRY_SOCK" <<'PY'
import socket, sys
def send(data, read=True):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(data)
    if read:
        s.settimeout(5); s.recv(65536)
    s.close()
for bad in [b"not json\n", b"[1,2]\n", b'{"argv": []}\n', b'{"argv": [1]}\n',
            b'{"argv": "port"}\n', b'{"argv": ["port","add"]}\n', b'\xff\xfe\n',
            b'{"argv": ["' + b"a" * 10000 + b'"]}\n',
            # a message cut to its buffer mid-character:
            ('{"argv": ["a' + "\u00e9" * 600 + '"]}\n').encode()]:
    send(bad)
send(b"x" * 200000, read=False)       # no newline, over the line limit
send(b'{"argv": ["show"]', read=False) # cut short, then closed
PY
check "ferryd still answers" fctl show
# six malformed objects, and the line that never ended
check_eq "malformed requests counted" 7 "$(fctl --json show | json "j['ctl_bad_requests']")"
check "sb verbs say the agent is off without ovn-remote" bash -c \
	"'$FERRYCTL' -s '$FERRY_SOCK' sb status 2>&1 | grep -q 'Southbound agent is off'"
check "a log spec with a bad item changes nothing" bash -c \
	"! '$FERRYCTL' -s '$FERRY_SOCK' log set 'ferry.ctl:debug,bogus' &&
	 '$FERRYCTL' -s '$FERRY_SOCK' --json log list | grep -q '\"ferry.ctl\": \"info\"'"
out=$("$FERRYCTL" -s "$FERRY_SOCK" counters $'\xff' 2>&1); rc=$?
check_eq "ferryctl refuses a non-UTF-8 word: exit 2" 2 "$rc"
# A device that probes but is no ethernet port, twice: the first failure
# must not leave the device behind to make the second one "exists".
for try in 1 2; do
	out=$("$FERRYCTL" -s "$FERRY_SOCK" port add cz crypto_null0 2>&1)
	check "non-ethernet device refused (try $try)" grep -q "no ethernet port found" <<<"$out"
done
# Requests sent without ever reading the replies: ferryd stops reading that
# client once a megabyte of replies waits, and serves everyone else.
python3 - "$FERRY_SOCK" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.setblocking(False)
req = b'{"argv": ["drops", "--all"]}\n' * 1000
sent, end = 0, time.time() + 5
while time.time() < end and sent < 20_000_000:
    try:
        sent += s.send(req)
    except BlockingIOError:
        time.sleep(0.01)
time.sleep(3)
PY
hog=$!
check "ferryd answers others while a client does not read" wait_for 10 fctl show
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$FERRYD_PID/status")
check "ferryd's memory stays bounded (${rss_kb} KiB)" test "$rss_kb" -lt 1500000
wait $hog
check "unknown command refused" bash -c "! '$FERRYCTL' -s '$FERRY_SOCK' frobnicate"
check "wrong argument count refused" bash -c "! '$FERRYCTL' -s '$FERRY_SOCK' port del"
check "bad port key refused" bash -c "! '$FERRYCTL' -s '$FERRY_SOCK' port add z net_null9 colour=red"
check "bad log level refused" bash -c "! '$FERRYCTL' -s '$FERRY_SOCK' log set ferry.port loud"
check "log level set" fctl log set ferry.port debug
check_eq "log level shown" debug "$(fctl --json log list | json "j['ferry.port']")"
check "port add null" fctl port add n net_null0,no-rx=1
check "port del null" fctl port del n
check "port del a" fctl port del a
check "port add a" fctl port add a "net_af_packet0,iface=$(if_of a)" peer=b
check "ping again" on a ping -c 3 -i 0.05 -W 2 10.78.0.2
check "SIGTERM: exit 0, no leak, no sanitizer error" ferryd_stop
check "no sanitizer report" bash -c "! grep -E 'AddressSanitizer|LeakSanitizer|runtime error' '$T_DIR/ferryd.log'"
t_done
