// Records and bytes produced and fetched, by topic. Topic names are client-chosen, so the label is
// capped: the first `maxTopicLabels` topics seen get their own series, the rest count as 'other'.
// Counted on the hot path as plain number bumps per topic and request, added to the counters when
// scraped.
import { Counter, type Registry } from 'prom-client';

/** Distinct topics the per-topic series carry by default (admin.maxTopicLabels). */
export const DEFAULT_MAX_TOPIC_LABELS = 100;

type Tally = { records: number; bytes: number };
type Direction = 'produced' | 'fetched';

export class TopicMetrics {
  private maxTopicLabels = DEFAULT_MAX_TOPIC_LABELS;
  /** Per direction: pending counts by label value (a topic, or 'other'). */
  private readonly pending: Record<Direction, Map<string, Tally>> = { produced: new Map(), fetched: new Map() };
  /** Topics given their own series; shared by both directions so the cap is one number. */
  private readonly labelled = new Set<string>();

  constructor(registry: Registry) {
    for (const direction of ['produced', 'fetched'] as const) {
      const what = direction === 'produced' ? 'Produce requests forwarded to the backend' : 'Fetch responses passed to clients';
      const records: Counter<'topic'> = new Counter({
        name: `gatehouse_${direction}_records_total`,
        help: `Records in ${what}, by topic (the first admin.maxTopicLabels topics; 'other' after). Counted from record batch headers.`,
        labelNames: ['topic'] as const,
        registers: [registry],
        collect: (): void => this.flush(direction, records, bytes),
      });
      const bytes: Counter<'topic'> = new Counter({
        name: `gatehouse_${direction}_bytes_total`,
        help: `Bytes of record batches in ${what}, by topic (the first admin.maxTopicLabels topics; 'other' after).`,
        labelNames: ['topic'] as const,
        registers: [registry],
        collect: (): void => this.flush(direction, records, bytes),
      });
    }
  }

  setMaxTopicLabels(max: number): void {
    this.maxTopicLabels = max;
  }

  produced(topic: string, records: number, bytes: number): void {
    this.add('produced', topic, records, bytes);
  }

  fetched(topic: string, records: number, bytes: number): void {
    this.add('fetched', topic, records, bytes);
  }

  private add(direction: Direction, topic: string, records: number, bytes: number): void {
    if (records === 0 && bytes === 0) return;
    const map = this.pending[direction];
    let tally = map.get(topic);
    if (tally === undefined) {
      const label = this.labelOf(topic);
      tally = map.get(label);
      if (tally === undefined) {
        tally = { records: 0, bytes: 0 };
        map.set(label, tally);
      }
      // Later bumps of an unlabelled topic find 'other's tally under their own name (bounded by the
      // same cap: past it, only 'other' is added, and unlabelled names are not remembered).
      if (label === topic) map.set(topic, tally);
    }
    tally.records += records;
    tally.bytes += bytes;
  }

  private labelOf(topic: string): string {
    if (this.labelled.has(topic)) return topic;
    if (this.labelled.size >= this.maxTopicLabels) return 'other';
    this.labelled.add(topic);
    return topic;
  }

  /** Moves what is pending into both counters (either one's collect does both, so they stay in step). */
  private flush(direction: Direction, records: Counter<'topic'>, bytes: Counter<'topic'>): void {
    for (const [topic, tally] of this.pending[direction]) {
      if (tally.records === 0 && tally.bytes === 0) continue;
      if (tally.records > 0) records.inc({ topic }, tally.records);
      if (tally.bytes > 0) bytes.inc({ topic }, tally.bytes);
      tally.records = 0;
      tally.bytes = 0;
    }
  }
}
