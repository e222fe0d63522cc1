"""Reference data that the domain reads but does not own: French communes, départements and
which départements touch which (public data, read offline)."""
