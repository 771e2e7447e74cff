-- dalc migration 0004_decimal_collation (down, PostgreSQL)

