// A label whose values come from outside (principals, topic names, rule ids): the first `max` distinct
// values keep their own series, later ones are counted as 'other', so Prometheus never grows unbounded.
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(public max: number) {}

  /** The label value to count `value` under. */
  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}
