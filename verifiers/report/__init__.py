"""The documentation site, generated from the statements and the evidence gathered for them.

``boundcheck docs`` (:mod:`boundcheck.verifiers.commands.docs`) copies the hand-written pages of
``docs/``, writes one page per statement from :func:`boundcheck.theorems.registry.all_statements`
and the evidence store (:mod:`boundcheck.verifiers.report.pages`, :mod:`boundcheck.verifiers.report.evidence`,
plots by :mod:`boundcheck.verifiers.report.plots`), and runs Sphinx with warnings as errors
(:mod:`boundcheck.verifiers.report.build`). Formulas become MathML while the site is built
(:mod:`boundcheck.verifiers.report.mathml`), so pages render with no network.

This package imports nothing heavy at import time: ``boundcheck list`` stays light.
"""
