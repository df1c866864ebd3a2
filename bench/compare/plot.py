#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Plot bench/compare.sh's JSON: three PNGs beside it (or in OUTDIR).

usage: plot.py RESULT.json [OUTDIR]

  compare-mpps.png     Mpps per data-plane case, testpmd / ferry / OVS-DPDK
                       side by side (median; the bar's whisker spans min
                       to max)
  compare-cycles.png   cycles per packet against the number of distinct
                       5-tuples (scenarios 1 and 2, 64-byte frames)
  compare-control.png  scenario 7: start to ready and resident memory
                       against the number of logical flows

Needs matplotlib (python3-matplotlib); the PNGs are build outputs, never
committed.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLOURS = {"testpmd": "#bbbbbb", "ferry": "#1f77b4", "ovs": "#d62728"}
NAMES = {"testpmd": "testpmd io (ceiling)", "ferry": "ferry", "ovs": "OVS-DPDK + ovn-controller"}


def err(cell, key):
    v = cell[key]
    return v["median"], [[v["median"] - v["min"]], [v["max"] - v["median"]]]


def plot_mpps(doc, path):
    rows = doc["summary"]
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(max(8, 1.1 * len(rows)), 5))
    width = 0.27
    for i, sw in enumerate(("testpmd", "ferry", "ovs")):
        for x, r in enumerate(rows):
            c = r.get(sw)
            if not c or "mpps" not in c:
                continue
            m, e = err(c, "mpps")
            ax.bar(x + (i - 1) * width, m, width, yerr=e, color=COLOURS[sw],
                   label=NAMES[sw] if x == next(k for k, q in enumerate(rows) if "mpps" in q.get(sw, {}))
                   else None, capsize=2)
    ax.set_xticks(range(len(rows)))
    ax.set_xticklabels([f"{r['title'].split(' ', 1)[1]}\n{r['flows']:,} flows, {r['size']} B" for r in rows],
                       rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("Mpps (sink tx)")
    ax.set_title(f"ferry against OVS-DPDK, one core ({doc['commit']})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_cycles(doc, path):
    fig, ax = plt.subplots(figsize=(7, 5))
    any_line = False
    for scen, style in (("switch", "-"), ("router", "--")):
        for sw in ("ferry", "ovs"):
            pts = sorted((r["flows"], r[sw]["cycles_per_packet"]["median"])
                         for r in doc["summary"]
                         if r["scenario"] == scen and r["size"] == 64
                         and "cycles_per_packet" in r.get(sw, {}))
            if pts:
                title = next(r["title"] for r in doc["summary"] if r["scenario"] == scen)
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style, marker="o",
                        color=COLOURS[sw], label=f"{NAMES[sw]}: {title.split(' ', 1)[1]}")
                any_line = True
    if not any_line:
        plt.close(fig)
        return
    ax.set_xscale("log")
    ax.set_xlabel("distinct 5-tuples")
    ax.set_ylabel("cycles per packet (median)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.set_title("cost against the number of flows, 64-byte frames")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_control(doc, path):
    cp = doc.get("control") or []
    if not cp:
        return
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.5))
    series = (("ferry", "ready_ms", a1, "ferryd"), ("ovs", "ready_ms", a1, "ovs-vswitchd + ovn-controller"),
              ("ferry", "rss_mb", a2, "ferryd"),
              ("ferry", "rss_less_pool_mb", a2, "ferryd less packet buffers"),
              ("ovs", "ovn_controller_rss_mb", a2, "ovn-controller"),
              ("ovs", "rss_mb", a2, "ovn-controller + ovs-vswitchd"))
    for sw, key, ax, label in series:
        pts = [(r["lflows"], r[sw][key]["median"]) for r in cp if key in r.get(sw, {})]
        if pts:
            style = ":" if "less" in label or label == "ovn-controller" else "-"
            ax.plot([p[0] for p in pts], [p[1] for p in pts], style, marker="o", color=COLOURS[sw],
                    label=label)
    a1.set_ylabel("process start to ready, ms (median)")
    a2.set_ylabel("resident memory once ready, MiB (median)")
    for ax in (a1, a2):
        ax.set_xscale("log")
        ax.set_xlabel("logical flows")
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8)
    fig.suptitle("control plane against topology size")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    doc = json.load(open(sys.argv[1]))
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(sys.argv[1]))
    os.makedirs(out, exist_ok=True)
    for name, fn in (("compare-mpps.png", plot_mpps), ("compare-cycles.png", plot_cycles),
                     ("compare-control.png", plot_control)):
        path = os.path.join(out, name)
        if os.path.exists(path):
            os.remove(path)
        fn(doc, path)
        if os.path.exists(path):
            print(f"plot: {path}")


if __name__ == "__main__":
    main()
