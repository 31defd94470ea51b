export * from './auth-events.ts';
export * from './client.ts';
export * from './common.ts';
export * from './errors.ts';
export * from './settings.ts';
export * from './signing-keys.ts';
export * from './users.ts';
