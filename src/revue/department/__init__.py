"""The DSDEN's view: the bilans of many circonscriptions read back (bilan TOML files) and
consolidated side by side (docs/departement.md).

Above :mod:`revue.bilan` (its ODT writer uses the bilan's styles), below the services: it
never touches the store.
"""
