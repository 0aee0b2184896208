// Driven by NodeSdkIT: node roundtrip.js HOST:PORT TOPIC GROUP
// A producer sends three messages and one transactional message it commits; a simple consumer receives and
// acknowledges them. One JSON line per event goes to stdout; the exit code is 0 when every step succeeded.
const { Producer, SimpleConsumer } = require('rocketmq-client-nodejs');

const COMMIT = 1; // apache.rocketmq.v2.TransactionResolution.COMMIT

async function main() {
  const [endpoints, topic, group] = process.argv.slice(2);
  const say = (event) => console.log(JSON.stringify(event));
  const consumer = new SimpleConsumer({ endpoints, namespace: '', consumerGroup: group,
    subscriptions: new Map([[topic, '*']]), awaitDuration: 2000 });
  await consumer.startup();
  const producer = new Producer({ endpoints, namespace: '', topics: [topic],
    checker: { async check() { return COMMIT; } } });
  await producer.startup();
  for (let i = 0; i < 3; i++) {
    const r = await producer.send({ topic, tag: 'node', keys: ['key' + i], properties: new Map([['n', String(i)]]),
      body: Buffer.from('node-' + i) });
    say({ event: 'sent', body: 'node-' + i, messageId: r.messageId });
  }
  const tx = producer.beginTransaction();
  const txReceipt = await producer.send({ topic, tag: 'tx', body: Buffer.from('node-tx') }, tx);
  await tx.commit();
  say({ event: 'sent', body: 'node-tx', messageId: txReceipt.messageId });
  await producer.shutdown();

  const got = new Map();
  const deadline = Date.now() + 30000;
  while (got.size < 4 && Date.now() < deadline) {
    const views = await consumer.receive(16, 30000);
    for (const v of views) {
      got.set(v.body.toString(), v);
      await consumer.ack(v);
      say({ event: 'received', body: v.body.toString(), messageId: v.messageId, tag: v.tag, keys: v.keys,
        properties: Object.fromEntries(v.properties), attempt: v.deliveryAttempt, corrupted: v.corrupted === true });
    }
  }
  await consumer.shutdown();
  say({ event: 'done', received: got.size });
  process.exit(got.size === 4 ? 0 : 2);
}

main().catch((e) => {
  console.log(JSON.stringify({ event: 'error', message: String(e && e.stack || e) }));
  process.exit(1);
});
