from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts import ratelimit
from eligibility.forms import ScreenerForm
from eligibility.selectors import california_today, eligibility_check
from eligibility.services import eligibility_check_attempt


@require_GET
def screener(request: HttpRequest) -> HttpResponse:
    """The public eligibility screener: a GET form, so answers can be bookmarked and no JS is needed."""
    eligibility_check_attempt(client_address=ratelimit.client_address(request))
    today = california_today()
    result = None
    if "county" in request.GET:
        form = ScreenerForm(request.GET)
        if form.is_valid():
            data = form.cleaned_data
            result = eligibility_check(
                facts=data["facts"], county=data["county"], as_of=data["as_of"]
            )
    else:
        form = ScreenerForm(initial=ScreenerForm.initial_for(today))
    return render(
        request,
        "eligibility/screener.html",
        {"form": form, "result": result, "today": today},
    )
