import type { TokenStore } from './types.ts';

/** localStorage, one key per server origin, so two Signet servers on one page never mix. */
export function localStorageStore(serverUrl: string): TokenStore {
  const key = `signet:session:${new URL(serverUrl).origin}`;
  return {
    get: () => globalThis.localStorage?.getItem(key) ?? null,
    set: (token) => globalThis.localStorage?.setItem(key, token),
    clear: () => globalThis.localStorage?.removeItem(key),
  };
}

export function memoryStore(initial: string | null = null): TokenStore {
  let token = initial;
  return {
    get: () => token,
    set: (value) => {
      token = value;
    },
    clear: () => {
      token = null;
    },
  };
}

/** Where the token survives reloads by default: localStorage in browsers, memory elsewhere. */
export function defaultStore(serverUrl: string): TokenStore {
  return hasLocalStorage() ? localStorageStore(serverUrl) : memoryStore();
}

/** Browsers have it; Node has none (or, in newer versions, one that throws without a file). */
function hasLocalStorage(): boolean {
  try {
    return typeof globalThis.localStorage?.getItem === 'function';
  } catch {
    return false;
  }
}
