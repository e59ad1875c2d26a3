"""One runner per quantifier; each returns the evidence for one verdict."""
