/**
 * SAM architectures as published (segment-anything's build_sam.py values; MobileSAM's TinyViT-5M), and
 * the literature compute figures our builders are checked against.
 */
import type { MaskDecoderConfig } from './mask-decoder';
import type { TinyVitConfig } from './tiny-vit-encoder';
import type { VitConfig } from './vit-encoder';

export type SamVariant = 'vit-b' | 'vit-l' | 'vit-h' | 'mobile';

export type EncoderSpec = { kind: 'vit'; config: VitConfig } | { kind: 'tiny-vit'; config: TinyVitConfig };

export interface PublishedCompute {
  /** Multiply-accumulates of the image encoder at 1024x1024, in G (papers print it as GMACs or "GFLOPs"). */
  gmacs: number;
  source: string;
}

export interface SamArchitecture {
  variant: SamVariant;
  label: string;
  encoder: EncoderSpec;
  decoder: MaskDecoderConfig;
  published?: PublishedCompute;
}

/** Every SAM variant shares the prompt encoder and mask decoder. */
export const SAM_DECODER: MaskDecoderConfig = {
  prompt: { embedDim: 256, inputImageSize: 1024 },
  transformer: { dim: 256, depth: 2, heads: 8, mlpDim: 2048, downsample: 2 },
  embedSize: 64,
  numMultimaskOutputs: 3,
  iouHeadHidden: 256,
};

function samVit(embedDim: number, depth: number, heads: number, globalAttnIndexes: number[]): EncoderSpec {
  return {
    kind: 'vit',
    config: { imgSize: 1024, patchSize: 16, embedDim, depth, heads, mlpRatio: 4, windowSize: 14, globalAttnIndexes, outChans: 256 },
  };
}

export const ARCHITECTURES: Record<SamVariant, SamArchitecture> = {
  'vit-b': {
    variant: 'vit-b',
    label: 'SAM ViT-B',
    encoder: samVit(768, 12, 12, [2, 5, 8, 11]),
    decoder: SAM_DECODER,
    // The commonly quoted figure; its table was not among the texts we could check (ViT-H's below was).
    published: { gmacs: 488, source: 'SAM ViT-B encoder ~488 G, as commonly quoted in efficient-SAM comparisons (unconfirmed here)' },
  },
  'vit-l': {
    variant: 'vit-l',
    label: 'SAM ViT-L',
    encoder: samVit(1024, 24, 16, [5, 11, 17, 23]),
    decoder: SAM_DECODER,
  },
  'vit-h': {
    variant: 'vit-h',
    label: 'SAM ViT-H',
    encoder: samVit(1280, 32, 16, [7, 15, 23, 31]),
    decoder: SAM_DECODER,
    published: {
      gmacs: 2973,
      source:
        'EfficientViT-SAM (Zhang, Cai, Han 2024, arXiv:2402.05008), introduction: "SAM\'s image encoder ... requires 2973 GMACs per image"',
    },
  },
  mobile: {
    variant: 'mobile',
    label: 'MobileSAM (TinyViT-5M)',
    encoder: {
      kind: 'tiny-vit',
      config: {
        imgSize: 1024,
        embedDims: [64, 128, 160, 320],
        depths: [2, 2, 6, 2],
        heads: [2, 4, 5, 10],
        windowSizes: [7, 7, 14, 7],
        mlpRatio: 4,
        mbconvExpandRatio: 4,
        outChans: 256,
      },
    },
    decoder: SAM_DECODER,
    // ~38 G is the commonly quoted encoder figure (unconfirmed here); TinySAM (arXiv:2312.13789) gives
    // 42.0 G for MobileSAM with its decoder: roughly our 38.8 G encoder + 1.8 G per prompt.
    published: {
      gmacs: 38,
      source: 'MobileSAM TinyViT encoder ~38 G, commonly quoted (unconfirmed here); TinySAM lists 42.0 GFLOPs for MobileSAM',
    },
  },
};
