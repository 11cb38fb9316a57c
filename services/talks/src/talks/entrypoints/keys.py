"""Key management for the encrypted content of talk records.

    python -m talks new-key       print a new key (put it first in TALKS_CONTENT_KEYS)
    python -m talks rotate-keys   re-encrypt every record under the first key; then old keys can go
"""

import asyncio
import sys

from sqlalchemy import select, update

from kernel.db import make_engine, make_sessionmaker
from talks.adapters import orm
from talks.adapters.crypto import ContentCipher, new_key
from talks.config import TalksSettings


async def rotate(settings: TalksSettings, cipher: ContentCipher, batch: int = 500, out=print) -> int:
    engine = make_engine(settings.asyncpg_url())
    sessions = make_sessionmaker(engine)
    t, done, last = orm.talks, 0, ""
    try:
        await _rotate_follow_ups(sessions, cipher)
        while True:
            async with sessions() as session, session.begin():
                rows = (
                    await session.execute(
                        select(t.c.talk_id, t.c.content_encrypted).where(t.c.talk_id > last).order_by(t.c.talk_id).limit(batch).with_for_update()
                    )
                ).all()
                for row in rows:
                    try:
                        rotated = cipher.rotate(row.content_encrypted)
                    except ValueError:
                        raise ValueError(f"talk {row.talk_id}: no configured key decrypts it; keep its key in TALKS_CONTENT_KEYS") from None
                    await session.execute(update(t).where(t.c.talk_id == row.talk_id).values(content_encrypted=rotated))
            if not rows:
                break
            done += len(rows)
            last = rows[-1].talk_id
            out(f"re-encrypted {done} records")
    finally:
        await engine.dispose()
    return done


async def _rotate_follow_ups(sessions, cipher: ContentCipher) -> None:
    f = orm.follow_ups
    async with sessions() as session, session.begin():
        for row in (await session.execute(select(f.c.follow_up_id, f.c.text_encrypted).with_for_update())).all():
            try:
                rotated = cipher.rotate(row.text_encrypted)
            except ValueError:
                raise ValueError(f"follow-up {row.follow_up_id}: no configured key decrypts it; keep its key in TALKS_CONTENT_KEYS") from None
            await session.execute(update(f).where(f.c.follow_up_id == row.follow_up_id).values(text_encrypted=rotated))


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
