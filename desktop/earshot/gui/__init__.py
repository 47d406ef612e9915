"""The thin Qt layer: windows that turn key presses into calls on the core, and back.

Nothing here holds business rules; :mod:`earshot.core` does. Widgets get what they need
(journal, preferences, window state) passed in, so tests build them on a temporary profile.
"""
