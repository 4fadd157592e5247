// One driver's share of the bench's `drivers` figure, run in a child process under the Node being measured (node:sqlite
// exists only from Node 22.5): the store alone, in process, send + fetch round trips on a new file. Prints one JSON
// line: { node, driver, sqlite, median, p99 } (milliseconds).
import path from 'node:path';

import { relayModules } from './inprocess.mjs';
import { median, now, percentile } from './measure.mjs';

const [dir, driver, count = '3000', warmup = '300'] = process.argv.slice(2);
const { openSqliteStore } = await relayModules();
const store = openSqliteStore(path.join(dir, `${driver.replace(':', '-')}-${process.version}.db`), { driver });
const roundTrip = async (i) => {
  await store.send({ sender: 'desktop', message: `round trip ${i}` });
  await store.fetch({ reader: { kind: 'code', name: null }, limit: 1, unreadOnly: true });
};
for (let i = 0; i < Number(warmup); i++) await roundTrip(i);
const times = [];
for (let i = 0; i < Number(count); i++) {
  const start = now();
  await roundTrip(i);
  times.push(now() - start);
}
const sqlite = store.driver.sqliteVersion;
await store.close();
process.stdout.write(
  `${JSON.stringify({ node: process.version, driver, sqlite, median: median(times), p99: percentile(times, 99) })}\n`,
);
