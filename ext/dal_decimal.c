/*
 * dal_decimal.c - a SQLite loadable extension with what dalc's runtime
 * registers on its own connections: the dal_decimal collation of decimal
 * columns and the dal_decimal() function.  Load it to use a dalc database
 * from other SQLite programs (sqlite3 shell: `.load build/dal_decimal`),
 * which otherwise stop at "no such collation sequence: dal_decimal" on
 * ORDER BY, min/max, comparisons, index writes or VACUUM of those columns.
 * Built by `make` as $(B)/dal_decimal.so (docs/types.md).
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "dal_sqlite_decimal.h"

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_daldecimal_init(sqlite3 *db, char **err, const sqlite3_api_routines *api);

int sqlite3_daldecimal_init(sqlite3 *db, char **err, const sqlite3_api_routines *api)
{
    (void)err;
    SQLITE_EXTENSION_INIT2(api);
    return dal__sq_decimal_register(db);
}
