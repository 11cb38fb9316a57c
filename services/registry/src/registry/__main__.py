"""python -m registry: run the registry service."""

from kernel.runtime import serve
from registry.config import RegistrySettings
from registry.entrypoints.app import create_app

settings = RegistrySettings()
serve(create_app(settings), settings, service="registry", port=settings.port)
