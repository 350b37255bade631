/**
 * Usage records for the metering tests: valid by default, any field overridable.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { UsageRecord } from '../../../host/metering/usage-record.js';

export function usageRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  const startedAt = overrides.startedAt ?? new Date();
  return {
    executionId: randomUUID(),
    tenantId: randomUUID(),
    installId: randomUUID(),
    pluginName: '@acme/slugify',
    pluginVersion: '1.0.0',
    action: 'run',
    status: 'succeeded',
    errorCode: null,
    cpuMs: 1.25,
    wallMs: 2.5,
    memoryBytes: 1_048_576,
    inputBytes: 12,
    outputBytes: 34,
    startedAt,
    finishedAt: new Date(startedAt.getTime() + 3),
    ...overrides,
  };
}

/** How many of `executionIds` are stored. */
export async function storedCount(db: Knex, executionIds: readonly string[]): Promise<number> {
  const row = await db('usage_records').whereIn('execution_id', executionIds).count({ n: '*' }).first();
  return Number((row as { n: number | string }).n);
}
