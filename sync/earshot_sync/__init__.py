"""Both ends of the wire: the protocol, the sender that drains the outbox, and the collector.

``earshot_sync.protocol`` is the contract and imports nothing but the standard library.
``earshot_sync.collector`` is the reference collector; its dependencies (FastAPI, uvicorn,
psycopg) are the ``collector`` extra and never enter the desktop bundle.
"""
