/**
 * Append-only tables (audit logs, payments): a trigger refuses every UPDATE,
 * DELETE and TRUNCATE, so not even a bug in our own code, or a hand-typed SQL
 * statement, can rewrite history. Used by the migrations; lives outside
 * migrations/ because knex would take any module there for a migration.
 */
import type { Knex } from 'knex';

/** Create `<table>_append_only()` and the triggers that call it. */
export async function makeAppendOnly(knex: Knex, table: string): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION ${table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '${table} is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$`);
  await knex.raw(`CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table}
    FOR EACH ROW EXECUTE FUNCTION ${table}_append_only()`);
  await knex.raw(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
    FOR EACH STATEMENT EXECUTE FUNCTION ${table}_append_only()`);
}
