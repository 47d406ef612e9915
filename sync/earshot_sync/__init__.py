"""Both ends of the wire: the contract, the sender that drains the outbox, and the collector.

At the bottom, standard library only: ``fields`` (an entry's fields, declared once),
``protocol`` (the contract), ``outbox`` (what the sender needs of a journal). The sender and
its client stand on them; so does ``earshot_sync.collector``, the reference collector, whose
dependencies (FastAPI, uvicorn, psycopg) are the ``collector`` extra and never enter the
desktop bundle. Nothing here imports the desktop app (``earshot``): docs/architecture.md.
"""
