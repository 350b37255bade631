/**
 * One lifecycle for the whole host. Each area describes itself as an `Area`:
 * the routes it serves and the background work it starts and stops. The
 * wiring registers the areas in ONE ordered list; they start in that order
 * and close in reverse, so whatever an area relies on (the database, the
 * usage recorder, the sandbox) is still there while it shuts down.
 */
import type { AppRouter } from './app-state.js';
import type { Logger } from './logger.js';
import { errorFields } from './logger.js';

export interface Area {
  /** Names it in logs and in `startAreas`'s `skip` list. */
  readonly name: string;
  /** Mounted before body parsing and authentication: probes, public pages. */
  publicRoutes?(): readonly AppRouter[];
  /** Mounted after authentication and the rate limit; each route guards itself with `requireScope`. */
  routes?(): readonly AppRouter[];
  /** Start this process's background work (loops, flushers). */
  start?(): void | Promise<void>;
  /** Stop that work and release what the area holds; it may still use the areas listed before it. */
  close?(): Promise<void>;
}

/**
 * Start every area in order, except those in `skip` (tests drive that work by
 * hand). A failure stops here; the caller closes the whole list (`closeAreas`
 * closes areas that never started as well, which is harmless).
 */
export async function startAreas(areas: readonly Area[], options: { skip?: readonly string[] } = {}): Promise<void> {
  for (const area of areas) {
    if (!options.skip?.includes(area.name)) await area.start?.();
  }
}

/**
 * Close every area in reverse order. One that fails is logged and the rest
 * still close (a stuck webhook round must not keep the database open); the
 * first failure is thrown at the end.
 */
export async function closeAreas(areas: readonly Area[], logger: Logger): Promise<void> {
  let failure: unknown;
  for (const area of [...areas].reverse()) {
    try {
      await area.close?.();
    } catch (err) {
      logger.error({ ...errorFields(err), area: area.name }, 'an area failed to close');
      failure ??= err;
    }
  }
  if (failure !== undefined) throw failure;
}
