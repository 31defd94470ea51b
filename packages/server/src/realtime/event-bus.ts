/**
 * Events leave through the bus and sockets listen (DESIGN.md). The bus carries
 * notices, not the truth: a socket that hears "user U has events up to cursor N"
 * reads them from the database, so a notice lost with a dropped Redis connection is
 * never a lost message. The in-process bus is the default; the Redis bus carries the
 * same notices between server processes.
 */
import type { SessionEndReason } from '@signet/protocol';

export type TypingAuthor = { type: 'user' | 'agent'; id: string | null; name: string | null };

export type BusEvent =
  /** New rows in the event log for these users' devices and/or the agents' inbox. */
  | { type: 'events'; userIds: string[]; inbox: boolean; cursor: number }
  /** Ephemeral, never stored: goes to the user's devices and the inbox. */
  | { type: 'typing'; userId: string; conversationId: string; author: TypingAuthor }
  | { type: 'session.ended'; sessionIds: string[]; reason: SessionEndReason }
  | { type: 'user.merged'; fromUserId: string; intoUserId: string }
  /** Agent sockets end: their agent signed out, was deleted or changed role, or their API token was deleted. */
  | AgentAccessEnded;

export type AgentAccessEnded = {
  type: 'agent_access.ended';
  /** Agent ids or API-token ids: every socket of theirs ends. */
  principalIds: string[];
  /** Agent-app cookie sessions: the sockets that rode on them end. */
  agentSessionIds: string[];
};

export type { SessionEndReason };

export type BusListener = (event: BusEvent) => void;

export interface EventBus {
  publish(event: BusEvent): Promise<void>;
  subscribe(listener: BusListener): () => void;
  /** Called after the bus was cut off and is back: notices may have been lost meanwhile. */
  onResync(listener: () => void): () => void;
  close(): Promise<void>;
}

export class MemoryEventBus implements EventBus {
  readonly #listeners = new Set<BusListener>();

  async publish(event: BusEvent): Promise<void> {
    for (const listener of this.#listeners) listener(event);
  }

  subscribe(listener: BusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onResync(): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
