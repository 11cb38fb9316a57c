"""python -m compliance: run the compliance service."""

from compliance.config import ComplianceSettings
from compliance.entrypoints.app import create_app
from kernel.runtime import serve

settings = ComplianceSettings()
serve(create_app(settings), settings, service="compliance", port=settings.port)
