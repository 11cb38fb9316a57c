"""The small shared kernel: what every service truly shares.

Settings, logging, the database and broker wiring, the transactional outbox and the
tracking of applied events. Nothing here knows a rule of the regulation.
"""
