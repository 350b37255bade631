/** `bazaar tenants create|list|suspend|reactivate` (docs/http-api.md "Tenants and API keys"; operator keys, scope admin). */
import { Command, Option } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printFields, printTable } from '../cli-table.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';
import { resolveTenantId, type Page, type TenantJson } from '../tenant-ref.js';

const TIERS = ['free', 'pro', 'team', 'enterprise'];

function printTenant(cli: CliContext, t: TenantJson): void {
  printFields(cli.io, [['id', t.id], ['name', t.name], ['slug', t.slug], ['owner', t.ownerEmail], ['tier', t.tier], ['status', t.status], ['created', t.createdAt]]);
}

function createCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('create', 'create a tenant (POST /v1/tenants)')
      .requiredOption('--name <name>', 'display name')
      .requiredOption('--slug <slug>', 'unique slug; a publisher\'s plugins are named @<slug>/...')
      .requiredOption('--owner-email <email>', 'owner\'s e-mail address')
      .addOption(new Option('--tier <tier>', 'pricing tier (default: the host\'s, free)').choices(TIERS)),
    '\nExample:\n  bazaar tenants create --name "Acme" --slug acme --owner-email ops@acme.test --tier pro\n',
  ).action(async (flags: RemoteFlags & { name: string; slug: string; ownerEmail: string; tier?: string }) => {
    const client = await connect(flags);
    const json = { name: flags.name, slug: flags.slug, ownerEmail: flags.ownerEmail, ...(flags.tier === undefined ? {} : { tier: flags.tier }) };
    const { body } = await client.post<TenantJson>('/v1/tenants', { json });
    emit(cli, flags, body, () => {
      cli.io.out(`created tenant ${body.slug}\n`);
      printTenant(cli, body);
    });
  });
}

function listCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('list', 'list tenants (GET /v1/tenants)')
      .option('--limit <n>', 'page size (1-200)', '50')
      .option('--cursor <cursor>', 'the nextCursor of a previous page'),
  ).action(async (flags: RemoteFlags & { limit: string; cursor?: string }) => {
    const client = await connect(flags);
    const { body } = await client.get<Page<TenantJson>>('/v1/tenants', { query: { limit: flags.limit, cursor: flags.cursor } });
    emit(cli, flags, body, () => {
      printTable(cli.io, body.items, [
        { header: 'ID', value: (t) => t.id },
        { header: 'SLUG', value: (t) => t.slug },
        { header: 'NAME', value: (t) => t.name },
        { header: 'TIER', value: (t) => t.tier },
        { header: 'STATUS', value: (t) => t.status },
        { header: 'CREATED', value: (t) => t.createdAt },
      ]);
      if (body.nextCursor !== null) cli.io.out(`more: --cursor ${body.nextCursor}\n`);
    });
  });
}

function statusCommand(cli: CliContext, verb: 'suspend' | 'reactivate', description: string): Command {
  return withSettingsHelp(remoteCommand(verb, description).argument('<tenant>', 'tenant id or slug')).action(
    async (ref: string, flags: RemoteFlags) => {
      const client = await connect(flags);
      const id = await resolveTenantId(client, ref);
      const { body } = await client.post<TenantJson>(`/v1/tenants/${encodeURIComponent(id)}/${verb}`);
      emit(cli, flags, body, () => cli.io.out(`tenant ${body.slug} (${body.id}) is ${body.status}\n`));
    },
  );
}

export function tenantsCommand(cli: CliContext): Command {
  return new Command('tenants')
    .description('manage tenants (operator key)')
    .addCommand(createCommand(cli))
    .addCommand(listCommand(cli))
    .addCommand(statusCommand(cli, 'suspend', "suspend a tenant: its keys get 403 tenant_suspended"))
    .addCommand(statusCommand(cli, 'reactivate', 'reactivate a suspended tenant'));
}
