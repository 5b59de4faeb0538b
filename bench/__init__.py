"""Benchmarks: synthetic data at national scale and latency of real requests (`make bench`)."""
