"""What each ciphertext belongs to: its record and version, or its follow-up measure. Encryption
binds the ciphertext to this name (associated data), so content moved onto another record, another
version or another measure no longer decrypts."""


def content_binding(talk_id: str, version: int) -> str:
    return f"talk:{talk_id}:v{version}"


def follow_up_binding(follow_up_id: str) -> str:
    return f"follow-up:{follow_up_id}"
