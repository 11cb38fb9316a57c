"""Re-encrypting every record's content under the first configured key, so that an old key can be
dropped (`python -m talks rotate-keys`). Follow-up texts first, then the records a page at a time,
each page its own unit of work: a long rotation neither holds every row locked nor starts over."""

from collections.abc import Callable

from talks.application.ports import Cipher, UnitsOfWork


def _rotated(cipher: Cipher, token: bytes, what: str) -> bytes:
    try:
        return cipher.rotate(token)
    except ValueError:
        raise ValueError(f"{what}: no configured key decrypts it; keep its key in TALKS_CONTENT_KEYS") from None


async def rotate_keys(units: UnitsOfWork, cipher: Cipher, batch: int = 500, out: Callable[[str], object] = print) -> int:
    """Returns how many records were re-encrypted; `out` hears the progress."""
    async with units() as uow:
        for follow_up_id, token in await uow.follow_ups.all_texts():
            await uow.follow_ups.set_text(follow_up_id, _rotated(cipher, token, f"follow-up {follow_up_id}"))
    done, last = 0, ""
    while True:
        async with units() as uow:
            page = await uow.talks.contents_after(last, batch)
            for talk_id, token in page:
                await uow.talks.set_content(talk_id, _rotated(cipher, token, f"talk {talk_id}"))
        if not page:
            break
        done += len(page)
        last = page[-1][0]
        out(f"re-encrypted {done} records")
    return done
