/**
 * Closing a connection without losing the answer on it (a "lingering close",
 * as nginx and Apache do it).
 *
 * When the host answers before it has read the whole request (an upload
 * refused with 413, a body that timed out with 408), the client is usually
 * still sending. A socket closed with unread bytes, or one that receives bytes
 * after it closed, makes the kernel answer with a TCP reset, and a client that
 * is still writing may then see the reset instead of the answer, or believe
 * the kept-alive connection is still good and lose its next request on it.
 *
 * So such an answer goes out with `Connection: close`; then the host sends
 * FIN, keeps reading and discarding what the client still sends, and destroys
 * the socket when the client closes its side, or after `LINGER_MS`, or after
 * `LINGER_MAX_BYTES` more bytes, whichever comes first. An attacker gets
 * nothing out of it: the socket is gone within those bounds.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** How long a closing connection may keep sending. */
export const LINGER_MS = 2_000;
/** How much it may send meanwhile. */
export const LINGER_MAX_BYTES = 8 * 1024 * 1024;

/** Sockets being closed: a request that still arrives on one (pipelined after our `Connection: close`) is not served. */
const closing = new WeakSet<Duplex>();

export function isClosing(socket: Duplex): boolean {
  return closing.has(socket);
}

/**
 * End `socket` after what was written to it, draining `request` (the one
 * whose body is unread) or the raw socket within the bounds above.
 */
export function lingeringClose(socket: Duplex, request?: IncomingMessage): void {
  if (closing.has(socket)) return;
  closing.add(socket);
  const destroy = () => socket.destroy();
  const timer = setTimeout(destroy, LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  if (request !== undefined) {
    let seen = 0;
    request.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > LINGER_MAX_BYTES) destroy();
    });
    request.resume();
  } else {
    socket.resume();
  }
  if (socket.writable) socket.end();
}

/**
 * Make Node's HTTP server close the connection of `req` with a lingering
 * close once its answer (sent with `Connection: close`) is written. Node ends
 * such a connection with `socket.destroySoon()`, which destroys it as soon as
 * the answer is flushed, however much of the request is still arriving; this
 * replaces that one call, on this one socket.
 */
export function closeAfterAnswer(req: IncomingMessage): void {
  const socket = req.socket as Duplex & { destroySoon?: () => void };
  socket.destroySoon = () => lingeringClose(socket, req);
}
