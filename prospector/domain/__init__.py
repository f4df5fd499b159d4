"""Plain-Python rules of the prospecting domain: no Qt, no database."""
