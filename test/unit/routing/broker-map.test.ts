// Routes learned from backend responses are checked before use: a bad one is refused (reported once)
// and the previous route stays in force.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BrokerMap, routeProblem, type RouteRefusal } from '../../../gateway/routing/broker-map.ts';

const portMap = () =>
  new BrokerMap({
    mode: 'port-per-broker',
    host: 'gw.example',
    basePort: 0,
    brokerPorts: new Map([
      [1, 9001],
      [2, 9002],
      [3, 9003],
    ]),
  });

test('sane routes pass; empty or odd hosts, ports outside 1–65535 and negative node ids do not', () => {
  for (const [nodeId, host, port] of [
    [0, 'kafka-0.internal', 9092],
    [7, '10.0.0.7', 1],
    [2, '::1', 65535],
    [3, 'fe80::1%eth0', 9092],
    [4, 'broker_4.local', 9092],
  ] as const) {
    assert.equal(routeProblem(nodeId, { host, port }), null, `${nodeId} ${host}:${port}`);
  }
  const bad: Array<[number, string, number, RegExp]> = [
    [1, '127.0.0.1', 70_000, /port 70000 is outside/],
    [1, '127.0.0.1', -1, /port -1 is outside/],
    [1, '127.0.0.1', 0, /port 0 is outside/],
    [1, '127.0.0.1', 9092.5, /port 9092.5/],
    [1, '', 9092, /empty host/],
    [1, 'evil host', 9092, /not a host name/],
    [1, 'a\nb', 9092, /not a host name/],
    [1, 'x'.repeat(300), 9092, /not a host name/],
    [-1, '127.0.0.1', 9092, /node id -1/],
  ];
  for (const [nodeId, host, port, why] of bad)
    assert.match(routeProblem(nodeId, { host, port }) ?? 'accepted', why, `${nodeId} ${JSON.stringify(host)}:${port}`);
});

test('a bad route is refused and the previous one stays; each distinct bad route is reported once', () => {
  const map = portMap();
  const refusals: RouteRefusal[] = [];
  const announced: number[] = [];
  map.onRouteRefused((r) => refusals.push(r));
  map.onNewBroker((id) => announced.push(id));
  assert.equal(map.learn(1, { host: '10.0.0.1', port: 9092 }), true);
  assert.equal(map.learn(1, { host: '10.0.0.1', port: 70_000 }), false);
  assert.equal(map.learn(1, { host: '10.0.0.1', port: 70_000 }), false); // the same bad route again: not reported twice
  assert.equal(map.learn(1, { host: '', port: 9092 }), false);
  assert.deepEqual(map.backendAddress(1), { host: '10.0.0.1', port: 9092 }, 'the previous route stays');
  assert.deepEqual(map.advertised(1), { host: 'gw.example', port: 9001 });
  assert.deepEqual(
    refusals.map((r) => [r.nodeId, r.address.port, r.reason]),
    [
      [1, 70_000, 'port 70000 is outside 1–65535'],
      [1, 9092, 'empty host'],
    ],
  );
  assert.deepEqual(announced, [1]);
});

test('a broker only ever announced with a bad route gets no route, no gateway port and is not advertised', () => {
  const map = portMap();
  const announced: number[] = [];
  map.onNewBroker((id) => announced.push(id));
  assert.equal(map.learn(2, { host: '10.0.0.2', port: -1 }), false);
  assert.equal(map.backendAddress(2), undefined);
  assert.equal(map.advertised(2), null, 'clients are not sent to a port with nothing behind it');
  assert.deepEqual(announced, []);
  assert.equal(map.learn(2, { host: '10.0.0.2', port: 9092 }), true, 'a good route later is taken');
  assert.deepEqual(map.advertised(2), { host: 'gw.example', port: 9002 });
  assert.deepEqual(announced, [2]);
  assert.deepEqual(map.advertised(3), { host: 'gw.example', port: 9003 }, 'brokers never seen keep their configured address');
});
