"""The read side: LedgerReader (the application and its store), queries, read-model wiring."""
