"""The security app's pages: the generic case pages of each case type (one URL module per namespace),
and the overview (overview.py)."""
