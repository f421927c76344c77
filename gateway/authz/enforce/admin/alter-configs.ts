// AlterConfigs (33): ALTER_CONFIGS per resource by type; the legacy API knows no BROKER_LOGGER and
// rejects any null value in pre-validation (spec §2.5; shared rules in alter-config-resources.ts).
import type { ResponseBody } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';
import { type DeniedAt, decideAlterConfigs, mergeDenied } from './alter-config-resources.ts';
import { fullRange } from './full-range.ts';

export const alterConfigs: Enforcer<33, DeniedAt[]> = {
  apiKey: 33,
  versions: fullRange(33),
  onRequest(req, ctx) {
    return decideAlterConfigs(req.body(), ctx, { brokerLoggerKnown: false, nullValueInvalid: (c) => c.value === null });
  },
  onResponse(body: ResponseBody<33>, denied) {
    mergeDenied(body.responses, denied);
  },
};
