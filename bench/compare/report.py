#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Summarise bench/compare.sh's runs: JSON, a Markdown table, the aims.

usage: report.py RUNS.jsonl OUT.json --command CMD --cpu N --seconds S
                 --reps N --smoke true|false

Each line of RUNS.jsonl is one run of one switch (testpmd, ferry, ovs) on
one scenario, flow count and frame size: its numbers, or "failed" (it did
not forward, the reason given) or "skipped" (it cannot run that case).
Exit status: 1 if any run failed, else 0.
"""
import argparse
import json
import platform
import statistics
import subprocess
import sys

SWITCHES = ("testpmd", "ferry", "ovs")
NAMES = {"testpmd": "testpmd io", "ferry": "ferry", "ovs": "OVS-DPDK"}


def sh(*c):
    try:
        return subprocess.run(c, capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def machine():
    cpuinfo = open("/proc/cpuinfo").read()
    model = next((l.split(":", 1)[1].strip() for l in cpuinfo.splitlines()
                  if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    return {"cpu": model, "cpus": cpuinfo.count("processor\t:"), "memory_gib": round(mem / 2**20, 1),
            "kernel": platform.release(), "dpdk": sh("pkg-config", "--modversion", "libdpdk"),
            "ovs": sh("ovs-vswitchd", "--version").split("\n")[0].split()[-1:],
            "ovn": sh("ovn-controller", "--version").split("\n")[0].split()[-1:]}


def mmm(xs):
    xs = sorted(xs)
    return {"min": xs[0], "median": statistics.median(xs), "max": xs[-1]}


CP_KEYS = ("ready_ms", "ports_up_ms", "nb_cfg_ms", "rss_mb", "rss_less_pool_mb", "pool_mb",
           "ovn_controller_rss_mb", "ovs_vswitchd_rss_mb", "acl_ms", "acl_northd_ms")


def summarise_control(runs):
    """Scenario 7: per size (logical flows) and side, min / median / max."""
    rows = []
    for flows in sorted({r["flows"] for r in runs}):
        row = {"lflows": flows}
        for sw in ("ferry", "ovs"):
            rs = [r for r in runs if r["flows"] == flows and r["switch"] == sw]
            if not rs:
                continue
            bad = sorted({r["failed"] for r in rs if "failed" in r})
            if bad:
                row[sw] = {"runs": len(rs), "failed": bad}
                continue
            cell = {"runs": len(rs), "ports": rs[0].get("ports"),
                    "hugepages": sorted({r.get("hugepages") for r in rs}, key=str),
                    "load": [r["load"].split()[0] for r in rs]}
            for k in CP_KEYS:
                if k in rs[0]:
                    cell[k] = mmm([r[k] for r in rs])
            row[sw] = cell
        rows.append(row)
    return rows


def summarise(runs):
    runs = [r for r in runs if r["scenario"] != "control"]
    order = list(dict.fromkeys(r["scenario"] for r in runs))
    hz = next((r["tsc_hz"] for r in runs if r.get("tsc_hz")), None)
    keys = sorted({(r["scenario"], r["flows"], r["size"]) for r in runs},
                  key=lambda k: (order.index(k[0]), k[1], k[2]))
    rows = []
    for scen, flows, size in keys:
        title = next(r.get("title", scen) for r in runs if r["scenario"] == scen)
        row = {"scenario": scen, "title": title, "flows": flows, "size": size}
        for sw in SWITCHES:
            rs = [r for r in runs if (r["scenario"], r["flows"], r["size"], r["switch"]) ==
                  (scen, flows, size, sw)]
            if not rs:
                continue
            cell = {"runs": len(rs)}
            for r in rs:
                if not {"failed", "skipped", "mpps"} & r.keys():
                    r["failed"] = "no measurement"
            bad = sorted({r["failed"] for r in rs if "failed" in r})
            skipped = sorted({r["skipped"] for r in rs if "skipped" in r})
            if bad:
                cell["failed"] = bad
            elif skipped:
                cell["skipped"] = skipped
            else:
                cell["mpps"] = mmm([r["mpps"] for r in rs])
                if sw == "testpmd" and hz:
                    # Its one core is always busy: cycles are TSC over rate.
                    cell["cycles_per_packet"] = mmm([hz / (r["mpps"] * 1e6) for r in rs])
                elif "cycles_per_packet" in rs[0]:
                    cell["cycles_per_packet"] = mmm([r["cycles_per_packet"] for r in rs])
                cell["hugepages"] = sorted({r.get("hugepages") for r in rs}, key=str)
                cell["load"] = [r["load"].split()[0] for r in rs]
            row[sw] = cell
        f, o = row.get("ferry", {}), row.get("ovs", {})
        if "mpps" in f and "mpps" in o:
            row["ferry_over_ovs"] = f["mpps"]["median"] / o["mpps"]["median"]
        rows.append(row)
    return rows


def aims(rows):
    """Issue 9's aims, measured (never asserted in tests)."""
    out = []
    get = {(r["scenario"], r["flows"], r["size"]): r for r in rows}
    for (scen, flows, size), r in get.items():
        if (flows, size) == (1, 64) and "ferry_over_ovs" in r:
            x = r["ferry_over_ovs"]
            out.append(f"{r['title']}, one flow: ferry {x:.2f}x OVS-DPDK (aim 1.5x): "
                       f"{'met' if x >= 1.5 else 'missed'}")
    c1 = get.get(("switch", 1, 64), {}).get("ferry", {}).get("cycles_per_packet")
    if c1:
        out.append(f"scenario 1, one flow: ferry {c1['median']:.0f} cycles/packet (aim 130 or fewer): "
                   f"{'met' if c1['median'] <= 130 else 'missed'}")
    for scen in ("switch", "router"):
        one = get.get((scen, 1, 64), {}).get("ferry", {}).get("cycles_per_packet")
        for (s, flows, size), r in sorted(get.items()):
            if s != scen or flows < 100000 or size != 64:
                continue
            c = r.get("ferry", {}).get("cycles_per_packet")
            if one and c:
                x = c["median"] / one["median"]
                out.append(f"{r['title']}, {flows:,} flows: {x:.2f}x ferry's one-flow cost "
                           f"(aim 1.3x or less): {'met' if x <= 1.3 else 'missed'}")
            if "ferry_over_ovs" in r:
                x = r["ferry_over_ovs"]
                out.append(f"{r['title']}, {flows:,} flows: ferry {x:.2f}x OVS-DPDK (aim 2x): "
                           f"{'met' if x >= 2 else 'missed'}")
    # Issue 10: an established flow against the stateless switch, and
    # both stateful cases against OVS-DPDK.
    sw1 = get.get(("switch", 1, 64), {}).get("ferry", {}).get("cycles_per_packet")
    est1 = get.get(("acl-est", 1, 64), {}).get("ferry", {}).get("cycles_per_packet")
    if sw1 and est1:
        d = est1["median"] - sw1["median"]
        out.append(f"one established flow: ferry {d:+.0f} cycles/packet over scenario 1 "
                   f"(aim +100 or less): {'met' if d <= 100 else 'missed'}")
    for (s, flows, size), r in sorted(get.items()):
        if "ferry_over_ovs" not in r or size != 64:
            continue
        x = r["ferry_over_ovs"]
        if s == "acl-est" and flows >= 100000:
            out.append(f"{flows:,} established flows: ferry {x:.2f}x OVS-DPDK (aim 2x): "
                       f"{'met' if x >= 2 else 'missed'}")
        if s == "acl-new":
            out.append(f"new connections per second, one core: ferry {x:.2f}x OVS-DPDK (aim 3x): "
                       f"{'met' if x >= 3 else 'missed'}")
    return out


