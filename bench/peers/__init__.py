"""The peers `make bench` measures the platform against: a bare Django view and a DRF view running
the same list, and the physical ceiling (the same SQL through psycopg in plain processes)."""
