"""Ed25519 keys and signatures of exchange files (docs/format-echange.md).

Each store has its own key (kept in the store, see :mod:`revue.store.keys`). A key is known by
its *fingerprint*, the SHA-256 of its raw public key in hexadecimal; people compare the first
32 digits, in groups of four (:func:`short_fingerprint`). What is signed always starts with a
label saying what it is, so that a signature made for one purpose (a version, a whole file)
can never pass for another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

#: What each kind of signature covers starts with one of these.
VERSION_LABEL = b"revue-echange/version/2\n"
FILE_LABEL = b"revue-echange/fichier/2\n"

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


def fingerprint(public_key: bytes) -> str:
    """The full fingerprint of a raw public key: 64 hexadecimal digits."""
    return hashlib.sha256(public_key).hexdigest()


def short_fingerprint(full: str) -> str:
    """What people read out to each other: the first 32 digits, in capitals, by four."""
    head = full[:32].upper()
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, size: int) -> bytes | None:
    """The bytes a base64 text stands for when they are exactly ``size`` long, else None."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    return data if len(data) == size else None


class SigningKey:
    """A private key: signs, and gives its public key and fingerprint."""

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        self.public_key = private.public_key().public_bytes_raw()
        self.fingerprint = fingerprint(self.public_key)

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_bytes(cls, raw: bytes) -> SigningKey:
        return cls(Ed25519PrivateKey.from_private_bytes(raw))

    @classmethod
    def from_seed_text(cls, text: str) -> SigningKey:
        """A key derived from a text: for the fictitious sample files and tests only (anyone
        who knows the text has the key)."""
        return cls.from_bytes(hashlib.sha256(text.encode("utf-8")).digest())

    def private_bytes(self) -> bytes:
        return self._private.private_bytes_raw()

    def sign(self, label: bytes, payload: bytes) -> str:
        return b64(self._private.sign(label + payload))

    def __repr__(self) -> str:  # never the private key, whatever prints this
        return f"SigningKey({short_fingerprint(self.fingerprint)})"


class PublicKeys:
    """Verifies signatures, loading each public key once."""

    def __init__(self) -> None:
        self._loaded: dict[bytes, Ed25519PublicKey] = {}

    def load(self, public_key: bytes) -> Ed25519PublicKey | None:
        """The key, loaded once (None when the bytes are not an Ed25519 public key)."""
        key = self._loaded.get(public_key)
        if key is None:
            if len(public_key) != PUBLIC_KEY_BYTES:
                return None
            try:
                key = Ed25519PublicKey.from_public_bytes(public_key)
            except ValueError:
                return None
            self._loaded[public_key] = key
        return key

    def verify(self, public_key: bytes, signature: str, label: bytes, payload: bytes) -> bool:
        raw = unb64(signature, SIGNATURE_BYTES)
        if raw is None:
            return False
        key = self.load(public_key)
        if key is None:
            return False
        try:
            key.verify(raw, label + payload)
        except InvalidSignature:
            return False
        return True
