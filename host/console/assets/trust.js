// A version's six trust factors (each 0–100, from the trust breakdown that
// GET /v1/plugins/:name/versions/:version and the review queue answer), as a
// bar chart: reviewers read it beside the weights, tenants in a plugin's detail.
import { el } from './dom.js';
import { bars } from './chart.js';

export const FACTORS = [
  ['codeQuality', 'Code quality'],
  ['executionHistory', 'Execution history'],
  ['security', 'Security'],
  ['community', 'Community'],
  ['maintenance', 'Maintenance'],
  ['compliance', 'Compliance'],
];
export const FACTOR_NAMES = Object.fromEntries(FACTORS);

/** A <figure> of the factors of `trust` (a factor the host did not score is left out). */
export function trustFactorsChart(title, trust) {
  const rows = FACTORS.filter(([key]) => typeof trust.factors?.[key] === 'number').map(([key, label]) => {
    const value = trust.factors[key];
    return { label, value, text: String(value) };
  });
  if (rows.length === 0) return el('p', { class: 'empty' }, 'No trust factors recorded.');
  const full = `${title} (0–100 each)`;
  return el('figure', { class: 'trust-factors' }, el('figcaption', {}, full), bars(full, rows, 100));
}
