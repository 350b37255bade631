/**
 * Human output helpers: tables laid out by terminal width (a wide or
 * non-ASCII character must not shift the next column), and spinners drawn only
 * on a terminal and never beside --json.
 */
import assert from 'node:assert/strict';
import { printTable } from '../../host/cli/cli-table.js';
import { spinner, uploadWithProgress } from '../../host/cli/cli-progress.js';
import type { CliStreams } from '../../host/cli/cli-output.js';
import type { Column } from '../../host/cli/cli-table.js';

interface Line {
  readonly kind: string;
  readonly qty: number;
  readonly text: string | null;
}

function buffers(interactive: boolean): CliStreams & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    interactive,
    out: (text: string) => void (io.stdout += text),
    err: (text: string) => void (io.stderr += text),
  };
  return io;
}

describe('cli: printTable', () => {
  const columns: Column<Line>[] = [
    { header: 'KIND', value: (r) => r.kind },
    { header: 'QTY', value: (r) => r.qty, align: 'right' },
    { header: 'DESCRIPTION', value: (r) => r.text },
  ];

  it('should align columns two spaces apart, numbers right, blanks as -, no borders or trailing spaces', () => {
    const io = buffers(false);
    printTable(io, [{ kind: 'subscription', qty: 1, text: 'pro tier' }, { kind: 'overage', qty: 1814400, text: null }], columns);
    assert.equal(
      io.stdout,
      ['KIND              QTY  DESCRIPTION', 'subscription        1  pro tier', 'overage       1814400  -', ''].join('\n'),
    );
  });

  it('should measure wide characters by the columns they take on a terminal', () => {
    const io = buffers(false);
    printTable(io, [{ kind: '日本', qty: 1, text: 'a' }, { kind: 'abcd', qty: 2, text: 'b' }], columns);
    const [, wide, narrow] = io.stdout.split('\n');
    // 日本 is four terminal columns, like abcd: the next column starts at the same place.
    assert.equal(wide, '日本    1  a');
    assert.equal(narrow, 'abcd    2  b');
  });

  it('should keep a row on one line when a cell holds a line break, and print `empty` for no rows', () => {
    const io = buffers(false);
    printTable(io, [{ kind: 'a\nb', qty: 1, text: 'x' }], columns);
    assert.equal(io.stdout.trimEnd().split('\n').length, 2);
    printTable<Line>(io, [], columns, '(no invoices)');
    assert.match(io.stdout, /\(no invoices\)\n$/);
  });
});

describe('cli: spinner', () => {
  it('should draw on a terminal and erase itself when stopped', async () => {
    const io = buffers(true);
    const indicator = spinner(io, 'running thing');
    indicator.update('still running');
    // The spinner library loads on first use: wait for the first frame.
    for (let turn = 0; turn < 200 && io.stderr === ''; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
    indicator.stop();
    assert.match(io.stderr, /still running/);
    assert.match(io.stderr, /\x1b\[/, 'cursor control to redraw and erase');
    assert.equal(io.stdout, '');
  });

  it('should never draw when the work ends before the spinner has loaded', async () => {
    const io = buffers(true);
    spinner(io, 'quick').stop();
    await import('ora'); // whatever the spinner was waiting for has arrived
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(io.stderr, '');
  });

  it('should write nothing without a terminal or with --json', async () => {
    for (const [interactive, json] of [[false, false], [true, true]] as const) {
      const io = buffers(interactive);
      const indicator = spinner(io, 'running', { json });
      indicator.update('more');
      indicator.stop();
      const body = Buffer.from('x'.repeat(100));
      const upload = uploadWithProgress(io, body, 'uploading', { json });
      assert.equal(upload.body, body, 'the buffer itself: no chunked upload');
      upload.done();
      assert.equal(io.stderr + io.stdout, '', `interactive ${interactive}, json ${json}`);
    }
  });
});
