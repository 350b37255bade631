/**
 * Community: how many distinct tenants installed the plugin, how they rate it,
 * and how established and verified its publisher is (CommunityStatsPort).
 * Starts from 40: an unknown plugin from an unknown publisher earns trust.
 */
import type { CommunityStats } from '../../ports.js';
import { FactorBuilder, type FactorResult } from '../factor-result.js';

export const COMMUNITY_BASELINE = 40;
const DAY_MS = 86_400_000;
/** Ratings count only once there are a few of them. */
const MIN_RATINGS = 3;

/** Publisher age in days → points. */
function agePoints(days: number): number {
  if (days >= 365) return 25;
  if (days >= 180) return 20;
  if (days >= 30) return 10;
  return 0;
}

export function communityFactor(stats: CommunityStats, now: Date): FactorResult {
  const b = new FactorBuilder('community', COMMUNITY_BASELINE, `starts at ${COMMUNITY_BASELINE} for an unknown plugin`);
  const installers = stats.distinctInstallers;
  b.add('installs', `${installers} distinct installing tenant(s)`, Math.min(25, Math.round(8 * Math.log2(1 + installers))));
  if (stats.ratingCount >= MIN_RATINGS && stats.ratingAverage !== null) {
    b.add('ratings', `${stats.ratingCount} ratings averaging ${stats.ratingAverage.toFixed(1)} stars`, Math.round((stats.ratingAverage - 3) * 10));
  } else {
    b.add('ratings', `${stats.ratingCount} rating(s); fewer than ${MIN_RATINGS} do not count`, 0);
  }
  if (stats.publisherCreatedAt) {
    const days = Math.max(0, Math.floor((now.getTime() - Date.parse(stats.publisherCreatedAt)) / DAY_MS));
    b.add('publisher-age', `publisher tenant is ${days} day(s) old`, agePoints(days));
  } else {
    b.add('publisher-age', 'publisher age unknown', 0);
  }
  if (stats.publisherVerified) b.add('publisher-verified', 'publisher is verified', 10);
  return b.result();
}
