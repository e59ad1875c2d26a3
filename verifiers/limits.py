"""The documented limits on what a user may ask for (a conjecture file, a command line, a replay).

Each bounds the work one request can cause, so that a verification service, a CI job or
a docs build that takes other people's conjectures cannot be made to run forever:

* :data:`MAX_BUDGET`: Hypothesis examples (or Monte Carlo runs) per statement, from
  ``--budget`` or a file's ``budget``; the default budgets are 100 to 2,000.
* :data:`MAX_SEED`: the ``--seed`` of a run (a 32-bit seed, as NumPy's generators take).
* :data:`MIN_DPS`, :data:`MAX_DPS`: digits of a high-precision replay (``replay --dps``): below
  float64's 16 significant digits a replay cannot confirm or clear a float64 violation;
  above 1,000 one replay of a large model takes minutes.
* :data:`MAX_T_MIN`: the first iteration a conclusion is claimed from (``t_min``).
* :data:`MAX_PARAMS_TEXT`: characters of ``replay --params`` JSON.
* :data:`FILE_TIME_LIMIT`: seconds one statement of a conjecture file may run by default
  (``verify --timeout`` changes it; built-in statements run unlimited unless it is given);
  a run stopped there is INCONCLUSIVE with what it checked.

Light on purpose: the command line imports it to check its arguments before anything runs.
"""

from __future__ import annotations

MAX_BUDGET = 100_000
MAX_SEED = 2**32 - 1
MIN_DPS = 16
MAX_DPS = 1000
MAX_T_MIN = 1_000_000
MAX_PARAMS_TEXT = 100_000
FILE_TIME_LIMIT = 600.0
MAX_TIME_LIMIT = 86_400.0
#: the environment variable that, set to 1, lets TOML conjectures name a model file
#: (``model = "path.py:Name"``; ``boundcheck --trust-model-files`` sets it): loading one runs
#: its Python code, and TOML is otherwise safe for untrusted input
TRUST_MODEL_FILES = "BOUNDCHECK_TRUST_MODEL_FILES"
