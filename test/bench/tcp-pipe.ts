// The floor for any proxy written in Node: a byte pipe that parses nothing. The proxy benchmark runs
// it as a third path so the gateway's cost can be told apart from the cost of one more hop.
//   node --import tsx test/bench/tcp-pipe.ts LISTEN_PORT TARGET_HOST:TARGET_PORT
import net from 'node:net';

const [listenPort, target] = process.argv.slice(2);
const [host, port] = target.split(':');
net
  .createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host, port: Number(port), noDelay: true });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  })
  .listen(Number(listenPort), '127.0.0.1', () => console.log(`pipe ${listenPort} -> ${target}`));
