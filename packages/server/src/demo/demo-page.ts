import { DEMO_CUSTOMERS } from './demo-customers.ts';

/**
 * A shop page as an integrator would write it: the two-line snippet, a login form that
 * stands in for the shop's own login, and `loginUser` fetching a token from the shop's
 * backend (here `/demo/token`). Everything the widget does, it does through the public
 * host-page API.
 */
export function demoPage(): string {
  const options = DEMO_CUSTOMERS.map(
    (c) => `<option value="${c.externalId}">${c.name} (${c.tags.join(', ') || 'no tags'})</option>`,
  ).join('');
  const customers = JSON.stringify(
    DEMO_CUSTOMERS.map(({ externalId, name, email }) => ({ externalId, name, email })),
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Outfitters — Signet demo</title>
<link rel="icon" href="data:,">
<style>
  body { font-family: system-ui, sans-serif; margin: 0; color: #1f2937; background: #fafaf9; }
  header { background: #1c1917; color: #fafaf9; padding: 16px 32px; display: flex; align-items: center; gap: 24px; }
  header h1 { font-size: 20px; margin: 0; flex: 1; }
  main { max-width: 880px; margin: 32px auto; padding: 0 24px; display: grid; grid-template-columns: 300px 1fr; gap: 32px; }
  .products { display: grid; grid-template-columns: repeat(2, 1fr); gap: 16px; }
  .product { background: #fff; border: 1px solid #e7e5e4; border-radius: 10px; padding: 16px; }
  .product .art { height: 90px; border-radius: 6px; background: linear-gradient(135deg, #fde68a, #f97316); margin-bottom: 10px; }
  aside { background: #fff; border: 1px solid #e7e5e4; border-radius: 10px; padding: 16px; align-self: start; }
  label { display: block; font-size: 13px; margin-top: 10px; }
  input, select { width: 100%; box-sizing: border-box; padding: 6px 8px; margin-top: 4px; }
  button { margin-top: 12px; padding: 8px 14px; border-radius: 6px; border: 1px solid #1c1917; background: #1c1917; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #1c1917; }
  .note { font-size: 13px; color: #57534e; }
  .error { color: #b91c1c; font-size: 13px; }
  @media (max-width: 700px) { main { grid-template-columns: 1fr; } }
</style>
<script>window.Signet=window.Signet||function(){(Signet.q=Signet.q||[]).push(arguments)};</script>
<script src="/widget.js" async></script>
</head>
<body>
<header><h1>Acme Outfitters</h1><a href="/help" style="color:inherit">Help center</a><span id="who">Browsing as a guest</span><span id="unread"></span></header>
<main>
  <aside>
    <form id="login-form">
      <strong>Shop login</strong>
      <label>Customer <input id="external-id" list="demo-customers" value="demo-ada" required></label>
      <datalist id="demo-customers">${options}</datalist>
      <label>Name <input id="name" value="Ada Lovelace"></label>
      <label>Email (verified by the shop) <input id="email" value="ada@example.com"></label>
      <label>Token lifetime
        <select id="expires-in"><option value="3600">1 hour</option><option value="62">62 seconds</option></select>
      </label>
      <button id="login" type="submit">Log in</button>
      <button id="logout" type="button" class="secondary">Log out</button>
      <p id="login-error" class="error" role="alert"></p>
    </form>
  </aside>
  <section>
    <p class="note">A demo shop with the Signet messenger. Chat as a guest, then log in as one
      of the shop's demo customers:
      the shop's backend signs a token for you, the messenger hands it to Signet, and the
      conversation you started stays yours, now with your name on it.</p>
    <div class="products">
      <div class="product"><div class="art"></div><strong>Trail jacket</strong><p>$189</p></div>
      <div class="product"><div class="art"></div><strong>Alpine boots</strong><p>$240</p></div>
      <div class="product"><div class="art"></div><strong>Wool beanie</strong><p>$29</p></div>
      <div class="product"><div class="art"></div><strong>Day pack</strong><p>$95</p></div>
    </div>
  </section>
</main>
<script>
  window.__tokenRequests = 0;
  const demoCustomers = ${customers};
  document.getElementById('external-id').addEventListener('change', function (event) {
    const picked = demoCustomers.find(function (c) { return c.externalId === event.target.value; });
    if (!picked) return;
    document.getElementById('name').value = picked.name;
    document.getElementById('email').value = picked.email;
  });
  const stored = () => JSON.parse(localStorage.getItem('acme:customer') || 'null');
  function loginWidget(customer) {
    document.getElementById('who').textContent = 'Logged in as ' + (customer.name || customer.externalId);
    Signet('messenger', 'loginUser', function (callback) {
      window.__tokenRequests++;
      fetch('/demo/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(customer) })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          if (body.jwt) callback(body.jwt);
          else document.getElementById('login-error').textContent = body.error ? body.error.message : 'login failed';
        });
    }, function (reason) {
      document.getElementById('login-error').textContent = 'Messenger login failed: ' + reason;
    });
  }
  document.getElementById('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    const customer = {
      externalId: document.getElementById('external-id').value,
      name: document.getElementById('name').value || undefined,
      email: document.getElementById('email').value || undefined,
      expiresIn: Number(document.getElementById('expires-in').value),
    };
    localStorage.setItem('acme:customer', JSON.stringify(customer));
    loginWidget(customer);
  });
  document.getElementById('logout').addEventListener('click', function () {
    localStorage.removeItem('acme:customer');
    document.getElementById('who').textContent = 'Browsing as a guest';
    Signet('messenger', 'logoutUser');
  });
  Signet('messenger:on', 'unreadMessages', function (count) {
    document.getElementById('unread').textContent = count ? 'Support (' + count + ')' : '';
  });
  if (stored()) loginWidget(stored());
</script>
</body>
</html>
`;
}
