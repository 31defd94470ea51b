import type { AppContext } from '../context.ts';
import { type LiveClientSession, requireLiveSession } from '../identity/client-sessions.ts';
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

/** The client API's viewer: a session that is not live is refused (401), as on every client route. */
export async function clientViewer(ctx: AppContext, sessionToken: string | undefined): Promise<Viewer> {
  return viewerOf(await requireLiveSession(ctx, sessionToken));
}
