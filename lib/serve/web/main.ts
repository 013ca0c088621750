/**
 * The web demo: upload (file, drop, paste) or a sample, run *everything* once on the server, then select
 * in the page as FastSAMPrompt would (points, boxes) without another request; text prompts go to the
 * server (CLIP). Parameters re-run everything; undo/clear/reset; downloads; copy as curl.
 */
import type { BoxPrompt, PointMode, PointPrompt } from '../../prompts/rules';
import { fetchInfo, segment, ServerError, type ServerInfo } from './api';
import { cocoJson, curlCommand, cutoutPng, download, maskPng } from './exports';
import { type Everything, readEverything } from './masks';
import { drawMaskLayer, drawPrompts, everythingLayer, masksLayer, palette, type Rgb, selectionColours } from './render';
import { type Selected, selectByBoxPrompts, selectByPointPrompts, selectFromAnswer, selectIndices } from './selection';

type Mode = 'everything' | 'point' | 'box' | 'text';

interface Prompts {
  picked: number[];
  points: Array<{ x: number; y: number; label: number }>;
  boxes: BoxPrompt[];
  texts: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('canvas');
const ctx = canvas.getContext('2d')!;
const stage = $('stage');

const state = {
  info: undefined as ServerInfo | undefined,
  image: undefined as ImageBitmap | undefined,
  imageBlob: undefined as Blob | undefined,
  fileName: 'image.jpg',
  everything: undefined as Everything | undefined,
  colours: [] as Rgb[],
  everythingCanvas: undefined as HTMLCanvasElement | undefined,
  mode: 'everything' as Mode,
  label: 1,
  pointMode: 'merge' as PointMode,
  prompts: { picked: [], points: [], boxes: [], texts: '' } as Prompts,
  history: [] as Prompts[],
  selection: [] as Selected[],
  textSelection: [] as Selected[],
  selectionCanvas: undefined as HTMLCanvasElement | undefined,
  hover: -1,
  hoverCanvas: undefined as HTMLCanvasElement | undefined,
  drag: undefined as { x: number; y: number; draft?: BoxPrompt } | undefined,
  request: undefined as AbortController | undefined,
  generation: 0,
};

// ---------------------------------------------------------------- parameters

const params = {
  imgsz: $<HTMLInputElement>('imgsz'),
  conf: $<HTMLInputElement>('conf'),
  iou: $<HTMLInputElement>('iou'),
  retina: $<HTMLInputElement>('retina'),
  better: $<HTMLInputElement>('better'),
  contours: $<HTMLInputElement>('contours'),
};

function showParamValues(): void {
  $('imgsz-value').textContent = params.imgsz.disabled ? `${params.imgsz.value} (fixed)` : params.imgsz.value;
  $('conf-value').textContent = Number(params.conf.value).toFixed(2);
  $('iou-value').textContent = Number(params.iou.value).toFixed(2);
}

function resetParams(): void {
  const info = state.info;
  params.conf.value = String(info?.defaults.conf ?? 0.4);
  params.iou.value = String(info?.defaults.iou ?? 0.9);
  const size = info?.fixedSize?.[0] ?? info?.imgsz[0] ?? 640;
  params.imgsz.min = String(Math.min(320, size));
  params.imgsz.max = String(Math.max(1024, size));
  params.imgsz.step = String(info?.stride ? Math.max(info.stride, 32) : 32);
  params.imgsz.value = String(size);
  params.imgsz.disabled = Boolean(info?.fixedSize);
  params.retina.checked = true;
  params.better.checked = false;
  params.contours.checked = true;
  showParamValues();
}

/** The everything request's options, named as on the CLI. */
function everythingFields(): Record<string, string> {
  const fields: Record<string, string> = { conf: params.conf.value, iou: params.iou.value, retina_masks: String(params.retina.checked) };
  if (!params.imgsz.disabled) fields.imgsz = params.imgsz.value;
  if (params.better.checked) fields.better_quality = 'true';
  return fields;
}

/** The current request, prompts included, for the curl snippet. */
function promptFields(): Record<string, string> {
  const fields = everythingFields();
  const { points, boxes, texts } = state.prompts;
  const r = (v: number) => Math.round(v);
  if (state.mode === 'box' && boxes.length) fields.bboxes = JSON.stringify(boxes.map((b) => b.map(r)));
  if (state.mode === 'point' && points.length) {
    fields.points = JSON.stringify(points.map((p) => [r(p.x), r(p.y)]));
    fields.labels = JSON.stringify(points.map((p) => p.label));
    fields.point_mode = state.pointMode;
  }
  if (state.mode === 'text' && texts) fields.texts = texts;
  return fields;
}

// ---------------------------------------------------------------- status

function message(text: string | undefined, kind: 'info' | 'error' = 'info'): void {
  const el = $('stage-message');
  el.hidden = !text;
  el.textContent = text ?? '';
  el.classList.toggle('error', kind === 'error');
}

function busy(text: string | undefined): void {
  $('busy').hidden = !text;
  $('busy-text').textContent = text ?? '';
}

const HINTS: Record<Mode, string> = {
  everything: 'Hover to see a mask, click to pick it.',
  point: 'Click to add a point, right-click to remove an area.',
  box: 'Drag a box around an object; drag again for more.',
  text: 'Describe what to find, e.g. "a dog".',
};

function updateStatus(): void {
  const e = state.everything;
  $('mask-count').textContent = String(e?.masks.length ?? 0);
  $('selection-count').textContent = String(state.selection.length);
  const has = state.selection.length > 0;
  for (const id of ['download-cutout', 'download-mask', 'download-coco']) $<HTMLButtonElement>(id).disabled = !has;
  const p = state.prompts;
  const any = p.picked.length + p.points.length + p.boxes.length > 0 || Boolean(p.texts);
  $<HTMLButtonElement>('undo').disabled = state.history.length === 0;
  $<HTMLButtonElement>('clear').disabled = !any;
  $('hint').textContent = !e ? 'Upload an image to start.' : e.masks.length === 0 ? 'Nothing to select in this image.' : HINTS[state.mode];
  $('curl').textContent = curlCommand(location.origin, state.fileName, promptFields());
  if (e && e.masks.length === 0) message('No objects found. Try a lower confidence or another input size.');
  else if (e && any && !has && state.mode !== 'everything') message('Nothing selected here: try another point or box.');
  else message(undefined);
}

// ---------------------------------------------------------------- drawing

/** Image pixels per screen pixel (the canvas is scaled to fit). */
function imagePerScreen(): number {
  const rect = canvas.getBoundingClientRect();
  return rect.width > 0 && state.image ? state.image.width / rect.width : 1;
}

/** Shows the whole image as large as the stage allows (small images scale up too), aspect kept. */
function fitCanvas(): void {
  const image = state.image;
  if (!image) return;
  const styles = getComputedStyle(stage);
  const width = stage.clientWidth - parseFloat(styles.paddingLeft) - parseFloat(styles.paddingRight);
  const height = Math.max(240, window.innerHeight * 0.72);
  const scale = Math.min(width / image.width, height / image.height, 4);
  canvas.style.width = `${Math.floor(image.width * scale)}px`;
  canvas.style.height = `${Math.floor(image.height * scale)}px`;
}

function draw(): void {
  const image = state.image;
  if (!image) return;
  ctx.setTransform(canvas.width / image.width, 0, 0, canvas.height / image.height, 0, 0);
  ctx.clearRect(0, 0, image.width, image.height);
  ctx.drawImage(image, 0, 0);
  const e = state.everything;
  if (e) {
    const selecting = state.selection.length > 0;
    if (state.mode === 'everything' && state.everythingCanvas) {
      ctx.globalAlpha = selecting ? 0.45 : 1; // picked masks stand out from the rest
      drawMaskLayer(ctx, state.everythingCanvas, e.frame);
      ctx.globalAlpha = 1;
    }
    if (state.mode !== 'everything' && selecting) {
      ctx.fillStyle = 'rgba(10, 12, 20, 0.35)'; // dim what is not selected
      ctx.fillRect(0, 0, image.width, image.height);
    }
    if (state.hover >= 0 && state.hoverCanvas && state.mode !== 'box') drawMaskLayer(ctx, state.hoverCanvas, e.frame);
    if (state.selectionCanvas) drawMaskLayer(ctx, state.selectionCanvas, e.frame);
  }
  drawPrompts(
    ctx,
    {
      points: state.mode === 'point' ? state.prompts.points : [],
      boxes: state.mode === 'box' ? state.prompts.boxes : [],
      draft: state.drag?.draft,
    },
    imagePerScreen(),
  );
}

function rebuildEverythingLayer(): void {
  const e = state.everything;
  state.everythingCanvas = e ? everythingLayer(e, state.colours, params.contours.checked) : undefined;
}

function setSelection(selection: Selected[]): void {
  state.selection = selection;
  const e = state.everything;
  state.selectionCanvas =
    e && selection.length > 0
      ? masksLayer(
          e.shape,
          selection.map((s) => s.bitmap),
          selectionColours(selection),
          0.55,
        )
      : undefined;
  updateStatus();
  draw();
}

/** The selection the current mode's prompts make, with the library's rules. */
function reselect(): void {
  const e = state.everything;
  if (!e) return setSelection([]);
  const p = state.prompts;
  if (state.mode === 'everything') return setSelection(selectIndices(e, p.picked));
  if (state.mode === 'point') {
    const points: PointPrompt[] = p.points.map((q) => [q.x, q.y]);
    return setSelection(
      selectByPointPrompts(
        e,
        points,
        p.points.map((q) => q.label),
        state.pointMode,
      ),
    );
  }
  if (state.mode === 'box') return setSelection(selectByBoxPrompts(e, p.boxes));
  return setSelection(state.textSelection);
}

// ---------------------------------------------------------------- prompts and history

function snapshot(): Prompts {
  const p = state.prompts;
  return { picked: [...p.picked], points: p.points.map((q) => ({ ...q })), boxes: p.boxes.map((b) => [...b] as BoxPrompt), texts: p.texts };
}

function change(update: (p: Prompts) => void): void {
  state.history.push(snapshot());
  if (state.history.length > 100) state.history.shift();
  update(state.prompts);
  reselect();
}

function undo(): void {
  const previous = state.history.pop();
  if (!previous) return;
  state.prompts = previous;
  if (state.mode === 'text' && !previous.texts) state.textSelection = [];
  reselect();
}

function clearPrompts(): void {
  change((p) => {
    p.picked = [];
    p.points = [];
    p.boxes = [];
    p.texts = '';
  });
  state.textSelection = [];
  $<HTMLInputElement>('text-input').value = '';
  reselect();
}

function setMode(mode: Mode): void {
  state.mode = mode;
  for (const button of document.querySelectorAll<HTMLButtonElement>('#modes button'))
    button.classList.toggle('active', button.dataset.mode === mode);
  $('point-options').hidden = mode !== 'point';
  $('text-options').hidden = mode !== 'text';
  stage.className = `stage mode-${mode}`;
  state.hover = -1;
  reselect();
}

// ---------------------------------------------------------------- everything

async function runEverything(): Promise<void> {
  const blob = state.imageBlob;
  if (!blob) return;
  state.request?.abort();
  const controller = new AbortController();
  state.request = controller;
  const generation = ++state.generation;
  busy('Segmenting…');
  try {
    const { answer, ms } = await segment(blob, state.fileName, everythingFields(), controller.signal);
    if (generation !== state.generation) return;
    state.everything = readEverything(answer);
    state.colours = palette(state.everything.masks.length);
    rebuildEverythingLayer();
    state.textSelection = [];
    state.prompts.picked = state.prompts.picked.filter((i) => i < state.everything!.masks.length);
    showLatency(ms, answer.speed);
    reselect();
  } catch (error) {
    if (controller.signal.aborted) return;
    message(
      error instanceof ServerError ? `${error.message} [${error.code}]` : `The server could not be reached: ${String(error)}`,
      'error',
    );
  } finally {
    if (generation === state.generation) busy(undefined);
  }
}

function showLatency(ms: number, speed: Record<string, number>): void {
  const badge = $('latency-badge');
  badge.hidden = false;
  badge.textContent = `${Math.round(ms)} ms`;
  badge.title = `round trip ${Math.round(ms)} ms · server: ${Object.entries(speed)
    .map(([k, v]) => `${k} ${v.toFixed(1)} ms`)
    .join(', ')}`;
}

async function runText(texts: string): Promise<void> {
  const blob = state.imageBlob;
  const e = state.everything;
  if (!blob || !e || !texts.trim()) return;
  change((p) => (p.texts = texts.trim()));
  busy('Asking CLIP…');
  try {
    const { answer, ms } = await segment(blob, state.fileName, { ...everythingFields(), texts: texts.trim() });
    if (state.everything !== e) return;
    state.textSelection = selectFromAnswer(e, answer.detections);
    showLatency(ms, answer.speed);
    reselect();
  } catch (error) {
    message(error instanceof ServerError ? `${error.message} [${error.code}]` : String(error), 'error');
  } finally {
    busy(undefined);
  }
}

async function loadImage(blob: Blob, name: string): Promise<void> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    message(`${name} is not an image this browser can show`, 'error');
    return;
  }
  state.image?.close();
  state.image = bitmap;
  state.imageBlob = blob;
  state.fileName = name || 'image.jpg';
  state.everything = undefined;
  state.everythingCanvas = undefined;
  state.selectionCanvas = undefined;
  state.selection = [];
  state.textSelection = [];
  state.prompts = { picked: [], points: [], boxes: [], texts: '' };
  state.history = [];
  // Draw at up to 2048 px on the long side; CSS scales it to the window.
  const scale = Math.min(1, 2048 / Math.max(bitmap.width, bitmap.height));
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.hidden = false;
  $('dropzone').hidden = true;
  fitCanvas();
  message(undefined);
  updateStatus();
  draw();
  await runEverything();
}

