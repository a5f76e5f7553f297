"""The tool's signing keys: created on first use, rotated by CLI, published as a JWKS."""
import json
import time
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from jwcrypto.jwk import JWK
from sqlalchemy import select

from course.db import db
from course.models import ToolKey

# How many keys the JWKS publishes: the signing key and the one it replaced, so platforms that
# cached the old key set keep verifying until they refetch (LTI Security Framework 6.3).
PUBLISHED_KEYS = 2
# Each process remembers the signing key this long. `lti rotate-key` runs in another process,
# so app servers pick the new key up within this time; until then they sign with the previous
# key, which the JWKS still publishes, so every signature stays verifiable.
MEMO_SECONDS = 60.0
MEMO_SLOT = "lti.signing_key"  # in app.extensions: one memo per app, so per process


@dataclass(frozen=True)
class SigningKey:
    """The key that signs: its kid and private PEM, safe to keep across requests."""

    kid: str
    private_pem: str

    @property
    def private_key(self) -> rsa.RSAPrivateKey:
        """The parsed key, for PyJWT: parsing checks the RSA key and costs ~25 ms, so once."""
        return _parsed(self.private_pem)


def _new_key() -> ToolKey:
    """Generate a 2048-bit RSA key pair with a thumbprint kid."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    jwk = JWK.from_pem(pem.encode())
    public = json.loads(jwk.export_public())
    public.update({"alg": "RS256", "use": "sig", "kid": jwk.thumbprint()})
    return ToolKey(kid=public["kid"], private_pem=pem, public_jwk=public)


def _live_keys() -> list[ToolKey]:
    """Unretired keys, newest first."""
    stmt = select(ToolKey).where(ToolKey.retired.is_(False)).order_by(ToolKey.id.desc())
    return list(db.session.scalars(stmt))


def _load_signing_key() -> SigningKey:
    """Read the newest live key from the database, creating the first one if there is none."""
    row = db.session.scalars(select(ToolKey).where(ToolKey.retired.is_(False))
                             .order_by(ToolKey.id.desc()).limit(1)).first()
    if row is None:
        row = _new_key()
        db.session.add(row)
        db.session.commit()
    return SigningKey(row.kid, row.private_pem)


def signing_key() -> SigningKey:
    """The key that signs the tool's messages: remembered per process, created on first use."""
    memo = current_app.extensions.get(MEMO_SLOT)
    if memo is not None and memo[1] > time.monotonic():
        return memo[0]
    key = _load_signing_key()
    current_app.extensions[MEMO_SLOT] = (key, time.monotonic() + MEMO_SECONDS)
    return key


def forget_signing_key() -> None:
    """Drop this process's remembered key (after a rotation here)."""
    current_app.extensions.pop(MEMO_SLOT, None)


def rotate() -> ToolKey:
    """Make a new signing key; keep the previous one published, retire anything older."""
    _load_signing_key()
    key = _new_key()
    db.session.add(key)
    db.session.flush()
    for old in _live_keys()[PUBLISHED_KEYS:]:
        old.retired = True
    db.session.commit()
    forget_signing_key()
    return key


@lru_cache(maxsize=8)
def _parsed(private_pem: str) -> rsa.RSAPrivateKey:
    """The private key object of a PEM; cached because cryptography checks RSA keys on load."""
    key = serialization.load_pem_private_key(private_pem.encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@lru_cache(maxsize=8)
def _public_pem(private_pem: str) -> str:
    """PEM of the public half; cached because parsing RSA keys on every launch is wasteful."""
    return _parsed(private_pem).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def public_pem(key: SigningKey | ToolKey) -> str:
    """Public PEM of a tool key."""
    return _public_pem(key.private_pem)


def jwks() -> dict:
    """The public key set every platform fetches from /lti/jwks."""
    signing_key()
    # Every live key, not just the newest two: processes that create the first key at the same
    # moment each sign with their own until rotate-key retires the extras.
    return {"keys": [k.public_jwk for k in _live_keys()]}
