#!/usr/bin/env python3
"""Keeps the code readable in pieces: no source file over 400 lines (tests
and vendored libraries included), and no Rust function over 80 lines outside
the tests, counted from its `fn` line to its closing brace (a test that tells
one journey may be longer). Lists every file and function over the limits and exits 1 if there
is one.

Usage: scripts/check_sizes.py [--self-test]
"""
import re
import subprocess
import sys

MAX_FILE_LINES = 400
MAX_FN_LINES = 80
SOURCES = (".rs", ".js", ".mjs", ".py", ".sh")

FN = re.compile(r"\s*(?:pub(?:\([a-z:]+\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s+(\w+)")
STRING = re.compile(r'"(?:\\.|[^"\\])*"' r"|'(?:\\.|[^'\\])'")


def is_test_file(path):
    return path.startswith("tests/") or "/tests/" in path or "/benches/" in path


def functions_over(lines, limit):
    """(name, first line, length) of each Rust function longer than `limit`
    lines, up to the file's test module."""
    found = []
    if "#[cfg(test)]" in lines:
        lines = lines[: lines.index("#[cfg(test)]")]
    for start, line in enumerate(lines):
        match = FN.match(line)
        if not match or line.rstrip().endswith(";"):
            continue
        depth, opened = 0, False
        for end in range(start, len(lines)):
            code = STRING.sub('""', lines[end].split("//")[0])
            depth += code.count("{") - code.count("}")
            opened = opened or "{" in code
            if opened and depth <= 0:
                break
        length = end - start + 1
        if length > limit:
            found.append((match.group(1), start + 1, length))
    return found


def problems(files):
    for path in files:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        count = len(lines) - (1 if lines and lines[-1] == "" else 0)
        if count > MAX_FILE_LINES:
            yield f"{path}: {count} lines (at most {MAX_FILE_LINES})"
        if path.endswith(".rs") and not is_test_file(path):
            for name, line, length in functions_over(lines, MAX_FN_LINES):
                yield f"{path}:{line}: fn {name} is {length} lines (at most {MAX_FN_LINES})"


def self_test():
    long_fn = ["fn long() {"] + ["    let x = \"}\";"] * MAX_FN_LINES + ["}"]
    short_fn = ["pub async fn short(a: u8) -> u8 {", "    a", "}"]
    assert functions_over(long_fn, MAX_FN_LINES) == [("long", 1, MAX_FN_LINES + 2)]
    assert functions_over(short_fn, MAX_FN_LINES) == []
    assert functions_over(["fn declared(&self);"], MAX_FN_LINES) == []
    assert functions_over(["#[cfg(test)]"] + long_fn, MAX_FN_LINES) == []


def main():
    self_test()
    if "--self-test" in sys.argv:
        return 0
    tracked = subprocess.run(
        ["git", "ls-files"], capture_output=True, text=True, check=True
    ).stdout.split()
    files = [f for f in tracked if f.endswith(SOURCES) and "node_modules/" not in f]
    found = list(problems(files))
    for problem in found:
        print(problem)
    if found:
        print(f"{len(found)} over the limits: split each along what it does", file=sys.stderr)
        return 1
    print(f"{len(files)} source files: none over {MAX_FILE_LINES} lines, no function over {MAX_FN_LINES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