// ---------------------------------------------------------------- pointer input

/** Where a pointer event lands, in image pixels. */
function imagePoint(event: MouseEvent): { x: number; y: number } {
  const rect = canvas.getBoundingClientRect();
  const image = state.image!;
  return {
    x: Math.min(Math.max(((event.clientX - rect.left) / rect.width) * image.width, 0), image.width),
    y: Math.min(Math.max(((event.clientY - rect.top) / rect.height) * image.height, 0), image.height),
  };
}

/** The smallest mask under an image point, or -1. */
function maskAt(x: number, y: number): number {
  const e = state.everything;
  if (!e) return -1;
  const [h, w] = e.shape;
  const mx = Math.floor(x * e.frame.gain + e.frame.padX);
  const my = Math.floor(y * e.frame.gain + e.frame.padY);
  return mx >= 0 && my >= 0 && mx < w && my < h ? e.indexMap[my * w + mx] : -1;
}

function setHover(index: number): void {
  if (index === state.hover) return;
  state.hover = index;
  const e = state.everything;
  state.hoverCanvas = e && index >= 0 ? masksLayer(e.shape, [e.masks[index]], [state.colours[index] ?? [255, 255, 255]], 0.6) : undefined;
  // What is under the pointer: its class and score (FastSAM's one class is just "object").
  const d = e && index >= 0 ? e.detections[index] : undefined;
  $('hint').textContent = d
    ? `${d.name} · ${d.score.toFixed(2)} · ${e!.areas[index].toLocaleString()} px`
    : e
      ? HINTS[state.mode]
      : $('hint').textContent;
  draw();
}

