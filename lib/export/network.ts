/**
 * Walks model.yaml's layers in order and emits each from its pickled module (model.<i>), wiring inputs by
 * the yaml's 'from' indices. Channel counts and repeats are checked against what the yaml's depth/width
 * multiples promise, and every weight of the checkpoint must be used: a file that does not match its own
 * architecture is refused rather than exported wrong.
 */
import { malformed } from '../checkpoint/errors';
import { type Context, emitC2f, emitConcat, emitConv, emitSPPF, emitUpsample, type Feature } from './layers';
import { expectedChannels, expectedProtoChannels, type LayerSpec, type ModelYaml } from './model-yaml';
import { emitSegmentHead, type HeadInfo } from './segment-head';

export const SUPPORTED_LAYERS = ['Conv', 'C2f', 'SPPF', 'nn.Upsample', 'Concat', 'Segment'] as const;

function single(spec: LayerSpec, features: Feature[], input: Feature): Feature {
  if (spec.from.length !== 1) throw malformed(`layer ${spec.index} (${spec.module}) takes one input, not ${spec.from.length}`);
  return spec.from[0] < 0 ? input : features[spec.from[0]];
}

function inputsOf(spec: LayerSpec, features: Feature[], input: Feature): Feature[] {
  return spec.from.map((f) => {
    if (f >= spec.index) throw malformed(`layer ${spec.index} reads layer ${f}, which comes later`);
    return f < 0 ? input : features[f];
  });
}

function checkChannels(spec: LayerSpec, actual: number, expected: number, yaml: ModelYaml): void {
  if (actual === expected) return;
  const scale = yaml.scale ? `scale '${yaml.scale}'` : `width ${yaml.width}`;
  throw malformed(`layer ${spec.index} (${spec.module}) has ${actual} output channels but model.yaml (${scale}) gives ${expected}`);
}

/** Emits the whole network into ctx.g; `sizeFor(maxStride)` gives the fixed input size (null: dynamic). */
export function emitNetwork(ctx: Context, yaml: ModelYaml, sizeFor: (stride: number) => [number, number] | null): HeadInfo {
  const input: Feature = { name: 'images', channels: 3, stride: 1 };
  const expected = expectedChannels(yaml);
  const features: Feature[] = [];
  let head: HeadInfo | undefined;
  for (const spec of yaml.layers) {
    if (head) throw malformed(`layer ${spec.index} comes after the Segment head`);
    const path = `model.${spec.index}`;
    let feature: Feature;
    switch (spec.module) {
      case 'Conv':
        feature = emitConv(ctx, path, single(spec, features, input));
        break;
      case 'C2f': {
        const { feature: out, repeats } = emitC2f(ctx, path, single(spec, features, input));
        if (repeats !== spec.repeats)
          throw malformed(`layer ${spec.index} (C2f) has ${repeats} bottlenecks but model.yaml gives ${spec.repeats}`);
        feature = out;
        break;
      }
      case 'SPPF':
        feature = emitSPPF(ctx, path, single(spec, features, input));
        break;
      case 'nn.Upsample':
        feature = emitUpsample(ctx, path, single(spec, features, input));
        break;
      case 'Concat':
        feature = emitConcat(ctx, path, inputsOf(spec, features, input));
        break;
      case 'Segment': {
        const npr = ctx.w.tensor(`${path}.proto.cv1.conv.weight`).dims[0];
        checkChannels(spec, npr, expectedProtoChannels(yaml, spec), yaml);
        const levels = inputsOf(spec, features, input);
        head = emitSegmentHead(ctx, path, levels, { size: sizeFor(Math.max(...levels.map((f) => f.stride))) });
        feature = input;
        break;
      }
      default:
        throw malformed(`layer ${spec.index} is a ${spec.module}; a YOLOv8-seg network has only ${SUPPORTED_LAYERS.join(', ')}`);
    }
    if (spec.module !== 'Segment') checkChannels(spec, feature.channels, expected[spec.index], yaml);
    features.push(feature);
  }
  if (!head) throw malformed('model.yaml has no Segment head');
  const unread = ctx.w.unread();
  if (unread.length > 0) {
    throw malformed(
      `the checkpoint holds weights its architecture does not use: ${unread.slice(0, 5).join(', ')}${unread.length > 5 ? ', ...' : ''}`,
    );
  }
  return head;
}
