"""The admin's pages for eligibility files: upload one, watch its import, read its report and
download its errors as CSV.

Registered on the ``EligibilityImport`` admin (``interchange.admin``) through ``get_urls``, so
they sit in the admin site with its sign-in, second factor and CSRF checks. They are adapters:
who may see an import is decided by ``interchange.selectors`` (administrators only; anyone else
gets the 403 page), the upload is ``services.eligibility_import_upload``, and every read is
audited there.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse

from accounts.models import User
from interchange import reconciliation, selectors, services
from interchange.errors import UnreadableFile
from interchange.models import EligibilityImport, ImportKind

# How many errors the import's page lists; all of them are in the CSV download.
PAGE_ERROR_LIMIT = 100
# While an import runs, its page reloads itself this often (a meta refresh: no script, so the
# CSP stays strict).
REFRESH_SECONDS = 2


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Eligibility file",
        help_text="The state's monthly file, CSV or X12 834. The format is detected.",
    )
    kind = forms.ChoiceField(
        choices=ImportKind.choices, initial=ImportKind.FULL, widget=forms.RadioSelect
    )


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def import_page_url(import_id: int) -> str:
    return reverse("admin:interchange_eligibilityimport_report", args=[import_id])


def _context(model_admin: admin.ModelAdmin, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": EligibilityImport._meta,
        **extra,
    }


def import_upload_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Upload a file and go to its import's page (the page of the earlier import for a file
    already imported)."""
    actor = _actor(request)
    selectors.import_require_admin(actor)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imp, duplicate = services.eligibility_import_upload(
                actor=actor,
                upload=upload,
                file_name=upload.name or "",
                kind=form.cleaned_data["kind"],
            )
        except UnreadableFile as error:
            form.add_error(None, str(error))
        else:
            if duplicate and imp.status in selectors.IMPORT_ACTIVE:
                messages.warning(
                    request,
                    f"This file is already being imported (import {imp.pk}, same content): "
                    "it is not read twice. Its progress is below.",
                )
            elif duplicate:
                messages.warning(
                    request,
                    f"This file was imported before (import {imp.pk}, same content): "
                    "nothing was written. Its report is below.",
                )
            else:
                messages.success(request, f"The file is stored and queued as import {imp.pk}.")
            return HttpResponseRedirect(import_page_url(imp.pk))
    return TemplateResponse(
        request,
        "interchange/admin/upload.html",
        _context(model_admin, request, title="Upload an eligibility file", form=form),
    )


def import_page_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, import_id: int
) -> HttpResponse:
    """An import's status, its progress while it runs (the page reloads itself) and its
    report: counts, changes by kind, warnings, the first errors and a link to all of them."""
    view = selectors.import_get(actor=_actor(request), import_id=import_id)
    imp = view.eligibility_import
    return TemplateResponse(
        request,
        "interchange/admin/import.html",
        _context(
            model_admin,
            request,
            title=f"Import {imp.pk}",
            original=imp,
            view=view,
            report=view.report,
            events=sorted(view.report["events"].items()),
            reconciliation=reconciliation.report_rows(view.report["reconciliation"]),
            errors=view.report["errors"][:PAGE_ERROR_LIMIT],
            page_error_limit=PAGE_ERROR_LIMIT,
            # WCAG 2.2.1: a page that reloads itself offers a way to stop it (?refresh=off).
            refresh_seconds=(
                REFRESH_SECONDS if view.active and request.GET.get("refresh") != "off" else None
            ),
            refresh_stopped=view.active and request.GET.get("refresh") == "off",
        ),
    )


def import_errors_csv_view(
    model_admin: admin.ModelAdmin, request: HttpRequest, import_id: int
) -> StreamingHttpResponse:
    """Every error of the import as CSV, streamed."""
    lines = selectors.import_errors_csv(actor=_actor(request), import_id=import_id)
    name = selectors.import_errors_file_name(import_id)
    return StreamingHttpResponse(
        lines,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
