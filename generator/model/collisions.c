/*
 * collisions.c - generated names that would collide: SQL relation names,
 * and the C names decided by names.c.
 */
#include "model/build.h"

#include "model/names.h"

void check_names(builder *b)
{
    arena *a = b->a;
    name_table *sq = names_new(a), *cs = names_new(a);
    if (!sq || !cs) {
        b->oom = true;
        return;
    }
    for (int i = 0; i < b->nts; i++) {
        tsrc *ts = &b->ts[i];
        m_table *t = ts->t;
        if (!t || !ts->name_ok)
            continue;
        const char *T = t->name;
        /* SQL: relations (tables, indexes, the indexes behind unique and
         * primary-key constraints, identity sequences) share one namespace */
        bool ok = true;
        names_owner(sq);
        ok &= names_add(sq, T, arena_printf(a, "table '%s'", T), t->pos);
        if (t->npk)
            ok &= names_add(sq, sql_name(b, arena_printf(a, "%s_pkey", T)),
                            arena_printf(a, "the primary key of table '%s'", T), t->pos);
        for (int j = 0; j < t->nuniques; j++)
            ok &= names_add(sq, t->uniques[j].name,
                            arena_printf(a, "a unique constraint of table '%s'", T),
                            t->uniques[j].pos);
        for (int j = 0; j < t->nindexes; j++)
            ok &= names_add(sq, t->indexes[j].name,
                            arena_printf(a, "an index of table '%s'", T), t->indexes[j].pos);
        for (int j = 0; j < t->ncolumns; j++)
            if (t->columns[j].identity)
                ok &= names_add(
                    sq, sql_name(b, arena_printf(a, "%s_%s_seq", T, t->columns[j].name)),
                    arena_printf(a, "the identity sequence of column '%s.%s'", T,
                                 t->columns[j].name),
                    t->columns[j].pos);

        /* C: every generated global name (names.h) */
        bool *enum_ok = A(b, sizeof *enum_ok * (size_t)(t->ncolumns + 1));
        if (!enum_ok)
            return;
        for (int j = 0; j < t->ncolumns; j++)
            enum_ok[j] = ts->cs[j].type_ok && ts->cs[j].values_ok;
        c_table_names tn;
        if (!ok || !c_names_table(cs, a, "", t, enum_ok, &tn)) {
            b->oom = true;
            return;
        }
    }
    if (!c_names_schema(cs, (srcpos){b->m->schema_dir, 0, 0})) {
        b->oom = true;
        return;
    }
    names_report(sq, b->d, "SQL");
    names_report(cs, b->d, "generated C");
}
