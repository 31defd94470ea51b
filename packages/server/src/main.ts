import { buildApp } from './app.ts';
import { ConfigError, isLoopbackHost, loadConfig } from './config.ts';
import { startMetricsListener } from './metrics/metrics.routes.ts';
import { MasterKeyMismatchError } from './ops/master-key-check.ts';
import { startRuntime } from './runtime.ts';
import { setupNeeded } from './setup/create-first-admin.ts';
import { setupCode } from './setup/setup-code.ts';

/** config → storage → app → listen. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  let runtime: Awaited<ReturnType<typeof startRuntime>>;
  try {
    runtime = await startRuntime(config);
  } catch (error) {
    // docs/operations.md: a start-up refusal names its cause in one line, not a stack.
    if (!(error instanceof MasterKeyMismatchError)) throw error;
    console.error(`signet: refusing to start: ${error.message}`);
    process.exit(1);
  }
  const app = await buildApp({ ctx: runtime });
  await app.listen({ port: config.port, host: config.host });
  // First run: the code that lets whoever reads this log create the first admin at /.
  if (await setupNeeded(runtime)) {
    app.log.warn(
      `no agent exists yet: open / and create the first admin with the setup code ${setupCode(runtime.masterKey)} (\`signet setup-code\` prints it again)`,
    );
  }
  const metricsServer =
    config.metricsPort === undefined
      ? undefined
      : await startMetricsListener(runtime, config.metricsPort, config.metricsHost);
  if (metricsServer && !isLoopbackHost(config.metricsHost))
    app.log.warn(
      { metricsHost: config.metricsHost },
      '/metrics without credentials on a non-loopback address',
    );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    metricsServer?.close();
    await app.close();
    await runtime.close();
    process.exit(0);
  };
  // For memory measurements (bench/): with --expose-gc, SIGUSR2 collects garbage now.
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) process.on('SIGUSR2', () => gc());
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

await main();
