import type { Call } from './http.ts';
import type { Conversation, Message, PendingMessage, ServerFrame } from './types.ts';

/**
 * One conversation as the client holds it: its loaded messages in order, and
 * `messagesCursor`, the oldest loaded message's id while older ones remain on the
 * server (null once the conversation is complete).
 */
export type ConversationWithMessages = Conversation & { messages: Message[]; messagesCursor: string | null };

/**
 * The user's conversations, oldest first, each with its messages in order: one
 * continuous history across follow-ups. `olderCursor` is where the next page of older
 * conversations starts (null when every one is loaded). Pure functions, so a UI can trust them.
 */
export type History = {
  conversations: ConversationWithMessages[];
  pending: PendingMessage[];
  olderCursor: string | null;
};

type ServerConversation = Conversation & { messages: Message[]; messagesCursor?: string | null };

export const emptyHistory = (): History => ({ conversations: [], pending: [], olderCursor: null });

export function fromServer(data: ServerConversation[], olderCursor: string | null = null): History {
  return { conversations: data.map(loaded).sort(byId), pending: [], olderCursor };
}

/**
 * A fresh first page over what was already loaded (older pages, messages acked since
 * the fetch began): nothing the user scrolled back to disappears, nothing doubles.
 */
export function mergeFresh(fresh: History, old: History): History {
  let merged: History = { ...fresh, pending: old.pending };
  for (const conversation of old.conversations) {
    const now = merged.conversations.find((c) => c.id === conversation.id);
    if (!now) {
      merged = { ...merged, conversations: [...merged.conversations, conversation].sort(byId) };
      continue;
    }
    const newestOld = conversation.messages.at(-1)?.id;
    // Old messages join only when they touch the fresh ones (no hole in between).
    if (now.messagesCursor !== null && (newestOld === undefined || newestOld < now.messagesCursor)) continue;
    merged = olderMessages(merged, conversation.id, conversation.messages, conversation.messagesCursor);
  }
  return merged;
}

/** A page of older conversations (each with its newest messages), below the ones loaded. */
export function olderConversations(
  history: History,
  data: ServerConversation[],
  olderCursor: string | null,
): History {
  const known = new Set(history.conversations.map((c) => c.id));
  const added = data.filter((c) => !known.has(c.id)).map(loaded);
  return { ...history, conversations: [...history.conversations, ...added].sort(byId), olderCursor };
}

/** Older messages of one conversation, and the cursor that follows them (null: the start was reached). */
export function olderMessages(
  history: History,
  conversationId: string,
  messages: Message[],
  messagesCursor: string | null,
): History {
  return {
    ...history,
    conversations: history.conversations.map((c) => {
      if (c.id !== conversationId) return c;
      const ids = new Set(c.messages.map((m) => m.id));
      const all = [...messages.filter((m) => !ids.has(m.id)), ...c.messages].sort(byId);
      const cursor =
        messagesCursor === null || c.messagesCursor === null ? null : minId(messagesCursor, c.messagesCursor);
      return { ...c, messages: all, messagesCursor: cursor };
    }),
  };
}

/**
 * What a UI shows: the newest conversations back to the first gap, so the thread it
 * renders never has a hole (older messages or conversations wait for `loadOlder`).
 */
export function visibleConversations(history: History): ConversationWithMessages[] {
  const shown: ConversationWithMessages[] = [];
  for (let i = history.conversations.length - 1; i >= 0; i--) {
    const conversation = history.conversations[i]!;
    if (history.olderCursor !== null && conversation.id < history.olderCursor) break;
    shown.unshift(conversation);
    if (conversation.messagesCursor !== null) break;
  }
  return shown;
}

/** Where `loadOlder` goes next: a conversation's older messages, older conversations, or nowhere. */
export function nextOlder(
  history: History,
): { messagesOf: string; before: string } | { conversationsBefore: string } | undefined {
  const shown = visibleConversations(history);
  const first = shown[0];
  if (first?.messagesCursor) return { messagesOf: first.id, before: first.messagesCursor };
  if (history.olderCursor !== null) return { conversationsBefore: history.olderCursor };
  return undefined;
}

export function upsertConversation(history: History, conversation: Conversation): History {
  const existing = history.conversations.find((c) => c.id === conversation.id);
  const merged = {
    ...conversation,
    messages: existing?.messages ?? [],
    messagesCursor: existing?.messagesCursor ?? null,
    unreadCount: existing?.unreadCount ?? 0,
  };
  const conversations = history.conversations
    .filter((c) => c.id !== conversation.id)
    .concat(merged)
    .sort(byId);
  return { ...history, conversations };
}

