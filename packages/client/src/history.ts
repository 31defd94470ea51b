import type { Conversation, Message, PendingMessage } from './types.ts';

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
