#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compare `ferryctl --json trace' with `ovn-trace --detailed' (an oracle no
one here wrote) for one microflow: the logical tables each visits, as
(datapath, pipeline, table, logical flow UUID prefix), and where the packet
is delivered. ovn-trace leaves out flows whose match is "1" and whose only
action is "next;", so those are left out of ferry's list too. Multicast
copies may come in another order, so the lists compare as multisets.
Two flows of one table with the same priority that both match are a tie
OVN leaves undefined (OpenFlow picks either): a stage where the two
chose different flows of the same priority still agrees.

usage: oracle.py SB_DB FERRYCTL SOCK DATAPATH MICROFLOW
exit 0 when they agree; prints both lists otherwise."""
import json
import re
import subprocess
import sys

db, ferryctl, sock, dp, flow = sys.argv[1:6]
run = subprocess.run(["ovn-trace", "--db=" + db, "--detailed", dp, flow],
                     capture_output=True, text=True, timeout=30)
ovn = run.stdout
if run.returncode != 0 or not ovn.strip():
    print("ovn-trace could not trace", flow, ":", run.stderr.strip())
    sys.exit(1)
fer = json.loads(subprocess.run([ferryctl, "-s", sock, "--json", "trace", flow],
                                capture_output=True, text=True, timeout=30).stdout)

want, where, want_out = [], None, set()
for line in ovn.splitlines():
    m = re.match(r'\s*(ingress|egress)\(dp="([^"]+)"', line)
    if m:
        where = (m.group(2), m.group(1))
        continue
    m = re.match(r'\s*(\d+)\. \S+ \(.*\): .*, priority (-?\d+), uuid ([0-9a-f]{8})', line)
    if m and where:
        want.append((where[0], where[1], int(m.group(1)), int(m.group(2)), m.group(3)))
    m = re.match(r'\s*/\* output to "([^"]+)", type "([^"]*)" \*/', line)
    if m and m.group(2) in ("", "localport", "virtual"):
        want_out.add(m.group(1))

got, got_out = [], set()
for s in fer["stages"]:
    if s["type"] == "table" and s.get("lflow"):
        if s["match"] == "1" and s["actions"].strip() == "next;":
            continue
        got.append((s["datapath"], s["pipeline"], s["table"], s["priority"], s["lflow"][:8]))
    elif s["type"] == "deliver":
        got_out.add(s["outport"])

def stage(t):  # where: datapath, pipeline, table, priority
    return t[:4]


# The same stages, in any order; at each, the same flow, unless both sides
# chose different flows of that stage's priority (a tie, reported).
same = sorted(map(stage, want)) == sorted(map(stage, got))
ties = sorted(set(want) - set(got))
if same and want_out == got_out:
    for t in ties:
        print(f"tie at {t[0]} {t[1]} table {t[2]} priority {t[3]}: ovn-trace took {t[4]}, "
              "ferry another flow of the same priority")
    print(f"agree: {len(got)} stages, delivered to {sorted(got_out) or 'nothing'}")
    sys.exit(0)
print("DISAGREE for", flow)
print("ovn-trace:", *want, "delivered:", sorted(want_out), sep="\n  ")
print("ferry:", *got, "delivered:", sorted(got_out), sep="\n  ")
sys.exit(1)
