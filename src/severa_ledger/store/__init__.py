"""How events are kept: transcodings, URL -> environment, chained recorders, units of work."""
