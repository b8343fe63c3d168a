from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Only installed by ``portal.settings.bench``: the bare view and the pipeline driver."""

    name = "bench"
    label = "bench"
