// std::min / std::max / std::clamp as the C++ standard defines them (a plain comparison, so NaN flows the
// same way as on the CPU path), for device code. fminf/fmaxf would drop NaN where the CPU keeps it.
#pragma once

namespace fastsam::cuda {

__device__ __forceinline__ float stdMin(float a, float b) { return b < a ? b : a; }
__device__ __forceinline__ float stdMax(float a, float b) { return a < b ? b : a; }
__device__ __forceinline__ float stdClamp(float v, float lo, float hi) { return v < lo ? lo : (hi < v ? hi : v); }

}  // namespace fastsam::cuda
