import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';
import { addMessage, emptyHistory, type History, markConversationRead, unreadTotal } from './history.ts';
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

describe('backoffDelay', () => {
  it('grows with attempts, stays within bounds, and is jittered', () => {
    expect(backoffDelay(0, 500, 15_000, () => 0)).toBe(250);
    expect(backoffDelay(10, 500, 15_000, () => 1)).toBe(15_000);
    expect(backoffDelay(3, 500, 15_000, () => 1)).toBe(4000);
    const spread = new Set(Array.from({ length: 20 }, () => backoffDelay(5, 500, 15_000)));
    expect(spread.size).toBeGreaterThan(10);
  });
});
