/*
 * types.c - the one table of type facts (see types.h).  Each row: schema
 * name, PostgreSQL type, SQLite STRICT type, extra SQLite CHECK (%1$s is the
 * quoted column), C field type, key parameter type, runtime descriptor
 * constant, runtime binder, how NULL is represented in C, which special
 * defaults are allowed, the C zero value; then how the generated row reader
 * reads it (kind, inline test and value on `val`, dal_col_opt_* reader) and
 * the C test that a field of `in` holds its zero value; last, whether a
 * row's field is bound through dal_bind_row; last, SQLite's collation.
 */
#include "model/types.h"

#include <string.h>

const type_info type_table[TY_COUNT] = {
    /* bool: SQLite has no boolean; 0/1 enforced so reads are exact. */
    [TY_BOOL] = {"bool", "boolean", "INTEGER", "%1$s IN (0, 1)", "bool", "bool",
                 "DAL_T_BOOL", "dal_bind_bool", NULL_BY_HAS, false, false, false, "false",
                 READ_VALUE, "val->kind == DAL_V_INT", "val->i != 0", "bool", "!in->%s", false, NULL},
    /* int16/int32: SQLite integers are 64-bit; the CHECK keeps C narrowing exact. */
    [TY_INT16] = {"int16", "smallint", "INTEGER", "%1$s BETWEEN -32768 AND 32767", "int16_t",
                  "int16_t", "DAL_T_INT16", "dal_bind_int16", NULL_BY_HAS, true, false, false,
                  "0",
                  READ_VALUE,
                  "val->kind == DAL_V_INT && val->i >= INT16_MIN && val->i <= INT16_MAX",
                  "(int16_t)val->i", "int16", "in->%s == 0", false, NULL},
    [TY_INT32] = {"int32", "integer", "INTEGER", "%1$s BETWEEN -2147483648 AND 2147483647",
                  "int32_t", "int32_t", "DAL_T_INT32", "dal_bind_int32", NULL_BY_HAS, true,
                  false, false, "0",
                  READ_VALUE,
                  "val->kind == DAL_V_INT && val->i >= INT32_MIN && val->i <= INT32_MAX",
                  "(int32_t)val->i", "int32", "in->%s == 0", false, NULL},
    [TY_INT64] = {"int64", "bigint", "INTEGER", NULL, "int64_t", "int64_t", "DAL_T_INT64",
                  "dal_bind_int64", NULL_BY_HAS, true, false, false, "0",
                  READ_VALUE, "val->kind == DAL_V_INT", "val->i", "int64", "in->%s == 0", false, NULL},
    /* float32: SQLite REAL is a double holding the float's exact value. */
    [TY_FLOAT32] = {"float32", "real", "REAL", NULL, "float", "float", "DAL_T_FLOAT32",
                    "dal_bind_float32", NULL_BY_HAS, false, false, false, "0",
                    READ_VALUE, "val->kind == DAL_V_FLOAT",
                    "(float)val->f", "float32", "in->%s == 0", false, NULL},
    [TY_FLOAT64] = {"float64", "double precision", "REAL", NULL, "double", "double",
                    "DAL_T_FLOAT64", "dal_bind_float64", NULL_BY_HAS, false, false, false, "0",
                    READ_VALUE, "val->kind == DAL_V_FLOAT",
                    "val->f", "float64", "in->%s == 0", false, NULL},
    /* decimal: exact canonical text both ways (the runtime rounds to the scale);
     * SQLite compares it in numeric order by its collation (docs/types.md). */
    [TY_DECIMAL] = {"decimal", "numeric", "TEXT", NULL, "char *", "const char *",
                    "DAL_T_DECIMAL", "dal_bind_decimal", NULL_BY_POINTER, false, false, false,
                    "NULL",
                    READ_SPAN, NULL, NULL, "text", "in->%s == NULL", false, "dal_decimal"},
    /* text: PostgreSQL varchar(N) when max_length is given (emit_ddl). */
    [TY_TEXT] = {"text", "text", "TEXT", NULL, "char *", "const char *", "DAL_T_TEXT",
                 "dal_bind_text", NULL_BY_POINTER, false, false, false, "NULL",
                 READ_SPAN, NULL, NULL, "text", "in->%s == NULL", false, NULL},
    /* json: jsonb on PostgreSQL (normalises the text); validated on SQLite. */
    [TY_JSON] = {"json", "jsonb", "TEXT", "%1$s IS NULL OR json_valid(%1$s)", "char *",
                 "const char *",
                 "DAL_T_JSON", "dal_bind_json", NULL_BY_POINTER, false, false, false, "NULL",
                 READ_SPAN, NULL, NULL, "text", "in->%s == NULL", false, NULL},
    [TY_BYTES] = {"bytes", "bytea", "BLOB", NULL, "dal_bytes", "dal_bytes", "DAL_T_BYTES",
                  "dal_bind_bytes", NULL_BY_DATA, false, false, false, "{NULL, 0}",
                  READ_SPAN, NULL, NULL, "bytes", "in->%s.data == NULL", true, NULL},
    /* uuid: canonical lower-case text on SQLite, so text comparison = uuid comparison. */
    [TY_UUID] = {"uuid", "uuid", "TEXT", "length(%1$s) = 36 AND %1$s = lower(%1$s)", "char",
                 "const char *", "DAL_T_UUID", "dal_bind_uuid", NULL_BY_HAS, false, false, true,
                 "\"\"",
                 READ_CALL, NULL, "row->%s", "uuid", "in->%s[0] == '\\0'", false, NULL},
    /* timestamp: SQLite INTEGER microseconds since 1970 UTC (docs/types.md). */
    [TY_TIMESTAMP] = {"timestamp", "timestamptz", "INTEGER", NULL, "dal_time", "dal_time",
                      "DAL_T_TIME", "dal_bind_time", NULL_BY_HAS, false, true, false, "0",
                      READ_VALUE, "val->kind == DAL_V_INT || val->kind == DAL_V_TIME",
                      "val->i", "time", "in->%s == 0", false, NULL},
    /* date: SQLite TEXT 'YYYY-MM-DD' (docs/types.md). */
    [TY_DATE] = {"date", "date", "TEXT",
                 "%1$s GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'", "dal_date",
                 "dal_date", "DAL_T_DATE", "dal_bind_date", NULL_BY_HAS, false, true, false,
                 "0",
                 READ_CALL, NULL, "&row->%s", "date", "in->%s == 0", false, NULL},
    /* enum: text with CHECK IN (values) on both; C enum in structs. */
    [TY_ENUM] = {"enum", "text", "TEXT", NULL, NULL, NULL, "DAL_T_ENUM", "dal_bind_enum",
                 NULL_BY_HAS, false, false, false, "0",
                 READ_ENUM, NULL, NULL, "enum", NULL, false, NULL},
};

