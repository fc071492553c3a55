"""Synthetic data at the scale of a city or a province (`manage.py generate_data`), for `make bench`
and the index checks. The orchestration, the world (jurisdictions, organisations, users) and the bulk
writers live here; each domain app keeps its own case generator in its `generate` module, found
through hooks.py. This app may import every other app; no other app imports it except to use its
writers from its own `generate` module."""
