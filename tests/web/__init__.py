"""Tests of the web edge: the JSON API, keys, serve (and the pages)."""
