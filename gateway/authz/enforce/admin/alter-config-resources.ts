// What AlterConfigs (33) and IncrementalAlterConfigs (44) share: ALTER_CONFIGS per resource on the
// topic, the group or the cluster by the resource's type (spec §2.5). The broker pre-validates every
// resource before any authorization (a resource named twice, a config key named twice, a null value
// where one is needed, an unknown type → 42 for that resource); such resources are left in the request
// for the backend, which pre-validates them the same way and applies nothing. Denied resources are
// answered by the gateway with the type's error and message, in the place they had in the request
// (the broker's response follows the request order).
import type { Struct } from '../../../protocol/index.ts';
import type { RequestDecision, EnforceContext } from '../enforcer.ts';
import { ConfigResourceType, configDenial, configTarget, defaultMessage } from './config-resources.ts';

export interface AlterableResource {
  resourceType: number;
  resourceName: string;
  configs: ReadonlyArray<{ name: string; value: string | null; configOperation?: number }>;
}

export interface AlterResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/** A denied resource's result and its index in the request. */
export type DeniedAt = { readonly index: number; readonly result: AlterResult };

export interface AlterConfigsRules {
  /** IncrementalAlterConfigs authorizes BROKER_LOGGER on the cluster; legacy AlterConfigs rejects it (42). */
  readonly brokerLoggerKnown: boolean;
  /** Whether a config entry's null value fails the broker's pre-validation. */
  readonly nullValueInvalid: (config: AlterableResource['configs'][number]) => boolean;
}

function failsPreValidation(resource: AlterableResource, duplicated: boolean, rules: AlterConfigsRules): boolean {
  if (duplicated || !configTarget(resource.resourceType, rules.brokerLoggerKnown)) return true;
  const names = new Set<string>();
  for (const c of resource.configs) {
    if (names.has(c.name) || rules.nullValueInvalid(c)) return true;
    names.add(c.name);
  }
  return false;
}

export function decideAlterConfigs(
  body: Struct & { resources: AlterableResource[] },
  ctx: EnforceContext,
  rules: AlterConfigsRules,
): RequestDecision<DeniedAt[]> {
  const seen = new Map<string, number>();
  for (const r of body.resources) {
    const key = `${r.resourceType}\u0000${r.resourceName}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const kept: AlterableResource[] = [];
  const denied: DeniedAt[] = [];
  body.resources.forEach((r, index) => {
    const duplicated = seen.get(`${r.resourceType}\u0000${r.resourceName}`)! > 1;
    const target = configTarget(r.resourceType, rules.brokerLoggerKnown);
    if (!target || failsPreValidation(r, duplicated, rules)) return void kept.push(r);
    const code = configDenial(ctx.authz, 'ALTER_CONFIGS', target, r.resourceName);
    if (code === undefined) return void kept.push(r);
    denied.push({
      index,
      result: {
        errorCode: code,
        errorMessage: deniedMessage(r.resourceType, code),
        resourceType: r.resourceType,
        resourceName: r.resourceName,
      },
    });
  });
  if (denied.length === 0) return { action: 'forward' };
  if (kept.length === 0) return { action: 'answer', body: { responses: denied.map((d) => d.result) } };
  return { action: 'rewrite', body: { ...body, resources: kept }, memo: denied };
}

/**
 * The controller denies with the error's default text; a BROKER_LOGGER resource is denied on the
 * receiving broker by an exception whose text is the default one, which the response leaves out (null).
 */
function deniedMessage(resourceType: number, code: number): string | null {
  return resourceType === ConfigResourceType.BROKER_LOGGER ? null : defaultMessage(code);
}

/** Puts the denied results back where their resources were in the request. */
export function mergeDenied(responses: AlterResult[], denied: readonly DeniedAt[]): void {
  for (const d of denied) responses.splice(Math.min(d.index, responses.length), 0, { ...d.result });
}
