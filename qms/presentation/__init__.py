"""What the pages and the reports show, as typed view models built from what qms.store
returns: plain dataclasses and functions, no Litestar, no SQLAlchemy, no qms.web.

A page controller loads (qms.store), builds its view here, and renders it; the exports
build their people-facing tables from the same functions, so a page and a PDF never
disagree. The template environment both of them render with is `templates.make_jinja_env`.
"""
