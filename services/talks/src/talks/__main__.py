"""python -m talks: run the talks service; `new-key` and `rotate-keys` manage the content keys;
`audit verify` checks the audit's hash chain."""

import sys

if sys.argv[1:2] == ["audit"]:
    from talks.entrypoints.audit_cli import main as audit

    sys.exit(audit(sys.argv[2:]))

if sys.argv[1:2] in (["new-key"], ["rotate-keys"]):
    from talks.entrypoints.keys import main

    sys.exit(main(sys.argv[1]))

from kernel.runtime import serve
from kernel.settings import load_settings
from talks.config import TalksSettings
from talks.entrypoints.app import create_app

settings = load_settings(TalksSettings)
serve(create_app(settings), settings, service="talks", port=settings.port)
