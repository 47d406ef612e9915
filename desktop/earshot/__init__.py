"""Earshot: log what customers say at the frontline, offline first."""

__version__ = "0.1.0"
APP_NAME = "Earshot"
APP_ID = "earshot"
