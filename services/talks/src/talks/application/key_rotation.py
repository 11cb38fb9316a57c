"""Re-encrypting everything encrypted under the first configured key, so that an old key can be
dropped (`python -m talks rotate-keys`): follow-up texts, then the records, then every earlier
version, a page at a time, each page its own unit of work (a long rotation neither holds every row
locked nor starts over). Each ciphertext stays bound to what it belongs to (domain.bindings);
one written before binding becomes bound."""

from collections.abc import Callable

from talks.application.ports import Cipher, UnitsOfWork
from talks.domain.bindings import content_binding, follow_up_binding


def _rotated(cipher: Cipher, token: bytes, binding: str) -> bytes:
    try:
        return cipher.rotate(token, binding)
    except ValueError as error:
        raise ValueError(f"{binding}: {error}") from None


async def rotate_keys(units: UnitsOfWork, cipher: Cipher, batch: int = 500, out: Callable[[str], object] = print) -> int:
    """Returns how many records were re-encrypted (earlier versions counted apart, in `out`)."""
    async with units() as uow:
        for follow_up_id, token in await uow.follow_ups.all_texts():
            await uow.follow_ups.set_text(follow_up_id, _rotated(cipher, token, follow_up_binding(follow_up_id)))
    done, last = 0, ""
    while True:
        async with units() as uow:
            page = await uow.talks.contents_after(last, batch)
            for talk_id, version, token in page:
                await uow.talks.set_content(talk_id, _rotated(cipher, token, content_binding(talk_id, version)))
        if not page:
            break
        done += len(page)
        last = page[-1][0]
        out(f"re-encrypted {done} records")
    kept, after = 0, ("", 0)
    while True:
        async with units() as uow:
            page = await uow.talks.version_contents_after(after, batch)
            for talk_id, version, token in page:
                await uow.talks.set_version_content(talk_id, version, _rotated(cipher, token, content_binding(talk_id, version)))
        if not page:
            break
        kept += len(page)
        after = page[-1][:2]
        out(f"re-encrypted {kept} earlier versions")
    return done
