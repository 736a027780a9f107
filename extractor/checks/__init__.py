"""Checks: recompute the scores and raise findings from extracted records and the rubric only.

Each module returns a list of Findings (extractor/checks/findings.py); ``run_checks`` calls them all.
"""
