// Cropped masks painted into one picture: a prompt's paint plan (lib/prompts/rules.ts) into one merged
// mask, and many masks into one index map with the smallest on top (what plots and index PNGs show).
#pragma once
#include <cstdint>
#include <vector>

#include "crop_set.h"
#include "masks.h"

namespace fastsam {

enum class PaintKind : int32_t { Set = 0, Clear = 1, Add = 2 };

struct PaintOp {
  uint32_t mask = 0;  // index into the crop set
  PaintKind kind = PaintKind::Set;
  int32_t amount = 0;  // for Add
};

// Runs the plan on an all-zero integer picture of height x width (ops in order: Set writes 1, Clear 0, Add
// adds `amount`, each on the mask's set pixels) and returns the pixels >= 1 as one crop, tight around
// them (an empty crop when none). Only the windows of the painted masks are allocated. Windows reaching
// outside the picture are clipped; ops naming a mask outside the set throw std::invalid_argument.
MaskCrop paintPlan(const CropSet& crops, const std::vector<PaintOp>& ops, int height, int width);

// The crop of a height x width 0/1 picture, tight around its set pixels (an empty crop when none).
MaskCrop tightCrop(const uint8_t* picture, int height, int width);

// For each pixel of a height x width picture, the index of the smallest mask (by area; ties: the lower
// index) covering it, or -1: masks painted largest first, each over the ones before.
std::vector<int32_t> smallestOnTop(const CropSet& crops, int height, int width);

// COCO uncompressed RLE (column-major) of each crop placed in a height x width mask.
std::vector<uint32_t> cropRle(const CropView& crop, int height, int width);

}  // namespace fastsam
