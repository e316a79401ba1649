"""The portal's URLs plus ``/bench/constant``: a plain Django view returning constant JSON.

It goes through the same middleware stack as every other view, so comparing it with the
eligibility API isolates what the API itself costs (DRF, serializers, queries, rules).
"""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from medimedi.urls import urlpatterns as portal_urlpatterns

CONSTANT_BODY = {"status": "ok", "eligible": True, "plans": []}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def constant(request: HttpRequest) -> JsonResponse:
    """Answer a constant JSON body; the request body is ignored."""
    return JsonResponse(CONSTANT_BODY)


urlpatterns = [path("bench/constant", constant, name="bench-constant"), *portal_urlpatterns]
