// After start-up the gateway keeps asking the backend whether it answers, so /readyz (and the
// gatehouse_backend_ready gauge) say when it stops answering and when it is back, and a load
// balancer can route around an instance whose backend it cannot reach.
import type { ProbeResult } from './backend-probe.ts';

export type BackendHealthOptions = {
  intervalMs: number;
  /** Consecutive failed checks before the backend counts as unreachable (one slow answer is not an outage). */
  unreadyAfterFailedChecks: number;
  check: () => Promise<ProbeResult>;
  onReachable: (result: ProbeResult) => void;
  onUnreachable: (err: Error, failedChecks: number) => void;
};

export class BackendHealthMonitor {
  private failedChecks = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: BackendHealthOptions) {}

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.checkOnce().finally(() => {
        this.running = null;
        this.schedule();
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async checkOnce(): Promise<void> {
    try {
      const result = await this.options.check();
      this.failedChecks = 0;
      if (!this.stopped) this.options.onReachable(result);
    } catch (err) {
      this.failedChecks++;
      if (!this.stopped && this.failedChecks >= this.options.unreadyAfterFailedChecks)
        this.options.onUnreachable(err instanceof Error ? err : new Error(String(err)), this.failedChecks);
    }
  }
}
