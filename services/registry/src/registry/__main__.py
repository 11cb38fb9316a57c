"""python -m registry: run the registry service; `python -m registry import --help` imports CSV files."""

import sys

if sys.argv[1:2] == ["new-credential"]:
    from registry.entrypoints.credentials import main as new_credential

    sys.exit(new_credential(sys.argv[2:]))

if sys.argv[1:2] == ["import"]:
    from registry.bootstrap import standalone
    from registry.entrypoints.csv_import import main

    sys.exit(main(sys.argv[2:], standalone))

from kernel.runtime import serve
from kernel.settings import load_settings
from registry.bootstrap import bootstrap
from registry.config import RegistrySettings

settings = load_settings(RegistrySettings)
serve(bootstrap(settings), settings, service="registry", port=settings.port)
