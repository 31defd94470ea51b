// A host page's token endpoint in Node: GET /signet-token answers the logged-in
// customer's Signet token, signed with @signet/node. Run: SIGNET_KID=… SIGNET_SECRET=… npm start
import { createServer } from 'node:http';
import { signUserToken } from '@signet/node';

const key = { kid: process.env.SIGNET_KID, secret: process.env.SIGNET_SECRET };
if (!key.kid || !key.secret) {
  console.error('Set SIGNET_KID and SIGNET_SECRET to a signing key from Signet (signet keys create).');
  process.exit(1);
}
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 3000);

// In your app: the customer of the request's session, and nobody at all when logged out.
// This example has one customer, always logged in.
const loggedInCustomer = () => ({ id: 'customer-42', name: 'Ada Lovelace', email: 'ada@example.com' });

// A wrong kid or secret shape fails here, at start, not on a customer's first login.
await signUserToken(key, { external_id: 'startup-check' });

const server = createServer(async (request, response) => {
  if (request.method !== 'GET' || request.url !== '/signet-token') {
    response.writeHead(404).end();
    return;
  }
  const customer = loggedInCustomer();
  if (!customer) {
    response.writeHead(401).end();
    return;
  }
  const token = await signUserToken(
    key,
    { external_id: customer.id, name: customer.name, email: customer.email, email_verified: true },
    { expiresIn: '10m' },
  );
  response.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(token);
});

server.listen(port, host, () => {
  const { port: bound } = server.address();
  console.log(`listening on http://${host}:${bound}`);
});
