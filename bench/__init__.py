"""Benchmarks: scripts, settings and URLs used only when measuring (see docs/benchmarks.md)."""
