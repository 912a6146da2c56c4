"""Delivery: documents and notices sent to their receivers, recorded as events (R35)."""
