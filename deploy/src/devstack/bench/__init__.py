"""`make bench [SIZE=small|county|city]`: the pipeline measured against the machine's ceiling (issue 6).

In one run, on the same broker and database:
1. the raw ceiling — aiokafka consume + decode + a batched upsert of one row per event, offsets committed;
2. a textbook peer — a FastStream per-message subscriber, one transaction per event, same projection;
3. the compliance projection replayed from offset zero, and live in the running service;
   with a check that the batched projection equals the same events applied one by one;
4. accept → inbox latency at a steady 500 events/s (registry POST to the alert row in notify);
5. query latency of whole-tree coverage and obligation pages;
6. peak RSS of each service with the city loaded.
Prints a table, writes .run/bench/<size>.json and .md, and (county, city) README's benchmark table.
"""

from devstack.bench.main import main

__all__ = ["main"]
