from django.urls import path

from eligibility.views import screener

urlpatterns = [
    path("", screener, name="home"),
    path("eligibility/", screener, name="screener"),
]
