"""`make bench`: province-scale data and timed page scenarios (`python -m bench.run --help`)."""
