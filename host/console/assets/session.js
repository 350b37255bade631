// The signed-in key and who it is. The key lives in sessionStorage (this tab
// only, gone when the tab closes) and nowhere else: never in a URL or cookie.
const KEY = 'bazaar.console.apiKey';

let me = null;

export const session = {
  key() {
    try {
      return sessionStorage.getItem(KEY);
    } catch {
      return null;
    }
  },
  store(key) {
    sessionStorage.setItem(KEY, key);
  },
  clear() {
    sessionStorage.removeItem(KEY);
    me = null;
  },
  /** GET /v1/me's answer: {tenant, scopes, keyId}. */
  me() {
    return me;
  },
  setMe(value) {
    me = value;
  },
  /** Whether the key holds one of `scopes` (admin holds them all; `*`: any key). */
  can(...scopes) {
    if (me === null) return false;
    if (scopes.includes('*') || me.scopes.includes('admin')) return true;
    return scopes.some((s) => me.scopes.includes(s));
  },
};
