-- dalc migration 0004_decimal_collation (up, PostgreSQL)

