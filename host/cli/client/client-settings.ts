/**
 * Where the CLI's remote commands find their host URL and API key:
 * `--host`/`--key` flags, then `BAZAAR_HOST`/`BAZAAR_KEY`, then the file
 * `bazaar login` writes (`$XDG_CONFIG_HOME/bazaar/config.json`, else
 * `~/.config/bazaar/config.json`, mode 0600). Each setting is resolved on its
 * own, so `BAZAAR_KEY=... bazaar keys list` uses the logged-in host with another key.
 *
 * This is the CLI's own client configuration; the host's lives in host/foundation/config.ts.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { BazaarError } from '../../../manifests/errors.js';
import { parseHostUrl } from '../cli-flags.js';

export interface ClientSettings {
  readonly host: string;
  readonly key: string;
}

/** What `bazaar login` stores. */
export interface SavedSettings {
  host?: string;
  key?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The config file's path for this environment. */
export function configFilePath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : path.join(env.HOME ?? homedir(), '.config');
  return path.join(base, 'bazaar', 'config.json');
}

/** The saved settings, `{}` when there is no file. An unreadable or malformed file is a usage error. */
export async function readSavedSettings(file: string): Promise<SavedSettings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new BazaarError('invalid_request', `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
    const { host, key } = value as Record<string, unknown>;
    return { ...(typeof host === 'string' ? { host } : {}), ...(typeof key === 'string' ? { key } : {}) };
  } catch (err) {
    throw new BazaarError('invalid_request', `${file} is not valid (${(err as Error).message}); run bazaar login again`);
  }
}

/**
 * Write the settings with mode 0600 (the key is a secret), atomically: a
 * crash never leaves half a file, and an existing file's looser mode is fixed.
 */
export async function writeSavedSettings(file: string, settings: SavedSettings): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600); // the umask may have narrowed it further, never widened; be exact
  await rename(temp, file);
}

/** Where a resolved setting came from, for `bazaar login` and error messages. */
export type SettingSource = 'flag' | 'env' | 'file';

export interface ResolvedSettings extends ClientSettings {
  readonly sources: { readonly host: SettingSource; readonly key: SettingSource };
}

/** Flags > env > file, per setting. Missing either one is a usage error (exit 2) saying how to give it. */
export async function resolveSettings(flags: { host?: string; key?: string }, env: Env = process.env): Promise<ResolvedSettings> {
  const file = configFilePath(env);
  const saved = flags.host !== undefined && flags.key !== undefined ? {} : await readSavedSettings(file);
  const pick = (flag: string | undefined, fromEnv: string | undefined, fromFile: string | undefined): [string, SettingSource] | undefined => {
    if (flag !== undefined) return [flag, 'flag'];
    if (fromEnv !== undefined && fromEnv !== '') return [fromEnv, 'env'];
    if (fromFile !== undefined && fromFile !== '') return [fromFile, 'file'];
    return undefined;
  };
  const host = pick(flags.host, env.BAZAAR_HOST, saved.host);
  const key = pick(flags.key, env.BAZAAR_KEY, saved.key);
  if (host === undefined) throw new BazaarError('invalid_request', `no host: pass --host <url>, set BAZAAR_HOST, or run bazaar login (${file})`);
  if (key === undefined) throw new BazaarError('invalid_request', `no API key: pass --key <key>, set BAZAAR_KEY, or run bazaar login (${file})`);
  // Env and file values get the same check as the flag (commander only parsed the flag).
  let url: string;
  try {
    url = host[1] === 'flag' ? host[0] : parseHostUrl(host[0]);
  } catch (err) {
    throw new BazaarError('invalid_request', `host from ${host[1] === 'env' ? 'BAZAAR_HOST' : file}: ${(err as Error).message}`);
  }
  return { host: url, key: key[0], sources: { host: host[1], key: key[1] } };
}
