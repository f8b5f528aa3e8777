"""Speed benchmarks for fraudrules: ``python -m benchmarks.run [--quick]`` (see README.md)."""
