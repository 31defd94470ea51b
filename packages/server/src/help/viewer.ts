import type { LiveClientSession } from '../identity/client-sessions.ts';
import { parseTags } from '../identity/tags.ts';
import type { Viewer } from './can-read.ts';

/**
 * HELP.md: the viewer is the client session as it is now. `authenticated` is the
 * session's state at this moment (IDENTITY.md §7: an expired or ended session is not
 * live at all), and tags are the user's current ones (users.tags).
 */
export function viewerOf(live: LiveClientSession): Viewer {
  return {
    kind: 'session',
    sessionId: live.session.id,
    userId: live.user.id,
    signedIn: live.authenticated,
    tags: live.authenticated ? parseTags(live.user.tags) : [],
  };
}
