"""The open data API (/api/v1/): the public facts of the tracker, read-only, as JSON and CSV.

Everything here is read through ``tracker.public``, the one rule of what is published.
"""
