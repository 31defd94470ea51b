import type { Conversation, Message, PendingMessage } from './types.ts';

export type ConversationWithMessages = Conversation & { messages: Message[] };

/**
 * The user's conversations, oldest first, each with its messages in order: one
 * continuous history across follow-ups. Pure functions, so a UI can trust them.
 */
export type History = {
  conversations: ConversationWithMessages[];
  pending: PendingMessage[];
};

export const emptyHistory = (): History => ({ conversations: [], pending: [] });

export function fromServer(data: (Conversation & { messages: Message[] })[]): History {
  const conversations = [...data]
    .sort(byCreated)
    .map((c) => ({ ...c, messages: [...c.messages].sort(byId) }));
  return { conversations, pending: [] };
}

export function upsertConversation(history: History, conversation: Conversation): History {
  const existing = history.conversations.find((c) => c.id === conversation.id);
  const merged = {
    ...conversation,
    messages: existing?.messages ?? [],
    unreadCount: existing?.unreadCount ?? 0,
  };
  const conversations = history.conversations
    .filter((c) => c.id !== conversation.id)
    .concat(merged)
    .sort(byCreated);
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
    .sort(byCreated);
  return { conversations, pending };
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
  };
}

const byCreated = (a: { createdAt: string; id: string }, b: { createdAt: string; id: string }) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1;
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
