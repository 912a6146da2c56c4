"""Hypothesis settings profiles: ``severa-dev`` (quick) and ``severa-ci`` (thorough).

Call :func:`register_profiles` from a ``conftest.py``; the profile is picked by
the ``HYPOTHESIS_PROFILE`` environment variable (``dev`` or ``ci`` also work).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

DEV = "severa-dev"
CI = "severa-ci"
ALIASES = {"dev": DEV, "ci": CI}


def register_profiles(default: str = DEV) -> str:
    """Register both profiles, load the one named by HYPOTHESIS_PROFILE; return its name."""
    settings.register_profile(
        DEV, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.register_profile(
        CI,
        max_examples=100,
        deadline=None,
        derandomize=True,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    chosen = os.environ.get("HYPOTHESIS_PROFILE", default)
    chosen = ALIASES.get(chosen, chosen)
    settings.load_profile(chosen)
    return chosen
