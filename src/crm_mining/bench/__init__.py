"""Benchmarks of the project (`make bench`): each module times one area and returns results."""
