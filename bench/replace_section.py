"""Replaces (or appends) the section between <!-- NAME:begin --> and <!-- NAME:end --> of a results file.

Usage: python3 bench/replace_section.py RESULTS.md NAME < section.md   (the section text includes both markers)
"""
import re
import sys

path, name = sys.argv[1], sys.argv[2]
section = sys.stdin.read().rstrip("\n")
try:
    text = open(path, encoding="utf-8").read()
except FileNotFoundError:
    text = "# Benchmark results\n\nFigures measured on the machine named in each section; rerun the command to reproduce.\n"
pattern = re.compile(r"<!-- %s:begin -->.*?<!-- %s:end -->" % (re.escape(name), re.escape(name)), re.S)
text = pattern.sub(lambda m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section + "\n"
open(path, "w", encoding="utf-8").write(text)
