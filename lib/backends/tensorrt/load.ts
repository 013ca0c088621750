/**
 * Finds and opens the optional GPU addon, and says precisely what is missing when the GPU backend cannot
 * run: the addon itself (not built), an NVIDIA driver, a GPU, TensorRT support in the addon, or a TensorRT
 * library it can use (opened by the addon at run time). Nothing here is loaded unless a GPU backend is asked for.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FastSAMError, messageOf } from '../../errors';
import { packageRoot, wrapNative } from '../../native';
import type { GpuBinding, GpuProbe } from './binding';

export const GPU_ADDON = 'fastsam_tensorrt.node';

/**
 * Where the addon is looked for: exactly $FASTSAM_GPU_ADDON when set, else a build from source
 * (`cmake-js compile` into build/Release) and then the prebuilt one (`npm run build:gpu`, or the package's
 * own), like node-gyp-build does for the core addon.
 */
export function gpuAddonCandidates(): string[] {
  const fromEnv = process.env.FASTSAM_GPU_ADDON;
  if (fromEnv) return [path.resolve(fromEnv)];
  return [
    path.join(packageRoot, 'build', 'Release', GPU_ADDON),
    // In a folder of its own: node-gyp-build takes any .node file in prebuilds/<platform>-<arch>/ for the core.
    path.join(packageRoot, 'prebuilds', `${process.platform}-${process.arch}`, 'tensorrt', GPU_ADDON),
  ];
}

type Loaded = { binding: GpuBinding; path: string } | { missing: string[] };
/** Per candidate list (it changes with $FASTSAM_GPU_ADDON): a native module loads once per process anyway. */
const loaded = new Map<string, Loaded>();

/**
 * What a failed dlopen of the addon says is missing, in words a user can act on. (TensorRT is not among
 * its libraries: the addon opens it only when an engine is asked for, and probe() reports it.)
 */
function describeLoadFailure(file: string, error: unknown): string {
  const message = messageOf(error);
  const library = /(lib[\w.+-]+\.so[\w.]*): cannot open shared object file/.exec(message)?.[1];
  if (library) return `the shared library ${library} that ${file} links`;
  return `a loadable ${GPU_ADDON} (${file} failed to load: ${message})`;
}

function loadAddon(candidates: string[]): Loaded {
  const file = candidates.find((candidate) => fs.existsSync(candidate));
  if (!file) {
    return {
      missing: [
        `the GPU addon ${GPU_ADDON}, which is not built: there is no prebuilt one for ${process.platform}-${process.arch}; ` +
          `build it on a machine with CUDA (TENSORRT_ROOT set to TensorRT's folder for the engine) with \`npx cmake-js compile\` ` +
          `in ${packageRoot}, or \`npm run build:gpu\` in a clone of the repository; looked in ${candidates.join(', ')}`,
      ],
    };
  }
  try {
    // A plain require: the GPU addon is optional and never bundled into the core addon's lookup. Wrapped
    // once: whatever the addon throws or rejects with is a FastSAMError with the addon's code.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return { binding: wrapNative(require(file) as GpuBinding, ['probe']), path: file };
  } catch (error) {
    return { missing: [describeLoadFailure(file, error)] };
  }
}

/** The GPU addon, or what is missing. */
export function gpuAddon(): Loaded {
  const candidates = gpuAddonCandidates();
  const key = candidates.join('\n');
  let result = loaded.get(key);
  if (!result) {
    result = loadAddon(candidates);
    loaded.set(key, result);
  }
  return result;
}

/** Whether the GPU backend can run here, and if not, why (gpuAvailability()). */
export interface GpuAvailability {
  /** @internal The loaded GPU addon, for the backend itself. */
  binding?: GpuBinding;
  /** The addon's view of CUDA, the devices and TensorRT; absent when the addon itself is missing. */
  probe?: GpuProbe;
  /** Empty when the requested features can run. */
  missing: string[];
}

/** Whether the GPU kernels (and, with `engine`, the TensorRT engine) can run on `device`. */
export function gpuAvailability(device: number, { engine }: { engine: boolean }): GpuAvailability {
  const addon = gpuAddon();
  if ('missing' in addon) return { missing: addon.missing };
  const probe = addon.binding.probe();
  const missing: string[] = [];
  if (!probe.cudaDriver) missing.push('an NVIDIA driver (libcuda.so.1 was not found)');
  else if (probe.devices.length === 0) missing.push(`a CUDA GPU (the driver lists none${probe.error ? `: ${probe.error}` : ''})`);
  else if (device >= probe.devices.length) missing.push(`GPU ${device} (this machine has ${probe.devices.length})`);
  if (engine && probe.tensorrtBuiltFor.length === 0) {
    missing.push(`TensorRT in the GPU addon (${addon.path} was built without it: rebuild with TENSORRT_ROOT set)`);
  } else if (engine && !probe.tensorrt) {
    missing.push(
      `TensorRT ${probe.tensorrtBuiltFor.map((v) => v.split('.')[0]).join(' or ')} (${probe.tensorrtError ?? 'not found'}; ` +
        'install it and put its lib folder on LD_LIBRARY_PATH)',
    );
  }
  return { binding: addon.binding, probe, missing };
}

/** The GPU addon ready for `device`, or E_BACKEND_UNAVAILABLE listing everything that is missing. */
export function requireGpu(device: number, { engine }: { engine: boolean }): { binding: GpuBinding; probe: GpuProbe } {
  const { binding, probe, missing } = gpuAvailability(device, { engine });
  if (!binding || !probe || missing.length > 0) {
    const what = engine ? 'the tensorrt backend' : 'the GPU kernels';
    throw new FastSAMError('E_BACKEND_UNAVAILABLE', `${what} cannot run here; missing: ${missing.join('; ')}`);
  }
  return { binding, probe };
}
