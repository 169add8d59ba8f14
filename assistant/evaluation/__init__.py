"""Metrics, baselines and the side-by-side evaluation report."""
