// Scans bytes the gateway sent its clients for backend addresses, in every shape the protocol carries
// them: a host string followed by the port as int32 (Metadata, FindCoordinator, DescribeCluster,
// NodeEndpoints) or uint16 (DescribeQuorum listeners, Raft endpoints), or as text "host:port" (config
// values, error messages).
import { kafkaTool } from './kafka-tools.ts';
import type { KafkaLine } from './kafka-dist.ts';
import { expectSuccess } from './run.ts';

export function findAddressLeaks(sent: Buffer[], ports: number[], hosts: string[] = ['127.0.0.1', 'localhost']): string[] {
  const leaks: string[] = [];
  for (const [i, bytes] of sent.entries()) {
    for (const host of hosts) {
      const hostBytes = Buffer.from(host);
      for (const port of ports) {
        if (bytes.includes(`${host}:${port}`)) leaks.push(`connection ${i}: text ${host}:${port}`);
        const int32 = Buffer.alloc(4);
        int32.writeInt32BE(port);
        const uint16 = Buffer.alloc(2);
        uint16.writeUInt16BE(port);
        for (let at = bytes.indexOf(hostBytes); at >= 0; at = bytes.indexOf(hostBytes, at + 1)) {
          const after = at + hostBytes.length;
          if (bytes.subarray(after, after + 4).equals(int32)) leaks.push(`connection ${i}: ${host} + int32 port ${port} at byte ${after}`);
          else if (bytes.subarray(after, after + 2).equals(uint16))
            leaks.push(`connection ${i}: ${host} + uint16 port ${port} at byte ${after}`);
        }
      }
    }
  }
  return leaks;
}

/**
 * Every port a backend node listens on (broker, controller, ZooKeeper), read from the node's own
 * `listeners`, `controller.quorum.voters` and `zookeeper.connect` configs, asked of the broker directly.
 */
export async function backendListenerPorts(line: KafkaLine, bootstrap: string, nodeIds: number[]): Promise<number[]> {
  const ports = new Set<number>();
  for (const id of nodeIds) {
    const r = expectSuccess(
      'kafka-configs --describe brokers (direct)',
      await kafkaTool(
        line,
        'configs',
        ['--bootstrap-server', bootstrap, '--describe', '--entity-type', 'brokers', '--entity-name', String(id), '--all'],
        { timeoutMs: 120_000 },
      ),
    );
    for (const l of r.stdout.split('\n')) {
      if (
        !/^\s*(listeners|advertised\.listeners|controller\.quorum\.voters|controller\.quorum\.bootstrap\.servers|zookeeper\.connect)=/.test(
          l,
        )
      )
        continue;
      for (const m of l.matchAll(/:(\d{2,5})\b/g)) ports.add(Number(m[1]));
    }
  }
  return [...ports];
}
