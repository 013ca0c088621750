/**
 * `fastsam export ...` as the command's handler sees it (the key=value arguments of lib/cli/args.ts):
 * where the ONNX file goes, what is printed, the options, and E_BAD_OPTION for user mistakes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCommand } from '../../lib/cli';
import { parseArgs } from '../../lib/cli/args';
import { readOnnxModelInfo } from '../../lib/onnx/model-info';
import { syntheticCheckpoint } from '../../scripts/fixtures/checkpoint-yolov8seg';
import { startServer } from '../cache/server';

const CHECKPOINT = syntheticCheckpoint({ scale: 'n', zeros: true, trainImgsz: 64 }).bytes;
let tmp: string;
let pt: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fastsam-export-cli-'));
  pt = path.join(tmp, 'yolov8n-seg.pt');
  fs.writeFileSync(pt, CHECKPOINT);
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs `fastsam export ARGS`, returning what it printed. */
async function run(...argv: string[]): Promise<string[]> {
  const { values, flags } = parseArgs(['export', ...argv]);
  const printed: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
  try {
    await runCommand('export', values, flags);
  } finally {
    log.mockRestore();
  }
  return printed;
}

const inputDims = (file: string): (number | string)[] => readOnnxModelInfo(fs.readFileSync(file)).inputs[0].dims;

test('writes NAME.onnx next to NAME.pt and says what it wrote', async () => {
  const [line] = await run(`model=${pt}`, 'format=onnx', 'imgsz=64');
  const onnx = path.join(tmp, 'yolov8n-seg.onnx');
  expect(inputDims(onnx)).toEqual([1, 3, 64, 64]);
  expect(line).toContain(`-> ${onnx}: images [1,3,64,64] -> output0 [1,37,84], output1 [1,32,16,16]; opset 17`);
});

test('output= names a file or a folder; imgsz takes height,width; dynamic=true', async () => {
  const file = path.join(tmp, 'out', 'rect.onnx');
  await run(`model=${pt}`, 'imgsz=64,96', `output=${file}`);
  expect(inputDims(file)).toEqual([1, 3, 64, 96]);
  const folder = path.join(tmp, 'folder');
  fs.mkdirSync(folder);
  await run(`model=${pt}`, 'dynamic=true', `output=${folder}`);
  expect(inputDims(path.join(folder, 'yolov8n-seg.onnx'))).toEqual(['batch', 3, 'height', 'width']);
});

test('--json prints one machine-readable line', async () => {
  const [line] = await run(`model=${pt}`, 'imgsz=[64, 64]', 'opset=13', 'batch=2', '--json');
  const summary = JSON.parse(line);
  expect(summary).toMatchObject({
    model: pt,
    imgsz: [64, 64],
    opset: 13,
    batch: 2,
    dynamic: false,
    inputShape: [2, 3, 64, 64],
    names: { 0: 'object' },
  });
  expect(summary.metadata.task).toBe('segment');
});

test('a model name goes through the cache and is exported into the current folder', async () => {
  const server = await startServer({ '/yolov8n-seg-cached.pt': CHECKPOINT });
  const saved = { cwd: process.cwd(), home: process.env.FASTSAM_HOME, base: process.env.FASTSAM_DOWNLOAD_BASE };
  process.env.FASTSAM_HOME = path.join(tmp, 'cache');
  process.env.FASTSAM_DOWNLOAD_BASE = server.baseUrl;
  process.chdir(tmp);
  try {
    await run('model=yolov8n-seg-cached.pt');
    expect(fs.existsSync(path.join(tmp, 'cache', 'yolov8n-seg-cached.pt'))).toBe(true);
    expect(inputDims(path.join(tmp, 'yolov8n-seg-cached.onnx'))).toEqual([1, 3, 64, 64]); // the checkpoint's training size
  } finally {
    process.chdir(saved.cwd);
    for (const [key, value] of [
      ['FASTSAM_HOME', saved.home],
      ['FASTSAM_DOWNLOAD_BASE', saved.base],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await server.close();
  }
});

test.each<[string, string[], RegExp]>([
  ['no model', ['imgsz=640'], /missing model=/],
  ['an unknown argument', ['model=x.pt', 'colour=red'], /unknown fastsam export key 'colour'/],
  ['another format', ['model=x.pt', 'format=engine'], /format=engine: expected one of onnx/],
  ['half precision', ['model=x.pt', 'half=true'], /FP16 export is not supported/],
  ['NMS in the graph', ['model=x.pt', 'nms=true'], /NMS is done by fastsam-node/],
  ['an ONNX model', ['model=x.onnx'], /already ONNX/],
  ['a bad imgsz', ['model=x.pt', 'imgsz=big'], /imgsz=big/],
  ['a bad opset', ['model=PT', 'opset=9'], /opset must be an integer in \[11, 21\]/],
])('%s is E_BAD_OPTION', async (_, argv, message) => {
  await expect(run(...argv.map((a) => a.replace('PT', pt)))).rejects.toMatchObject({
    code: 'E_BAD_OPTION',
    message: expect.stringMatching(message),
  });
});
