"""The USWDS look without a browser (docs/look.md): the vendored files are complete, widgets get
their USWDS classes from the form renderer, and the footer's phone follows the letters' setting."""

import re
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.test import Client

from medimedi.context_processors import USWDS_VERSION

VENDORED = Path(settings.BASE_DIR) / "static" / "vendor" / "uswds" / USWDS_VERSION


def test_every_file_the_uswds_stylesheet_names_is_vendored_with_the_license() -> None:
    css = (VENDORED / "css" / "uswds.min.css").read_text()
    urls = {
        url.strip("\"'")
        for url in re.findall(r"url\(([^)]*)\)", css)
        if url.strip("\"'") and not url.startswith("data:")
    }
    assert urls, "the stylesheet names no file: not USWDS's"
    missing = [url for url in sorted(urls) if not (VENDORED / "css" / url).resolve().is_file()]
    assert missing == []
    assert "sourceMappingURL" not in css
    assert (VENDORED / "LICENSE.md").is_file()
    assert USWDS_VERSION in (VENDORED / "VERSION.txt").read_text()
    for image in ("us_flag_small.png", "icon-dot-gov.svg", "icon-https.svg"):
        assert (VENDORED / "img" / image).is_file()


class Sample(forms.Form):
    name = forms.CharField(widget=forms.TextInput(attrs={"class": "wide"}))
    county = forms.ChoiceField(choices=[("a", "A")])
    answer = forms.ChoiceField(choices=[("y", "Yes"), ("n", "No")], widget=forms.RadioSelect)
    reasons = forms.MultipleChoiceField(choices=[("x", "X")], widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(widget=forms.Textarea)
    token = forms.CharField(widget=forms.HiddenInput)


def test_the_form_renderer_gives_each_widget_its_uswds_class_after_djangos_attributes() -> None:
    form = Sample({"name": "Rosa", "answer": "y"})
    assert re.search(
        r'<input type="text" name="name" value="Rosa"[^>]* class="usa-input wide"',
        str(form["name"]),
    )
    assert 'class="usa-select"' in str(form["county"])
    # Large tile radios and checkboxes; Django's own attributes (value, id, checked) come first.
    assert re.search(
        r'value="y" required id="id_answer_0" checked '
        r'class="usa-radio__input usa-radio__input--tile"',
        str(form["answer"]),
    )
    assert "usa-checkbox__input usa-checkbox__input--tile" in str(form["reasons"])
    assert 'class="usa-textarea"' in str(form["note"])
    assert "class=" not in str(form["token"])


@pytest.mark.django_db
def test_the_footer_gives_the_program_phone_only_once_it_is_set(settings: Any) -> None:
    settings.NOTICES_PROGRAM_PHONE = "1-800-555-0100"
    page = Client().get("/eligibility/").content.decode()
    assert "555-0100" not in page and "1-800-MEDICARE" in page
    settings.NOTICES_PROGRAM_PHONE = "1-888-000-0199"
    page = Client().get("/eligibility/").content.decode()
    assert (
        '<a href="tel:1-888-000-0199" class="site-footer__phone-number">1-888-000-0199</a>' in page
    )
    assert 'class="usa-banner site-banner"' in page
    assert f"/static/vendor/uswds/{USWDS_VERSION}/css/uswds.min.css" in page


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_portals_icon_and_every_page_links_it() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].startswith("/static/favicon") and response["Location"].endswith(
        ".ico"
    )
    page = Client().get("/eligibility/").content.decode()
    assert 'rel="icon" href="/static/favicon' in page


@pytest.mark.django_db
def test_the_footer_gives_health_care_options_for_choosing_a_medi_cal_plan_in_each_language() -> (
    None
):
    page = Client().get("/eligibility/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "To choose or change a Medi-Cal plan: Health Care Options" in page
    assert '<a href="tel:1-800-430-4263" class="phone">1-800-430-4263</a>' in page
    assert '<a href="tel:1-800-430-7077" class="phone">1-800-430-7077</a>' in page
    page = Client().get("/eligibility/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Para elegir o cambiar de plan de Medi-Cal" in page
    assert '<a href="tel:1-800-430-4263" class="phone">1-800-430-4263</a>' in page
