from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "interchange"
    verbose_name = "Files with the outside world"
    default_auto_field = "django.db.models.BigAutoField"
