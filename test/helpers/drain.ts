// Fetching until nothing is left, with a bound: a store that stops marking messages read must fail the test, not
// hang it.
export async function drain<T>(fetchBatch: () => Promise<T[]>, maxBatches = 200): Promise<T[]> {
  const all: T[] = [];
  for (let i = 0; i < maxBatches; i++) {
    const batch = await fetchBatch();
    if (batch.length === 0) return all;
    all.push(...batch);
  }
  throw new Error(`still getting messages after ${maxBatches} fetches: are they being marked read?`);
}