const char *const type_names[TY_COUNT] = {
    "bool", "int16", "int32", "int64", "float32", "float64", "decimal",
    "text", "json",  "bytes", "uuid",  "timestamp", "date", "enum",
};

bool type_lookup(const char *name, coltype *out)
{
    for (int i = 0; i < TY_COUNT; i++) {
        if (strcmp(type_table[i].name, name) == 0) {
            *out = (coltype)i;
            return true;
        }
    }
    return false;
}

static const char *const c_reserved[] = {
    "_Alignas", "_Alignof", "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary",
    "_Noreturn", "_Static_assert", "_Thread_local", "auto", "bool", "break", "case", "char",
    "const", "continue", "default", "do", "double", "else", "enum", "errno", "extern", "false",
    "float", "for", "goto", "if", "inline", "int", "int16_t", "int32_t", "int64_t", "int8_t",
    "long", "offsetof", "register", "restrict", "return", "short", "signed", "size_t", "sizeof",
    "static", "struct", "switch", "true", "typedef", "uint16_t", "uint32_t", "uint64_t",
    "uint8_t", "union", "unsigned", "void", "volatile", "while", "NULL", "assert",
};

static const char *const c_locals[] = {
    "after", "changes", "ctx", "db", "fn", "has_row", "i", "in", "items", "len",
    "limit", "n", "out", "p", "row", "rows", "s", "st", "v",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i][0] == s[0] && strcmp(s, list[i]) == 0) /* most differ at once */
            return true;
    return false;
}

bool c_is_reserved(const char *name)
{
    return in_list(name, c_reserved, sizeof c_reserved / sizeof *c_reserved);
}

bool c_is_local(const char *name)
{
    return in_list(name, c_locals, sizeof c_locals / sizeof *c_locals);
}
