"""The bilan sent to the DSDEN: what it contains (model) and how it is written (writers).

Nothing personal goes in: no accompaniment note, no teacher's name, no evidence text — only
counts, dates, sources, and what the circonscription wrote for the review.
"""
