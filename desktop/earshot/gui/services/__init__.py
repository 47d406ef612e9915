"""The Qt adapters of core and sync parts, and the app's plumbing; no widgets here.

Where a module adapts a part below the Qt layer it carries that part's name:
:mod:`earshot.gui.services.sender` adapts :mod:`earshot_sync.sender` (after Dangerzone's
``startup.py`` and ``gui/startup.py``).
"""
