"""Content of talk records encrypted at rest (SPEC §4: confidential by construction), each ciphertext
bound to what it belongs to.

AES-256-GCM (from `cryptography`) with the record's id and version — or the follow-up measure's id —
as associated data: a ciphertext copied onto another record, another version or another measure no
longer decrypts. Keys are listed in TALKS_CONTENT_KEYS: the first encrypts, every one decrypts, so a
new key is put first and old records stay readable; `python -m talks rotate-keys` re-encrypts every
record, every earlier version and every measure under the new key, after which the old one can go.
Each AES key is derived from its listed key by HKDF, and a ciphertext names its key by a short id.

Ciphertexts written before binding (Fernet, keyed by the same listed keys) are still read, and
rotation rewrites them bound.
"""

import base64
import hashlib
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_FORMAT = b"G1"  # AES-256-GCM, bound: format, key id (8), nonce (12), ciphertext with tag
_KID, _NONCE = 8, 12


def _derive(listed: str) -> AESGCM:
    raw = base64.urlsafe_b64decode(listed.encode())  # the listed key's 32 random bytes (validated as a Fernet key)
    return AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"talks content aes-256-gcm v1").derive(raw))


def _kid(listed: str) -> bytes:
    return hashlib.sha256(b"talks key id:" + listed.encode()).digest()[:_KID]


class ContentCipher:
    def __init__(self, keys: list[str]):
        if not keys:
            raise ValueError("TALKS_CONTENT_KEYS: at least one key is needed (python -m talks new-key makes one)")
        try:
            self._legacy = MultiFernet([Fernet(k.encode()) for k in keys])
            self._keys = {_kid(k): _derive(k) for k in keys}
        except (ValueError, TypeError) as exc:
            raise ValueError(f"TALKS_CONTENT_KEYS: not a key made by `python -m talks new-key` ({exc})") from None
        self._first = _kid(keys[0])

    # `binding` names what the ciphertext belongs to (talks.domain.bindings)
    def encrypt(self, content: dict, binding: str) -> bytes:
        return self._seal(json.dumps(content, ensure_ascii=False).encode(), binding)

    def decrypt(self, token: bytes, binding: str) -> dict:
        return json.loads(self._open(token, binding))

    def encrypt_text(self, text: str, binding: str) -> bytes:
        return self._seal(text.encode(), binding)

    def decrypt_text(self, token: bytes, binding: str) -> str:
        return self._open(token, binding).decode()

    def rotate(self, token: bytes, binding: str) -> bytes:
        """The same plaintext under the first key, bound (a pre-binding ciphertext becomes bound)."""
        return self._seal(self._open(token, binding), binding)

    def _seal(self, plain: bytes, binding: str) -> bytes:
        nonce = os.urandom(_NONCE)
        return _FORMAT + self._first + nonce + self._keys[self._first].encrypt(nonce, plain, binding.encode())

    def _open(self, token: bytes, binding: str) -> bytes:
        token = bytes(token)
        if not token.startswith(_FORMAT):
            try:
                return self._legacy.decrypt(token)
            except InvalidToken:
                raise ValueError("talk content cannot be decrypted with the configured keys") from None
        kid, rest = token[2 : 2 + _KID], token[2 + _KID :]
        key = self._keys.get(kid)
        if key is None:
            raise ValueError("talk content is under a key no longer configured; keep it in TALKS_CONTENT_KEYS")
        try:
            return key.decrypt(rest[:_NONCE], rest[_NONCE:], binding.encode())
        except InvalidTag:
            raise ValueError(f"talk content does not belong to {binding} (moved or altered)") from None


def new_key() -> str:
    return Fernet.generate_key().decode()
