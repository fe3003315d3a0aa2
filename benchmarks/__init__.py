"""On-demand benchmarks (never run in CI): ``python -m benchmarks [tracking|server|...]``."""
