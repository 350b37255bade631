/**
 * `bazaar subscription [show] | upgrade <tier> | downgrade <tier> | cancel [--now]`
 * (docs/http-api.md "Billing, usage and analytics": GET /v1/subscription with
 * billing:read; POST /v1/subscription/upgrade|downgrade|cancel with
 * billing:write). The shapes are the host's (host/billing/subscription.ts
 * `subscriptionToJson`).
 */
import { Argument, Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { formatCents, printFields } from '../cli-table.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';

const TIERS = ['free', 'pro', 'team', 'enterprise'];

export interface SubscriptionJson {
  tier: string;
  status: 'trialing' | 'active' | 'past_due' | 'canceled';
  currentPeriodStart: string;
  currentPeriodEnd: string;
  cancelAtPeriodEnd: boolean;
  trialEndsAt: string | null;
  /** A downgrade scheduled for the period end. */
  pendingTier: string | null;
  canceledAt: string | null;
}

/** POST /v1/subscription/upgrade: the new state and the proration charged on the current period's invoice. */
interface UpgradeJson extends SubscriptionJson {
  prorationCents: number;
}

function printSubscription(cli: CliContext, s: SubscriptionJson): void {
  const next =
    s.status === 'canceled'
      ? undefined
      : s.cancelAtPeriodEnd
        ? `cancels at ${s.currentPeriodEnd} (then free)`
        : s.pendingTier !== null
          ? `downgrades to ${s.pendingTier} at ${s.currentPeriodEnd}`
          : `renews at ${s.currentPeriodEnd}`;
  printFields(cli.io, [
    ['tier', s.tier],
    ['status', s.status],
    ['period', `${s.currentPeriodStart} .. ${s.currentPeriodEnd}`],
    ['trial ends', s.trialEndsAt],
    ['next', next],
    ['canceled', s.canceledAt],
  ]);
}

const PATH = '/v1/subscription';

function showCommand(cli: CliContext): Command {
  return withSettingsHelp(remoteCommand('show', "the key's tenant's subscription (GET /v1/subscription)")).action(async (flags: RemoteFlags) => {
    const client = await connect(flags);
    const { body } = await client.get<SubscriptionJson>(PATH);
    emit(cli, flags, body, () => printSubscription(cli, body));
  });
}

function upgradeCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('upgrade', 'move to a higher tier now, with a prorated charge on this period\'s invoice').addArgument(new Argument('<tier>', 'the new tier').choices(TIERS)),
  ).action(async (tier: string, flags: RemoteFlags) => {
    const client = await connect(flags);
    const { body } = await client.post<UpgradeJson>(`${PATH}/upgrade`, { json: { tier } });
    emit(cli, flags, body, () => {
      cli.io.out(`upgraded to ${body.tier}; proration ${formatCents(body.prorationCents)} on the current invoice\n`);
      printSubscription(cli, body);
    });
  });
}

function downgradeCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('downgrade', 'move to a lower tier at the end of the period (no refund)').addArgument(new Argument('<tier>', 'the new tier').choices(TIERS)),
  ).action(async (tier: string, flags: RemoteFlags) => {
    const client = await connect(flags);
    const { body } = await client.post<SubscriptionJson>(`${PATH}/downgrade`, { json: { tier } });
    emit(cli, flags, body, () => {
      cli.io.out(`downgrade to ${body.pendingTier ?? tier} scheduled for ${body.currentPeriodEnd}\n`);
      printSubscription(cli, body);
    });
  });
}

function cancelCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('cancel', 'cancel at the end of the period, or --now (closes the period\'s invoice at once)').option('--now', 'cancel now instead of at the period end'),
  ).action(async (flags: RemoteFlags & { now?: boolean }) => {
    const client = await connect(flags);
    const { body } = await client.post<SubscriptionJson>(`${PATH}/cancel`, { json: { atPeriodEnd: flags.now !== true } });
    emit(cli, flags, body, () => {
      cli.io.out(body.status === 'canceled' ? 'subscription canceled\n' : `subscription cancels at ${body.currentPeriodEnd}\n`);
      printSubscription(cli, body);
    });
  });
}

export function subscriptionCommand(cli: CliContext): Command {
  return new Command('subscription')
    .description("show or change the key's tenant's subscription (default: show)")
    .addCommand(showCommand(cli), { isDefault: true })
    .addCommand(upgradeCommand(cli))
    .addCommand(downgradeCommand(cli))
    .addCommand(cancelCommand(cli));
}
