"""Domain logic, in plain functions that know nothing of HTTP."""
