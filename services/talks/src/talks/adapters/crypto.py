"""Content of talk records encrypted at rest (SPEC §4: confidential by construction).

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) with a list of keys: the first encrypts,
every one decrypts, so a new key is put first and old records stay readable; `python -m talks
rotate-keys` then re-encrypts them under the new key, after which the old one can be dropped.
"""

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class ContentCipher:
    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("TALKS_CONTENT_KEYS: at least one key is needed (python -m talks new-key makes one)")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except (ValueError, TypeError) as exc:
            raise ValueError(f"TALKS_CONTENT_KEYS: not a Fernet key ({exc})") from None

    def encrypt(self, content: dict) -> bytes:
        return self._fernet.encrypt(json.dumps(content, ensure_ascii=False).encode())

    def encrypt_text(self, text: str) -> bytes:
        return self._fernet.encrypt(text.encode())

    def decrypt_text(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(token).decode()
        except InvalidToken:
            raise ValueError("talk content cannot be decrypted with the configured keys") from None

    def decrypt(self, token: bytes) -> dict:
        try:
            return json.loads(self._fernet.decrypt(token))
        except InvalidToken:
            raise ValueError("talk content cannot be decrypted with the configured keys") from None

    def rotate(self, token: bytes) -> bytes:
        try:
            return self._fernet.rotate(token)
        except InvalidToken:
            raise ValueError("talk content cannot be decrypted with the configured keys") from None


def new_key() -> str:
    return Fernet.generate_key().decode()
