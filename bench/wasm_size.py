#!/usr/bin/env python3
"""Where the page's wasm bytes go: code by crate, data, and the gzipped size of the module without names.

    python3 bench/wasm_size.py path/to/gapo-web_bg.wasm [--top 40] [--grep PATTERN] [--stripped OUT.wasm]

Needs the function names (the `name` section), so measure a build with `strip = false`, for example
`CARGO_PROFILE_WASM_RELEASE_STRIP=false cargo build --target wasm32-unknown-unknown -p gapo-web --profile
wasm-release`, then `wasm-bindgen` as .ci/browser runs it. The first line's "without custom sections" drops
every custom section (names, producers), which is what `strip = true` leaves out, and measures it with
`gzip -9` like the README's table.
A function is counted under the first path segment of its name, so generic code lands under the crate that
defines the generic function, not the one that instantiates it: the split is rough.
"""

import argparse
import gzip
import re
import shutil
import subprocess
import sys
from collections import Counter


def leb(buf, pos):
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def sections(buf):
    if buf[:4] != b"\0asm":
        sys.exit("not a wasm module")
    pos = 8
    while pos < len(buf):
        sid = buf[pos]
        size, body = leb(buf, pos + 1)
        yield sid, pos, body, body + size
        pos = body + size


def function_names(buf, start, end):
    """The `name` section's function names: {function index: name}."""
    names = {}
    n, pos = leb(buf, start)
    pos += n  # the section's own name, "name"
    while pos < end:
        kind = buf[pos]
        size, pos = leb(buf, pos + 1)
        if kind == 1:
            count, p = leb(buf, pos)
            for _ in range(count):
                idx, p = leb(buf, p)
                ln, p = leb(buf, p)
                names[idx] = buf[p : p + ln].decode("utf-8", "replace")
                p += ln
        pos += size
    return names


def skip_limits(buf, pos):
    """Past a table's or a memory's limits: flags, minimum, and the maximum when flag bit 0 says so."""
    flags, pos = leb(buf, pos)
    _, pos = leb(buf, pos)
    if flags & 1:
        _, pos = leb(buf, pos)
    return pos


def imported_functions(buf, start):
    count, pos = leb(buf, start)
    funcs = 0
    for _ in range(count):
        for _ in range(2):  # module, field
            ln, pos = leb(buf, pos)
            pos += ln
        kind = buf[pos]
        pos += 1
        if kind == 0:
            _, pos = leb(buf, pos)
            funcs += 1
        elif kind == 1:  # table: reftype, limits
            pos = skip_limits(buf, pos + 1)
        elif kind == 2:  # memory: limits
            pos = skip_limits(buf, pos)
        elif kind == 3:  # global: type, mutability
            pos += 2
        elif kind == 4:  # tag
            pos += 1
            _, pos = leb(buf, pos)
    return funcs


def gzip9(data):
    """Size after `gzip -9` (GNU gzip, as the README measures), or zlib at level 9 where it is missing."""
    if shutil.which("gzip"):
        return len(subprocess.run(["gzip", "-9", "-c"], input=data, capture_output=True, check=True).stdout)
    return len(gzip.compress(data, 9))


def crate_of(name):
    name = name.lstrip("<").lstrip("&").replace("dyn ", "")
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)", name)
    return m.group(1) if m else "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wasm")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--grep", help="list the largest functions whose name matches this regex")
    ap.add_argument("--stripped", help="write the module without custom sections here")
    args = ap.parse_args()
    buf = open(args.wasm, "rb").read()

    secs = list(sections(buf))
    names, n_imported, bodies, data_size = {}, 0, [], 0
    kept = bytearray(buf[:8])
    for sid, head, start, end in secs:
        if sid == 0:
            ln, p = leb(buf, start)
            if buf[p : p + ln] == b"name":
                names = function_names(buf, start, end)
            continue
        kept += buf[head:end]
        if sid == 2:
            n_imported = imported_functions(buf, start)
        elif sid == 10:
            count, p = leb(buf, start)
            for _ in range(count):
                size, body = leb(buf, p)
                bodies.append(size)
                p = body + size
        elif sid == 11:
            data_size = end - start

    code = sum(bodies)
    print(f"module {len(buf):,} B; without custom sections {len(kept):,} B, gzip -9 "
          f"{gzip9(bytes(kept)):,} B")
    print(f"code {code:,} B in {len(bodies):,} functions; data {data_size:,} B")
    if args.stripped:
        open(args.stripped, "wb").write(kept)
    if not names:
        print("no name section: build with strip = false for the split by crate")
        return

    by_crate = Counter()
    funcs = []
    for i, size in enumerate(bodies):
        name = names.get(n_imported + i, f"func{n_imported + i}")
        by_crate[crate_of(name)] += size
        funcs.append((size, name))
    print(f"\ncode by crate (first path segment of the function's name), top {args.top}:")
    for crate, size in by_crate.most_common(args.top):
        print(f"  {size / 1e6:7.3f} MB  {100 * size / code:5.1f}%  {crate}")
    if args.grep:
        rx = re.compile(args.grep)
        hits = sorted((f for f in funcs if rx.search(f[1])), reverse=True)
        print(f"\n{len(hits)} functions match {args.grep!r}, {sum(s for s, _ in hits):,} B; largest:")
        for size, name in hits[: args.top]:
            print(f"  {size:9,}  {name[:160]}")


if __name__ == "__main__":
    main()
