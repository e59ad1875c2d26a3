"""Sphinx configuration for boundcheck's documentation.

Build it with ``boundcheck docs`` (it adds the generated pages: statements/, cli.md,
and the examples under _examples/). Formulas are converted to MathML at build time by
``boundcheck.verifiers.report.mathml``: the site loads nothing from the network.
"""

project = "boundcheck"
author = "the boundcheck authors"
copyright = "the boundcheck authors"

extensions = ["myst_parser", "boundcheck.verifiers.report.mathml"]
html_math_renderer = "mathml"
# no typography: "--all" stays two hyphens (an en dash would not paste into a shell)
smartquotes = False

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_examples", "**/_plots", "**/_pictures"]

myst_enable_extensions = ["dollarmath", "attrs_inline", "colon_fence", "fieldlist", "deflist"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

html_theme = "furo"
html_title = "boundcheck"
html_static_path = ["_static"]
html_css_files = ["boundcheck.css"]
html_show_sourcelink = False
html_copy_source = False
# a warning is an error (-W); an external arXiv link is not checked at build time
nitpicky = False
