"""revue — the yearly review of a circonscription's contract with its DSDEN."""

__version__ = "0.1.0"
