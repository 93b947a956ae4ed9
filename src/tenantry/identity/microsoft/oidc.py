"""Signing people in with a Microsoft account: OpenID Connect's authorization code flow with PKCE.

The browser is sent to ``{login}/consumers/oauth2/v2.0/authorize`` (personal Microsoft accounts)
or ``{login}/organizations/oauth2/v2.0/authorize`` (work accounts, Microsoft Entra ID) with a
random state, nonce and PKCE verifier (S256). The three travel with the browser in a short-lived
signed cookie (:class:`PendingSignIn`), so any app process can finish the sign-in. On the way back
the code is redeemed with Authlib's OAuth 2.0 client, and the ID token is checked with joserfc:
an RS256 signature by a key the JWKS publishes, the issuer ``{login}/{tid}/v2.0`` (the
multi-tenant endpoints issue each token from the person's own tenant, named by its ``tid``), the
audience (our client id), the nonce and the expiry.

The same code runs against Microsoft (``https://login.microsoftonline.com``) and the sandbox;
tests route its HTTP to the sandbox's ASGI app (``app.state.http_transport``, which
``create_app(http_transport=...)`` sets).
"""

from __future__ import annotations

import enum
import secrets
import time
import uuid
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import authlib.deprecate  # noqa: F401 - installs Authlib's warning filter before ours below
import httpx
import structlog
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from email_validator import EmailNotValidError, validate_email
from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from tenantry.models import SignInMethod
from tenantry.settings import Settings
from tenantry.text import scrub
from tenantry.web.signed_forms import set_private_cookie

with warnings.catch_warnings():
    # Authlib 1.9 prefers the httpx2 fork and warns when it falls back to httpx, which the
    # product uses everywhere; the client behaves the same on either.
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

log = structlog.get_logger("tenantry.identity.microsoft")

# The tenant Microsoft issues every personal account's tokens from.
CONSUMER_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
SCOPES = "openid profile email"
CALLBACK_PATH = "/sign-in/microsoft/callback"
# Leeway for the clocks of Microsoft and of this server.
CLOCK_SKEW_SECONDS = 300
# Signing keys are fetched again after a day, or sooner when a token names a key not seen yet
# (Microsoft rolls its keys over), but at most once a minute, so forged key ids cost nothing.
KEYS_MAX_AGE_SECONDS = 24 * 3600
KEYS_MIN_REFRESH_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 15.0


class AccountKind(enum.StrEnum):
    PERSONAL = "personal"
    WORK = "work"

    @property
    def tenant_path(self) -> str:
        """The multi-tenant endpoint that admits only this kind of account."""
        return "consumers" if self is AccountKind.PERSONAL else "organizations"

    @property
    def method(self) -> SignInMethod:
        if self is AccountKind.PERSONAL:
            return SignInMethod.MICROSOFT_PERSONAL
        return SignInMethod.MICROSOFT_WORK

    @property
    def label(self) -> str:
        return "personal Microsoft account" if self is AccountKind.PERSONAL else "work account"

    @property
    def button(self) -> str:
        """The words of the sign-in button for this kind of account."""
        return f"Sign in with a {self.label}"


@dataclass(frozen=True)
class MicrosoftAccount:
    """A Microsoft account whose sign-in was proven by a verified ID token."""

    kind: AccountKind
    tenant_id: str  # ``tid``
    object_id: str  # ``oid``: stable for the person in their tenant, the same for every app
    email: str
    name: str

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]


