/** Who is calling the admin/agent API: an agent signed in to the app, or an API token. */
export type Principal = { kind: 'agent' | 'api_token'; id: string; name: string; role: 'admin' | 'agent' };
