"""Read models: each a pure fold over events, plus its runner (the projections issue)."""