canvas.addEventListener('contextmenu', (event) => event.preventDefault());

canvas.addEventListener('pointerdown', (event) => {
  if (!state.everything) return;
  const p = imagePoint(event);
  if (state.mode === 'box' && event.button === 0) {
    canvas.setPointerCapture(event.pointerId);
    state.drag = { x: p.x, y: p.y };
    return;
  }
  if (state.mode === 'point' && (event.button === 0 || event.button === 2)) {
    const label = event.button === 2 ? 0 : state.label;
    change((q) => q.points.push({ x: p.x, y: p.y, label }));
    return;
  }
  if (state.mode === 'everything' && event.button === 0) {
    const index = maskAt(p.x, p.y);
    if (index < 0) return;
    change((q) => (q.picked = q.picked.includes(index) ? q.picked.filter((i) => i !== index) : [...q.picked, index]));
  }
});

canvas.addEventListener('pointermove', (event) => {
  if (!state.everything) return;
  const p = imagePoint(event);
  if (state.drag) {
    const { x, y } = state.drag;
    state.drag.draft = [Math.min(x, p.x), Math.min(y, p.y), Math.max(x, p.x), Math.max(y, p.y)];
    draw();
    return;
  }
  if (state.mode === 'everything' || state.mode === 'point') setHover(maskAt(p.x, p.y));
});

