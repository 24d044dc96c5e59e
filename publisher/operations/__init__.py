"""Every write any surface makes: validated input in, rows flushed out, never committed."""
