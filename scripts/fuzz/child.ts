/**
 * One fuzz target in a child process (1 GiB heap): runs cases from `start` until the deadline, telling the
 * parent before each case starts (so a crash or a hang is pinned to its case) and how each one ended.
 * Case i of a target always gets the same input for a given seed, so any case can be replayed alone.
 */
import { Random } from './mutate';
import { outcomeOf, TARGETS } from './targets';

const [name, seedText, startText, deadlineText, onlyText] = process.argv.slice(2);
const CASES_PER_CHILD = 2000;

/** The random stream of one case: seed, target and case number mixed (splitmix-style). */
export function caseRandom(seed: number, target: number, index: number): Random {
  let x = (seed ^ Math.imul(target + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b) >>> 0;
  return new Random(x ^ (x >>> 16));
}

async function main(): Promise<void> {
  const targetIndex = TARGETS.findIndex((t) => t.name === name);
  const target = TARGETS[targetIndex];
  const context = await target.setup();
  const seed = Number(seedText);
  const deadline = Number(deadlineText);
  const only = onlyText === undefined ? undefined : Number(onlyText);
  const first = only ?? Number(startText);
  // A fresh process every CASES_PER_CHILD cases: memory a long run accumulates (ONNX Runtime arenas, the
  // heap) is not blamed on whichever case happens to be running when it passes the limit.
  for (let i = first; only === undefined ? Date.now() < deadline && i < first + CASES_PER_CHILD : i === only; i++) {
    process.send?.({ type: 'start', i });
    let error: unknown;
    try {
      await target.run(context, caseRandom(seed, targetIndex, i));
    } catch (e) {
      error = e ?? new Error('thrown undefined');
    }
    process.send?.({ type: 'end', i, outcome: outcomeOf(error) });
    // Back to the event loop between cases, so these messages leave now: a run of synchronous cases would
    // otherwise hold them back, and the parent would take a fast case for a hung one.
    await new Promise((resolve) => setImmediate(resolve));
  }
  process.send?.({ type: 'done', rssMiB: process.resourceUsage().maxRSS / 1024 }, () => process.disconnect());
  // The options target keeps a model loaded; nothing else should hold the process open.
  setTimeout(() => process.exit(0), 2000).unref();
}

if (require.main === module) void main();