canvas.addEventListener('pointerleave', () => setHover(-1));

function endDrag(): void {
  const draft = state.drag?.draft;
  state.drag = undefined;
  // A click without a drag is not a box; a box needs some size on screen.
  if (draft && (draft[2] - draft[0]) / imagePerScreen() > 4 && (draft[3] - draft[1]) / imagePerScreen() > 4) {
    change((q) => q.boxes.push(draft));
  } else draw();
}
canvas.addEventListener('pointerup', endDrag);
canvas.addEventListener('pointercancel', endDrag);

// ---------------------------------------------------------------- controls

for (const button of document.querySelectorAll<HTMLButtonElement>('#modes button')) {
  button.addEventListener('click', () => setMode(button.dataset.mode as Mode));
}
for (const button of document.querySelectorAll<HTMLButtonElement>('#label-toggle button')) {
  button.addEventListener('click', () => {
    state.label = Number(button.dataset.label);
    for (const b of document.querySelectorAll<HTMLButtonElement>('#label-toggle button')) b.classList.toggle('active', b === button);
  });
}
$<HTMLSelectElement>('point-mode').addEventListener('change', (event) => {
  state.pointMode = (event.target as HTMLSelectElement).value as PointMode;
  reselect();
});
$<HTMLFormElement>('text-options').addEventListener('submit', (event) => {
  event.preventDefault();
  void runText($<HTMLInputElement>('text-input').value);
});
$('undo').addEventListener('click', undo);
$('clear').addEventListener('click', clearPrompts);
$('reset').addEventListener('click', () => {
  resetParams();
  state.prompts = { picked: [], points: [], boxes: [], texts: '' };
  state.history = [];
  state.textSelection = [];
  setMode('everything');
  void runEverything();
});

