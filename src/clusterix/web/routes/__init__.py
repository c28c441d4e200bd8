"""The routes of the web app, one module per feature; each parses the request, calls one use
case of :mod:`clusterix.app` with the app's workspace and renders JSON or HTML.

==================  ================================================================
module              routes
==================  ================================================================
``health``          ``GET /api/v1/health``
``regions``         ``/api/v1/regions``, ``/api/v1/regions/{code}``, ``/api/v1/indicators[/geojson]``
``datasets``        ``/api/v1/datasets``, ``/api/v1/datasets/{name}/activities``, ``/api/v1/glossary``
``profiles``        ``/api/v1/regions/{code}/profile``, ``/peers``, ``/api/v1/complementarity``
``organisations``   ``/api/v1/organisations``, ``/{id}``, ``/{id}/partners``
``auth``            ``/api/v1/auth/...``, ``/api/v1/users``, ``/login``, ``/logout``, ``/account``
``partnerships``    ``/api/v1/partnerships/...`` and the ``/partnerships`` pages
``pages``           the HTML pages: the map, regions, profiles, compare, partners, glossary
==================  ================================================================
"""

from __future__ import annotations

from fastapi import APIRouter

from clusterix.web.routes import auth, datasets, health, organisations, pages, partnerships, profiles, regions

__all__ = ["ROUTERS"]

#: Every router, in the order the app includes them (the API first, the pages last).
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    regions.router,
    datasets.router,
    profiles.router,
    organisations.router,
    auth.router,
    partnerships.router,
    pages.router,
)
