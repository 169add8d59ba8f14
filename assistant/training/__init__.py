"""Fine-tuning the classifier from ``training_data/``."""
