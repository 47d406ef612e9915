"""Widgets the windows are built from; none of them knows the journal."""
