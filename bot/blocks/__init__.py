"""Block Kit builders: pure functions, plain values in, dicts out."""
