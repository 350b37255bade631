/**
 * Reading executions back (GET /v1/executions, GET /v1/executions/:id), from
 * the usage ledger; one execution with its logs while they are kept. Always
 * within the caller's own tenant: another tenant's execution is 404
 * `not_found`, exactly like an unknown one.
 */
import { BazaarError } from '../../manifests/errors.js';
import type { Principal } from '../foundation/principal.js';
import type { Page, PageRequest } from '../foundation/pagination.js';
import type { ExecutionFilter, UsageStore } from '../metering/ports.js';
import { EXECUTION_STATUSES, type ExecutionStatus, type UsageRecord } from '../metering/usage-record.js';
import type { ExecutionLogRetention } from './execution-logs.js';

type Query = Readonly<Record<string, string | string[] | undefined>>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Read `?install=&status=`; anything malformed (or repeated) is 400 `invalid_request`. */
export function parseExecutionFilter(query: Query): ExecutionFilter {
  const install = query.install;
  const status = query.status;
  if (install !== undefined && (typeof install !== 'string' || !UUID.test(install))) {
    throw new BazaarError('invalid_request', 'install must be an install id.');
  }
  if (status !== undefined && (typeof status !== 'string' || !(EXECUTION_STATUSES as readonly string[]).includes(status))) {
    throw new BazaarError('invalid_request', `status must be one of ${EXECUTION_STATUSES.join(', ')}.`);
  }
  return {
    ...(install === undefined ? {} : { installId: install.toLowerCase() }),
    ...(status === undefined ? {} : { status: status as ExecutionStatus }),
  };
}

export interface ExecutionQueriesDeps {
  readonly usage: Pick<UsageStore, 'findById' | 'list'>;
  readonly logRetention: Pick<ExecutionLogRetention, 'keptSince'>;
}

export class ExecutionQueries {
  readonly #usage: Pick<UsageStore, 'findById' | 'list'>;
  readonly #logRetention: Pick<ExecutionLogRetention, 'keptSince'>;

  constructor(deps: ExecutionQueriesDeps) {
    this.#usage = deps.usage;
    this.#logRetention = deps.logRetention;
  }

  /** One execution of the caller's tenant with its logs while they are kept, or 404. */
  async get(principal: Principal, executionId: string): Promise<UsageRecord> {
    const logsKeptSince = this.#logRetention.keptSince();
    const record = await this.#usage.findById(principal.tenantId, executionId, logsKeptSince === undefined ? {} : { logsKeptSince });
    if (record === null) throw new BazaarError('not_found', 'No such execution.');
    return record;
  }

  /** The caller's tenant's executions, newest first. */
  list(principal: Principal, filter: ExecutionFilter, page: PageRequest): Promise<Page<UsageRecord>> {
    return this.#usage.list(principal.tenantId, filter, page);
  }
}
