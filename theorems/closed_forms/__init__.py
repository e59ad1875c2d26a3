"""Closed forms shared by statements and models (sympy and math only)."""