/** Adds a stored message (once) and drops the pending copy it confirms. */
export function addMessage(history: History, message: Message, countsAsUnread: boolean): History {
  const pending = history.pending.filter(
    (p) => p.clientMessageId !== message.clientMessageId || message.author.type !== 'user',
  );
  let conversation = history.conversations.find((c) => c.id === message.conversationId);
  if (conversation?.messages.some((m) => m.id === message.id)) return { ...history, pending };
  if (!conversation) {
    conversation = placeholderConversation(message);
  }
  const updated = {
    ...conversation,
    messages: [...conversation.messages, message].sort(byId),
    unreadCount: conversation.unreadCount + (countsAsUnread ? 1 : 0),
    lastMessageAt: message.createdAt,
  };
  const conversations = history.conversations
    .filter((c) => c.id !== updated.id)
    .concat(updated)
    .sort(byId);
  return { ...history, conversations, pending };
}

export function markConversationRead(history: History, conversationId: string, messageId: string): History {
  return {
    ...history,
    conversations: history.conversations.map((c) =>
      c.id === conversationId
        ? { ...c, unreadCount: c.messages.filter((m) => m.id > messageId && m.author.type !== 'user').length }
        : c,
    ),
  };
}

export const unreadTotal = (history: History): number =>
  history.conversations.reduce((sum, c) => sum + c.unreadCount, 0);

export const newestConversation = (history: History): ConversationWithMessages | undefined =>
  history.conversations.at(-1);

/**
 * The current session's history as loaded so far, and the event cursor the live socket
 * resumes from. A page that arrives after the user changed is dropped.
 */
export class HistoryFeed {
  history: History = emptyHistory();
  /** How far the event log was read: the socket resumes after it. */
  cursor: string | undefined;

  constructor(
    private readonly call: Call,
    private readonly pageSize: number,
    private readonly userId: () => string | undefined,
    readonly changed: () => void,
  ) {}

  update(next: (history: History) => History): void {
    this.history = next(this.history);
    this.changed();
  }

  /** A live event about the conversations; a new message from someone else is returned, to be announced. */
  apply(frame: ServerFrame): Message | undefined {
    switch (frame.type) {
      case 'message.created': {
        const message = frame.message as Message;
        const fromOthers = message.author.type !== 'user';
        this.update((history) => addMessage(history, message, fromOthers));
        return fromOthers ? message : undefined;
      }
      case 'conversation.created':
      case 'conversation.updated':
        this.update((history) => upsertConversation(history, frame.conversation as Conversation));
        return undefined;
      case 'read':
        if ((frame.by as { type: string }).type === 'user')
          this.update((history) =>
            markConversationRead(history, frame.conversationId as string, frame.messageId as string),
          );
        return undefined;
    }
    return undefined;
  }

  /** Another session: what was loaded goes, with its cursor; pending sends stay until `dropPending`. */
  forget(): void {
    this.history = { ...emptyHistory(), pending: this.history.pending };
    this.cursor = undefined;
  }

  dropPending(): void {
    this.history = { ...this.history, pending: [] };
  }

  /** The first page again, merged over what was loaded, and the cursor to go live from. */
  async refetch(): Promise<void> {
    const user = this.userId();
    const answer = await this.call('GET', `/v1/client/conversations?limit=${this.pageSize}`);
    if (answer.status !== 200 || this.userId() !== user) return;
    const fresh = fromServer(answer.body.data, answer.body.nextCursor);
    this.history = mergeFresh(fresh, this.history);
    this.cursor = answer.body.eventCursor;
    this.changed();
  }

  /** The next older page (messages of the oldest shown conversation, or older conversations); true while more wait. */
  async loadOlder(): Promise<boolean> {
    const next = nextOlder(this.history);
    if (!next) return false;
    const user = this.userId();
    if ('messagesOf' in next) {
      const query = `before=${encodeURIComponent(next.before)}&limit=50`;
      const answer = await this.call('GET', `/v1/client/conversations/${next.messagesOf}/messages?${query}`);
      if (answer.status !== 200 || this.userId() !== user) return false;
      this.history = olderMessages(this.history, next.messagesOf, answer.body.data, answer.body.nextCursor);
    } else {
      const query = `before=${encodeURIComponent(next.conversationsBefore)}&limit=${this.pageSize}`;
      const answer = await this.call('GET', `/v1/client/conversations?${query}`);
      if (answer.status !== 200 || this.userId() !== user) return false;
      this.history = olderConversations(this.history, answer.body.data, answer.body.nextCursor);
    }
    this.changed();
    return nextOlder(this.history) !== undefined;
  }
}

function loaded(c: ServerConversation): ConversationWithMessages {
  return { ...c, messages: [...c.messages].sort(byId), messagesCursor: c.messagesCursor ?? null };
}

function placeholderConversation(message: Message): ConversationWithMessages {
  return {
    id: message.conversationId,
    userId: '',
    status: 'open',
    assigneeId: null,
    followUpOf: null,
    channel: 'messenger',
    createdAt: message.createdAt,
    updatedAt: message.createdAt,
    lastMessageAt: message.createdAt,
    unreadCount: 0,
    messages: [],
    messagesCursor: null,
  };
}

const minId = (a: string, b: string) => (a < b ? a : b);
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
