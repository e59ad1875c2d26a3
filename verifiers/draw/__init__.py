"""Draw: a statement's hypotheses turned into instances (plan, Hypothesis strategy, seeded sampler)."""
