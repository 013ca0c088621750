/**
 * Answers in Redis: one key per job holding the answer JSON, written once and read once.
 *
 * - Written with SET NX and a TTL: a job retried after its answer was stored (its worker died between
 *   storing and completing, or lost its lock while alive) keeps the first answer, so a job never yields
 *   two results; and an answer nobody reads expires, so Redis memory stays bounded.
 * - Read and removed in one script: the answer leaves Redis as it is read, and two readers cannot both
 *   get it.
 * The answers are stored as they are (JSON): gzip saves only a third on mask RLE and costs more time
 * than it saves on a local network.
 */
import { FastSAMError, messageOf } from '../errors';
import type { RedisClient } from './redis';

function redisError(what: string, error: unknown): FastSAMError {
  return new FastSAMError('E_REDIS', `${what}: ${messageOf(error)}`, { cause: error });
}

/** Stores `json` (text or UTF-8 bytes) under `key` unless an answer is already there; returns whether this call stored it. */
export async function storeAnswer(client: RedisClient, key: string, json: string | Buffer, ttlMs: number): Promise<boolean> {
  try {
    return (await client.set(key, json, 'PX', ttlMs, 'NX')) === 'OK';
  } catch (error) {
    throw redisError('cannot store the answer', error);
  }
}

/** Whether an answer is stored under `key`. */
export async function hasAnswer(client: RedisClient, key: string): Promise<boolean> {
  try {
    return (await client.exists(key)) === 1;
  } catch (error) {
    throw redisError('cannot look for the answer', error);
  }
}

/**
 * Reads an answer and removes it. Normally its job is completed and gone by then, and the key is
 * deleted. If the job is still there (its worker stored the answer and died before completing it), a
 * marker takes the answer's place until its TTL ends, so the job's retry finds an answer stored and
 * completes without running again, and a second reader learns it was read.
 */
const TAKE = `
local answer = redis.call('GET', KEYS[1])
if not answer or answer == ARGV[1] then return answer end
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL') else redis.call('DEL', KEYS[1]) end
return answer`;

/** What stands in for an answer already read (not JSON, so never an answer). */
const TAKEN = 'taken';

/** The answer JSON, removed from Redis as it is read; null when there is none (never stored, read, expired). */
export async function takeAnswer(client: RedisClient, key: string, jobKey: string): Promise<string | null> {
  let answer: unknown;
  try {
    answer = await client.eval(TAKE, 2, key, jobKey, TAKEN);
  } catch (error) {
    throw redisError('cannot read the answer', error);
  }
  return typeof answer === 'string' && answer !== TAKEN ? answer : null;
}
