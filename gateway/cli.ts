import { GATEHOUSE_VERSION } from './version.ts';

/** A subcommand: takes its own arguments, returns the process exit code. */
export type Command = {
  run: (args: string[]) => Promise<number>;
};

type CommandEntry = { summary: string; load: () => Promise<Command> };

// Each subcommand lives in its own module and is loaded only when used, so `gatehouse version`
// stays instant and a broken optional module cannot stop the others.
const commands: Record<string, CommandEntry> = {
  version: {
    summary: 'print the Gatehouse version',
    load: async () => ({
      run: async () => {
        process.stdout.write(`gatehouse ${GATEHOUSE_VERSION}\n`);
        return 0;
      },
    }),
  },
  certs: {
    summary: 'a small CA: init-ca, issue-server, issue-client, revoke, crl, list, bundle',
    load: async () => (await import('./commands/certs.ts')).certsCommand,
  },
  start: {
    summary: 'run the gateway (gatehouse start -c gatehouse.yaml)',
    load: async () => (await import('./commands/start.ts')).startCommand,
  },
  policy: {
    summary: 'check, explain, test and import ACL policies',
    load: async () => (await import('./commands/policy.ts')).policyCommand,
  },
  users: {
    summary: 'SCRAM and PLAIN users of the credential store: add, remove, list',
    load: async () => (await import('./commands/users.ts')).usersCommand,
  },
};

function usage(): string {
  const lines = Object.keys(commands)
    .sort()
    .map((name) => `  ${name.padEnd(10)} ${commands[name].summary}`);
  return [
    'Usage: gatehouse <command> [options]',
    '',
    'Gatehouse is a security gateway for Apache Kafka.',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `gatehouse <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') return main(['version']);
  const entry = commands[name];
  if (!entry) {
    process.stderr.write(`gatehouse: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const command = await entry.load();
  return command.run(rest);
}
