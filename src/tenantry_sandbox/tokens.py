"""Access tokens as the Microsoft identity platform issues them: RS256 JWTs.

The signing key is generated once and kept in the sandbox's database so tokens survive restarts
(and resets). Verification reloads the keys when a token names a key this process has not seen,
so several sandbox processes on one database accept each other's tokens.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tenantry_sandbox.clock import Clock
from tenantry_sandbox.settings import PARTNER_CENTER_RESOURCE, SandboxSettings
from tenantry_sandbox.store.identity import SigningKey

ALGORITHM = "RS256"


@dataclass(frozen=True)
class Caller:
    """Who calls: the partner tenant, the app, and (for App+User tokens) the signed-in user."""

    tenant_id: uuid.UUID
    app_id: str
    app_only: bool
    object_id: uuid.UUID
    user_principal_name: str | None = None


@dataclass(frozen=True)
class SignedInUser:
    object_id: uuid.UUID
    user_principal_name: str


class InvalidToken(Exception):
    pass


def service_principal_id(tenant_id: uuid.UUID, app_id: str) -> uuid.UUID:
    """The app's object id in a tenant: stable, so app-only tokens carry a steady ``oid``."""
    return uuid.uuid5(tenant_id, f"service-principal:{app_id}")


class TokenService:
    def __init__(self, settings: SandboxSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self._keys: dict[str, RSAKey] = {}
        self._current: RSAKey | None = None

    def issuer(self, tenant_id: uuid.UUID | str) -> str:
        return f"{self.settings.issuer_base}/{tenant_id}/v2.0"

    async def load_keys(self, session: AsyncSession) -> None:
        """Load the signing keys, generating the first one if the database has none."""
        rows = list(
            (
                await session.execute(
                    select(SigningKey).order_by(SigningKey.created_at, SigningKey.kid)
                )
            ).scalars()
        )
        if not rows:
            kid = secrets.token_urlsafe(16)
            key = RSAKey.generate_key(
                2048, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM}, private=True
            )
            row = SigningKey(kid=kid, private_jwk=json.dumps(key.as_dict(private=True)))
            session.add(row)
            await session.flush()
            rows = [row]
        self._keys = {row.kid: RSAKey.import_key(json.loads(row.private_jwk)) for row in rows}
        self._current = self._keys[rows[-1].kid]

    @property
    def signing_key(self) -> RSAKey:
        """The key new tokens are signed with; ID tokens and webhook signatures use it too."""
        if self._current is None:
            raise RuntimeError("signing keys not loaded")
        return self._current

    def public_jwks(self) -> dict[str, list[dict[str, object]]]:
        return {"keys": [dict(key.as_dict(private=False)) for key in self._keys.values()]}

    def issue(
        self,
        *,
        tenant_id: uuid.UUID,
        client_id: str,
        audience: str,
        user: SignedInUser | None,
        scope: str | None = None,
    ) -> tuple[str, int]:
        """An access token and its lifetime in seconds."""
        if self._current is None:
            raise RuntimeError("signing keys not loaded")
        now = self.clock.timestamp()
        lifetime = self.settings.access_token_lifetime_seconds
        claims: dict[str, object] = {
            "aud": audience,
            "iss": self.issuer(tenant_id),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "tid": str(tenant_id),
            "appid": client_id,
            "azp": client_id,
            "appidacr": "1",
            "idtyp": "user" if user else "app",
            "uti": secrets.token_urlsafe(16),
            "ver": "2.0",
        }
        if user is None:
            principal = service_principal_id(tenant_id, client_id)
            claims.update(oid=str(principal), sub=str(principal), roles=[])
        else:
            claims.update(
                oid=str(user.object_id),
                sub=str(user.object_id),
                upn=user.user_principal_name,
                unique_name=user.user_principal_name,
                scp=scope or "user_impersonation",
                amr=["pwd", "mfa"],
            )
        kid = str(self._current.kid)
        header = {"alg": ALGORITHM, "typ": "JWT", "kid": kid}
        return jwt.encode(header, claims, self._current), lifetime

    async def verify(
        self,
        token: str,
        sessionmaker: async_sessionmaker[AsyncSession],
        audience: str = PARTNER_CENTER_RESOURCE,
    ) -> Caller:
        """The caller a bearer token stands for; ``InvalidToken`` saying why it is refused."""
        try:
            kid = jws.extract_compact(token.encode()).headers().get("kid")
        except (JoseError, ValueError) as exc:
            raise InvalidToken("the token is malformed") from exc
        if kid not in self._keys:
            async with sessionmaker() as session:
                await self.load_keys(session)
                await session.commit()
        try:
            decoded = jwt.decode(token, KeySet(list(self._keys.values())), algorithms=[ALGORITHM])
            jwt.JWTClaimsRegistry(
                now=self.clock.timestamp(),
                exp={"essential": True},
                aud={"essential": True, "value": audience},
                tid={"essential": True},
                appid={"essential": True},
            ).validate(decoded.claims)
        except JoseError as exc:
            raise InvalidToken(exc.description or exc.error) from exc
        claims = decoded.claims
        try:
            tenant_id = uuid.UUID(str(claims["tid"]))
            object_id = uuid.UUID(str(claims.get("oid")))
        except ValueError as exc:
            raise InvalidToken("the token's tenant or object id is not a GUID") from exc
        if claims.get("iss") != self.issuer(tenant_id):
            raise InvalidToken("the token was issued by another authority")
        app_only = claims.get("idtyp") != "user"
        upn = claims.get("upn")
        return Caller(
            tenant_id=tenant_id,
            app_id=str(claims["appid"]),
            app_only=app_only,
            object_id=object_id,
            user_principal_name=str(upn) if upn and not app_only else None,
        )
