-- dalc migration 0004_decimal_collation (down, SQLite)
-- run by dalc with PRAGMA foreign_keys=OFF and a PRAGMA foreign_key_check before COMMIT

