/**
 * Command-line front end: parses argv and calls main. Nothing else lives here.
 *   belfry start [--config DIR] [--sip-host ADDR] [--sip-port N] [--http-port N] [--data-dir DIR]
 *   belfry check [--config DIR]
 *   belfry route --from NUMBER --to NUMBER [--at ISO-TIME] [--night open|closed|auto] [--config DIR]
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { runCheck, runRoute, runStart } from '../src/main.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

const HELP = `belfry ${version} — telephony switch core

Usage:
  belfry start [--config DIR] [--sip-host ADDR] [--sip-port N] [--http-port N] [--data-dir DIR]
      Start the switch. DIR defaults to the embedded config/ folder.
  belfry check [--config DIR]
      Validate belfry.yaml and dialplan/*.yaml; prints file:line:col for each error,
      exits 1 when there are errors.
  belfry route --from NUMBER --to NUMBER [--at ISO-TIME] [--night open|closed|auto] [--config DIR]
      Show, step by step, where a call would go, without starting anything.

Options:
  -h, --help       show this help
  -v, --version    print the version
`;

function intOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`belfry: --${name} must be an integer 0–65535, got ${JSON.stringify(v)}\n`);
    process.exit(2);
  }
  return n;
}

async function cli(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        'sip-host': { type: 'string' },
        'sip-port': { type: 'string' },
        'http-port': { type: 'string' },
        'data-dir': { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        at: { type: 'string' },
        night: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (e) {
    process.stderr.write(`belfry: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  const configDir = values.config ?? join(root, 'config');
  switch (command) {
    case 'start':
      return runStart({
        configDir,
        overrides: {
          sipHost: values['sip-host'],
          sipPort: intOption('sip-port', values['sip-port']),
          httpPort: intOption('http-port', values['http-port']),
          dataDir: values['data-dir'],
        },
      });
    case 'check':
      return runCheck({ configDir });
    case 'route': {
      if (!values.from || !values.to) {
        process.stderr.write('belfry route: --from and --to are required\n');
        return 2;
      }
      const night = values.night ?? 'auto';
      if (night !== 'auto' && night !== 'open' && night !== 'closed') {
        process.stderr.write('belfry route: --night must be open, closed or auto\n');
        return 2;
      }
      return runRoute({ configDir, from: values.from, to: values.to, at: values.at, night });
    }
    default:
      process.stderr.write(`belfry: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
      return 2;
  }
}

cli(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`belfry: fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
