// The response path as stages, in the order they run on a backend answer:
//   1. authorization — the enforcer merges back what it stripped from the request, filters what the
//      principal may not see, fills authorized-operations (only when its onRequest left a memo);
//   2. routing — broker addresses rewritten to the gateway's, ApiVersions capped to what the gateway
//      advertises (only for the APIs that carry them: routing/response-rewriter.ts).
// A stage that changes nothing hands on the chunks it was given; an answer no stage touches leaves as
// the bytes the backend sent (Fetch and Produce above all: never decoded).
import type { AnyEnforcer } from '../authz/enforce/enforcer.ts';
import type { Outgoing } from '../net/frame-writer.ts';
import { processResponse, type ResponseContext, type ResponseFrame } from '../routing/response-rewriter.ts';
import type { SessionEnforcement } from './enforcement.ts';

/** The request a response answers, as the session remembers it. */
export type AnsweredRequest = {
  readonly apiKey: number;
  readonly apiVersion: number;
  /** Set when the enforcer asked to see the answer (its onRequest left a memo). */
  readonly enforcer?: AnyEnforcer;
  readonly memo?: unknown;
};

type Stage = (request: AnsweredRequest, frame: ResponseFrame) => Outgoing;

/** A frame made by a stage, for the next one: its payload is the bytes after the size prefix. */
function frameOf(bytes: Outgoing): ResponseFrame {
  const parts = Buffer.isBuffer(bytes) ? [bytes] : bytes;
  let payload: Buffer | undefined;
  return {
    parts,
    get payload() {
      return (payload ??= (parts.length === 1 ? parts[0] : Buffer.concat(parts)).subarray(4));
    },
  };
}

export class ResponsePipeline {
  private readonly stages: readonly Stage[];

  constructor(enforcement: SessionEnforcement | null, routing: ResponseContext) {
    const authorization: Stage = (req, frame) =>
      req.enforcer && enforcement ? enforcement.respond(req.enforcer, req.memo, req.apiKey, req.apiVersion, frame.payload) : frame.parts;
    const addressesAndVersions: Stage = (req, frame) => processResponse(req.apiKey, req.apiVersion, frame, routing);
    this.stages = enforcement ? [authorization, addressesAndVersions] : [addressesAndVersions];
  }

  /** The bytes to send the client. ProtocolError when a stage must read a malformed answer. */
  run(request: AnsweredRequest, frame: ResponseFrame): Outgoing {
    let current = frame;
    let out: Outgoing = frame.parts;
    for (const stage of this.stages) {
      out = stage(request, current);
      if (out !== current.parts) current = frameOf(out);
    }
    return out;
  }
}
