"""Production monitoring: prediction logging, reference profiles, drift and performance."""
