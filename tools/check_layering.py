#!/usr/bin/env python3
"""Checks the library's one-way data flow from its #include lines.

Areas, lowest first: a file may include its own area and the areas below it, never above.
  core < scenario < model < metrics < engine < whatif < output < report < crm < calibrate
and, beyond the order: no writer (output, report) includes the engine, and no public header
(include/funnelsim/) includes a private one (sim/). Prints each violation and exits 1 if any.
Usage: tools/check_layering.py [SOURCE_ROOT]
"""
import pathlib
import re
import sys

ORDER = ["core", "scenario", "model", "metrics", "engine", "whatif", "output", "report", "crm", "calibrate"]
FORBIDDEN = {("output", "engine"), ("report", "engine")}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def area_of_include(target):
    parts = target.split("/")
    if parts[0] == "funnelsim" and len(parts) > 2:
        return parts[1], True
    if parts[0] in ORDER and len(parts) > 1:
        return parts[0], False
    return None, None


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
    problems = []
    files = [(p, p.relative_to(root / "sim").parts[0], False) for p in (root / "sim").rglob("*.[ch]pp")]
    files += [(p, p.relative_to(root / "include/funnelsim").parts[0], True)
              for p in (root / "include/funnelsim").rglob("*.hpp") if p.parent.name != "funnelsim"]
    for path, area, public in files:
        if area not in ORDER:
            problems.append(f"{path}: not in an area folder ({', '.join(ORDER)})")
            continue
        for target in INCLUDE.findall(path.read_text(encoding="utf-8")):
            to, to_public = area_of_include(target)
            if to is None:
                continue  # a file of the same folder or a generated one
            where = f"{path.relative_to(root)} includes \"{target}\""
            if ORDER.index(to) > ORDER.index(area):
                problems.append(f"{where}: {area} is below {to} in the flow {' < '.join(ORDER)}")
            if (area, to) in FORBIDDEN:
                problems.append(f"{where}: a writer never includes the engine")
            if public and not to_public:
                problems.append(f"{where}: a public header includes a private one")
    for p in problems:
        print(p)
    print(f"layering: {len(files)} files checked, {len(problems)} violation(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
