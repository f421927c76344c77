// `gatehouse policy check | explain | test | import | export`. The logic lives in gateway/authz; this
// file parses arguments and prints. Exit codes: 0 ok, 1 a failing check or test, 2 a usage error.
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from '../cli.ts';
import { parse, UsageError, type PolicyIo, type Subcommand } from './policy-args.ts';
import { diffCommand, suggestCommand } from './policy-migration.ts';
import type { AclBinding } from '../authz/acls/acl-binding.ts';
import { FileAclStore } from '../authz/acls/file-store.ts';
import { describeBinding, managedPolicyYaml, managedYamlProblem } from '../authz/acls/managed-rules.ts';
import type { ManagedAclStore } from '../authz/acls/managed-store.ts';
import { bindingApproximations } from '../authz/acls/policy-bindings.ts';
import { CompiledPolicy } from '../authz/compiled-policy.ts';
import { parseDecisionTable, runDecisionTable, type CaseResult } from '../authz/decision-table.ts';
import { explain, type Explanation } from '../authz/explain.ts';
import { importedPolicyYaml, parseKafkaAclsList } from '../authz/kafka-acls-import.ts';
import { isOperation, type ResourceType } from '../authz/model.ts';
import { formatPolicyError, loadPolicy } from '../authz/policy-loader.ts';
import { lintPolicy, type PolicyWarning } from '../authz/policy-lint.ts';
import { principalProblem } from '../common/principal.ts';
import { loadConfigFile } from '../config/load.ts';
import { ConfigError } from '../config/schema.ts';
import { createLogger } from '../observability/logger.ts';
import { KafkaAclStore } from '../session/acl-topic-store.ts';

const USAGE = `Usage: gatehouse policy <subcommand> [options]

Validate, explain, test and import ACL policies.

Subcommands:
  check <dir|file> [--strict]
      Validate a policy (a YAML file or a directory of them). Prints errors as file:line:column
      and warnings (rules that can never match, allows shadowed by denies, unusual principal
      types), and the rules DescribeAcls can show only approximately as Kafka ACLs (CIDR hosts,
      dry-run, roles). Exit 1 on errors, or on warnings with --strict.
  explain [--policy <dir|file>] --principal <Type:name> --host <ip> --operation <OP>
          (--topic|--group|--transactional-id|--delegation-token|--user <name> | --cluster) [--json]
      Print the decision for one request and the rules that decided it. The policy defaults to
      $GATEHOUSE_POLICY, else ./policies.
  test <file|dir>... [--policy <dir|file>]
      Run decision tables (*.test.yaml): print one line per case, exit 1 on any mismatch.
  import [<file>|-] [--out <file>]
      Read \`kafka-acls --list\` output (a file, or stdin) and write an equivalent policy YAML
      (stdout unless --out).
  export (--config <gateway config> | --file <managed ACL file>) [--out <file>]
      Write the managed ACLs (created with kafka-acls or the AdminClient; config
      authorization.managedAcls, file or kafka store) as a policy YAML file (stdout unless --out),
      to move them into version control.

  suggest --from <observations file> [<file>...] [--since <YYYY-MM-DD | duration: 7d, 12h>] [--prefix-min <n>]
          [--out <file>]
      Write a policy that allows exactly what observe mode recorded (authorization.observe), one
      rule per principal and operation set, names sharing a prefix across <n> (default 3; 0: never)
      or more observed names as one prefixed pattern, each rule commented with its request count
      and days. The policy is replayed against the observations; exit 1 if it would refuse any.
  diff <old policy> <new policy> [--observations <file>...] [--json] [--fail-on-break]
      The effective access change: (principal, operation, resource) gained and lost, computed by
      asking both policies, not by comparing their text. With observations, the observed clients
      the change would refuse. --fail-on-break: exit 1 when it would refuse any.

Exit codes: 0 ok, 1 failing check or test, 2 usage error.
`;

const processIo: PolicyIo = { out: (text) => void process.stdout.write(text), err: (text) => void process.stderr.write(text) };

const subcommands: Record<string, Subcommand> = {
  check,
  explain: explainCommand,
  test: testCommand,
  import: importCommand,
  export: exportCommand,
  suggest: suggestCommand,
  diff: diffCommand,
};

