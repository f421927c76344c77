// IncrementalAlterConfigs (44): ALTER_CONFIGS per resource by type, BROKER_LOGGER on the cluster; a null
// value fails pre-validation unless the operation is DELETE (spec §2.5; shared rules in
// alter-config-resources.ts).
import type { ResponseBody } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';
import { type DeniedAt, decideAlterConfigs, mergeDenied } from './alter-config-resources.ts';
import { fullRange } from './full-range.ts';

/** AlterConfigOp.OpType.DELETE: the one operation that needs no value. */
const DELETE_OPERATION = 1;

export const incrementalAlterConfigs: Enforcer<44, DeniedAt[]> = {
  apiKey: 44,
  versions: fullRange(44),
  onRequest(req, ctx) {
    return decideAlterConfigs(req.body(), ctx, {
      brokerLoggerKnown: true,
      nullValueInvalid: (c) => c.value === null && c.configOperation !== DELETE_OPERATION,
    });
  },
  onResponse(body: ResponseBody<44>, denied) {
    mergeDenied(body.responses, denied);
  },
};
