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
