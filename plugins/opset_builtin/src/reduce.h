// Layout of a reduction (MEAN, SUM, REDUCE_MAX/MIN/PROD) whose reduced axes form one contiguous
// block, so the input can be read as [outer, reduce, inner] and the output as [outer, inner].
//
// The reference walk visits the input in row-major order and folds each element into its output,
// so every output accumulates its elements in increasing input offset. On an [outer, reduce,
// inner] view that is r = 0, 1, ..., reduce - 1 for each (o, i): the block kernel keeps exactly
// that order per output and only runs many outputs (i) side by side, so its results are
// bit-identical to the walk. NHWC MEAN over H, W (global average pooling) is outer = N,
// reduce = H * W, inner = C; reducing the trailing axes is inner = 1.
#ifndef TFLC_PLUGINS_OPSET_BUILTIN_SRC_REDUCE_H_
#define TFLC_PLUGINS_OPSET_BUILTIN_SRC_REDUCE_H_

#include <cstdint>
#include <vector>

#include "common.h"

namespace tflc::opset_builtin {

struct ReduceBlock {
  int64_t outer = 1, reduce = 1, inner = 1;
};

// True when the dims of `in` flagged in `reduced` (one flag per dim) are, once size-1 dims are
// dropped, one contiguous run (or none); *block then holds the [outer, reduce, inner] view.
// False otherwise (e.g. axes {0, 2} of [2, 3, 4]): those reductions take the generic walk.
bool AsReduceBlock(const Dims& in, const std::vector<bool>& reduced, ReduceBlock* block);

}  // namespace tflc::opset_builtin

#endif  // TFLC_PLUGINS_OPSET_BUILTIN_SRC_REDUCE_H_
