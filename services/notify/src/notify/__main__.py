"""python -m notify: run the notify service."""

from kernel.runtime import serve
from notify.bootstrap import create_app
from notify.config import NotifySettings

settings = NotifySettings()
serve(create_app(settings), settings, service="notify", port=settings.port)
