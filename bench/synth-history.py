#!/usr/bin/env python3
"""Write a git fast-import stream of N linear commits on refs/heads/staging to stdout.

Usage: synth-history.py N [--chart-at K ...]
Each commit changes deployments/hub/config/common.yaml; commits listed with --chart-at also
change helm-chart/hub/Chart.yaml (K counts from the root, 1-based), so benchmarks can place
the chart's last change anywhere in a long history.
"""
import sys


def main():
    args = sys.argv[1:]
    n = int(args[0])
    chart_at = set()
    i = 1
    while i < len(args):
        if args[i] == "--chart-at":
            chart_at.add(int(args[i + 1]))
            i += 2
        else:
            sys.exit("synth-history.py: unknown argument " + args[i])
    out = sys.stdout.buffer
    t = 1600000000
    for k in range(1, n + 1):
        cfg = b"hub:\n  counter: %d\n" % k
        msg = b"change %d\n" % k
        out.write(b"commit refs/heads/staging\n")
        out.write(b"mark :%d\n" % k)
        out.write(b"committer Bench <bench@example.org> %d +0000\n" % (t + k))
        out.write(b"data %d\n%s" % (len(msg), msg))
        if k > 1:
            out.write(b"from :%d\n" % (k - 1))
        out.write(b"M 100644 inline deployments/hub/config/common.yaml\n")
        out.write(b"data %d\n%s" % (len(cfg), cfg))
        if k in chart_at or k == 1:
            chart = b"apiVersion: v2\nname: hub\nversion: 0.1.%d\n" % k
            out.write(b"M 100644 inline helm-chart/hub/Chart.yaml\n")
            out.write(b"data %d\n%s" % (len(chart), chart))
        out.write(b"\n")


if __name__ == "__main__":
    main()
