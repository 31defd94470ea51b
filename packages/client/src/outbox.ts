import { backoffDelay } from './backoff.ts';
import { addMessage, type HistoryFeed, markConversationRead, newestConversation } from './history.ts';
import { SESSION_OVER } from './http.ts';
import type { Session } from './session.ts';
import type { Backoff, Requester } from './transport.ts';
import type { Message, PendingMessage } from './types.ts';

/**
 * What the user sends: messages (shown at once as pending, sent over the live socket or
 * HTTP through the session current when they go, again with the same id until stored),
 * read markers and typing.
 */
export class Outbox {
  readonly #posting = new Set<string>();

  constructor(
    private readonly session: Session,
    private readonly feed: HistoryFeed,
    private readonly http: Requester,
    private readonly backoff: Backoff,
  ) {}

  send(text: string, conversationId?: string): string {
    const clientMessageId = randomId();
    const user = this.session.user;
    const pending: PendingMessage = {
      id: null,
      clientMessageId,
      conversationId: conversationId ?? newestConversation(this.feed.history)?.id ?? '',
      author: { type: 'user', id: user?.id ?? null, name: user?.name ?? null },
      text,
      authenticated: this.session.authenticated,
      createdAt: new Date().toISOString(),
      status: 'sending',
    };
    this.feed.update((history) => ({ ...history, pending: [...history.pending, pending] }));
    void this.#deliver(pending, conversationId);
    return clientMessageId;
  }

  typing(conversationId?: string): void {
    const id = conversationId ?? newestConversation(this.feed.history)?.id;
    if (id) this.session.sendOnSocket({ type: 'typing', conversationId: id });
  }

  /** Everything loaded is read: over the socket when live, else over HTTP. */
  markRead(): void {
    for (const conversation of this.feed.history.conversations) {
      const last = conversation.messages.at(-1);
      if (!last || conversation.unreadCount === 0) continue;
      this.feed.history = markConversationRead(this.feed.history, conversation.id, last.id);
      const body = { conversationId: conversation.id, messageId: last.id };
      if (!this.session.sendOnSocket({ type: 'read', ...body }))
        void this.session.call('POST', '/v1/client/read', body, { retries: 2 });
    }
    this.feed.changed();
  }

  /** The socket is (back) online: what still waits goes out. */
  resend(): void {
    for (const pending of this.feed.history.pending)
      if (pending.status === 'sending') void this.#deliver(pending, undefined);
  }

  stored(message: Message): void {
    this.feed.update((history) => addMessage(history, message, false));
  }

  /** An error frame about a send on the socket of `token`. */
  refused(code: string, clientMessageId: unknown, token: string): void {
    const pending = this.feed.history.pending.find((p) => p.clientMessageId === clientMessageId);
    if (SESSION_OVER.has(code)) {
      // Sent on a session that has just ended: it goes again through the next one.
      void this.session.over(token, code, 'relogin').then(() => pending && this.#deliver(pending, undefined));
      return;
    }
    if (!pending) return;
    if (code === 'rate_limited' || code === 'internal' || code === 'unavailable') {
      void this.http
        .sleep(backoffDelay(1, 1000, this.backoff.maxMs))
        .then(() => this.#deliver(pending, undefined));
    } else this.#failed(pending.clientMessageId);
  }

  async #deliver(pending: PendingMessage, conversationId: string | undefined): Promise<void> {
    const id = pending.clientMessageId;
    if (this.#posting.has(id)) return;
    this.#posting.add(id);
    try {
      const frame = {
        text: pending.text,
        clientMessageId: id,
        ...(conversationId ? { conversationId } : {}),
      };
      for (let refused = 0; refused < 3; ) {
        await this.session.settled();
        if (!this.#stillPending(id) || this.http.stopped) return;
        // Over the socket when it is live (the ack, or the next `ready`, settles it).
        if (this.session.sendOnSocket({ type: 'message.send', ...frame })) return;
        const answer = await this.session.call('POST', '/v1/client/messages', frame);
        if (answer.status === 200 || answer.status === 201) return this.stored(answer.body);
        if (answer.status === 0) return; // stopped
        if (answer.status !== 401) return this.#failed(id);
        refused++; // the session is being replaced: send again through the new one
      }
      this.#failed(id);
    } finally {
      this.#posting.delete(id);
    }
  }

  #stillPending(clientMessageId: string): boolean {
    return this.feed.history.pending.some(
      (p) => p.clientMessageId === clientMessageId && p.status === 'sending',
    );
  }

  #failed(clientMessageId: string): void {
    this.feed.update((history) => ({
      ...history,
      pending: history.pending.map((p) =>
        p.clientMessageId === clientMessageId ? { ...p, status: 'failed' } : p,
      ),
    }));
  }
}

function randomId(): string {
  return (
    globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`
  );
}
