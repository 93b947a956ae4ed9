"""The Partner Center REST client: the only code that talks to (or builds URLs of) Partner
Center, Microsoft Entra token endpoints and the GDAP part of Microsoft Graph.

See docs/partner-center-client.md for configuration, retry policy and assumptions.
"""

from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.config import PartnerCenterConfig
from tenantry.partnercenter.credentials import AuthRequirement, TokenKind
from tenantry.partnercenter.errors import (
    AccessBlocked,
    AgreementRequired,
    AuthenticationFailed,
    BadRequest,
    Conflict,
    DomainTaken,
    EtagMismatch,
    Forbidden,
    InvalidPartnerIdentifier,
    LicensesExhausted,
    MpaNotSigned,
    MpaRegionMismatch,
    MpaStatusError,
    MpnInvalid,
    MpnNotFound,
    NotFound,
    NotIndirectReseller,
    PartnerCenterConfigurationError,
    PartnerCenterError,
    PartnerIdOnRecordInvalid,
    PreconditionFailed,
    RelationshipMissing,
    ResellerMpaNotAccepted,
    ServerError,
    Throttled,
    TokenKindNotAllowed,
    TransportFailure,
    Unauthorized,
    UnexpectedResponse,
)
from tenantry.partnercenter.ratelimit import TokenBucket

__all__ = [
    "AccessBlocked",
    "AgreementRequired",
    "AuthRequirement",
    "AuthenticationFailed",
    "BadRequest",
    "Conflict",
    "DomainTaken",
    "EtagMismatch",
    "Forbidden",
    "InvalidPartnerIdentifier",
    "LicensesExhausted",
    "MpaNotSigned",
    "MpaRegionMismatch",
    "MpaStatusError",
    "MpnInvalid",
    "MpnNotFound",
    "NotFound",
    "NotIndirectReseller",
    "PartnerCenterClient",
    "PartnerCenterConfig",
    "PartnerCenterConfigurationError",
    "PartnerCenterError",
    "PartnerIdOnRecordInvalid",
    "PreconditionFailed",
    "RelationshipMissing",
    "ResellerMpaNotAccepted",
    "ServerError",
    "Throttled",
    "TokenBucket",
    "TokenKind",
    "TokenKindNotAllowed",
    "TransportFailure",
    "Unauthorized",
    "UnexpectedResponse",
]
