// FastSAM's full-image-box step, CASIA flavour (spec 3.2): in letterbox (input) coordinates,
// before the masks are made.
#pragma once
#include <vector>

#include "detection.h"

namespace fastsam {

// Snaps every box edge within 20 px of the input border onto it (in place), then turns every box with
// IoU > 0.9 against the whole input into exactly the whole input, class 0, keeping its own score and
// coefficients. The reference fails (returns None) when two boxes match; we treat each the same way.
void applyFullImageBox(std::vector<Detection>& dets, int inputH, int inputW);

}  // namespace fastsam
