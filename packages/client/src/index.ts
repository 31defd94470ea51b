export { backoffDelay } from './backoff.ts';
export { type ClientOptions, type ClientState, type LoginOutcome, SignetClient } from './client.ts';
export { type ArticleHit, HelpCenter, HelpError, type RenderedArticle } from './help.ts';
export type { ConversationWithMessages } from './history.ts';
export { localStorageStore, memoryStore } from './token-store.ts';
export type * from './types.ts';
