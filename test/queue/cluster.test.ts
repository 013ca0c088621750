/** The queue on Redis Cluster (three real redis-server masters): hash-tagged queue names work, untagged ones are refused. */
import { Cluster } from 'ioredis';
import type { FastSAM } from '../../lib/pipeline/fastsam';
import { FastSAMQueue, FastSAMWorker } from '../../lib/queue';
import { type RedisCluster, startRedisCluster } from '../../scripts/fixtures/redis-server';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliBuilt, describeWithRedis, fastsam, grayPng, killChildrenAfterAll, loadTinyModel, tinyModelBytes, useTempDir } from './helpers';

describeWithRedis('queue: Redis Cluster', () => {
  let cluster: RedisCluster;
  let model: FastSAM;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    model = await loadTinyModel();
  });
  afterAll(async () => {
    await model?.dispose();
    await cluster?.stop();
  });

  test('a hash-tagged queue: every key in one slot, jobs answered across the cluster', async () => {
    const worker = await FastSAMWorker.start({ redis: { cluster: cluster.urls }, queue: '{fastsam}', model });
    const queue = new FastSAMQueue({ redis: { cluster: [cluster.urls[1]] }, queue: '{fastsam}' });
    try {
      const png = await grayPng();
      const [first, second, broken] = await Promise.all(
        [png, png, Buffer.from('broken')].map(async (image) => (await queue.submit(image)).result().catch((e: Error) => e)),
      );
      expect(first).toMatchObject({ detections: [expect.objectContaining({ name: expect.any(String) })] });
      expect(second).toMatchObject({ image: { width: 64, height: 64 }, detections: [expect.anything()] });
      expect(broken).toMatchObject({ code: 'E_IMAGE_DECODE' });
    } finally {
      await queue.close();
      await worker.close();
    }
  });

  test('an untagged queue name is refused up front, not with CROSSSLOT at the first job', async () => {
    const client = new Cluster([{ host: '127.0.0.1', port: Number(new URL(cluster.urls[0]).port) }], { lazyConnect: true });
    try {
      expect(() => new FastSAMQueue({ redis: client, queue: 'fastsam' })).toThrow(
        /queue must be a hash-tagged name on Redis Cluster, e\.g\. \{fastsam\}/,
      );
      await expect(FastSAMWorker.start({ redis: { cluster: cluster.urls }, queue: 'fastsam', model })).rejects.toThrow(/hash-tagged/);
      // A tagged prefix is as good.
      const queue = new FastSAMQueue({ redis: { cluster: cluster.urls }, queue: 'fastsam', prefix: '{bull}' });
      await queue.ready();
      await queue.close();
    } finally {
      client.disconnect();
    }
  });

  const tmp = useTempDir();
  killChildrenAfterAll();
  (cliBuilt ? test : test.skip)('fastsam worker cluster=true and fastsam enqueue cluster=true', async () => {
    const model = path.join(tmp.dir, 'tiny.onnx');
    fs.writeFileSync(model, tinyModelBytes());
    const image = path.join(tmp.dir, 'gray.png');
    fs.writeFileSync(image, await grayPng());
    const nodes = cluster.urls.join(',');
    const worker = fastsam(['worker', `model=${model}`, 'cluster=true', `redis=${nodes}`, 'queue={cli}']);
    expect(await worker.waitFor(/worker ready/)).toMatch(/queue \{cli\} on Redis Cluster/);
    const enqueue = fastsam(['enqueue', `source=${image}`, 'cluster=true', `redis=${cluster.urls[2]}`, 'queue={cli}', '--json']);
    expect(await enqueue.exited).toBe(0);
    expect(JSON.parse(enqueue.stdout()).detections).toHaveLength(1);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
