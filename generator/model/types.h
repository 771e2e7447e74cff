/*
 * types.h - every fact about a schema type, in one enum-indexed table
 * (types.c), one commented row per type.  Stages look facts up here instead
 * of switching on the type.
 */
#ifndef DALC_TYPES_H
#define DALC_TYPES_H

#include <stdbool.h>

typedef enum coltype {
    TY_BOOL,
    TY_INT16,
    TY_INT32,
    TY_INT64,
    TY_FLOAT32,
    TY_FLOAT64,
    TY_DECIMAL,
    TY_TEXT,
    TY_JSON,
    TY_BYTES,
    TY_UUID,
    TY_TIMESTAMP,
    TY_DATE,
    TY_ENUM,
    TY_COUNT
} coltype;

/* How a C field of the type says "NULL". */
typedef enum nullrep {
    NULL_BY_HAS,     /* value type: a `bool has_<col>` flag beside it */
    NULL_BY_POINTER, /* char *: NULL pointer */
    NULL_BY_DATA     /* dal_bytes: .data == NULL */
} nullrep;

/* How the generated row reader (T_read_) reads a column of the type. */
typedef enum read_kind {
    READ_VALUE, /* from the row's dal_value `val` when read_fast holds (read_value),
                 * else through dal_col_opt_<col_reader> */
    READ_CALL,  /* through dal_col_opt_<col_reader> into read_value (the field) */
    READ_SPAN,  /* text and bytes: located in `val`, copied into the row's one
                 * allocation */
    READ_ENUM   /* dal_col_opt_enum into an int, then the C enum */
} read_kind;

typedef struct type_info {
    const char *name;        /* schema spelling: "int64" */
    const char *pg_sql;      /* PostgreSQL column type ("numeric" gets (p,s), "text" may become varchar(N)) */
    const char *sqlite_sql;  /* SQLite STRICT column type */
    const char *sqlite_check;/* extra SQLite CHECK with %1$s for the quoted column, or NULL */
    const char *c_type;      /* struct field type ("char *", "dal_bytes", ...); uuid is char[37] */
    const char *c_param;     /* key parameter type in function signatures */
    const char *dal_type;    /* runtime descriptor constant: "DAL_T_INT64" */
    const char *bind_fn;     /* runtime binder: "dal_bind_int64" */
    nullrep null_rep;
    bool is_integer;         /* may be identity (int32/int64 only, checked separately) */
    bool default_now;        /* `default: now` allowed */
    bool default_uuid;       /* `default: uuid` allowed */
    const char *zero;        /* C expression of the zero value, for docs */
    read_kind read;          /* how the generated row reader reads it */
    const char *read_fast;   /* READ_VALUE: the C test that `val` holds the value */
    const char *read_value;  /* READ_VALUE: the C value from `val`; READ_CALL: the
                              * reader's target, %s the field ("&row->%s") */
    const char *col_reader;  /* dal_col_opt_<col_reader> reads it */
    const char *zero_test;   /* the C test that field %s of `in` is zero (NULL: enum,
                              * compared with its first constant) */
    bool bind_by_row;        /* a row's field is bound with dal_bind_row: bytes, where a
                              * NOT NULL column's {NULL, 0} is empty bytes, not NULL */
    const char *sqlite_collate; /* SQLite COLLATE of the column (registered by the
                                 * runtime on every connection), or NULL */
} type_info;

extern const type_info type_table[TY_COUNT];

/* Looks a schema spelling up; returns false when unknown. */
bool type_lookup(const char *name, coltype *out);

/* The list of schema spellings, for "did you mean" hints. */
extern const char *const type_names[TY_COUNT];

/* C naming facts shared by the model (collision checks) and the C emitter
 * (which appends '_' to such names), so the two can never disagree:
 * c_is_reserved: keywords, and macros/typedefs of the headers generated code
 *   includes (a column named `default` becomes the field `default_`);
 * c_is_local: parameter and local names of generated function bodies. */
bool c_is_reserved(const char *name);
bool c_is_local(const char *name);

#endif
