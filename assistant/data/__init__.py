"""Training data: reading and validating rows, building the splits."""
