// DescribeConfigs (32): DESCRIBE_CONFIGS per resource, on the topic, the group or the cluster by the
// resource's type (spec §2.3, §2.5). A type the broker does not know aborts the whole request (42 in
// every result). Denied resources follow the authorized ones, with the type's error, its default
// message and no configs.
import { ErrorCode, type ResponseBody } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';
import { configDenial, configTarget, defaultMessage } from './config-resources.ts';
import { fullRange } from './full-range.ts';

type Result = ResponseBody<32>['results'][number];
type DeniedResult = Pick<Result, 'errorCode' | 'errorMessage' | 'resourceType' | 'resourceName' | 'configs'>;

/** Errors.INVALID_REQUEST.message(), which the generic error response copies into every result. */
const INVALID_REQUEST_MESSAGE =
  'This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker. See the broker logs for more details.';

function result(errorCode: number, errorMessage: string | null, resourceType: number, resourceName: string): DeniedResult {
  return { errorCode, errorMessage, resourceType, resourceName, configs: [] };
}

export const describeConfigs: Enforcer<32, DeniedResult[]> = {
  apiKey: 32,
  versions: fullRange(32),
  onRequest(req, ctx) {
    const body = req.body();
    const allowed: typeof body.resources = [];
    const denied: DeniedResult[] = [];
    for (const r of body.resources) {
      const target = configTarget(r.resourceType, true);
      if (!target) {
        const answer = body.resources.map((x) =>
          result(ErrorCode.INVALID_REQUEST, INVALID_REQUEST_MESSAGE, x.resourceType, x.resourceName),
        );
        return { action: 'answer', body: { results: answer } };
      }
      const code = configDenial(ctx.authz, 'DESCRIBE_CONFIGS', target, r.resourceName);
      if (code === undefined) allowed.push(r);
      else denied.push(result(code, defaultMessage(code), r.resourceType, r.resourceName));
    }
    if (denied.length === 0) return { action: 'forward' };
    if (allowed.length === 0) return { action: 'answer', body: { results: denied } };
    return { action: 'rewrite', body: { ...body, resources: allowed }, memo: denied };
  },
  onResponse(body, denied) {
    body.results.push(...(denied as Result[]));
  },
};
