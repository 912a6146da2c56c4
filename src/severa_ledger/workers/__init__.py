"""Worker processes: the pool a parent starts, and the worker's loop (tasks named by path)."""
