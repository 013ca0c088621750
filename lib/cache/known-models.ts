/**
 * The official FastSAM weights and where they are published: Ultralytics' assets release v8.2.0. Sizes and
 * SHA-256 digests are those of the published files (the same values are pinned independently by several
 * public projects); a download that does not match is refused.
 */

export const DEFAULT_DOWNLOAD_BASE = 'https://github.com/ultralytics/assets/releases/download/v8.2.0';

export interface KnownModel {
  size: number;
  sha256: string;
}

export const KNOWN_MODELS: Readonly<Record<string, KnownModel>> = {
  'FastSAM-s.pt': { size: 23_851_578, sha256: 'c9f78716a81c7aff0d608ccc73e1b82ab3aaad86005049f6a92106a0be6d0844' },
  'FastSAM-x.pt': { size: 144_972_346, sha256: '752cadc2828edb1cd4bc4f9eb587100631af06ea2108f4c9ed56df4755701e76' },
};

export function knownModel(name: string): KnownModel | undefined {
  return Object.prototype.hasOwnProperty.call(KNOWN_MODELS, name) ? KNOWN_MODELS[name] : undefined;
}
