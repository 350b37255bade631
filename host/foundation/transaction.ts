/**
 * The transaction port. Services open transactions through a `Transactor`
 * and hand the `Transaction` to the stores they call, so several writes
 * commit or roll back together; only the database adapter that opened a
 * transaction can look inside it (foundation/database/knex-transaction.ts).
 */

declare const transactionBrand: unique symbol;

/** An open database transaction: opaque, passed along, never used directly. */
export interface Transaction {
  readonly [transactionBrand]: 'Transaction';
}

/** Opens transactions. */
export interface Transactor {
  /** Run `work` in a new transaction: committed when it resolves, rolled back when it rejects. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
}
