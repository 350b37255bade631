/**
 * Aligned plain-text tables for human output (`--json` prints the API's JSON
 * instead), laid out by cli-table3, which measures wide and combining
 * characters by their terminal width. No borders and no colours: the output is
 * greppable, columns two spaces apart, no trailing blanks.
 */
import { createRequire } from 'node:module';
import type CliTable3 from 'cli-table3';
import type { CliStreams } from './cli-output.js';

/** Loaded on the first table, not with every command (the CLI starts faster). */
let Table: CliTable3 | undefined;
function tableClass(): CliTable3 {
  Table ??= createRequire(import.meta.url)('cli-table3') as CliTable3;
  return Table;
}

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

/** Only the gap between columns is drawn. */
const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '',
  middle: '  ',
};

/** Prints a header and one line per row, columns padded to their widest cell; `empty` when there are no rows. */
export function printTable<T>(io: CliStreams, rows: readonly T[], columns: readonly Column<T>[], empty = '(none)'): void {
  if (rows.length === 0) {
    io.out(`${empty}\n`);
    return;
  }
  const table = new (tableClass())({
    head: columns.map((c) => c.header),
    colAligns: columns.map((c) => c.align ?? 'left'),
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
  });
  // A line break inside a cell would start a row of its own: shown as a space instead.
  for (const row of rows) table.push(columns.map((c) => cell(c.value(row)).replace(/\r?\n/g, ' ')));
  for (const line of table.toString().split('\n')) io.out(`${line.trimEnd()}\n`);
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
