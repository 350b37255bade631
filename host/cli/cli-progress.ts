/**
 * Spinners and upload progress on stderr, drawn only when stderr is a
 * terminal (`io.interactive`): piped output and --json stay clean, and
 * scripts never see carriage returns.
 */
import type { CliStreams } from './cli-output.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR_LINE = '\r\x1b[K';

export interface Indicator {
  /** Replace the text shown beside the spinner. */
  update(text: string): void;
  /** Erase the indicator. */
  stop(): void;
}

const silent: Indicator = { update: () => undefined, stop: () => undefined };

/** A spinner with `label` while a long operation runs. */
export function spinner(io: CliStreams, label: string): Indicator {
  if (io.interactive !== true) return silent;
  let frame = 0;
  let text = label;
  const draw = () => io.err(`${CLEAR_LINE}${FRAMES[frame++ % FRAMES.length]} ${text}`);
  draw();
  const timer = setInterval(draw, 80);
  timer.unref(); // never what keeps the process alive
  return {
    update(next) {
      text = next;
    },
    stop() {
      clearInterval(timer);
      io.err(CLEAR_LINE);
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
 * terminal it answers the buffer itself: no stream, no chunked upload.
 */
export function uploadWithProgress(io: CliStreams, body: Buffer, label: string): { body: Buffer | ReadableStream<Uint8Array>; done(): void } {
  if (io.interactive !== true) return { body, done: () => undefined };
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
