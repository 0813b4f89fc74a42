"""allegiance benchmarks."""
