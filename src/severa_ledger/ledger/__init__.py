"""The write side: Ledger, whose commands load, decide and save (docs/commands.md)."""
