"""What runs the work rather than being the work: the background job queue and its kinds, the
outbox's delivery to the SMTP server, monitoring, the installation's checks and backups."""
