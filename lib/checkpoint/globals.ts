/**
 * The only Python globals a checkpoint may name: the classes and helper functions that PyTorch and
 * Ultralytics pickle into a YOLOv8-seg / FastSAM checkpoint (both module layouts Ultralytics has used), and
 * what each one means to us. Every other name is refused before anything happens with it.
 */
import type { StorageDtype } from './py-values';

export type FunctionName =
  | 'rebuild_tensor_v2'
  | 'rebuild_tensor'
  | 'rebuild_parameter'
  | 'rebuild_parameter_with_state'
  | 'size'
  | 'device'
  | 'getattr'
  | 'numpy_scalar'
  | 'path';

export type GlobalRule =
  /** A torch.nn.Module subclass: created empty (NEWOBJ), then given its __dict__ (BUILD). */
  | { kind: 'module' }
  /** A plain attribute record (Ultralytics' IterableSimpleNamespace). */
  | { kind: 'namespace' }
  /** numpy.dtype: called with its descriptor, then BUILD with a state tuple. */
  | { kind: 'numpy_dtype' }
  | { kind: 'dict' }
  | { kind: 'set'; frozen: boolean }
  /** A storage class; only meaningful inside a persistent id. */
  | { kind: 'storage'; dtype: StorageDtype }
  /** A named constant (torch.float16): may be stored, never called. */
  | { kind: 'value' }
  | { kind: 'function'; fn: FunctionName };

const rules = new Map<string, GlobalRule>();

function allow(module: string, names: readonly string[], rule: GlobalRule): void {
  for (const name of names) rules.set(`${module}.${name}`, rule);
}

const MODULE: GlobalRule = { kind: 'module' };

// torch.nn building blocks of a YOLOv8-seg network.
allow('torch.nn.modules.container', ['Sequential', 'ModuleList'], MODULE);
allow('torch.nn.modules.conv', ['Conv2d', 'ConvTranspose2d'], MODULE);
allow('torch.nn.modules.batchnorm', ['BatchNorm2d'], MODULE);
allow('torch.nn.modules.activation', ['SiLU'], MODULE);
allow('torch.nn.modules.pooling', ['MaxPool2d'], MODULE);
allow('torch.nn.modules.upsampling', ['Upsample'], MODULE);
allow('torch.nn.modules.linear', ['Identity'], MODULE);

// Ultralytics modules: the split layout (8.0.1xx and later) and the early flat one (8.0.x).
const ULTRALYTICS_CONV = ['Conv', 'Concat'];
const ULTRALYTICS_BLOCK = ['C2f', 'Bottleneck', 'SPPF', 'DFL', 'Proto'];
const ULTRALYTICS_HEAD = ['Detect', 'Segment'];
allow('ultralytics.nn.modules.conv', ULTRALYTICS_CONV, MODULE);
allow('ultralytics.nn.modules.block', ULTRALYTICS_BLOCK, MODULE);
allow('ultralytics.nn.modules.head', ULTRALYTICS_HEAD, MODULE);
allow('ultralytics.nn.modules', [...ULTRALYTICS_CONV, ...ULTRALYTICS_BLOCK, ...ULTRALYTICS_HEAD], MODULE);
allow('ultralytics.nn.tasks', ['SegmentationModel'], MODULE);

// Loss objects some training checkpoints keep on the model (model.criterion): inert records to us.
for (const root of ['ultralytics.utils', 'ultralytics.yolo.utils']) {
  allow(`${root}.loss`, ['v8DetectionLoss', 'v8SegmentationLoss'], { kind: 'namespace' });
  allow(`${root}.loss`, ['BboxLoss'], MODULE);
  allow(`${root}.tal`, ['TaskAlignedAssigner'], MODULE);
}
allow('torch.nn.modules.loss', ['BCEWithLogitsLoss'], MODULE);

// Training arguments kept on the model (model.args).
allow('ultralytics.utils', ['IterableSimpleNamespace'], { kind: 'namespace' });
allow('ultralytics.yolo.utils', ['IterableSimpleNamespace'], { kind: 'namespace' });
allow('types', ['SimpleNamespace'], { kind: 'namespace' });

allow('collections', ['OrderedDict'], { kind: 'dict' });
allow('builtins', ['set'], { kind: 'set', frozen: false });
allow('builtins', ['frozenset'], { kind: 'set', frozen: true });
allow('builtins', ['getattr'], { kind: 'function', fn: 'getattr' });

allow('torch._utils', ['_rebuild_tensor_v2'], { kind: 'function', fn: 'rebuild_tensor_v2' });
allow('torch._utils', ['_rebuild_tensor'], { kind: 'function', fn: 'rebuild_tensor' });
allow('torch._utils', ['_rebuild_parameter'], { kind: 'function', fn: 'rebuild_parameter' });
allow('torch._utils', ['_rebuild_parameter_with_state'], { kind: 'function', fn: 'rebuild_parameter_with_state' });
allow('torch', ['Size'], { kind: 'function', fn: 'size' });
allow('torch', ['device'], { kind: 'function', fn: 'device' });

const STORAGES: Record<string, StorageDtype> = {
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};
for (const [name, dtype] of Object.entries(STORAGES)) allow('torch', [name], { kind: 'storage', dtype });
allow('torch', ['float16', 'bfloat16', 'float32', 'float64', 'int64', 'int32', 'uint8', 'bool'], { kind: 'value' });

// Metrics saved as numpy scalars (older Ultralytics checkpoints).
allow('numpy.core.multiarray', ['scalar'], { kind: 'function', fn: 'numpy_scalar' });
allow('numpy._core.multiarray', ['scalar'], { kind: 'function', fn: 'numpy_scalar' });
allow('numpy', ['dtype'], { kind: 'numpy_dtype' });

// Paths in saved training arguments.
allow('pathlib', ['PosixPath', 'WindowsPath', 'Path'], { kind: 'function', fn: 'path' });

// Python 2 names that protocol-2 pickles use for builtins (pickle's fix_imports does the same mapping).
const MODULE_ALIASES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

/** The rule for `module.name`, or undefined when the global is not allowed. */
export function lookupGlobal(module: string, name: string): GlobalRule | undefined {
  return rules.get(`${MODULE_ALIASES[module] ?? module}.${name}`);
}

/** The canonical module name (Python 2 aliases mapped). */
export function canonicalModule(module: string): string {
  return MODULE_ALIASES[module] ?? module;
}

/** Every allowed global, for documentation and tests. */
export function allowedGlobals(): string[] {
  return [...rules.keys()].sort();
}
