// aedes.mjs PORT [WS_PORT] - the aedes MQTT broker (npm `aedes`: MQTT 3.1.1 only,
// in-memory sessions and retained messages) on 127.0.0.1:PORT, for the integration
// and web tests; with WS_PORT also MQTT over WebSockets on 127.0.0.1:WS_PORT (npm `ws`),
// for the web board. Prints "aedes listening on PORT" once it accepts connections (and
// "aedes websockets on WS_PORT"), and one line per client with the protocol level it
// connected with (4 = MQTT 3.1.1).
import { Aedes } from 'aedes';
import { createServer } from 'node:net';
import { WebSocketServer, createWebSocketStream } from 'ws';

const port = Number(process.argv[2]);
const wsPort = process.argv[3] === undefined ? 0 : Number(process.argv[3]);
const okPort = (p) => Number.isInteger(p) && p >= 1 && p <= 65535;
if (!okPort(port) || (process.argv[3] !== undefined && !okPort(wsPort)) || process.argv.length > 4) {
  console.error('usage: node aedes.mjs PORT [WS_PORT]');
  process.exit(2);
}
const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
aedes.on('client', (client) => console.log(`client ${client.id} level ${client.version}`));
server.listen(port, '127.0.0.1', () => console.log(`aedes listening on ${port}`));
let wss = null;
if (wsPort) {
  // browsers ask for the "mqtt" subprotocol; a stream per connection, as for TCP
  wss = new WebSocketServer({ host: '127.0.0.1', port: wsPort, handleProtocols: (p) => (p.has('mqtt') ? 'mqtt' : false) });
  wss.on('connection', (ws) => aedes.handle(createWebSocketStream(ws)));
  wss.on('listening', () => console.log(`aedes websockets on ${wsPort}`));
}
// aedes first: it drops its clients, without which server.close would wait for them
// (a board still connected); bounded in any case
const stop = () => {
  setTimeout(() => process.exit(0), 2000).unref();
  if (wss) wss.close();
  aedes.close(() => server.close(() => process.exit(0)));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
