"""python -m talks: run the talks service."""

from kernel.runtime import serve
from talks.config import TalksSettings
from talks.entrypoints.app import create_app

settings = TalksSettings()
serve(create_app(settings), settings, service="talks", port=settings.port)
