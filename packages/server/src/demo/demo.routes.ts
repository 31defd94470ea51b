import { Type } from '@sinclair/typebox';
import type { AppContext } from '../context.ts';
import { responses } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { seedDemoHelp } from './demo-help.ts';
import { demoPage } from './demo-page.ts';
import { ensureDemoKey, signDemoToken } from './demo-token.ts';

const DemoTokenBody = Type.Object(
  {
    externalId: Type.String({ minLength: 1, maxLength: 255 }),
    name: Type.Optional(Type.String({ maxLength: 255 })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    expiresIn: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  },
  { additionalProperties: false },
);

/**
 * `/demo`: a fake shop that embeds the widget, and its token endpoint for the shop's
 * own customers. Registered only when config.demo is on (loopback, or SIGNET_DEMO=1).
 */
export async function demoRoutes(app: App, { ctx }: { ctx: AppContext }): Promise<void> {
  await ensureDemoKey(ctx);
  await seedDemoHelp(ctx);
  const page = demoPage();
  app.get('/demo', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('content-type', 'text/html; charset=utf-8').send(page),
  );
  app.post(
    '/demo/token',
    {
      schema: {
        tags: ['demo'],
        body: DemoTokenBody,
        response: responses({ 200: Type.Object({ jwt: Type.String() }) }),
      },
    },
    async (request) => ({ jwt: await signDemoToken(ctx, request.body) }),
  );
}
