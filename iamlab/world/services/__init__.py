"""The simulated AWS services; each client is reached through a session (``session.s3``)."""
