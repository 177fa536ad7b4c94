"""The tamper-evident audit log: events, hash chain, checkpoints and verification."""
