"""Tracking: the Client, the module-level API, and the metric buffer."""
