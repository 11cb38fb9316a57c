"""Key management for the encrypted content of talk records.

    python -m talks new-key       print a new key (put it first in TALKS_CONTENT_KEYS)
    python -m talks rotate-keys   re-encrypt every record under the first key; then old keys can go
"""

import asyncio
import sys

from talks.adapters.crypto import ContentCipher, new_key
from talks.adapters.unit_of_work import standalone_units
from talks.application.key_rotation import rotate_keys
from talks.config import TalksSettings


async def rotate(settings: TalksSettings, cipher: ContentCipher, batch: int = 500, out=print) -> int:
    """Returns how many records were re-encrypted."""
    async with standalone_units(settings) as units:
        return await rotate_keys(units, cipher, batch, out)


def main(command: str) -> int:
    if command == "new-key":
        print(new_key())
        return 0
    settings = TalksSettings()
    done = asyncio.run(rotate(settings, settings.cipher()))
    print(f"done: {done} records under the first key")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
