#!/usr/bin/env python3
"""Cost accounting of one benchmark scenario (bench/README.md): what each request or job costs every process.

  account.py snap OUT.json [--proc NAME=PID ...] [--redis-port PORT] [--log NAME=FILE ...]
      Reads, at one instant: each process's CPU time (/proc/PID/stat: user + system, the exited threads included) and
      context switches (summed over its live threads), Redis' per-command call counts (INFO commandstats, which
      counts the commands a script runs as well as the script itself) and the line count of each log file.
  account.py diff BEFORE.json AFTER.json COUNT UNIT [--loadgen FILE] [--redis-minus CMD=N,...]
      Prints one row per figure, "<metric>\t<value>\t<unit>", each divided by COUNT (requests or jobs). The load
      generator ran as a child of the script, so its CPU and context switches come from GNU time's lines in FILE
      ("%U %S %w %c": user s, system s, voluntary and involuntary switches), one line per run. --redis-minus takes
      away the commands the benchmark itself sent (its polls), so that only the service's are counted.
"""
import json
import os
import socket
import sys

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14 and 15 of proc(5))


def context_switches(pid):
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except FileNotFoundError:  # the thread ended while being read
            pass
    return total


def redis_commandstats(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"INFO commandstats\r\n")
        data = b""
        while True:
            data += s.recv(65536)
            header, _, rest = data.partition(b"\r\n")
            if header.startswith(b"$") and len(rest) >= int(header[1:]):
                break
    calls = {}
    for line in rest.decode().splitlines():
        if line.startswith("cmdstat_"):
            name, stats = line[len("cmdstat_"):].split(":", 1)
            calls[name] = int(dict(kv.split("=") for kv in stats.split(","))["calls"])
    return calls


def pairs(args, flag):
    out, i = {}, 0
    while i < len(args):
        if args[i] == flag:
            name, value = args[i + 1].split("=", 1)
            out[name] = value
            i += 2
        else:
            i += 1
    return out


def option(args, flag):
    return args[args.index(flag) + 1] if flag in args else None


def snap(out, args):
    snapshot = {"processes": {}, "redis": None, "logs": {}}
    for name, pid in pairs(args, "--proc").items():
        snapshot["processes"][name] = {"cpu_s": cpu_seconds(pid), "switches": context_switches(pid)}
    port = option(args, "--redis-port")
    if port:
        snapshot["redis"] = redis_commandstats(int(port))
    for name, path in pairs(args, "--log").items():
        with open(path, "rb") as f:
            snapshot["logs"][name] = sum(1 for _ in f)
    json.dump(snapshot, open(out, "w"))


def diff(before_file, after_file, count, unit, args):
    a, b = json.load(open(before_file)), json.load(open(after_file))
    count = float(count)
    rows = []
    total_cpu = 0.0
    for name, after in b["processes"].items():
        before = a["processes"][name]
        cpu = after["cpu_s"] - before["cpu_s"]
        total_cpu += cpu
        rows.append((f"cpu_us_per_{unit}_{name}", cpu * 1e6 / count, "µs"))
        rows.append((f"switches_per_{unit}_{name}", (after["switches"] - before["switches"]) / count, ""))
    loadgen = option(args, "--loadgen")
    if loadgen and os.path.exists(loadgen):
        cpu = switches = 0.0
        for line in open(loadgen):
            p = line.split()
            if len(p) == 4:
                cpu += float(p[0]) + float(p[1])
                switches += int(p[2]) + int(p[3])
        total_cpu += cpu
        rows.append((f"cpu_us_per_{unit}_loadgen", cpu * 1e6 / count, "µs"))
        rows.append((f"switches_per_{unit}_loadgen", switches / count, ""))
    rows.append((f"cpu_us_per_{unit}_all", total_cpu * 1e6 / count, "µs"))
    if a["redis"] is not None and b["redis"] is not None:
        delta = {k: v - a["redis"].get(k, 0) for k, v in b["redis"].items()}
        delta.pop("info", None)  # this script's own INFO
        for item in filter(None, (option(args, "--redis-minus") or "").split(",")):
            name, n = item.split("=")
            delta[name] = delta.get(name, 0) - int(n)
        rows.append((f"redis_commands_per_{unit}", sum(delta.values()) / count, ""))
        rows.append((f"redis_scripts_per_{unit}", (delta.get("eval", 0) + delta.get("evalsha", 0)) / count, ""))
        rows.append((f"redis_publishes_per_{unit}", delta.get("publish", 0) / count, ""))
        top = sorted(((v, k) for k, v in delta.items() if v), reverse=True)[:8]
        rows.append((f"redis_top_commands_per_{unit}", " ".join(f"{k}={v / count:.2f}" for v, k in top) or "-", ""))
    for name, after in b["logs"].items():
        rows.append((f"log_lines_per_{unit}_{name}", (after - a["logs"].get(name, 0)) / count, ""))
    for metric, value, u in rows:
        print(f"{metric}\t{value if isinstance(value, str) else round(value, 2)}\t{u}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "snap":
        snap(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) >= 6 and sys.argv[1] == "diff":
        diff(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:])
    else:
        sys.exit(__doc__)
