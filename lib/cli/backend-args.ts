/**
 * Ultralytics-style backend arguments: `device=cpu` or `device=0` (a CUDA index: the TensorRT backend),
 * `backend=cpu|tensorrt|auto` (wins over what device= implies), `half=true|false` (FP16 or FP32 engine).
 */
import { FastSAMError } from '../errors';
import type { LoadOptions } from '../pipeline/fastsam';
import { boolArg } from './args';

export const BACKEND_HELP = '  device=cpu|0|cuda:0  backend=cpu|tensorrt|auto  half=true|false (TensorRT FP16, default true)';

export function backendOptions(values: Record<string, string>): Pick<LoadOptions, 'backend' | 'device' | 'precision'> {
  const options: Pick<LoadOptions, 'backend' | 'device' | 'precision'> = {};
  const device = values.device;
  if (device !== undefined) {
    const cuda = /^(?:cuda:)?(\d+)$/i.exec(device);
    if (/^cpu$/i.test(device)) options.backend = 'cpu';
    else if (cuda) {
      options.backend = 'tensorrt';
      options.device = Number(cuda[1]);
    } else throw new FastSAMError('E_BAD_OPTION', `device=${device}: expected cpu, a GPU index (0) or cuda:N`);
  }
  if (values.backend !== undefined) {
    if (!['cpu', 'tensorrt', 'auto'].includes(values.backend)) {
      throw new FastSAMError('E_BAD_OPTION', `backend=${values.backend}: expected cpu, tensorrt or auto`);
    }
    options.backend = values.backend as LoadOptions['backend'];
  }
  const half = boolArg(values, 'half');
  if (half !== undefined) options.precision = half ? 'fp16' : 'fp32';
  return options;
}
