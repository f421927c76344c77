// Looks up topic ids the gateway has not seen yet, for enforcers that must name a topic before
// authorizing it (Produce/Fetch v13+, OffsetCommit/OffsetFetch by id, DeleteTopics by id…): a Metadata
// request for all topics (v10+ carries ids) on a short-lived backend connection, fed into the topic id
// cache. Lookups coalesce (one at a time for the whole gateway; a request arriving meanwhile waits for
// that one) and are spaced out, so a client naming unknown ids cannot make the gateway fetch the whole
// topic list at every request. A lookup never fails its caller: on error the ids stay unknown (the
// enforcer answers UNKNOWN_TOPIC_ID) and the error is logged.
import { Upstream } from '../net/upstream.ts';
import type { Logger } from '../observability/logger.ts';
import { API_KEY, encodeRequestFrame, versionRange } from '../protocol/index.ts';
import type { AdvertisedVersions } from '../routing/api-versions.ts';
import type { Address } from '../routing/broker-map.ts';
import { learnTopicIds } from '../routing/response-rewriter.ts';
import type { TopicIdCache } from '../routing/topic-ids.ts';

/** The first Metadata version whose answer carries topic ids. */
const FIRST_VERSION_WITH_IDS = 10;

export type TopicIdResolverOptions = {
  topics: TopicIdCache;
  versions: AdvertisedVersions;
  logger: Logger;
  /** Counts each lookup by result. */
  onLookup: (result: 'success' | 'failure') => void;
  /** Connect + answer deadline of one lookup. */
  timeoutMs: number;
  /** Largest Metadata answer accepted (the whole topic list). */
  maxResponseBytes: number;
  /** A lookup that finished less than this long ago is not repeated (its answer stands). */
  minIntervalMs?: number;
};

export class TopicIdResolver {
  private inFlight: Promise<void> | null = null;
  private lastFinished = 0;
  /** Lookups made (for tests and logs). */
  lookups = 0;

  constructor(private readonly opts: TopicIdResolverOptions) {}

  /** Resolves once the cache holds every topic id `backend` knows (or the lookup failed, logged). Never rejects. */
  resolve(backend: Address): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (Date.now() - this.lastFinished < (this.opts.minIntervalMs ?? 200)) return Promise.resolve();
    this.lookups++;
    this.inFlight = this.lookup(backend)
      .then(
        () => this.opts.onLookup('success'),
        (err: Error) => {
          this.opts.onLookup('failure');
          this.opts.logger.warn(
            { event: 'topic_id_lookup_failed', backend: `${backend.host}:${backend.port}`, err: err.message },
            'cannot look up topic ids on the backend; the ids asked for are treated as unknown',
          );
        },
      )
      .finally(() => {
        this.inFlight = null;
        this.lastFinished = Date.now();
      });
    return this.inFlight;
  }

  private lookup(backend: Address): Promise<void> {
    const offered = this.opts.versions.rangesFor(backend).get(API_KEY.Metadata);
    const version = Math.min(offered?.maxVersion ?? -1, versionRange(API_KEY.Metadata)!.max);
    if (version < FIRST_VERSION_WITH_IDS) {
      return Promise.reject(new Error(`the backend offers Metadata up to v${version}; topic ids need v${FIRST_VERSION_WITH_IDS}+`));
    }
    const { timeoutMs, maxResponseBytes, topics } = this.opts;
    return new Promise<void>((resolve, reject) => {
      const upstream: Upstream = new Upstream(
        backend,
        { connectTimeoutMs: timeoutMs, maxFrameBytes: maxResponseBytes },
        {
          onFrame: (frame) => {
            try {
              learnTopicIds(frame.payload, version, topics);
              resolve();
            } catch (err) {
              // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on what the walker threw (a ProtocolError), unchanged
              reject(err);
            }
            upstream.close(null);
          },
          onClose: (reason) => reject(new Error(reason ?? 'backend closed the connection before answering')),
        },
      );
      const timer = setTimeout(() => upstream.close(`no Metadata answer within ${timeoutMs} ms`), timeoutMs);
      upstream.socket.once('close', () => clearTimeout(timer));
      const header = { requestApiKey: API_KEY.Metadata, requestApiVersion: version, correlationId: 1, clientId: 'gatehouse-topic-ids' };
      // topics: null asks for every topic; nothing is created.
      upstream.write(encodeRequestFrame(header, { topics: null, allowAutoTopicCreation: false }, { sizePrefix: true }));
    });
  }
}
