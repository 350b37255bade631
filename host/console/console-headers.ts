/**
 * Security headers of every console response (README.md "Console"). The
 * console renders attacker-controlled text (plugin names, descriptions,
 * evidence, code), so the policy forbids what an injection would need even if
 * a rendering bug let markup through: no inline script or style, no
 * eval, nothing from other origins, no framing, no plugins, no <base>.
 */
import type Koa from 'koa';

export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sets the console's headers on `ctx` (before the body, so errors carry them too). */
export function setConsoleHeaders(ctx: Koa.Context | Koa.ParameterizedContext): void {
  ctx.set('Content-Security-Policy', CONSOLE_CSP);
  ctx.set('X-Content-Type-Options', 'nosniff');
  // For browsers that predate frame-ancestors.
  ctx.set('X-Frame-Options', 'DENY');
  // API keys never travel in URLs, but the console's URLs should not leak elsewhere either.
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
  ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=()');
}
