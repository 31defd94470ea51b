import type { EventBus } from '../realtime/event-bus.ts';
import { metrics } from './metrics.ts';

/**
 * Counts what passes through the bus from this node: every session end is published
 * exactly once, by the node that ended it (expiry is noticed lazily, at the next use, and
 * is not counted here). Nothing else about the bus changes.
 */
export function instrumentBus(bus: EventBus): EventBus {
  const publish = bus.publish.bind(bus);
  bus.publish = (event) => {
    if (event.type === 'session.ended') metrics.sessionsEnded(event.reason, event.sessionIds.length);
    return publish(event);
  };
  return bus;
}
