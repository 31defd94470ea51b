import type { SetupBody } from '@signet/protocol';
import { openAgentSession, type SignedIn } from '../agents/agent-sessions.ts';
import { insertAgent } from '../agents/agents.repository.ts';
import { newAgentRow } from '../agents/create-agent.ts';
import type { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { anyAgentExists, lockSetup } from './setup.repository.ts';
import { isSetupCode } from './setup-code.ts';

/** Whether first-run setup is still open: no agent exists yet. */
export async function setupNeeded(ctx: AppContext): Promise<boolean> {
  return !(await anyAgentExists(ctx.storage.db));
}

/**
 * First-run setup: with the code from the server's log, creates the first admin and signs
 * them in. Once any agent exists it is refused for good (`setup_done`), so a code seen
 * later opens nothing; of two setups racing, exactly one creates an admin.
 */
export async function createFirstAdmin(ctx: AppContext, input: SetupBody): Promise<SignedIn> {
  if (!(await setupNeeded(ctx))) throw new AppError('setup_done', 'setup is done: sign in instead');
  if (!isSetupCode(ctx.masterKey, input.code)) {
    throw new AppError('invalid_setup_code', 'wrong setup code: copy it from the server log');
  }
  const row = await newAgentRow({ ...input, role: 'admin' }, ctx.now());
  await ctx.storage.db.transaction().execute(async (trx) => {
    await lockSetup(trx);
    if (await anyAgentExists(trx)) throw new AppError('setup_done', 'setup is done: sign in instead');
    await insertAgent(trx, row);
  });
  // Its password was hashed above: no second hash to check it again.
  return openAgentSession(ctx, row);
}