def aims_control(cp):
    out = []
    for row in cp:
        f, o = row.get("ferry", {}), row.get("ovs", {})
        if not 10000 <= row["lflows"] <= 30000:
            continue
        if "ready_ms" in f:
            out.append(f"control plane, {row['lflows']:,} logical flows: ferryd ready in "
                       f"{f['ready_ms']['median']:.0f} ms (aim 500 or less): "
                       f"{'met' if f['ready_ms']['median'] <= 500 else 'missed'}")
        if "rss_less_pool_mb" in f and "ovn_controller_rss_mb" in o:
            a, b = f["rss_less_pool_mb"]["median"], o["ovn_controller_rss_mb"]["median"]
            out.append(f"control plane, {row['lflows']:,} logical flows: ferryd {a:.0f} MiB apart "
                       f"from its packet buffers, ovn-controller alone {b:.0f} MiB (aim: below): "
                       f"{'met' if a < b else 'missed'}")
    return out


def print_control(cp):
    print("Control plane (scenario 7), min / median / max:")
    print("| logical flows | bound ports | ferryd ready ms | OVS ready ms | ferryd RSS MiB "
          "(less packet buffers) | ovn-controller RSS MiB | ovs-vswitchd RSS MiB "
          "| one ACL, ferryd ms | one ACL, OVS ms | of which northd, ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in cp:
        f, o = row.get("ferry", {}), row.get("ovs", {})
        ports = f.get("ports") or o.get("ports") or ""
        print(f"| {row['lflows']:,} | {ports} | {fmt(f, 'ready_ms', 0)} | {fmt(o, 'ready_ms', 0)} "
              f"| {fmt(f, 'rss_mb', 0)} ({fmt(f, 'rss_less_pool_mb', 0)}) "
              f"| {fmt(o, 'ovn_controller_rss_mb', 0)} | {fmt(o, 'ovs_vswitchd_rss_mb', 0)} "
              f"| {fmt(f, 'acl_ms', 0)} | {fmt(o, 'acl_ms', 0)} "
              f"| {fmt(f, 'acl_northd_ms', 0)}; {fmt(o, 'acl_northd_ms', 0)} |")


def fmt(cell, key, digits):
    if not cell:
        return ""
    if "failed" in cell:
        return "FAILED: " + "; ".join(cell["failed"])
    if "skipped" in cell:
        return "not run"
    v = cell.get(key)
    if not v:
        return ""
    return f"{v['min']:.{digits}f} / {v['median']:.{digits}f} / {v['max']:.{digits}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("out")
    ap.add_argument("--command", default="")
    ap.add_argument("--cpu", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=0)
    ap.add_argument("--reps", type=int, default=0)
    ap.add_argument("--smoke", default="false")
    a = ap.parse_args()
    runs = [json.loads(l) for l in open(a.runs) if l.strip()]
    rows = summarise(runs)
    cp = summarise_control([r for r in runs if r["scenario"] == "control"])
    commit = sh("git", "rev-parse", "--short=12", "HEAD")
    if sh("git", "status", "--porcelain", "--untracked-files=no"):
        commit += "-dirty"
    doc = {"command": a.command, "commit": commit, "machine": machine(), "forwarding_cpu": a.cpu,
           "seconds": a.seconds, "repetitions": a.reps, "smoke": a.smoke == "true",
           "summary": rows, "control": cp, "aims": aims(rows) + aims_control(cp), "runs": runs}
    json.dump(doc, open(a.out, "w"), indent=1)

    m = doc["machine"]
    print(f"commit {commit}; {m['cpu']}, {m['cpus']} CPUs, {m['memory_gib']} GiB; DPDK {m['dpdk']},"
          f" OVS {' '.join(m['ovs'])}, OVN {' '.join(m['ovn'])}; forwarding core CPU {a.cpu};"
          f" {a.seconds:g}s x {a.reps}")
    huge = sorted({str(r.get("hugepages")) for r in runs if "hugepages" in r})
    print(f"hugepages: {', '.join(huge) or 'n/a'}; load before each run: "
          f"{min(float(r['load'].split()[0]) for r in runs):.2f} to "
          f"{max(float(r['load'].split()[0]) for r in runs):.2f}")
    if rows:
        print_table(rows)
    if cp:
        print_control(cp)
    skipped = sorted({r["skipped"] for r in runs if "skipped" in r})
    for s in skipped:
        print(f"not run: {s}")
    if doc["aims"] and a.smoke != "true":
        print("Aims (medians):")
        for line in doc["aims"]:
            print(f"- {line}")
    print(f"JSON: {a.out}")
    bad = [r for r in runs if "failed" in r]
    for r in bad:
        print(f"FAILED: {r['switch']} {r['scenario']} {r['flows']} flows {r['size']}B: {r['failed']}",
              file=sys.stderr)
    return 1 if bad else 0


def print_table(rows):
    print("Mpps and cycles/packet: min / median / max")
    print("| scenario | flows | frame | testpmd Mpps | ferry Mpps | OVS-DPDK Mpps | ferry / OVS "
          "| ferry cycles/pkt | OVS cycles/pkt |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        ratio = f"{r['ferry_over_ovs']:.2f}x" if "ferry_over_ovs" in r else ""
        print(f"| {r['title']} | {r['flows']:,} | {r['size']} "
              f"| {fmt(r.get('testpmd'), 'mpps', 2)} | {fmt(r.get('ferry'), 'mpps', 2)} "
              f"| {fmt(r.get('ovs'), 'mpps', 2)} | {ratio} "
              f"| {fmt(r.get('ferry'), 'cycles_per_packet', 0)} "
              f"| {fmt(r.get('ovs'), 'cycles_per_packet', 0)} |")
    if any(r["scenario"] == "acl-new" for r in rows):
        print("acl-new (new TCP connections): Mpps is millions of connections a second that one "
              "core sustains (TSC rate over its cycles per SYN), the cycles those of one SYN")


if __name__ == "__main__":
    sys.exit(main())
