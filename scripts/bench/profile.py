#!/usr/bin/env python3
"""Where a JVM's CPU went during a benchmark run: a summary of a JFR recording's execution samples.

  profile.py RECORDING.jfr [TOP]

Prints, as Markdown, the share of samples
  - per area, inclusive: a sample counts for every area (Vert.x, Camel, Jackson, Jedis, logging, ...) that has a frame
    on its stack, so the shares add up to more than 100 %;
  - per method, exclusive (the frame on top of the stack), the TOP (25) most sampled.
Reads the recording with the JDK's `jfr` tool.
"""
import collections
import re
import subprocess
import sys

AREAS = [  # (area, frame prefixes), first match wins per frame
    ("logging (pax-logging, Log4j2)", ("org.apache.logging.", "org.ops4j.pax.logging.")),
    ("Camel", ("org.apache.camel.",)),
    ("Vert.x", ("io.vertx.",)),
    ("Netty", ("io.netty.",)),
    ("Jackson", ("com.fasterxml.jackson.",)),
    ("Redis client (Jedis, Spring Data)", ("redis.clients.", "org.springframework.data.redis.")),
    ("Micrometer", ("io.micrometer.",)),
    ("TTV Pipeline", ("io.ttv.",)),
    ("JDK crypto, regex", ("sun.security.", "java.util.regex.", "com.sun.crypto.")),
    ("JDK I/O, NIO", ("sun.nio.", "java.nio.", "sun.net.")),
]


def area(frame):
    for name, prefixes in AREAS:
        if frame.startswith(prefixes):
            return name
    return None


def samples(recording):
    out = subprocess.run(["jfr", "print", "--stack-depth", "128", "--events", "jdk.ExecutionSample", recording],
                         check=True, capture_output=True, text=True).stdout
    for event in out.split("jdk.ExecutionSample {")[1:]:
        match = re.search(r"stackTrace = \[\n(.*?)\n\s*\]", event, re.S)
        if match:
            frames = [re.sub(r"\s+line:.*$", "", l.strip()) for l in match.group(1).splitlines()]
            yield [f for f in frames if f and f != "..."]


def main(recording, top=25):
    total, inclusive, exclusive = 0, collections.Counter(), collections.Counter()
    for stack in samples(recording):
        total += 1
        exclusive[stack[0]] += 1
        inclusive.update({a for a in map(area, stack) if a})
    if not total:
        sys.exit("no execution samples in " + recording)
    print(f"{total} samples\n\n| area (inclusive) | share |\n|---|---|")
    for name, n in inclusive.most_common():
        print(f"| {name} | {100 * n / total:.1f} % |")
    print("\n| method (exclusive) | share |\n|---|---|")
    for frame, n in exclusive.most_common(top):
        print(f"| `{frame}` | {100 * n / total:.1f} % |")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 25)
