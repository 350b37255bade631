/** Aligned plain-text tables for human output (`--json` prints the API's JSON instead). */
import type { CliStreams } from './cli-output.js';

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => unknown;
  /** Numbers read best right-aligned. */
  readonly align?: 'left' | 'right';
}

function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** Prints a header and one line per row, columns padded to their widest cell; `empty` when there are no rows. */
export function printTable<T>(io: CliStreams, rows: readonly T[], columns: readonly Column<T>[], empty = '(none)'): void {
  if (rows.length === 0) {
    io.out(`${empty}\n`);
    return;
  }
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: readonly string[]) =>
    values.map((v, i) => (columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  io.out(`${line(columns.map((c) => c.header))}\n`);
  for (const values of cells) io.out(`${line(values)}\n`);
}

/** `key: value` lines with the keys aligned. */
export function printFields(io: CliStreams, fields: readonly (readonly [string, unknown])[], indent = ''): void {
  const width = Math.max(...fields.map(([k]) => k.length));
  for (const [k, v] of fields) io.out(`${indent}${`${k}:`.padEnd(width + 1)} ${cell(v)}\n`);
}

/** Integer cents as money: 4900 → "$49.00" (never through floating point). */
export function formatCents(cents: unknown, currency = 'USD'): string {
  if (typeof cents !== 'number' || !Number.isInteger(cents)) return '-';
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const amount = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  // The host answers ISO 4217 codes in lower case (`usd`), as payment providers do.
  return currency.toUpperCase() === 'USD' ? `${sign}$${amount}` : `${sign}${amount} ${currency.toUpperCase()}`;
}
