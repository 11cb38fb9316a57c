"""python -m notify: run the notify service."""

from kernel.runtime import serve
from notify.config import NotifySettings
from notify.entrypoints.app import create_app

settings = NotifySettings()
serve(create_app(settings), settings, service="notify", port=settings.port)
