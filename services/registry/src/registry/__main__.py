"""python -m registry: run the registry service; `python -m registry import --help` imports CSV files."""

import sys

if sys.argv[1:2] == ["import"]:
    from registry.entrypoints.csv_import import main

    sys.exit(main(sys.argv[2:]))

from kernel.runtime import serve  # noqa: E402
from registry.config import RegistrySettings  # noqa: E402
from registry.entrypoints.app import create_app  # noqa: E402

settings = RegistrySettings()
serve(create_app(settings), settings, service="registry", port=settings.port)
