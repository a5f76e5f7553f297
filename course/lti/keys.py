"""The tool's signing keys: created on first use, rotated by CLI, published as a JWKS."""
import json
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy import select

from course.db import db
from course.models import ToolKey

# How many keys the JWKS publishes: the signing key and the one it replaced, so platforms that
# cached the old key set keep verifying until they refetch (LTI Security Framework 6.3).
PUBLISHED_KEYS = 2


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


def signing_key() -> ToolKey:
    """The key that signs the tool's messages, created on first use."""
    keys = _live_keys()
    if keys:
        return keys[0]
    key = _new_key()
    db.session.add(key)
    db.session.commit()
    return key


def rotate() -> ToolKey:
    """Make a new signing key; keep the previous one published, retire anything older."""
    signing_key()
    key = _new_key()
    db.session.add(key)
    db.session.flush()
    for old in _live_keys()[PUBLISHED_KEYS:]:
        old.retired = True
    db.session.commit()
    return key


@lru_cache(maxsize=8)
def _public_pem(private_pem: str) -> str:
    """PEM of the public half; cached because parsing RSA keys on every launch is wasteful."""
    return JWK.from_pem(private_pem.encode()).export_to_pem().decode()


def public_pem(key: ToolKey) -> str:
    """Public PEM of a tool key."""
    return _public_pem(key.private_pem)


def jwks() -> dict:
    """The public key set every platform fetches from /lti/jwks."""
    signing_key()
    return {"keys": [k.public_jwk for k in _live_keys()[:PUBLISHED_KEYS]]}
