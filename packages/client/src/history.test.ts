import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';
import {
  addMessage,
  emptyHistory,
  fromServer,
  type History,
  markConversationRead,
  mergeFresh,
  nextOlder,
  olderConversations,
  olderMessages,
  unreadTotal,
  visibleConversations,
} from './history.ts';
import type { Message } from './types.ts';

const message = (
  id: string,
  conversationId: string,
  type: Message['author']['type'],
  clientMessageId?: string,
): Message => ({
  id,
  conversationId,
  author: { type, id: null, name: null },
  text: id,
  authenticated: false,
  createdAt: `2026-01-01T00:00:0${id.slice(-1)}.000Z`,
  ...(clientMessageId ? { clientMessageId } : {}),
});

describe('history', () => {
  it('adds a message once, in id order, and confirms the pending copy', () => {
    let history: History = {
      ...emptyHistory(),
      pending: [
        {
          ...message('x', 'c1', 'user', 'cm-1'),
          id: null,
          clientMessageId: 'cm-1',
          status: 'sending' as const,
        },
      ],
    };
    history = addMessage(history, message('m2', 'c1', 'agent'), true);
    history = addMessage(history, message('m1', 'c1', 'user', 'cm-1'), false);
    history = addMessage(history, message('m2', 'c1', 'agent'), true);
    expect(history.conversations[0]!.messages.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(history.pending).toEqual([]);
    expect(unreadTotal(history)).toBe(1);
    expect(unreadTotal(markConversationRead(history, 'c1', 'm2'))).toBe(0);
  });
});

describe('history pages', () => {
  const conversation = (id: string, messageIds: string[], messagesCursor: string | null = null) => ({
    id,
    userId: 'u',
    status: 'open' as const,
    assigneeId: null,
    followUpOf: null,
    channel: 'messenger',
    createdAt: `2026-01-01T00:00:00.000Z`,
    updatedAt: `2026-01-01T00:00:00.000Z`,
    lastMessageAt: null,
    unreadCount: 0,
    messages: messageIds.map((m) => message(m, id, 'agent')),
    messagesCursor,
  });
  const shownIds = (history: History) =>
    visibleConversations(history).flatMap((c) => c.messages.map((m) => m.id));

  it('shows the newest part without a hole, and says where older things are', () => {
    // A page of three: c3 complete, c2 cut at m21 (older messages on the server), c1 beyond that gap.
    const history = fromServer(
      [
        conversation('c3', ['m31', 'm32']),
        conversation('c2', ['m21', 'm22'], 'm21'),
        conversation('c1', ['m11']),
      ],
      'c1',
    );
    expect(shownIds(history)).toEqual(['m21', 'm22', 'm31', 'm32']);
    expect(nextOlder(history)).toEqual({ messagesOf: 'c2', before: 'm21' });
    const filled = olderMessages(history, 'c2', [message('m20', 'c2', 'agent')], null);
    expect(shownIds(filled)).toEqual(['m11', 'm20', 'm21', 'm22', 'm31', 'm32']);
    expect(nextOlder(filled)).toEqual({ conversationsBefore: 'c1' });
    const all = olderConversations(filled, [conversation('c1', ['m11']), conversation('c0', ['m01'])], null);
    expect(shownIds(all)).toEqual(['m01', 'm11', 'm20', 'm21', 'm22', 'm31', 'm32']);
    expect(nextOlder(all)).toBeUndefined();
  });

  it('a fresh first page keeps what was scrolled back to, unless a hole would open', () => {
    const old = olderMessages(
      fromServer([conversation('c1', ['m5', 'm6'], 'm5')]),
      'c1',
      [message('m4', 'c1', 'agent')],
      null,
    );
    const touching = mergeFresh(fromServer([conversation('c1', ['m6', 'm7'], 'm6')]), old);
    expect(shownIds(touching)).toEqual(['m4', 'm5', 'm6', 'm7']);
    expect(nextOlder(touching)).toBeUndefined();
    const apart = mergeFresh(fromServer([conversation('c1', ['m8', 'm9'], 'm8')]), old);
    expect(shownIds(apart)).toEqual(['m8', 'm9']);
    expect(nextOlder(apart)).toEqual({ messagesOf: 'c1', before: 'm8' });
  });
});

describe('backoffDelay', () => {
  it('grows with attempts, stays within bounds, and is jittered', () => {
    expect(backoffDelay(0, 500, 15_000, () => 0)).toBe(250);
    expect(backoffDelay(10, 500, 15_000, () => 1)).toBe(15_000);
    expect(backoffDelay(3, 500, 15_000, () => 1)).toBe(4000);
    const spread = new Set(Array.from({ length: 20 }, () => backoffDelay(5, 500, 15_000)));
    expect(spread.size).toBeGreaterThan(10);
  });
});
