"""python -m compliance: run the compliance service; `python -m compliance replay --help` rebuilds it;
`python -m compliance what-if --help` replays it under another policy."""

import sys

if sys.argv[1:2] == ["replay"]:
    from compliance.entrypoints.replay import main

    sys.exit(main(sys.argv[2:]))
if sys.argv[1:2] == ["what-if"]:
    from compliance.entrypoints.what_if import main

    sys.exit(main(sys.argv[2:]))

from compliance.config import ComplianceSettings
from compliance.entrypoints.app import create_app
from kernel.runtime import serve
from kernel.settings import load_settings

settings = load_settings(ComplianceSettings)
serve(create_app(settings), settings, service="compliance", port=settings.port)
