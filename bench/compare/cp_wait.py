#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Wait until a chassis is ready; print the milliseconds since START_NS.

usage: cp_wait.py NB_SOCK SB_SOCK CHASSIS NB_CFG START_NS TIMEOUT_S PORT...
                  [--then CMD...]

Ready: every PORT (a logical switch port) is up in the Northbound, and
the chassis's Chassis_Private row acknowledges NB_CFG (ovn-controller
does so once its flows are installed in ovs-vswitchd). With --then, CMD
must also succeed: for ferryd, ferryctl finding the ports in its
published pipelines, so that "ready" never depends on when its
acknowledgement is sent. One connection per
database, polled every 10 ms with server-side filtered selects, so that
the polling itself costs the servers little, whatever the topology size.
"""
import json
import socket
import subprocess
import sys
import time


class Db:
    def __init__(self, path, name):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.name, self.buf, self.id = name, b"", 0

    def select(self, *ops):
        self.id += 1
        msg = {"method": "transact", "id": self.id,
               "params": [self.name] + [{"op": "select", "table": t, "where": w, "columns": c}
                                        for t, w, c in ops]}
        self.s.sendall(json.dumps(msg).encode())
        dec = json.JSONDecoder()
        while True:
            try:
                obj, end = dec.raw_decode(self.buf.decode())
            except ValueError:
                self.buf += self.s.recv(65536)
                continue
            self.buf = self.buf.decode()[end:].lstrip().encode()
            if obj.get("id") == self.id:
                return [r.get("rows", []) for r in obj["result"]]
            if obj.get("method") == "echo":
                self.s.sendall(json.dumps({"id": obj["id"], "result": obj["params"],
                                           "error": None}).encode())


def main():
    args = sys.argv[1:]
    then = []
    if "--then" in args:
        i = args.index("--then")
        args, then = args[:i], args[i + 1:]
    nb_sock, sb_sock, chassis, nb_cfg, start_ns, timeout = args[:6]
    ports = args[6:]
    nb, sb = Db(nb_sock, "OVN_Northbound"), Db(sb_sock, "OVN_Southbound")
    deadline = time.time() + float(timeout)
    nb_cfg, start_ns = int(nb_cfg), int(start_ns)
    up_ms = cfg_ms = None
    while time.time() < deadline:
        if up_ms is None:
            rows = nb.select(*[("Logical_Switch_Port", [["name", "==", p]], ["up"]) for p in ports])
            if all(r and r[0]["up"] is True for r in rows):
                up_ms = (time.time_ns() - start_ns) / 1e6
        if cfg_ms is None:
            (rows,) = sb.select(("Chassis_Private", [["name", "==", chassis]], ["nb_cfg"]))
            if rows and rows[0]["nb_cfg"] >= nb_cfg:
                cfg_ms = (time.time_ns() - start_ns) / 1e6
        if up_ms is not None and cfg_ms is not None and (
                not then or subprocess.run(then, capture_output=True).returncode == 0):
            print(f"{(time.time_ns() - start_ns) / 1e6:.0f} {up_ms:.0f} {cfg_ms:.0f}")
            return 0
        time.sleep(0.01)
    print(f"timeout: ports up {up_ms is not None}, nb_cfg {cfg_ms is not None}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
