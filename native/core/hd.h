// FASTSAM_HD marks the core's rule functions that the CUDA kernels call too (__host__ __device__ under
// nvcc, nothing for a plain C++ compiler), so each rule has one home and the GPU computes it bit for bit
// as the CPU does (the kernels are built without FMA contraction). The float helpers are std::min /
// std::max / std::clamp as the standard defines them: plain comparisons, so NaN flows the same way on
// both (fminf / fmaxf would drop it).
#pragma once

#if defined(__CUDACC__)
#define FASTSAM_HD __host__ __device__
#else
#define FASTSAM_HD
#endif

namespace fastsam {

FASTSAM_HD inline float minOf(float a, float b) { return b < a ? b : a; }
FASTSAM_HD inline float maxOf(float a, float b) { return a < b ? b : a; }
FASTSAM_HD inline float clampTo(float v, float lo, float hi) { return v < lo ? lo : (hi < v ? hi : v); }
FASTSAM_HD inline double minOf(double a, double b) { return b < a ? b : a; }

}  // namespace fastsam
