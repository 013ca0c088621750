/**
 * Names in Redis. BullMQ keeps a queue under `<prefix>:<queue>:...`; the queue's own keys sit beside
 * them, so they share the hash slot of a hash-tagged name (`{fastsam}`) on Redis Cluster:
 *
 *   <prefix>:<queue>:fastsam:image:<job id>    uploaded image bytes, until a worker has finished the job
 *   <prefix>:<queue>:fastsam:result:<job id>   the answer JSON, until it is read or its TTL ends
 */
import { checkString, invalid } from '../options/check';
import { JOB_LIMITS } from './settings';

/**
 * A queue's name and its Redis key prefix, checked.
 * @inline
 */
export interface QueueName {
  /** The queue's name as BullMQ knows it. */
  name: string;
  /** The Redis key prefix (BullMQ's, default 'bull'). */
  prefix: string;
}

/** Queue names and prefixes: no ':' (BullMQ's separator), no spaces. */
const NAME = /^[^:\s]{1,200}$/;

export function checkQueueName(name: unknown, prefix: unknown): QueueName {
  const queue = checkString('queue', name);
  if (!NAME.test(queue))
    invalid('queue', "a name of 1 to 200 characters without ':' or spaces (e.g. fastsam, or {fastsam} on Redis Cluster)", queue);
  const pre = checkString('prefix', prefix);
  if (!NAME.test(pre)) invalid('prefix', "1 to 200 characters without ':' or spaces", pre);
  return { name: queue, prefix: pre };
}

/** Custom job ids: BullMQ refuses integers (they clash with its own counter) and ':' separates keys. */
const JOB_ID = new RegExp(`^(?!\\d+$)[A-Za-z0-9._~-]{1,${JOB_LIMITS.maxJobIdLength}}$`);

export function checkJobId(id: unknown): string {
  if (typeof id !== 'string' || !JOB_ID.test(id)) {
    invalid('jobId', `1 to ${JOB_LIMITS.maxJobIdLength} of A-Z a-z 0-9 . _ ~ -, not only digits`, id);
  }
  return id;
}

const base = (queue: QueueName) => `${queue.prefix}:${queue.name}`;

export const jobKey = (queue: QueueName, id: string): string => `${base(queue)}:${id}`;
export const imageKey = (queue: QueueName, id: string): string => `${base(queue)}:fastsam:image:${id}`;
export const resultKey = (queue: QueueName, id: string): string => `${base(queue)}:fastsam:result:${id}`;
