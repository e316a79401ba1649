"""The form renderer: Django's widget templates, with the portal's USWDS classes on every widget.

One place (``FORM_RENDERER``) instead of a class on every form field: the override
``templates/forms/django/forms/widgets/attrs.html`` adds ``usa-input``, ``usa-select``,
``usa-textarea`` and the tile radios and checkboxes; ``templates/enrollment/_field.html`` lays
the field out (label above, hint, error). See docs/look.md.
"""

from __future__ import annotations

from pathlib import Path

import django.forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.template.backends.django import DjangoTemplates as DjangoTemplatesBackend
from django.utils.functional import cached_property


class PortalFormRenderer(DjangoTemplates):
    """Django's own widget templates, searched after the portal's few overrides."""

    @cached_property
    def engine(self) -> DjangoTemplatesBackend:
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    Path(settings.BASE_DIR) / "templates" / "forms",
                    Path(django.forms.__file__).parent / "templates",
                ],
                "NAME": "portalforms",
                "OPTIONS": {},
            }
        )
