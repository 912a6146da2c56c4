"""Crash tests: ``severa-ledger`` killed at chosen points, re-run, compared with a clean run.

``launcher`` runs the CLI in a child process that kills itself on cue, ``runs``
starts and watches such children, ``history`` reads and compares what stores
hold, ``files`` writes the command files, ``buyer`` is a concurrent writer.
"""
