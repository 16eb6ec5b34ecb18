"""Runtime for generated evaluators: stdlib only, knows nothing of the compiler."""
