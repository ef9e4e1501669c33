"""The HTTP API (placeholder until the API module lands)."""

from fastapi import FastAPI

app = FastAPI(openapi_url="/api/v1/openapi.json", docs_url="/api/v1/docs")
