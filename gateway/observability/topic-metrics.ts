// Records and bytes produced and fetched, by topic. Topic names are client-chosen, so the label is
// capped: the first `maxTopicLabels` topics seen get their own series, the rest count as 'other'.
// Counted on the hot path as plain number bumps per topic and request, added to the counters when
// scraped.
import { Counter, type Registry } from 'prom-client';
import { BoundedLabel } from './bounded-label.ts';

/** Distinct topics the per-topic series carry by default (admin.maxTopicLabels). */
export const DEFAULT_MAX_TOPIC_LABELS = 100;

type Tally = { records: number; bytes: number };
type Direction = 'produced' | 'fetched';

export class TopicMetrics {
  /** Per direction: pending counts by label value (a topic, or 'other'). */
  private readonly pending: Record<Direction, Map<string, Tally>> = { produced: new Map(), fetched: new Map() };
  /** Topics given their own series; shared by both directions so the cap is one number. */
  private readonly topics = new BoundedLabel(DEFAULT_MAX_TOPIC_LABELS);

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
    this.topics.max = max;
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
    const label = this.topics.of(topic);
    let tally = map.get(label);
    if (tally === undefined) {
      tally = { records: 0, bytes: 0 };
      map.set(label, tally);
    }
    tally.records += records;
    tally.bytes += bytes;
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
