"""The documentation site, generated from the statements and the evidence gathered for them.

``boundcheck docs`` (:mod:`verifiers.docs.command`) copies the hand-written pages of
``docs/``, writes one page per statement from :func:`theorems.registry.all_statements`
and the evidence store (:mod:`verifiers.docs.pages`, :mod:`verifiers.docs.evidence`,
plots by :mod:`verifiers.docs.plots`), and runs Sphinx with warnings as errors
(:mod:`verifiers.docs.build`). Formulas become MathML while the site is built
(:mod:`verifiers.docs.mathml`), so pages render with no network.

This package imports nothing heavy at import time: ``boundcheck list`` stays light.
"""
