// Watches the nextUpdate of a listener's CRLs: exports it as a metric and warns before it passes.
// Once a CRL has expired, OpenSSL refuses every new connection presenting a certificate of its CA
// (CRL_HAS_EXPIRED, refused as client-certificate-invalid). The gateway keeps it that way: a CRL
// that is out of date can no longer prove a certificate unrevoked, so failing closed is right; open
// connections stay. The log lines say what to do: install a current CRL.
import type { CrlInForce, CrlState, LoadedMaterial } from '../net/tls-material.ts';
import { crlState } from '../net/tls-material.ts';
import type { Logger } from '../observability/logger.ts';
import type { ProxyMetrics } from '../observability/proxy-metrics.ts';

/** How often a CRL that is expiring or expired is logged again while it stays so. */
const REPEAT_MS = 3_600_000;

export class CrlExpiryReporter {
  /** Issuers with a metric on this listener (removed when their CRL leaves the material). */
  private issuers = new Set<string>();
  /** The last state logged per CRL (file and issuer) that is not valid, and when. */
  private readonly logged = new Map<string, { state: CrlState; at: number }>();

  constructor(
    private readonly listener: string,
    private readonly logger: Logger,
    private readonly tlsCrlNextUpdate: ProxyMetrics['tlsCrlNextUpdate'],
    private readonly warnBeforeMs: number | null,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Sets the metric, logs crl_expiring / crl_expired when due; returns ms until the next check is due. */
  check(material: LoadedMaterial): number {
    const now = this.now();
    this.export(material.crls);
    let next = REPEAT_MS;
    const seen = new Set<string>();
    for (const crl of material.crls) {
      const key = `${crl.file}|${crl.issuer}`;
      seen.add(key);
      const { state, changesAt } = crlState(crl, now, this.warnBeforeMs);
      if (changesAt) next = Math.min(next, changesAt.getTime() - now.getTime() + 10);
      if (state === 'valid') {
        this.logged.delete(key);
        continue;
      }
      const last = this.logged.get(key);
      if (last && last.state === state && now.getTime() - last.at < REPEAT_MS) {
        next = Math.min(next, last.at + REPEAT_MS - now.getTime());
        continue;
      }
      this.logged.set(key, { state, at: now.getTime() });
      this.log(crl, state, now);
    }
    for (const key of this.logged.keys()) if (!seen.has(key)) this.logged.delete(key);
    return next;
  }

  private export(crls: CrlInForce[]): void {
    // Several CRLs of one CA: the earliest nextUpdate is the one that matters.
    const earliest = new Map<string, number>();
    for (const crl of crls) {
      if (!crl.nextUpdate) continue;
      const at = Math.floor(crl.nextUpdate.getTime() / 1000);
      earliest.set(crl.issuer, Math.min(at, earliest.get(crl.issuer) ?? Infinity));
    }
    for (const issuer of this.issuers) if (!earliest.has(issuer)) this.tlsCrlNextUpdate.remove({ listener: this.listener, issuer });
    for (const [issuer, at] of earliest) this.tlsCrlNextUpdate.set({ listener: this.listener, issuer }, at);
    this.issuers = new Set(earliest.keys());
  }

  private log(crl: CrlInForce, state: CrlState, now: Date): void {
    const fields = { listener: this.listener, file: crl.file, issuer: crl.issuer, nextUpdate: crl.nextUpdate?.toISOString() };
    if (state === 'expiring') {
      const remainingS = Math.round((crl.nextUpdate!.getTime() - now.getTime()) / 1000);
      this.logger.warn(
        { event: 'crl_expiring', ...fields, remainingS },
        'CRL expires soon; install a new one before nextUpdate or clients of this CA will be refused',
      );
    } else {
      this.logger.error(
        { event: 'crl_expired', ...fields },
        'CRL has expired; new connections with certificates of this CA are refused (CRL_HAS_EXPIRED) until a current CRL is installed',
      );
    }
  }
}
