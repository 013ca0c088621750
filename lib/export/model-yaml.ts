/**
 * The architecture a checkpoint carries in `model.yaml`: backbone + head layer lists and the depth/width
 * multiples (explicit, or from `scales` and `scale`). Channel counts follow Ultralytics' parse_model, so
 * the weights can be checked against the recipe before anything is built.
 */
import { malformed } from '../checkpoint/errors';
import { PyDict, PyList, PyTuple, type PyValue, typeName } from '../checkpoint/py-values';
import { roundHalfEven } from '../round';

export interface LayerSpec {
  index: number;
  /** Absolute indices of the input layers (-1 is the network input). */
  from: number[];
  /** Repeats after the depth multiple (C2f bottlenecks). */
  repeats: number;
  /** 'Conv', 'C2f', 'SPPF', 'nn.Upsample', 'Concat', 'Segment', ... */
  module: string;
  args: PyValue[];
}

export interface ModelYaml {
  nc: number;
  depth: number;
  width: number;
  maxChannels: number;
  scale: string | undefined;
  yamlFile: string | undefined;
  act: string | undefined;
  layers: LayerSpec[];
}

function items(value: PyValue | undefined, what: string): PyValue[] {
  if (value instanceof PyList || value instanceof PyTuple) return [...value.items];
  throw malformed(`model.yaml ${what} is a ${typeName(value)}, not a list`);
}

function num(value: PyValue | undefined, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw malformed(`model.yaml ${what} is a ${typeName(value)}, not a number`);
}

function optionalString(value: PyValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Ultralytics' make_divisible(x, 8). */
export function makeDivisible(x: number, divisor = 8): number {
  return Math.ceil(x / divisor) * divisor;
}

interface Multiples {
  depth: number;
  width: number;
  maxChannels: number;
  scale: string | undefined;
}

function scaleValues(scales: PyDict, scale: PyValue): Multiples {
  const values = items(scales.get(scale), `scales['${String(scale)}']`);
  if (values.length < 3) throw malformed(`model.yaml scale '${String(scale)}' needs [depth, width, max_channels]`);
  return {
    depth: num(values[0], 'depth'),
    width: num(values[1], 'width'),
    maxChannels: num(values[2], 'max_channels'),
    scale: String(scale),
  };
}

/**
 * Without a 'scale' key parse_model assumes the first scale, but a pickled model keeps the modules it was
 * built with: take the scale whose first layer has as many channels as the weights (`firstChannels`).
 */
function guessScale(yaml: PyDict, scales: PyDict, firstChannels: number | undefined): Multiples {
  const candidates = scales.entries().map(([key]) => scaleValues(scales, key));
  const first = items(yaml.get('backbone'), 'backbone')[0];
  const c2 = first === undefined ? undefined : items(first, 'layer 0')[3];
  const requested = c2 === undefined ? undefined : items(c2, 'layer 0 args')[0];
  const fits = candidates.find(
    (m) => typeof requested === 'number' && makeDivisible(Math.min(requested, m.maxChannels) * m.width) === firstChannels,
  );
  return fits ?? candidates[0];
}

function multiples(yaml: PyDict, firstChannels: number | undefined): Multiples {
  const scales = yaml.get('scales');
  if (scales instanceof PyDict && scales.size > 0) {
    const requested = optionalString(yaml.get('scale'));
    return requested === undefined ? guessScale(yaml, scales, firstChannels) : scaleValues(scales, requested);
  }
  const depth = yaml.get('depth_multiple');
  const width = yaml.get('width_multiple');
  return {
    depth: depth === undefined ? 1 : num(depth, 'depth_multiple'),
    width: width === undefined ? 1 : num(width, 'width_multiple'),
    maxChannels: Infinity,
    scale: undefined,
  };
}

function layer(value: PyValue, index: number, depth: number): LayerSpec {
  const [from, n, module, args] = items(value, `layer ${index}`);
  if (typeof module !== 'string') throw malformed(`model.yaml layer ${index} names its module with a ${typeName(module)}`);
  const sources = typeof from === 'number' ? [from] : items(from, `layer ${index} 'from'`).map((f) => num(f, `layer ${index} 'from'`));
  const repeats = num(n, `layer ${index} repeats`);
  return {
    index,
    from: sources.map((f) => (f < 0 ? index + f : f)),
    repeats: repeats > 1 ? Math.max(roundHalfEven(repeats * depth), 1) : repeats,
    module,
    args: args === undefined ? [] : items(args, `layer ${index} args`),
  };
}

/** `firstChannels`: output channels of layer 0's weights, to settle a yaml that names no scale. */
export function readModelYaml(value: PyValue | undefined, firstChannels?: number): ModelYaml {
  if (!(value instanceof PyDict)) throw malformed(`the model has no architecture (model.yaml is a ${typeName(value)})`);
  const { depth, width, maxChannels, scale } = multiples(value, firstChannels);
  const list = [...items(value.get('backbone'), 'backbone'), ...items(value.get('head'), 'head')];
  return {
    nc: num(value.get('nc'), 'nc'),
    depth,
    width,
    maxChannels,
    scale,
    yamlFile: optionalString(value.get('yaml_file')),
    act: optionalString(value.get('act')),
    layers: list.map((entry, i) => layer(entry, i, depth)),
  };
}

/** Output channels of each layer per parse_model (Segment layers get 0: they end the network). */
export function expectedChannels(yaml: ModelYaml, inputChannels = 3): number[] {
  const out: number[] = [];
  const ch = (i: number): number => (i < 0 ? inputChannels : out[i]);
  for (const spec of yaml.layers) {
    const first = spec.from[0];
    switch (spec.module) {
      case 'Conv':
      case 'C2f':
      case 'SPPF': {
        const c2 = num(spec.args[0] === 'nc' ? yaml.nc : spec.args[0], `layer ${spec.index} channels`);
        out.push(c2 !== yaml.nc ? makeDivisible(Math.min(c2, yaml.maxChannels) * yaml.width) : c2);
        break;
      }
      case 'Concat':
        out.push(spec.from.reduce((sum, f) => sum + ch(f), 0));
        break;
      case 'Segment':
        out.push(0);
        break;
      default:
        out.push(ch(first));
    }
  }
  return out;
}

/** Prototype channels of the Segment head per parse_model. */
export function expectedProtoChannels(yaml: ModelYaml, spec: LayerSpec): number {
  return makeDivisible(Math.min(num(spec.args[2] ?? 256, 'Segment npr'), yaml.maxChannels) * yaml.width);
}
