#!/usr/bin/env node
// diva-node: `run --config FILE`, `version`, `--help`. SIGTERM or SIGINT stops gracefully (duties
// in flight end, the slashing-protection database is closed); a second signal exits at once.
import { readFileSync } from 'node:fs';
import { readNodeConfig } from './config.ts';
import { DivaNodeError, isDivaNodeError } from './errors.ts';
import { createPinoLogger } from './logger.ts';
import { silenceSqliteExperimentalWarning } from './warnings.ts';

const HELP = `diva-node - run Diva distributed validators beside your beacon node

Usage:
  diva-node run --config FILE   start the operator node (configuration reference: README)
  diva-node exit ...            sign a voluntary exit with the committee (exit --help)
  diva-node keys ...            split, import, list, delete key shares (diva-node keys --help)
  diva-node slashing-protection import|export   EIP-3076 interchange files
  diva-node devnet [...]        a whole local network: Anvil, DKG, Lodestar, operators (devnet --help)
  diva-node version             print the version
  diva-node --help              this text

Signals: SIGTERM / SIGINT stop gracefully; a second one exits at once.
Exit codes: 0 stopped, 1 failed to start or crashed, 2 bad command line or configuration.`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Parses `run`'s flags: `--config FILE` or `--config=FILE`. */
export function parseRunArguments(args: readonly string[]): { config: string } {
  let config: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--config') {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new DivaNodeError({
          code: 'INVALID_ARGUMENTS',
          argument: '--config',
          reason: 'expects a file path',
        });
      }
      config = next;
      i++;
    } else if (a.startsWith('--config=')) config = a.slice('--config='.length);
    else
      throw new DivaNodeError({
        code: 'INVALID_ARGUMENTS',
        argument: a,
        reason: 'unknown flag (see --help)',
      });
  }
  if (config === undefined || config === '') {
    throw new DivaNodeError({ code: 'INVALID_ARGUMENTS', argument: '--config', reason: 'required' });
  }
  return { config };
}

async function run(args: readonly string[]): Promise<number> {
  const { config: file } = parseRunArguments(args);
  const config = await readNodeConfig(file);
  const logger = createPinoLogger(config.log.level);
  // loaded here: --help and version need none of the runtime
  const { startNode } = await import('./start.ts');
  const running = await startNode(config, logger);
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (signal: string) => {
      signals++;
      if (signals > 1) process.exit(1);
      logger.info('stopping', { signal });
      void running.stop().then(resolve, (e: unknown) => {
        logger.error('stop failed', { error: e instanceof Error ? e.message : String(e) });
        resolve();
      });
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  });
  logger.info('stopped');
  logger.flush();
  return 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(`${HELP}\n`);
      return command === undefined ? 2 : 0;
    }
    if (command === 'version' || command === '--version') {
      process.stdout.write(`diva-node ${version()}\n`);
      return 0;
    }
    if (command === 'run') return await run(rest);
    if (command === 'exit') return await (await import('./exit.ts')).runExit(rest);
    if (command === 'devnet') {
      const code = await (await import('./devnet/run.ts')).runDevnet(rest);
      // every process it started is stopped; sockets its RPC clients keep alive must not hold the
      // command open after the summary (flushed first)
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
      process.exit(code);
    }
    if (command === 'keys' || command === 'slashing-protection') {
      const { runKeyTool } = await import('./keys/command.ts');
      return await runKeyTool(command, rest);
    }
    throw new DivaNodeError({
      code: 'INVALID_ARGUMENTS',
      argument: command,
      reason: 'unknown command (see --help)',
    });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`diva-node: ${message}\n`);
    return isDivaNodeError(e, 'INVALID_ARGUMENTS') ||
      isDivaNodeError(e, 'INVALID_CONFIG') ||
      isDivaNodeError(e, 'CONFIG_UNREADABLE')
      ? 2
      : 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/diva-node')) {
  silenceSqliteExperimentalWarning();
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(
      `diva-node: unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}\n`,
    );
  });
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
