import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { createApiToken } from '../agents/api-tokens.ts';
import { createAgent } from '../agents/create-agent.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { inspectToken } from '../identity/inspect-token.ts';
import { createSigningKey, deleteSigningKey, listSigningKeys } from '../identity/signing-keys.ts';
import { type Runtime, startRuntime } from '../runtime.ts';
import { setupNeeded } from '../setup/create-first-admin.ts';
import { setupCode } from '../setup/setup-code.ts';
import { runBackupCommand } from './backup-command.ts';
import { inspectionText } from './inspection-text.ts';

export type CliIo = { out: (line: string) => void; err: (line: string) => void; env?: NodeJS.ProcessEnv };

const USAGE = `usage: signet <command> [options]   (add --json for machine-readable output)

  keys create --name NAME            create a signing key; prints its secret once
  keys list                          list signing keys (never their secrets)
  keys delete KID                    delete a signing key; its sessions must log in again
  api-tokens create --name NAME [--role admin|agent]
                                     create an API token (admin unless --role agent); printed once
  agents create --email E --name N --role admin|agent --password P
                                     create an agent account
  setup-code                         print the one-time code for creating the first admin at /
                                     (exit 1 once an agent exists: setup is done)
  token sign --kid KID --secret S --external-id X [--email E] [--email-verified]
             [--name N] [--expires-in SECONDS]
                                     sign an end-user JWT, for trying things out
  token inspect JWT                  explain a token: every rule, the key, who it would log in as
                                     (exit 1 when the token would be refused)
  backup FILE                        copy the SQLite database to FILE, safe while the server
                                     runs (PostgreSQL: pg_dump, see docs/operations.md)
  restore FILE [--force]             put a backup in place of the SQLite database; stop the
                                     servers first (--force keeps the current one beside it)`;

const OPTIONS = {
  json: { type: 'boolean' },
  name: { type: 'string' },
  role: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  kid: { type: 'string' },
  secret: { type: 'string' },
  'external-id': { type: 'string' },
  'email-verified': { type: 'boolean' },
  'expires-in': { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Runs one command and returns the exit code: 0 done, 1 failed, 2 usage. */
export async function runCli(argv: string[], io: CliIo = defaultIo): Promise<number> {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [group, verb, ...rest] = positionals;
  if (values.help || !group) {
    io.out(USAGE);
    return values.help ? 0 : 2;
  }
  const print = (json: unknown, text: string) => io.out(values.json ? JSON.stringify(json) : text);

  try {
    if (group === 'token' && verb === 'sign') {
      const jwt = await signToken(values);
      print({ jwt }, jwt);
      return 0;
    }
    if (group === 'backup' || group === 'restore') {
      const done = await runBackupCommand(
        group,
        required(verb, 'FILE'),
        values,
        loadConfig(io.env ?? process.env),
      );
      print(done.json, done.text);
      return 0;
    }
    const command = COMMANDS[verb === undefined ? group : `${group} ${verb}`];
    if (!command) {
      io.err(`unknown command: ${[group, verb].filter(Boolean).join(' ')}\n\n${USAGE}`);
      return 2;
    }
    const runtime = await startRuntime(loadConfig(io.env ?? process.env));
    try {
      const code = await command(runtime, values, rest, print);
      return typeof code === 'number' ? code : 0;
    } finally {
      await runtime.close();
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof AppError || error instanceof ConfigError) {
      io.err(
        values.json
          ? JSON.stringify({
              error: { code: 'code' in error ? error.code : 'config', message: error.message },
            })
          : error.message,
      );
      return 1;
    }
    throw error;
  }
}

type Print = (json: unknown, text: string) => void;
/** Resolves to the exit code, or to nothing for 0. */
type Command = (runtime: Runtime, values: Values, args: string[], print: Print) => Promise<unknown>;

const COMMANDS: Record<string, Command> = {
  'setup-code': async (runtime, _values, _args, print) => {
    if (!(await setupNeeded(runtime))) {
      print({ code: null, needed: false }, 'setup is done: an agent exists, so no setup code opens anything');
      return 1;
    }
    const code = setupCode(runtime.masterKey);
    print({ code, needed: true }, code);
  },
  'token inspect': async (runtime, _values, args, print) => {
    const report = await inspectToken(runtime, required(args[0], 'JWT'));
    print(report, inspectionText(report));
    return report.valid ? 0 : 1;
  },
  'keys create': async (runtime, values, _args, print) => {
    const key = await createSigningKey(runtime, required(values.name, '--name'));
    print(
      key,
      `kid:    ${key.kid}\nsecret: ${key.secret}\n\nThe secret is shown only now. Keep it in your backend's secret store.`,
    );
  },
  'keys list': async (runtime, _values, _args, print) => {
    const keys = await listSigningKeys(runtime);
    const lines = keys.map(
      (k) => `${k.kid}  ${k.secretPrefix}…  ${k.createdAt}  last used ${k.lastUsedAt ?? 'never'}  ${k.name}`,
    );
    print({ data: keys }, lines.join('\n') || 'no signing keys');
  },
  'keys delete': async (runtime, _values, args, print) => {
    const kid = required(args[0], 'KID');
    await deleteSigningKey(runtime, kid);
    print({ deleted: kid }, `deleted ${kid}; sessions it authenticated must log in again`);
  },
  'api-tokens create': async (runtime, values, _args, print) => {
    const { id, name, token } = await createApiToken(runtime, {
      name: required(values.name, '--name'),
      role: role(values.role ?? 'admin'),
    });
    // API.md: exactly {id, name, token}.
    print({ id, name, token }, `token: ${token}\n\nShown only now; it cannot be recovered.`);
  },
  'agents create': async (runtime, values, _args, print) => {
    const agent = await createAgent(runtime, {
      email: required(values.email, '--email'),
      name: required(values.name, '--name'),
      role: role(required(values.role, '--role')),
      password: required(values.password, '--password'),
    });
    print(agent, `created ${agent.role} ${agent.email} (${agent.id})`);
  },
};

async function signToken(values: Values): Promise<string> {
  const payload: Record<string, unknown> = {
    scope: 'user',
    external_id: required(values['external-id'], '--external-id'),
  };
  if (values.email) payload.email = values.email;
  if (values['email-verified']) payload.email_verified = true;
  if (values.name) payload.name = values.name;
  let jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: required(values.kid, '--kid') })
    .setIssuedAt();
  if (values['expires-in']) {
    const seconds = Number(values['expires-in']);
    if (!Number.isInteger(seconds) || seconds <= 0)
      throw new UsageError('--expires-in takes a positive number of seconds');
    jwt = jwt.setExpirationTime(Math.floor(Date.now() / 1000) + seconds);
  }
  return jwt.sign(new TextEncoder().encode(required(values.secret, '--secret')));
}

class UsageError extends Error {}

function required(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`missing ${name}`);
  return value;
}

function role(value: string): 'admin' | 'agent' {
  if (value !== 'admin' && value !== 'agent') throw new UsageError('--role is admin or agent');
  return value;
}

const defaultIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
