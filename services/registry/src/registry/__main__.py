"""python -m registry: run the registry service; `python -m registry import --help` imports CSV files."""

import sys

if sys.argv[1:2] == ["import"]:
    from registry.bootstrap import standalone
    from registry.entrypoints.csv_import import main

    sys.exit(main(sys.argv[2:], standalone))

from kernel.runtime import serve  # noqa: E402
from registry.bootstrap import bootstrap  # noqa: E402
from registry.config import RegistrySettings  # noqa: E402

settings = RegistrySettings()
serve(bootstrap(settings), settings, service="registry", port=settings.port)
