/**
 * The baseline of bench/ingest.mjs: an MQTT.js client that subscribes to every board's telemetry
 * and only parses the JSON. Prints its running count as one line every 250 ms.
 * Run: node bench/lib/bare-subscriber.mjs mqtt://127.0.0.1:PORT [CA-FILE for mqtts://]
 */
import { readFileSync } from 'node:fs';
import { connectAsync } from 'mqtt';

const ca = process.argv[3] ? readFileSync(process.argv[3]) : undefined;
const client = await connectAsync(process.argv[2], { reconnectPeriod: 0, ...(ca ? { ca } : {}) });
let parsed = 0;
client.on('message', (_topic, payload) => {
  JSON.parse(payload.toString());
  parsed++;
});
await client.subscribeAsync('kelvin/v1/nodes/+/telemetry', { qos: 0 });
process.stdout.write('subscribed\n');
setInterval(() => process.stdout.write(`${parsed}\n`), 250);
process.on('SIGTERM', () => process.exit(0));
