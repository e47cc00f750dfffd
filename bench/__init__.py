"""Benchmarks of WTDC Desktop, each a ratio against a floor measured in the same run.

    python -m bench [--size 1k|10k|100k] [--only NAME] [--json FILE]

Prints a table (benchmark, ours, baseline, ratio, goal, pass/fail); --json writes a list of
``{name, ours, baseline, ratio, goal, pass}`` objects. Synthetic bundles come from
bench/generate.py (deterministic from a seed). See the README's Performance section.
"""
