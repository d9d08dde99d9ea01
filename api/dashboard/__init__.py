"""The manager's dashboard at ``/``: a static page of plain ES modules, served by orgraph
itself, that reads everything from the public GraphQL API at ``/graphql`` (docs/dashboard.md).

- ``routes.py``: the page (``GET /``) and the routes of its files, with their headers;
- ``assets.py``: the vendored chart library (pinned by SHA-384) and the build id of our own
  files;
- ``page.html``: the page's shell; ``static/app/``: its scripts and styles, every GraphQL
  query in ``static/app/queries.js``.
"""
