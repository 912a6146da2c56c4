"""The pure domain: values, rules and aggregates; no I/O, no clock, no database."""
