"""Benchmarks: ``python -m bench [NAME ...]`` (or ``make bench``) runs them and prints
tables of ratios against a baseline measured in the same run."""