let rerun: number | undefined;
for (const input of [params.imgsz, params.conf, params.iou]) {
  input.addEventListener('input', showParamValues);
  input.addEventListener('change', () => {
    clearTimeout(rerun);
    rerun = window.setTimeout(() => void runEverything(), 150);
  });
}
params.retina.addEventListener('change', () => void runEverything());
params.better.addEventListener('change', () => void runEverything());
params.contours.addEventListener('change', () => {
  rebuildEverythingLayer();
  draw();
});

const stem = () => state.fileName.replace(/\.[^.]+$/, '') || 'image';
$('download-cutout').addEventListener('click', () => {
  if (state.image && state.everything && state.selection.length) {
    void cutoutPng(state.image, state.selection, state.everything).then((blob) => download(blob, `${stem()}-cutout.png`));
  }
});
$('download-mask').addEventListener('click', () => {
  if (state.everything && state.selection.length) {
    void maskPng(state.selection, state.everything).then((blob) => download(blob, `${stem()}-mask.png`));
  }
});
$('download-coco').addEventListener('click', () => {
  if (state.everything && state.selection.length) {
    download(new Blob([cocoJson(state.selection, state.everything, stem())], { type: 'application/json' }), `${stem()}-coco.json`);
  }
});
$('copy-curl').addEventListener('click', () => {
  const text = $('curl').textContent ?? '';
  navigator.clipboard?.writeText(text).then(
    () => ($('copy-curl').textContent = 'Copied'),
    () => window.getSelection()?.selectAllChildren($('curl')), // no clipboard (plain http): select it instead
  );
});