class SignInFailed(Exception):
    """The sign-in could not be proven. ``message`` is for people; ``reason`` for the logs."""

    def __init__(self, message: str, *, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.message, self.reason, self.status = message, reason, status


NOT_CONFIRMED = "We could not confirm your sign-in with Microsoft. Please try again."
UNREACHABLE = "Microsoft's sign-in service could not be reached. Please try again in a moment."


@dataclass(frozen=True)
class PendingSignIn:
    """What the browser carries from leaving for Microsoft to coming back (signed, short-lived)."""

    kind: AccountKind
    state: str
    nonce: str
    verifier: str
    next_path: str

    @classmethod
    def start(cls, kind: AccountKind, next_path: str) -> PendingSignIn:
        return cls(
            kind=kind,
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            verifier=secrets.token_urlsafe(64),  # 86 characters: within PKCE's 43 to 128
            next_path=next_path,
        )


@dataclass(frozen=True)
class SignedCookie:
    """A value kept in a signed, short-lived cookie: the browser can read it but not change it."""

    name: str
    salt: str
    path: str
    max_age: int

    def _serializer(self, settings: Settings) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(settings.secret_key, salt=self.salt)

    def seal(self, settings: Settings, value: dict[str, Any]) -> str:
        return self._serializer(settings).dumps(value)

    def open(self, settings: Settings, token: str | None) -> dict[str, Any] | None:
        """The value, or None when the cookie is missing, altered or older than ``max_age``."""
        if not token:
            return None
        try:
            value = self._serializer(settings).loads(token, max_age=self.max_age)
        except BadSignature:  # SignatureExpired is one too
            return None
        return value if isinstance(value, dict) else None

    def attach(self, response: Response, settings: Settings, value: dict[str, Any]) -> None:
        set_private_cookie(
            response, settings, self.name, self.seal(settings, value), max_age=self.max_age,
            path=self.path,
        )  # fmt: skip

    def clear(self, response: Response) -> None:
        response.delete_cookie(self.name, path=self.path)


PENDING_COOKIE = SignedCookie(
    "tenantry_microsoft_sign_in", "tenantry.microsoft-sign-in", "/sign-in/microsoft", 15 * 60
)


def keep_pending(response: Response, settings: Settings, pending: PendingSignIn) -> None:
    PENDING_COOKIE.attach(response, settings, asdict(pending))


def open_pending(settings: Settings, token: str | None) -> PendingSignIn | None:
    value = PENDING_COOKIE.open(settings, token)
    try:
        return PendingSignIn(**{**value, "kind": AccountKind(value["kind"])}) if value else None
    except (TypeError, KeyError, ValueError):
        return None


@dataclass
class _Keys:
    keys: KeySet
    kids: frozenset[str]
    fetched: float


def offered(request: Request) -> bool:
    """Whether the pages offer signing in with Microsoft (see :attr:`MicrosoftSignIn.offered`)."""
    service = getattr(request.app.state, "microsoft", None)
    return isinstance(service, MicrosoftSignIn) and service.offered


class MicrosoftSignIn:
    """The app's side of the flow; one per app (``app.state.microsoft``), keeping the JWKS."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._keys: dict[str, _Keys] = {}

    @property
    def offered(self) -> bool:
        """Configured: a client id and secret, and in production not the sandbox's well-known
        ones (which mean nothing to Microsoft), so an unconfigured deployment offers nothing."""
        settings = self.settings
        if not (settings.microsoft_client_id and settings.microsoft_client_secret):
            return False
        if settings.environment != "production":
            return True
        defaults = Settings.model_fields
        sandbox_id = str(defaults["microsoft_client_id"].default)
        sandbox_secret = str(defaults["microsoft_client_secret"].default)
        return (
            settings.microsoft_client_id != sandbox_id
            and settings.microsoft_client_secret != sandbox_secret
        )

    @property
    def login_url(self) -> str:
        return self.settings.microsoft_login_url.rstrip("/")

    @property
    def redirect_uri(self) -> str:
        return self.settings.base_url.rstrip("/") + CALLBACK_PATH

    def _client(self, transport: httpx.AsyncBaseTransport | None) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.settings.microsoft_client_id,
            client_secret=self.settings.microsoft_client_secret,
            token_endpoint_auth_method="client_secret_post",  # noqa: S106 - a method's name
            scope=SCOPES,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
            transport=transport,
            timeout=HTTP_TIMEOUT_SECONDS,
        )

    def authorization_url(self, pending: PendingSignIn) -> str:
        """Where to send the browser: the endpoint that admits only the chosen kind of account."""
        url = prepare_grant_uri(
            f"{self.login_url}/{pending.kind.tenant_path}/oauth2/v2.0/authorize",
            client_id=self.settings.microsoft_client_id,
            response_type="code",
            redirect_uri=self.redirect_uri,
            scope=SCOPES,
            state=pending.state,
            nonce=pending.nonce,
            code_challenge=create_s256_code_challenge(pending.verifier),
            code_challenge_method="S256",
            response_mode="query",
            prompt="select_account",
        )
        return str(url)

    async def redeem(
        self,
        pending: PendingSignIn,
        code: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> MicrosoftAccount:
        """Redeem the code and check the ID token; :class:`SignInFailed` saying why not.
        ``transport``: the app's way to the network (None: the network itself)."""
        kind = pending.kind
        async with self._client(transport) as client:
            try:
                token = await client.fetch_token(
                    f"{self.login_url}/{kind.tenant_path}/oauth2/v2.0/token",
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=pending.verifier,
                )
            except OAuthError as exc:
                raise SignInFailed(NOT_CONFIRMED, reason=f"token endpoint: {exc}") from exc
            except httpx.HTTPError as exc:
                raise SignInFailed(
                    UNREACHABLE, reason=f"token endpoint: {exc}", status=502
                ) from exc
            except ValueError as exc:  # not a JSON answer
                raise SignInFailed(NOT_CONFIRMED, reason=f"token endpoint: {exc}") from exc
            id_token = token.get("id_token")
            if not isinstance(id_token, str):
                raise SignInFailed(NOT_CONFIRMED, reason="no ID token in the token response")
            claims = await self._verified_claims(client, kind, id_token, pending.nonce)
        return _account(kind, claims)

    async def _verified_claims(
        self, client: AsyncOAuth2Client, kind: AccountKind, id_token: str, nonce: str
    ) -> dict[str, Any]:
        try:
            kid = jws.extract_compact(id_token.encode()).headers().get("kid")
            keys = await self._key_set(client, kind, str(kid or ""))
            claims = dict(jwt.decode(id_token, keys, algorithms=["RS256"]).claims)
            tenant_id = str(uuid.UUID(str(claims.get("tid"))))
            jwt.JWTClaimsRegistry(
                leeway=CLOCK_SKEW_SECONDS,
                iss={"essential": True, "value": f"{self.login_url}/{tenant_id}/v2.0"},
                aud={"essential": True, "value": self.settings.microsoft_client_id},
                nonce={"essential": True, "value": nonce},
                exp={"essential": True},
                oid={"essential": True},
            ).validate(claims)
        except (JoseError, ValueError) as exc:
            raise SignInFailed(NOT_CONFIRMED, reason=f"ID token refused: {exc}") from exc
        personal = tenant_id == CONSUMER_TENANT_ID
        if personal != (kind is AccountKind.PERSONAL):
            raise SignInFailed(
                NOT_CONFIRMED, reason=f"a {kind.value} sign-in from tenant {tenant_id}"
            )
        return claims

    async def _key_set(self, client: AsyncOAuth2Client, kind: AccountKind, kid: str) -> KeySet:
        url = f"{self.login_url}/{kind.tenant_path}/discovery/v2.0/keys"
        cached = self._keys.get(url)
        now = time.monotonic()
        if cached is not None:
            age = now - cached.fetched
            if age < KEYS_MIN_REFRESH_SECONDS or (
                kid in cached.kids and age < KEYS_MAX_AGE_SECONDS
            ):
                return cached.keys
        try:
            response = await client.request("GET", url, withhold_token=True)
            response.raise_for_status()
            document = response.json()
        except httpx.HTTPError as exc:
            raise SignInFailed(UNREACHABLE, reason=f"signing keys: {exc}", status=502) from exc
        keys = KeySet.import_key_set(document)
        kids = frozenset(str(key.get("kid")) for key in document.get("keys", []))
        self._keys[url] = _Keys(keys, kids, now)
        return keys


def _email(kind: AccountKind, claims: dict[str, Any]) -> str:
    """The person's email address, from claims that can be trusted for it.

    A personal account's address is its sign-in name, which Microsoft verified. A work account's
    ``email`` claim is whatever its tenant's admins typed (anyone can create a tenant and type
    someone else's address), but its sign-in name (``preferred_username``) ends in a domain the
    tenant proved it owns; so the ``email`` claim is used only when its domain is that one or
    Microsoft says the domain is verified (``xms_edov``), and the sign-in name otherwise.
    """
    username = str(claims.get("preferred_username") or "")
    email = str(claims.get("email") or "")
    if kind is AccountKind.PERSONAL:
        candidate = email or username
    else:
        verified_domain = username.rpartition("@")[2].lower()
        same_domain = bool(email) and email.rpartition("@")[2].lower() == verified_domain
        candidate = email if same_domain or claims.get("xms_edov") is True else username
    if "#ext#" in candidate.lower():
        raise SignInFailed(
            "Sign in with the account of your own organization, not a guest account.",
            reason="a guest account's sign-in name",
            status=403,
        )
    try:
        return validate_email(candidate, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise SignInFailed(
            "Your Microsoft account did not share an email address with us, so we cannot sign "
            "you in with it. Sign in with your email address and a password instead.",
            reason=f"no usable email address: {exc}",
            status=403,
        ) from exc


def _account(kind: AccountKind, claims: dict[str, Any]) -> MicrosoftAccount:
    email = _email(kind, claims)
    name = scrub(" ".join(str(claims.get("name") or "").split()))[:200] or email.partition("@")[0]
    return MicrosoftAccount(
        kind=kind,
        tenant_id=str(claims["tid"]).lower(),
        object_id=str(claims["oid"]).lower(),
        email=email,
        name=name,
    )
