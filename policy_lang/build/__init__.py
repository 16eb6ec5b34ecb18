"""The build stage: rendering every output of the programs and publishing them all-or-nothing into --out."""
