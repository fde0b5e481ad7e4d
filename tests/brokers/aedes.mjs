// aedes.mjs PORT - the aedes MQTT broker (npm `aedes`: MQTT 3.1.1 only, in-memory
// sessions and retained messages) on 127.0.0.1:PORT, for the integration tests.
// Prints "aedes listening on PORT" once it accepts connections, and one line per client
// with the protocol level it connected with (4 = MQTT 3.1.1).
import { Aedes } from 'aedes';
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: node aedes.mjs PORT');
  process.exit(2);
}
const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
aedes.on('client', (client) => console.log(`client ${client.id} level ${client.version}`));
server.listen(port, '127.0.0.1', () => console.log(`aedes listening on ${port}`));
// aedes first: it drops its clients, without which server.close would wait for them
// (a board still connected); bounded in any case
const stop = () => {
  setTimeout(() => process.exit(0), 2000).unref();
  aedes.close(() => server.close(() => process.exit(0)));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
