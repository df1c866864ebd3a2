#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Build the control-plane topology with ovn-nbctl, in batches.

usage: cp_topo.py SWITCHES [PORTS_PER_SWITCH]

One router r0; SWITCHES switches s1..sN, each attached to r0, each with
PORTS_PER_SWITCH (default 50) ports lpN with an address, port security
and DHCPv4 options (one DHCP_Options row per switch); one port group pg0
of the first 20 ports with two ACLs. Every switch hangs off r0, so one
port bound on a chassis makes every datapath local to it. ovn-nbctl gets
each batch of 10 switches as one transaction (argument lists, no shell).
"""
import subprocess
import sys


def nbctl(args):
    # Its warnings about long poll intervals on a large database are noise;
    # its errors are shown.
    r = subprocess.run(["ovn-nbctl", "--timeout=600"] + args, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode:
        sys.exit(f"ovn-nbctl failed: {r.stderr.strip()}")


def main():
    switches = int(sys.argv[1])
    per = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    nbctl(["lr-add", "r0"])
    for first in range(1, switches + 1, 10):
        a = []
        for s in range(first, min(first + 10, switches + 1)):
            net = f"10.{s // 256}.{s % 256}"
            rmac = f"00:00:01:00:{s // 256:02x}:{s % 256:02x}"
            a += ["--", "ls-add", f"s{s}",
                  "--", "lrp-add", "r0", f"r0-s{s}", rmac, f"{net}.254/24",
                  "--", "lsp-add", f"s{s}", f"s{s}-r0", "--", "lsp-set-type", f"s{s}-r0", "router",
                  "--", "lsp-set-addresses", f"s{s}-r0", "router",
                  "--", "lsp-set-options", f"s{s}-r0", f"router-port=r0-s{s}",
                  "--", f"--id=@d{s}", "create", "DHCP_Options", f"cidr={net}.0/24",
                  f'options="lease_time"="3600" "router"="{net}.254" "server_id"="{net}.254" '
                  f'"server_mac"="{rmac}"']
            for p in range(1, per + 1):
                n = (s - 1) * per + p
                mac = f"00:00:02:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}"
                addr = f"{mac} {net}.{p}"
                a += ["--", "lsp-add", f"s{s}", f"lp{n}",
                      "--", "lsp-set-addresses", f"lp{n}", addr,
                      "--", "lsp-set-port-security", f"lp{n}", addr,
                      "--", "set", "Logical_Switch_Port", f"lp{n}", f"dhcpv4_options=@d{s}"]
        nbctl(a[1:])
    group = [f"lp{n}" for n in range(1, min(20, switches * per) + 1)]
    nbctl(["pg-add", "pg0"] + group +
          ["--", "acl-add", "pg0", "to-lport", "1000", "outport == @pg0 && ip4 && tcp.dst == 22",
           "allow-related",
           "--", "acl-add", "pg0", "to-lport", "900", "outport == @pg0 && ip4", "drop"])


if __name__ == "__main__":
    main()
