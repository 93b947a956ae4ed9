"""JSON responses as Partner Center sends them: ``application/json; charset=utf-8``."""

from __future__ import annotations

from fastapi.responses import JSONResponse


class PartnerCenterJSONResponse(JSONResponse):
    media_type = "application/json; charset=utf-8"
