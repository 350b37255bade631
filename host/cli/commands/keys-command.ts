/** `bazaar keys create|list|revoke` (docs/http-api.md "Tenants and API keys": api-keys; operator keys, scope admin). */
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { parseListFlag } from '../cli-flags.js';
import { printFields, printTable } from '../cli-table.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';
import { resolveTenantId, type Page } from '../tenant-ref.js';

interface ApiKeyJson {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

const SCOPES_HELP = `
Scopes: admin, reviews:write, plugins:publish, plugins:install, plugins:execute,
billing:read, billing:write, webhooks:write.`;

function createCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('create', 'create an API key for a tenant; the secret is printed once')
      .requiredOption('--tenant <tenant>', 'tenant id or slug')
      .requiredOption('--scopes <list>', 'comma-separated scopes, e.g. plugins:install,plugins:execute', parseListFlag)
      .option('--name <name>', 'what the key is for', 'cli')
      .option('--expires-at <iso>', 'expiry, an ISO-8601 date-time'),
    `${SCOPES_HELP}\n\nExample:\n  bazaar keys create --tenant acme --scopes plugins:install,plugins:execute,billing:read --name app\n`,
  ).action(async (flags: RemoteFlags & { tenant: string; scopes: string[]; name: string; expiresAt?: string }) => {
    const client = await connect(flags);
    const tenantId = await resolveTenantId(client, flags.tenant);
    const json = { name: flags.name, scopes: flags.scopes, ...(flags.expiresAt === undefined ? {} : { expiresAt: flags.expiresAt }) };
    const { body } = await client.post<ApiKeyJson & { key: string }>(`/v1/tenants/${encodeURIComponent(tenantId)}/api-keys`, { json });
    emit(cli, flags, body, () => {
      // The secret alone on stdout's first line, so `| head -1` captures it; the rest describes it.
      cli.io.out(`${body.key}\n`);
      printFields(cli.io, [['id', body.id], ['name', body.name], ['scopes', body.scopes.join(', ')], ['expires', body.expiresAt ?? 'never']], '  ');
      cli.io.err('This key is shown once: store it now.\n');
    });
  });
}

function listCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('list', "list a tenant's API keys, without secrets")
      .requiredOption('--tenant <tenant>', 'tenant id or slug')
      .option('--limit <n>', 'page size (1-200)', '50')
      .option('--cursor <cursor>', 'the nextCursor of a previous page'),
  ).action(async (flags: RemoteFlags & { tenant: string; limit: string; cursor?: string }) => {
    const client = await connect(flags);
    const tenantId = await resolveTenantId(client, flags.tenant);
    const { body } = await client.get<Page<ApiKeyJson>>(`/v1/tenants/${encodeURIComponent(tenantId)}/api-keys`, {
      query: { limit: flags.limit, cursor: flags.cursor },
    });
    emit(cli, flags, body, () => {
      printTable(cli.io, body.items, [
        { header: 'ID', value: (k) => k.id },
        { header: 'NAME', value: (k) => k.name },
        { header: 'PREFIX', value: (k) => k.prefix },
        { header: 'SCOPES', value: (k) => k.scopes },
        { header: 'LAST USED', value: (k) => k.lastUsedAt },
        { header: 'STATUS', value: (k) => (k.revokedAt !== null ? 'revoked' : k.expiresAt !== null && Date.parse(k.expiresAt) < Date.now() ? 'expired' : 'active') },
      ]);
      if (body.nextCursor !== null) cli.io.out(`more: --cursor ${body.nextCursor}\n`);
    });
  });
}

function revokeCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('revoke', 'revoke an API key; it stops working at once on every host process').argument('<keyId>', 'the key\'s id (see keys list)'),
  ).action(async (id: string, flags: RemoteFlags) => {
    const client = await connect(flags);
    await client.delete(`/v1/api-keys/${encodeURIComponent(id)}`);
    emit(cli, flags, { id, revoked: true }, () => cli.io.out(`revoked key ${id}\n`));
  });
}

export function keysCommand(cli: CliContext): Command {
  return new Command('keys')
    .description("manage a tenant's API keys (operator key)")
    .addCommand(createCommand(cli))
    .addCommand(listCommand(cli))
    .addCommand(revokeCommand(cli));
}