export const policyCommand: Command = { run: (args) => runPolicy(args, processIo) };

export async function runPolicy(args: string[], io: PolicyIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name === undefined ? 2 : 0;
  }
  const subcommand = subcommands[name];
  try {
    if (!subcommand) throw new UsageError(`unknown subcommand '${name}'`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(USAGE);
      return 0;
    }
    return await subcommand(rest, io);
  } catch (error) {
    if (!(error instanceof UsageError) && !(error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) throw error;
    io.err(`gatehouse policy: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
}

async function loadOrReport(path: string, io: PolicyIo): Promise<CompiledPolicy | undefined> {
  const result = await loadPolicy(path);
  if (result.ok) return new CompiledPolicy(result.policy);
  for (const error of result.errors) io.err(`${formatPolicyError(error)}\n`);
  return undefined;
}

function formatWarning(warning: PolicyWarning): string {
  const where = warning.at ? `${warning.at.file}:${warning.at.line}:${warning.at.column}: ` : '';
  return `${where}warning: ${warning.message}${warning.ruleId ? ` [${warning.ruleId}]` : ''}`;
}

async function check(args: string[], io: PolicyIo): Promise<number> {
  const { values, positionals } = parse(args, { strict: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('check needs exactly one policy directory or file');
  const result = await loadPolicy(positionals[0]);
  if (!result.ok) {
    for (const error of result.errors) io.err(`${formatPolicyError(error)}\n`);
    io.err(`${result.errors.length} error(s); policy not valid\n`);
    return 1;
  }
  const warnings = lintPolicy(result.policy);
  for (const warning of warnings) io.out(`${formatWarning(warning)}\n`);
  // Not warnings: the gateway enforces these rules as written; only their Kafka ACL listing differs.
  for (const line of bindingApproximations(result.policy)) io.out(`approximate as Kafka ACLs (DescribeAcls): ${line}\n`);
  const { files, rules, roles } = result.policy;
  io.out(`ok: ${files.length} file(s), ${rules.length} rule(s), ${roles.size} role(s), ${warnings.length} warning(s)\n`);
  return values.strict && warnings.length > 0 ? 1 : 0;
}

const RESOURCE_FLAGS: Record<string, ResourceType> = {
  topic: 'TOPIC',
  group: 'GROUP',
  'transactional-id': 'TRANSACTIONAL_ID',
  'delegation-token': 'DELEGATION_TOKEN',
  user: 'USER',
};

async function explainCommand(args: string[], io: PolicyIo): Promise<number> {
  const { values, positionals } = parse(args, {
    policy: { type: 'string', short: 'p' },
    principal: { type: 'string' },
    host: { type: 'string' },
    operation: { type: 'string' },
    cluster: { type: 'boolean' },
    json: { type: 'boolean' },
    ...Object.fromEntries(Object.keys(RESOURCE_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const text = values as Record<string, string | boolean | undefined>;
  const principal = requireFlag(text, 'principal');
  if (principalProblem(principal)) throw new UsageError(principalProblem(principal));
  const operation = requireFlag(text, 'operation').toUpperCase();
  if (!isOperation(operation) || operation === 'ALL') throw new UsageError(`unknown operation '${operation}'`);
  const resources = Object.keys(RESOURCE_FLAGS).filter((flag) => typeof text[flag] === 'string');
  if (resources.length + (text.cluster ? 1 : 0) !== 1) {
    throw new UsageError('name exactly one resource: --topic, --group, --cluster, --transactional-id, --delegation-token or --user');
  }
  const policy = await loadOrReport(String(text.policy ?? process.env.GATEHOUSE_POLICY ?? 'policies'), io);
  if (!policy) return 1;
  const explanation = explain(policy, {
    principal,
    host: requireFlag(text, 'host'),
    operation,
    resourceType: text.cluster ? 'CLUSTER' : RESOURCE_FLAGS[resources[0]],
    resourceName: text.cluster ? 'kafka-cluster' : String(text[resources[0]]),
  });
  io.out(text.json ? `${JSON.stringify(explanationJson(explanation), null, 2)}\n` : formatExplanation(explanation));
  return 0;
}

function requireFlag(values: Record<string, string | boolean | undefined>, flag: string): string {
  const value = values[flag];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

const REASONS: Record<string, string> = {
  'super-user': 'the principal is a super user (rules are not consulted)',
  'deny-rule': 'a DENY rule matches (DENY always wins)',
  'allow-rule': 'an ALLOW rule matches and no DENY does',
  'no-matching-allow': 'rules exist for this resource, but none allows this request',
  'no-acl-allow-everyone': 'no rule applies to this resource and allowEveryoneIfNoAclFound is true',
  'no-acl-default-deny': 'no rule applies to this resource (allowEveryoneIfNoAclFound is false)',
};

function formatExplanation({ decision, considered }: Explanation): string {
  const lines = [
    `decision: ${decision.decision.toUpperCase()}${decision.dryRun ? ' (dry-run: the request is allowed, the denial is logged)' : ''}`,
    `reason:   ${REASONS[decision.reason] ?? decision.reason}`,
    `policy:   version ${decision.policyVersion}`,
  ];
  const deciding = new Set(decision.ruleIds);
  lines.push(decision.rules.length > 0 ? 'decided by:' : 'decided by: no rule');
  for (const rule of decision.rules) {
    const where = rule.source ? ` (${rule.source.file}:${rule.source.line})` : '';
    lines.push(`  ${rule.id}${where}${rule.description ? ` — ${rule.description}` : ''}`);
  }
  if (considered.length > 0) lines.push('rules on this resource:');
  for (const { rule, pattern, mismatch } of considered) {
    const mark = deciding.has(rule.id) ? '*' : mismatch ? '-' : '+';
    const how = `${rule.permission} ${rule.operations.join(',')} on ${pattern.patternType.toLowerCase()} '${pattern.name}'${rule.mode === 'dry-run' ? ' [dry-run]' : ''}`;
    lines.push(`  ${mark} ${rule.id}: ${how}${mismatch ? `; ${mismatch} does not match` : '; matches'}`);
  }
  return `${lines.join('\n')}\n`;
}

function explanationJson({ decision, superUser, considered }: Explanation) {
  return {
    decision: decision.decision,
    allowed: decision.allowed,
    dryRun: decision.dryRun,
    reason: decision.reason,
    ruleIds: decision.ruleIds,
    superUser,
    considered: considered.map(({ rule, pattern, mismatch }) => ({
      id: rule.id,
      permission: rule.permission,
      pattern,
      matches: !mismatch,
      mismatch,
    })),
  };
}

async function testCommand(args: string[], io: PolicyIo): Promise<number> {
  const { values, positionals } = parse(args, { policy: { type: 'string', short: 'p' } });
  if (positionals.length === 0) throw new UsageError('test needs at least one decision table file or directory');
  const files = (await Promise.all(positionals.map(tableFiles))).flat();
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    const { table, errors } = parseDecisionTable(file, await readFile(file, 'utf8'));
    io.out(`${file}\n`);
    if (errors.length > 0 || (!table.policy && !values.policy)) {
      for (const error of errors) io.err(`${formatPolicyError(error)}\n`);
      if (errors.length === 0) io.err(`${file}: no policy: add 'policy: <path>' or pass --policy\n`);
      failed++;
      continue;
    }
    const policy = await loadOrReport(values.policy ?? resolve(dirname(file), table.policy!), io);
    if (!policy) {
      failed++;
      continue;
    }
    for (const result of runDecisionTable(policy, table.cases)) {
      io.out(`${formatCase(result)}\n`);
      if (result.pass) passed++;
      else failed++;
    }
  }
  io.out(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

async function tableFiles(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  return (await readdir(path))
    .filter((n) => /\.test\.ya?ml$/.test(n))
    .sort()
    .map((n) => join(path, n));
}

function formatCase({ case: c, decision, pass }: CaseResult): string {
  const request = `${c.principal} ${c.host} ${c.operation} ${c.resourceType} ${c.resourceName}`;
  const got = `${decision.decision} [${decision.ruleIds.join(', ')}]`;
  if (pass) return `  PASS  ${c.name.padEnd(44)} ${request} → ${got}`;
  const wanted = `${c.expect}${c.expectRules ? ` [${c.expectRules.join(', ')}]` : ''}`;
  return `  FAIL  ${c.name.padEnd(44)} ${request} → expected ${wanted}, got ${got} (${c.at.file}:${c.at.line})`;
}

async function importCommand(args: string[], io: PolicyIo): Promise<number> {
  const { values, positionals } = parse(args, { out: { type: 'string', short: 'o' } });
  if (positionals.length > 1) throw new UsageError('import reads one file (or - for stdin)');
  const source = positionals[0] ?? '-';
  const text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  const result = parseKafkaAclsList(text);
  for (const warning of result.warnings) io.err(`warning: ${warning}\n`);
  const yaml = importedPolicyYaml(result, source === '-' ? 'stdin' : source);
  if (values.out) await writeFile(values.out, yaml);
  else io.out(yaml);
  io.err(`imported ${result.acls.length} ACL(s)${result.warnings.length ? `, ${result.warnings.length} skipped` : ''}\n`);
  return 0;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function exportCommand(args: string[], io: PolicyIo): Promise<number> {
  const { values, positionals } = parse(args, {
    config: { type: 'string', short: 'c' },
    file: { type: 'string' },
    out: { type: 'string', short: 'o' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if ((values.config === undefined) === (values.file === undefined)) {
    throw new UsageError('export needs exactly one of --config <gateway config> or --file <managed ACL file>');
  }
  const opened =
    values.file !== undefined ? { store: managedFile(values.file), from: values.file } : openConfiguredStore(values.config!, io);
  if ('code' in opened) return opened.code;
  const { store, from } = opened;
  let bindings: readonly AclBinding[];
  try {
    await store.start();
    bindings = store.bindings();
  } catch (error) {
    io.err(`gatehouse policy: cannot read the managed ACLs (${store.kind} store, ${from}): ${(error as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
  // Bindings a policy file cannot say (e.g. an operation the resource type has not, accepted by Kafka)
  // are named, not silently dropped.
  const problems = bindings.map((b) => ({ b, problem: managedYamlProblem([b]) }));
  for (const { b, problem } of problems) if (problem) io.err(`warning: not exported: ACL ${describeBinding(b)}: ${problem}\n`);
  const exported = problems.filter((p) => !p.problem).map((p) => p.b);
  const yaml = managedPolicyYaml(exported, [
    `Managed ACLs exported by \`gatehouse policy export\` from the ${store.kind} store (${from}) at ${new Date().toISOString()}.`,
    'A valid policy file. Once it is in your policy folder, remove the managed copies (kafka-acls --remove):',
    'a binding in both places is listed twice by DescribeAcls, and DeleteAcls deletes only the managed one.',
  ]);
  if (values.out) await writeFile(values.out, yaml);
  else io.out(yaml);
  io.err(
    `exported ${exported.length} managed ACL(s)${exported.length < bindings.length ? `, ${bindings.length - exported.length} not exported` : ''}\n`,
  );
  return exported.length < bindings.length ? 1 : 0;
}

function managedFile(path: string): ManagedAclStore {
  return new FileAclStore({ path: resolve(path), readOnly: true });
}

/** The managed ACL store a gateway config names, opened read-only in spirit (nothing is written). */
function openConfiguredStore(configFile: string, io: PolicyIo): { store: ManagedAclStore; from: string } | { code: number } {
  let config;
  try {
    config = loadConfigFile(configFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`gatehouse policy: invalid configuration: ${error.message}\n`);
    return { code: 2 };
  }
  const authz = config.authorization;
  if (authz.mode === 'off' || authz.managedAcls.store === 'none') {
    io.err(
      `gatehouse policy: ${configFile} keeps no managed ACLs (${authz.mode === 'off' ? 'authorization mode: off' : 'managedAcls.store: none'})\n`,
    );
    return { code: 1 };
  }
  const managed = authz.managedAcls;
  if (managed.store === 'file') return { store: managedFile(managed.path), from: managed.path };
  // Logs go to stderr: stdout may be the exported YAML.
  const logger = createLogger({ level: 'warn', name: 'gatehouse-policy-export', destination: 2 });
  const store = new KafkaAclStore({
    bootstrap: config.backend.bootstrapServers,
    topic: managed.topic,
    logger,
    connectTimeoutMs: config.backend.connectTimeoutMs,
    startTimeoutMs: 30_000,
  });
  return { store, from: `topic ${managed.topic} on ${config.backend.bootstrapServers.map((b) => `${b.host}:${b.port}`).join(',')}` };
}
