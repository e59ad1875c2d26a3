"""Certificates: performance-estimation SDPs (PEP), their witnesses, sums of squares."""
