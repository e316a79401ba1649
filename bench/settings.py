"""The portal's own settings, plus the bench-only URLs (a bare constant-JSON view).

Everything else (middleware, database, DEBUG from the environment) is exactly the project's, so
the bare view and the eligibility API are served by the same process with the same settings.
"""

from medimedi.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
