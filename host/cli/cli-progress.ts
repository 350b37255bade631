/**
 * Spinners (ora) and upload progress on stderr, drawn only when stderr is a
 * terminal (`io.interactive`) and the command does not answer --json: piped
 * output, logs and scripts never see a frame or a carriage return.
 */
import { EventEmitter } from 'node:events';
import { clearLine, cursorTo, moveCursor } from 'node:readline';
import type { Ora } from 'ora';
import type { CliStreams } from './cli-output.js';

export interface Indicator {
  /** Replace the text shown beside the spinner. */
  update(text: string): void;
  /** Erase the indicator. */
  stop(): void;
}

const silent: Indicator = { update: () => undefined, stop: () => undefined };

/**
 * The terminal as ora drives it, written through `io.err` so the CLI's output
 * seam stays the only way out (the size is the real stderr's).
 */
class TerminalOnStreams extends EventEmitter {
  readonly isTTY = true;
  readonly #io: CliStreams;
  constructor(io: CliStreams) {
    super();
    this.#io = io;
  }
  get columns(): number {
    return process.stderr.columns ?? 80;
  }
  get rows(): number {
    return process.stderr.rows ?? 24;
  }
  write(chunk: string | Uint8Array): boolean {
    this.#io.err(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }
  cursorTo(x: number): boolean {
    return cursorTo(this as unknown as NodeJS.WritableStream, x);
  }
  moveCursor(dx: number, dy: number): boolean {
    return moveCursor(this as unknown as NodeJS.WritableStream, dx, dy);
  }
  clearLine(dir: -1 | 0 | 1): boolean {
    return clearLine(this as unknown as NodeJS.WritableStream, dir);
  }
}

/**
 * A spinner with `label` while a long operation runs; nothing at all without a
 * terminal or with `json`. ora is loaded on the first spinner, not with every
 * command (it costs a CLI start a noticeable fraction of a second): the
 * spinner appears once it has loaded, and never if the work is done first.
 */
export function spinner(io: CliStreams, label: string, options: { json?: boolean } = {}): Indicator {
  if (io.interactive !== true || options.json === true) return silent;
  let text = label;
  let stopped = false;
  let drawn: Ora | undefined;
  import('ora')
    .then(({ default: ora }) => {
      if (stopped) return;
      drawn = ora({
        text,
        stream: new TerminalOnStreams(io) as unknown as NodeJS.WriteStream,
        isEnabled: true,
        // Leave the user's stdin and cursor alone: no process-wide handlers for a spinner.
        discardStdin: false,
        hideCursor: false,
      }).start();
    })
    .catch(() => undefined); // no spinner is no failure
  return {
    update(next) {
      text = next;
      if (drawn !== undefined) drawn.text = next;
    },
    stop() {
      stopped = true;
      drawn?.stop();
    },
  };
}

function kib(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/**
 * The bytes of `body` as a stream that reports each chunk as fetch takes it
 * (about what has gone to the socket), with a bar and, once everything is
 * sent, a spinner while the host checks and scores the package. Without a
 * terminal (or with `json`) it answers the buffer itself: no stream, no
 * chunked upload.
 */
export function uploadWithProgress(
  io: CliStreams,
  body: Buffer,
  label: string,
  options: { json?: boolean } = {},
): { body: Buffer | ReadableStream<Uint8Array>; done(): void } {
  if (io.interactive !== true || options.json === true) return { body, done: () => undefined };
  const chunkBytes = 16 * 1024;
  let sent = 0;
  const indicator = spinner(io, `${label} 0%`);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= body.length) {
        controller.close();
        indicator.update(`${label} ${kib(body.length)} sent; waiting for the host`);
        return;
      }
      const chunk = body.subarray(sent, sent + chunkBytes);
      sent += chunk.length;
      const percent = Math.floor((sent / body.length) * 100);
      const bar = '#'.repeat(Math.floor(percent / 5)).padEnd(20, '.');
      indicator.update(`${label} [${bar}] ${percent}% of ${kib(body.length)}`);
      controller.enqueue(new Uint8Array(chunk));
    },
  });
  return { body: stream, done: () => indicator.stop() };
}
