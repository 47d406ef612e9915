"""Qt item models: windows onto the journal for Qt's views."""
