// Flags live in the install's private key-value store, one key per flag.
const PREFIX = 'flag:';

/** Creates or replaces a flag. Without `rolloutPercent`, an enabled flag is on for everyone. */
export async function setFlag(input, ctx) {
  const flag = {
    flag: input.flag,
    enabled: input.enabled,
    rolloutPercent: input.rolloutPercent ?? 100,
    allowUsers: input.allowUsers ?? [],
  };
  await ctx.kv.put(PREFIX + input.flag, flag);
  ctx.log(`flag ${input.flag} set: enabled=${flag.enabled} rollout=${flag.rolloutPercent}%`);
  return flag;
}

/**
 * Evaluates a flag for one user. The allow-list wins; otherwise the user's
 * bucket (a stable hash of flag and user, 0–99) must fall under the rollout
 * percentage, so raising the percentage only ever adds users.
 */
export async function evaluate(input, ctx) {
  const stored = await ctx.kv.get(PREFIX + input.flag);
  const answer = (enabled, reason) => ({ flag: input.flag, enabled, reason });
  if (stored === null) return answer(false, 'unknown_flag');
  if (!stored.enabled) return answer(false, 'disabled');
  if (stored.allowUsers.includes(input.userId)) return answer(true, 'allow_list');
  return bucketOf(`${input.flag}:${input.userId}`) < stored.rolloutPercent ? answer(true, 'rollout') : answer(false, 'outside_rollout');
}

/** Every flag, sorted by name. */
export async function listFlags(_input, ctx) {
  const keys = (await ctx.kv.list(PREFIX)).sort();
  const flags = [];
  for (const key of keys) {
    const flag = await ctx.kv.get(key);
    if (flag !== null) flags.push(flag);
  }
  return { flags };
}

export async function deleteFlag(input, ctx) {
  return { deleted: await ctx.kv.delete(PREFIX + input.flag) };
}

/** FNV-1a (32 bit) of the text, reduced to 0–99. */
function bucketOf(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 100;
}