// Upload: the file input, dropping on the stage, pasting anywhere.
$<HTMLInputElement>('file').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) void loadImage(file, file.name);
});
stage.addEventListener('dragover', (event) => {
  event.preventDefault();
  stage.classList.add('dragging');
});
stage.addEventListener('dragleave', () => stage.classList.remove('dragging'));
stage.addEventListener('drop', (event) => {
  event.preventDefault();
  stage.classList.remove('dragging');
  const file = [...(event.dataTransfer?.files ?? [])].find((f) => f.type.startsWith('image/'));
  if (file) void loadImage(file, file.name);
});
document.addEventListener('paste', (event) => {
  const file = [...(event.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
  if (file) void loadImage(file, file.name || 'pasted.png');
});
document.addEventListener('keydown', (event) => {
  if ((event.target as HTMLElement).tagName === 'INPUT') return;
  if ((event.ctrlKey || event.metaKey) && event.key === 'z') {
    event.preventDefault();
    undo();
    return;
  }
  const modes: Record<string, Mode> = { e: 'everything', p: 'point', b: 'box', t: 'text' };
  const mode = modes[event.key];
  if (mode && (mode !== 'text' || state.info?.clip)) setMode(mode);
  if (event.key === 'Escape') clearPrompts();
});
window.addEventListener('resize', () => {
  fitCanvas();
  draw();
});

// ---------------------------------------------------------------- samples and start

async function loadSamples(): Promise<void> {
  const response = await fetch('/samples/samples.json');
  if (!response.ok) return;
  const samples = (await response.json()) as Array<{ file: string; title: string }>;
  const container = $('samples');
  for (const sample of samples) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'sample';
    button.title = `Try ${sample.title}`;
    const img = document.createElement('img');
    img.src = `/samples/${sample.file}`;
    img.alt = sample.title;
    const label = document.createElement('span');
    label.textContent = sample.title;
    button.append(img, label);
    button.addEventListener('click', () => {
      void fetch(`/samples/${sample.file}`)
        .then((r) => r.blob())
        .then((blob) => loadImage(blob, sample.file));
    });
    container.append(button);
  }
}

async function start(): Promise<void> {
  resetParams();
  updateStatus();
  void loadSamples();
  try {
    const info = await fetchInfo();
    state.info = info;
    $('model-badge').textContent = info.model;
    $('model-badge').title = `${info.model} · ${info.task} · input ${info.imgsz.join('x')}${info.batching ? ' · dynamic batching' : ''}`;
    $('backend-badge').textContent = info.backend;
    $('backend-badge').title = info.backendNote ?? `inference on ${info.backend}`;
    $('footer-backend').textContent = info.backend === 'tensorrt' ? 'TensorRT' : 'ONNX Runtime (CPU)';
    document.querySelector<HTMLButtonElement>('[data-mode="text"]')!.hidden = !info.clip;
    resetParams();
  } catch (error) {
    message(`The server is not ready: ${error instanceof Error ? error.message : String(error)}`, 'error');
  }
}

void start();
