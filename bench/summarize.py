#!/usr/bin/env python3
"""Prints a human summary of a JMH JSON result of Mycelium's suite, with agent/anchor ratios.

Usage: summarize.py results.json [jmh.log]
"""
import json
import sys

PREFIX = "io.mycelium.bench."


def short(name):
    return name[len(PREFIX):] if name.startswith(PREFIX) else name


def load(path):
    with open(path) as f:
        runs = json.load(f)
    return {short(r["benchmark"]): r for r in runs}


def fmt(x, digits=3):
    if x is None:
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.{digits}g}"


def pm(metric):
    err = metric.get("scoreError")
    err = None if err in (None, "NaN") or err != err else err
    return fmt(metric["score"]) + (f" ± {fmt(err)}" if err is not None else "")


def main():
    runs = load(sys.argv[1])
    rows = []

    def row(name, figure, derived=""):
        rows.append((name, figure, derived))

    p50 = {}
    ms = {}
    mibs = {}
    for name, r in runs.items():
        m = r["primaryMetric"]
        unit = m["scoreUnit"]
        if r["mode"] == "thrpt":
            derived = ""
            b = r.get("secondaryMetrics", {}).get("bytes")
            if b:
                derived = f"{fmt(b['score'] / 1e6)} MB/s"
            row(name, f"{pm(m)} {unit}", derived)
        elif r["mode"] == "sample":
            pct = m["scorePercentiles"]
            p50[name] = pct["50.0"]
            row(
                name,
                f"p50 {fmt(pct['50.0'])} / p95 {fmt(pct['95.0'])} / p99 {fmt(pct['99.0'])} {unit}",
                f"mean {pm(m)}",
            )
        else:  # single shot
            ms[name] = m["score"]
            derived = ""
            size = r.get("params", {}).get("sizeMiB")
            if size:
                mibs[name] = float(size) / (m["score"] / 1000.0)
                derived = f"{fmt(mibs[name])} MiB/s"
            elif name.startswith("ExecBenchmark."):
                derived = f"{fmt(m['score'])} µs per process"
            row(name, f"{pm(m)} {unit}", derived)

    width = max(len(n) for n, _, _ in rows) if rows else 10
    print()
    print("=== Mycelium benchmarks (short runs: wide error, quote ratios, not absolutes) ===")
    for name, figure, derived in rows:
        print(f"{name:<{width}}  {figure:<44} {derived}")

    ratios = []
    thrpt = {n: r["primaryMetric"]["score"] for n, r in runs.items() if r["mode"] == "thrpt"}

    def ratio(label, a, b, table):
        if a in table and b in table and table[b]:
            ratios.append(f"{label}: {table[a] / table[b]:.2f}x")

    ratio("RPC p50, agent ping / cat pipe echo", "RpcRoundTripBenchmark.agentPing",
          "RpcRoundTripBenchmark.anchorPipeEcho", p50)
    ratio("1,000 execs sequential, agent / sh -c true forks", "ExecBenchmark.agentSequential",
          "ExecBenchmark.anchorShSequential", ms)
    ratio("1,000 execs sequential, agent / perl prelude forks", "ExecBenchmark.agentSequential",
          "ExecBenchmark.anchorPerlPreludeSequential", ms)
    ratio("1,000 execs 16 in flight, agent / sh -c true forks", "ExecBenchmark.agentInFlight16",
          "ExecBenchmark.anchorShInFlight16", ms)
    ratio("agent speed-up, 16 in flight vs sequential", "ExecBenchmark.agentSequential",
          "ExecBenchmark.agentInFlight16", ms)
    ratio("put throughput / cat | cat", "TransferBenchmark.put", "TransferBenchmark.anchorCatPipe", mibs)
    ratio("get throughput / cat | cat", "TransferBenchmark.get", "TransferBenchmark.anchorCatPipe", mibs)
    ratio("put throughput / cat | cat + fsync", "TransferBenchmark.put", "TransferBenchmark.anchorCatPipeFsync",
          mibs)
    ratio("get throughput / cat | cat + fsync", "TransferBenchmark.get", "TransferBenchmark.anchorCatPipeFsync",
          mibs)
    ratio("SHA-256, default JIT / agent's C1-only JIT", "Sha256Benchmark.sha256",
          "Sha256Benchmark.sha256AgentJit", thrpt)
    ratio("agent cold start / java -version", "AgentStartBenchmark.agentColdStart",
          "AgentStartBenchmark.anchorJavaVersion", ms)
    if ratios:
        print()
        print("Ratios (same run):")
        for r in ratios:
            print("  " + r)

    if len(sys.argv) > 2:
        notes = []
        current = "?"
        with open(sys.argv[2], errors="replace") as f:
            for line in f:
                if line.startswith("# Benchmark: "):
                    current = short(line[len("# Benchmark: "):].strip())
                elif "[mycelium-bench] " in line:
                    notes.append(current + ": " + line.split("[mycelium-bench] ", 1)[1].strip())
        if notes:
            print()
            print("Memory reported by the benchmarks:")
            for n in notes:
                print("  " + n)


if __name__ == "__main__":
    main()
