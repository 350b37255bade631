/** `bazaar whoami`: GET /v1/me, who the key is (any key). */
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { printFields } from '../cli-table.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';
import type { TenantJson } from '../tenant-ref.js';

interface MeJson {
  tenant: TenantJson;
  scopes: string[];
  keyId: string;
}

export function whoamiCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('whoami', "the key's tenant, scopes and key id, as the host sees them"),
    '\nUseful to check which host and key the other commands will use.\n',
  ).action(async (flags: RemoteFlags) => {
    const client = await connect(flags);
    const { body } = await client.get<MeJson>('/v1/me');
    emit(cli, flags, body, () =>
      printFields(cli.io, [
        ['host', client.host],
        ['tenant', `${body.tenant.name} (${body.tenant.slug})`],
        ['tenant id', body.tenant.id],
        ['tier', body.tenant.tier],
        ['status', body.tenant.status],
        ['scopes', body.scopes.join(', ')],
        ['key id', body.keyId],
      ]),
    );
  });
}
