"""A refused form goes back to its page's own URL, never left on an action URL.

A staff page posts each action to an action URL (``/staff/applications/7/deny/``). When the
action is refused (an invalid form, or a service refusal keyed to one of its fields), the
adapter keeps the form's data and errors in the session and redirects to the page (POST,
redirect, GET); the page's next GET takes them back and shows the form as it was sent, with its
errors. The kept form names the page and the record, so it never appears on another page.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.module_loading import import_string

_SESSION_KEY = "bounced_form"


def form_bounce(request: HttpRequest, form: forms.Form, *, page: str, pk: int) -> HttpResponse:
    """Keep ``form`` (its data and errors) for the page ``page`` (a URL name taking ``pk``) and
    redirect there. The caller has already decided the user may see that page."""
    prefix = form.prefix or ""
    request.session[_SESSION_KEY] = {
        "page": page,
        "pk": pk,
        "form": f"{type(form).__module__}.{type(form).__qualname__}",
        "prefix": prefix,
        "data": {
            key: request.POST.getlist(key) for key in request.POST if key.startswith(f"{prefix}-")
        },
        "errors": {field: [str(e) for e in errors] for field, errors in form.errors.items()},
    }
    return redirect(page, pk=pk)


def form_bounced(request: HttpRequest, *, page: str, pk: int) -> dict[str, forms.Form]:
    """The form ``form_bounce`` kept for this page and record, bound again with its errors, by
    its prefix; empty when there is none (it is taken once)."""
    kept = request.session.get(_SESSION_KEY)
    if not isinstance(kept, dict) or (kept.get("page"), kept.get("pk")) != (page, pk):
        return {}
    del request.session[_SESSION_KEY]
    form_class = import_string(str(kept["form"]))
    if not (isinstance(form_class, type) and issubclass(form_class, forms.Form)):
        return {}
    data = QueryDict(mutable=True)
    for key, values in dict(kept["data"]).items():
        data.setlist(key, list(values))
    form = form_class(data, prefix=kept["prefix"])
    form.is_valid()
    for field, errors in dict(kept["errors"]).items():
        for error in errors:
            if error not in form.errors.get(field, []):
                form.add_error(None if field == NON_FIELD_ERRORS else field, error)
    return {str(kept["prefix"]): form}
