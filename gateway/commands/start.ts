// `gatehouse start -c gatehouse.yaml`: run the gateway until SIGTERM/SIGINT.
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import type { Command } from '../cli.ts';
import { loadConfigFile } from '../config/load.ts';
import { ConfigError, type GatewayConfig } from '../config/schema.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { GatewayMetrics } from '../observability/gateway-metrics.ts';
import { GatewayStartError, startGateway } from '../session/gateway.ts';
import { GATEHOUSE_VERSION } from '../version.ts';
import { runPrimary, serveWorker } from './workers.ts';

const HELP = `Usage: gatehouse start -c FILE

Runs the gateway with the configuration in FILE (YAML; see deploy/gatehouse.example.yaml).
SIGTERM or SIGINT stops accepting connections, lets in-flight requests finish (limits.shutdownDrainMs),
then exits. SIGHUP reloads every listener's TLS certificate, key, CA bundle and CRLs, and the
authorization policy (all are also reloaded when their files change); connections already open keep
going, and authorize their next request with the new policy. ACLs created with kafka-acls or the
AdminClient (authorization.managedAcls) are read before the first connection is served; when they
cannot be read, the gateway does not start.

With \`workers: N\` (or \`auto\`: one per core) in the configuration, N worker processes serve the
same ports and this process, the primary, serves the admin endpoint (metrics of all workers in one
scrape), passes SIGHUP on to every worker, stops them on SIGTERM and replaces one that dies.

Options:
  -c, --config FILE   the configuration file (required)
  -h, --help          this text
`;

/**
 * Last resort for an error that escaped every connection's own handling (each session closes itself on
 * its errors, so reaching here is a bug): log it as fatal, count it, and keep serving. Exiting would cut
 * every other client's connection for one failure; the metric is there to alert on instead.
 */
export function installLastResortHandlers(logger: Logger, metrics: GatewayMetrics): void {
  const uncaughtErrorsTotal = metrics.proxy.uncaughtErrorsTotal;
  process.on('uncaughtException', (err, origin) => {
    uncaughtErrorsTotal.inc({ kind: 'exception' });
    logger.fatal({ event: 'uncaught_error', kind: origin, err }, 'an error escaped connection handling; the gateway keeps serving');
  });
  process.on('unhandledRejection', (reason) => {
    uncaughtErrorsTotal.inc({ kind: 'rejection' });
    const err = reason instanceof Error ? reason : new Error(String(reason));
    logger.fatal(
      { event: 'uncaught_error', kind: 'unhandledRejection', err },
      'a promise rejection escaped connection handling; the gateway keeps serving',
    );
  });
}

export const startCommand: Command = {
  run: async (args) => {
    let values;
    try {
      ({ values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } }));
    } catch (err) {
      process.stderr.write(`gatehouse start: ${(err as Error).message}\n\n${HELP}`);
      return 2;
    }
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (!values.config) {
      process.stderr.write(`gatehouse start: --config is required\n\n${HELP}`);
      return 2;
    }
    let config;
    try {
      config = loadConfigFile(values.config);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`gatehouse: invalid configuration: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
    // This process's one metrics object: the gateway it serves counts into it, and so do the logger and the last resort.
    const metrics = new GatewayMetrics({ processMetrics: true });
    const logger = createLogger({
      level: config.log.level,
      name: 'gatehouse',
      onDroppedLine: () => metrics.proxy.logLinesDroppedTotal.inc(),
    });
    installLastResortHandlers(logger, metrics);
    if (config.workers > 1 && cluster.isPrimary) return runPrimary(config, logger, GATEHOUSE_VERSION);
    if (!cluster.isWorker) return serve(config, logger, metrics);
    // A worker: the primary serves the admin endpoint; the IPC channel goes when the worker is done, so it can exit.
    const code = await serve({ ...config, admin: { ...config.admin, bind: null, tls: null, basicAuth: null } }, logger, metrics);
    process.disconnect?.();
    return code;
  },
};

/** Runs one gateway in this process until SIGTERM/SIGINT; the exit code. */
async function serve(config: GatewayConfig, logger: Logger, metrics: GatewayMetrics): Promise<number> {
  let gateway;
  try {
    gateway = await startGateway(config, logger, { version: GATEHOUSE_VERSION, metrics });
  } catch (err) {
    if (err instanceof GatewayStartError) {
      logger.fatal({ event: 'start_failed', err: err.message }, 'cannot start');
      logger.flush();
      process.stderr.write(`gatehouse: cannot start: ${err.message}\n`);
      return 1;
    }
    if (!(err instanceof ConfigError)) throw err;
    // A certificate that will not load, mapping rules that do not parse: reported like a config error.
    logger.fatal({ event: 'start_failed', err: err.message }, 'cannot start');
    logger.flush();
    process.stderr.write(`gatehouse: invalid configuration: ${err.message}\n`);
    return 2;
  }
  logger.info({ event: 'started', config: config.source }, 'gatehouse started');
  if (cluster.isWorker) serveWorker(gateway);
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ event: 'signal', signal }, 'signal received');
      void gateway.shutdown().then(() => {
        logger.flush();
        resolve(0);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      logger.info({ event: 'signal', signal: 'SIGHUP' }, 'signal received: reloading TLS material and policy');
      gateway.reload('SIGHUP');
    });
  });
}
