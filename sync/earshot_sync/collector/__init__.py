"""The reference collector: receives batches, keeps each revision exactly once, exports them.

``earshot-collector serve`` runs it (FastAPI on uvicorn). The store is SQLite in the collector's
own data directory by default, or PostgreSQL, which several collector processes can share.
Its dependencies are the ``collector`` extra; nothing here is imported by the desktop app.
"""
