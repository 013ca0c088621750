/**
 * `fastsam serve` as users run it, a real child process: it prints one line with the port the OS chose,
 * and on SIGTERM it stops accepting, answers the requests in flight, and exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeWithShared, sharedPath } from '../helpers/shared';

const bin = path.resolve(__dirname, '../../dist/cli/index.js');

/** Starts `fastsam serve ... port=0` and resolves with its URL from the one line it prints. */
function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; stdout: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [bin, 'serve', 'port=0', 'log_level=silent', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (match) resolve({ child, url: match[1], stdout: () => stdout, exited });
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    void exited.then((code) => reject(new Error(`fastsam serve exited (${code}) before listening: ${stderr}`)));
  });
}

// The CLI runs from dist/ (npm test builds it first); without it the block says so and skips.
const describeCli = fs.existsSync(bin)
  ? describeWithShared
  : (_file: string, name: string, body: () => void) => describe.skip(`${name} (skipped: ${bin} is not built)`, body);

describeCli('data/onnx/yolov8n-seg_int8_320.onnx', 'fastsam serve drains on SIGTERM', () => {
  test('requests in flight are answered, new ones refused, exit code 0, one line on stdout', async () => {
    const { child, url, stdout, exited } = await startCli([`model=${sharedPath('data/onnx/yolov8n-seg_int8_320.onnx')}`]);
    try {
      expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
      const bus = fs.readFileSync(sharedPath('data/images/bus.jpg'));
      const post = () => fetch(`${url}/v1/segment`, { method: 'POST', body: bus, headers: { 'content-type': 'image/jpeg' } });
      const inFlight = [post(), post(), post()];
      await new Promise((resolve) => setTimeout(resolve, 150));
      process.kill(child.pid!, 'SIGTERM');
      // Draining shows as soon as the signal is handled: not ready, or no longer accepting at all.
      const ready = () =>
        fetch(`${url}/v2/health/ready`).then(
          (r) => r.status,
          () => 'refused',
        );
      while ((await ready()) === 200) await new Promise((resolve) => setTimeout(resolve, 20));
      // A new request now is either refused at the socket or, on a kept-alive connection, answered 503.
      const late = await fetch(`${url}/v1/segment`, { method: 'POST', body: bus, headers: { 'content-type': 'image/jpeg' } }).then(
        (r) => r.status,
        () => 'refused',
      );
      expect([503, 'refused']).toContain(late);
      const answered = await Promise.all(inFlight);
      expect(answered.map((r) => r.status)).toEqual([200, 200, 200]);
      for (const r of answered) expect(((await r.json()) as { detections: unknown[] }).detections.length).toBeGreaterThan(0);
      expect(await exited).toBe(0);
      expect(stdout().trim().split('\n')).toHaveLength(1);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  test('a bad model path is one line on stderr and exit code 2, before listening', async () => {
    const child = spawn(process.execPath, [bin, 'serve', 'model=/nonexistent/model.onnx', 'port=0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^fastsam: model file not found: \/nonexistent\/model\.onnx \[E_FILE_NOT_FOUND\]$/);
  });
});
