"""The clusterix web app: a REST API under ``/api/v1`` and server-rendered pages over a store.

Build it with :func:`clusterix.web.app.create_app`; run it with ``clusterix serve`` or
``clusterix demo``. See ``docs/web.md``.
"""
