/**
 * The knex adapter of the transaction port (foundation/transaction.ts). A
 * `Transaction` handed out here is the knex transaction itself; only knex
 * adapters (repositories, queries) turn it back, through `knexOf`.
 */
import type { Knex } from 'knex';
import type { Transaction, Transactor } from '../transaction.js';

type PortTransaction = Transaction;

declare module 'knex' {
  namespace Knex {
    // Every knex transaction is a port Transaction (not the reverse): a knex
    // adapter passes its transaction on to a hook or another store as it is.
    interface Transaction<TRecord extends {} = any, TResult = any[]> extends PortTransaction {}
  }
}

/**
 * The `Transactor` of a knex instance. knex's own `transaction(work)` commits
 * when `work` resolves and rolls back when it rejects, the port's contract,
 * so the instance serves as it is.
 */
export function knexTransactor(db: Knex): Transactor {
  return db;
}

/** The knex transaction behind `tx` (opened by a knex `Transactor`). */
export function knexOf(tx: Transaction): Knex.Transaction;
/** The knex transaction behind `tx`, or `db` outside a transaction. */
export function knexOf(tx: Transaction | undefined, db: Knex): Knex;
export function knexOf(tx: Transaction | undefined, db?: Knex): Knex {
  return tx === undefined ? db! : (tx as unknown as Knex.Transaction);
}
