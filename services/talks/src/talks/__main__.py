"""python -m talks: run the talks service; `new-key` and `rotate-keys` manage the content keys."""

import sys

if sys.argv[1:2] in (["new-key"], ["rotate-keys"]):
    from talks.entrypoints.keys import main

    sys.exit(main(sys.argv[1]))

from kernel.runtime import serve  # noqa: E402
from talks.config import TalksSettings  # noqa: E402
from talks.entrypoints.app import create_app  # noqa: E402

settings = TalksSettings()
serve(create_app(settings), settings, service="talks", port=settings.port)
