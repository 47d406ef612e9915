"""The Qt-free core: the entry, its validation, the local journal, settings and exports.

Nothing in this package imports Qt; the command line, the sync client and the tests use it
without a display.
"""
