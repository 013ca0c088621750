/** Safe reading of PyTorch / Ultralytics checkpoints: no code from the file ever runs. */
export { Checkpoint, type CheckpointOptions, isAllowedGlobal } from './checkpoint';
export { ModuleNode, moduleTree, stateDict } from './modules';
export { allowedGlobals } from './globals';
export { unpickle, type UnpickleOptions } from './pickle';
export { ZipArchive, type ZipEntry, type ZipLimits } from './zip';
export * from './py-values';
