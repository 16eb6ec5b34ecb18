"""policy_lang: one checked model of a support contract, compiled to code and to Russian annexes."""

__version__ = "0.1.0"
