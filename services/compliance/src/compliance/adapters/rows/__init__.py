"""The rows one transaction of the compliance projection reads and changes, held in memory.

Why: applying events one SQL round trip at a time caps the projection at a few hundred events a
second. A batch's rows are loaded in a few bulk queries, the pure decisions read them here, their
changes are applied here, and everything changed is written back in bulk at the end of the same
transaction. Each store keeps one kind of row with the keys it has loaded *completely*; asked for a
key it has not, it raises `NotLoaded` (see domain.view) and the caller loads it and decides again.
With `complete=True` nothing is ever missing: that is the in-memory view of the unit tests.
"""
