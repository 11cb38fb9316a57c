"""python -m notify: run the notify service."""

from kernel.runtime import serve
from kernel.settings import load_settings
from notify.bootstrap import create_app
from notify.config import NotifySettings

settings = load_settings(NotifySettings)
serve(create_app(settings), settings, service="notify", port=settings.port)
