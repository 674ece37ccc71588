// Shape, layout and indexing ops that need attribute translation: Squeeze, ConcatV2, Pack,
// Unpack, Split, SplitV, StridedSlice, MirrorPad, Gather(V2), Shape, Resize*, SpaceToDepth /
// DepthToSpace. (Pure 1:1 ones such as Reshape or Transpose are LowerSimple rows.)
#include <algorithm>
#include <string>
#include <vector>

#include "common.h"
#include "lowerings.h"

namespace tflc::lower_builtin {

// Squeeze(x, squeeze_dims) → SQUEEZE(squeeze_dims); an empty list squeezes every size-1 dim.
TflcStatus* LowerSqueeze(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    std::vector<int64_t> dims;
    if (l.node().HasAttr("squeeze_dims")) {
      TFLC_ASSIGN_OR_RETURN(dims, l.node().IntListAttr("squeeze_dims"));
    }
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("SQUEEZE", "", {x}, {{"squeeze_dims", dims}}));
    return l.Replace(0, y);
  });
}

// ConcatV2(v1..vN, axis) → CONCATENATION(v1..vN) with the constant axis as attribute.
TflcStatus* LowerConcatV2(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    if (l.num_inputs() < 2) return InvalidArgument("ConcatV2 needs at least one value and the axis");
    const size_t n = l.num_inputs() - 1;
    TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axis, l.ConstInts(n, "the concat axis"));
    if (axis.size() != 1) return InvalidArgument("the concat axis must be a scalar");
    std::vector<ValueView> values;
    for (size_t i = 0; i < n; ++i) {
      TFLC_ASSIGN_OR_RETURN(ValueView v, l.Input(i));
      values.push_back(v);
    }
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("CONCATENATION", "", values,
                                               {{"axis", axis[0]},
                                                {"fused_activation_function", static_cast<int64_t>(kActNone)}}));
    return l.Replace(0, y);
  });
}

// Pack(v1..vN, axis) → PACK(values_count = N, axis).
TflcStatus* LowerPack(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(int64_t axis, l.node().IntAttrOr("axis", 0));
    std::vector<ValueView> values;
    for (size_t i = 0; i < l.num_inputs(); ++i) {
      TFLC_ASSIGN_OR_RETURN(ValueView v, l.Input(i));
      values.push_back(v);
    }
    if (values.empty()) return InvalidArgument("Pack needs at least one input");
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("PACK", "", values,
                                               {{"values_count", static_cast<int64_t>(values.size())},
                                                {"axis", axis}}));
    return l.Replace(0, y);
  });
}

// Unpack(x, num, axis) → UNPACK(num, axis) with num outputs.
TflcStatus* LowerUnpack(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(int64_t num, l.node().IntAttrOr("num", static_cast<int64_t>(l.node().num_outputs())));
    TFLC_ASSIGN_OR_RETURN(int64_t axis, l.node().IntAttrOr("axis", 0));
    if (num != static_cast<int64_t>(l.node().num_outputs())) {
      return AttrError("num", "(" + std::to_string(num) + ") differs from the number of outputs (" +
                                  std::to_string(l.node().num_outputs()) + ")");
    }
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(NodeView n, l.Emit("UNPACK", "", {x}, {{"num", num}, {"axis", axis}},
                                             static_cast<size_t>(num)));
    return l.ReplaceAll(n);
  });
}

// Split(axis, value, num_split) → SPLIT(axis, value) with num_splits outputs (same input order).
TflcStatus* LowerSplit(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(int64_t num, l.node().IntAttrOr("num_split", static_cast<int64_t>(l.node().num_outputs())));
    TFLC_ASSIGN_OR_RETURN(ValueView axis, l.Int32Input(0, "axis_int32"));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(NodeView n, l.Emit("SPLIT", "", {axis, x}, {{"num_splits", num}},
                                             l.node().num_outputs()));
    return l.ReplaceAll(n);
  });
}

// SplitV(value, size_splits, axis, num_split) → SPLIT_V(value, size_splits, axis).
TflcStatus* LowerSplitV(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(int64_t num, l.node().IntAttrOr("num_split", static_cast<int64_t>(l.node().num_outputs())));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView sizes, l.Int32Input(1, "size_splits_int32"));
    TFLC_ASSIGN_OR_RETURN(ValueView axis, l.Int32Input(2, "axis_int32"));
    TFLC_ASSIGN_OR_RETURN(NodeView n, l.Emit("SPLIT_V", "", {x, sizes, axis}, {{"num_splits", num}},
                                             l.node().num_outputs()));
    return l.ReplaceAll(n);
  });
}

namespace {

// A strided slice with ellipsis / new-axis entries rewritten away (as TF's prepare pass does):
// new axes become EXPAND_DIMS on the input, the ellipsis becomes full-range entries.
struct DenseSlice {
  std::vector<int64_t> begin, end, strides;
  int64_t begin_mask = 0, end_mask = 0, shrink_mask = 0;
  std::vector<int64_t> new_axes;  // ascending positions in the expanded input
};

StatusOr<DenseSlice> Densify(const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
                             const std::vector<int64_t>& strides, int64_t begin_mask, int64_t end_mask,
                             int64_t ellipsis_mask, int64_t new_axis_mask, int64_t shrink_mask,
                             int32_t input_rank) {
  const int n = static_cast<int>(begin.size());
  int num_new = 0, num_ellipsis = 0;
  for (int i = 0; i < n; ++i) {
    if ((ellipsis_mask >> i) & 1) {
      ++num_ellipsis;
    } else if ((new_axis_mask >> i) & 1) {
      ++num_new;
    }
  }
  if (num_ellipsis > 1) return AttrError("ellipsis_mask", "has more than one bit set");
  const int rank = input_rank + num_new;  // rank after inserting the new axes
  DenseSlice d;
  auto full = [&](int dim) {
    d.begin.push_back(0);
    d.end.push_back(0);
    d.strides.push_back(1);
    d.begin_mask |= int64_t{1} << dim;
    d.end_mask |= int64_t{1} << dim;
  };
  int dim = 0;
  for (int i = 0; i < n; ++i) {
    if ((ellipsis_mask >> i) & 1) {
      int cover = rank - (n - 1);
      if (cover < 0) return InvalidArgument("strided slice has more indices than the input has dimensions");
      for (int k = 0; k < cover; ++k) full(dim++);
    } else if ((new_axis_mask >> i) & 1) {
      d.new_axes.push_back(dim);
      full(dim++);
    } else {
      d.begin.push_back(begin[i]);
      d.end.push_back(end[i]);
      d.strides.push_back(strides[i]);
      if ((begin_mask >> i) & 1) d.begin_mask |= int64_t{1} << dim;
      if ((end_mask >> i) & 1) d.end_mask |= int64_t{1} << dim;
      if ((shrink_mask >> i) & 1) d.shrink_mask |= int64_t{1} << dim;
      ++dim;
    }
  }
  if (dim > rank) return InvalidArgument("strided slice has more indices than the input has dimensions");
  while (dim < rank) full(dim++);
  return d;
}

}  // namespace

// StridedSlice(x, begin, end, strides, masks) → STRIDED_SLICE with the masks as options.
// ellipsis_mask / new_axis_mask are rewritten away (EXPAND_DIMS + explicit full-range entries)
// when the indices are constant and the input rank is known, for runtimes without support for them.
TflcStatus* LowerStridedSlice(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    const NodeView& node = l.node();
    TFLC_ASSIGN_OR_RETURN(int64_t begin_mask, node.IntAttrOr("begin_mask", 0));
    TFLC_ASSIGN_OR_RETURN(int64_t end_mask, node.IntAttrOr("end_mask", 0));
    TFLC_ASSIGN_OR_RETURN(int64_t ellipsis_mask, node.IntAttrOr("ellipsis_mask", 0));
    TFLC_ASSIGN_OR_RETURN(int64_t new_axis_mask, node.IntAttrOr("new_axis_mask", 0));
    TFLC_ASSIGN_OR_RETURN(int64_t shrink_mask, node.IntAttrOr("shrink_axis_mask", 0));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView begin_v, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(ValueView end_v, l.Input(2));
    TFLC_ASSIGN_OR_RETURN(ValueView strides_v, l.Input(3));

    const bool can_densify = (ellipsis_mask != 0 || new_axis_mask != 0) && x.rank() >= 0 &&
                             begin_v.is_const() && end_v.is_const() && strides_v.is_const();
    ValueView begin, end, strides;
    if (can_densify) {
      TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> b, l.ConstInts(1, "begin"));
      TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> e, l.ConstInts(2, "end"));
      TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> s, l.ConstInts(3, "strides"));
      if (b.size() != e.size() || b.size() != s.size()) {
        return InvalidArgument("begin, end and strides must have the same length");
      }
      TFLC_ASSIGN_OR_RETURN(DenseSlice d, Densify(b, e, s, begin_mask, end_mask, ellipsis_mask, new_axis_mask,
                                                  shrink_mask, x.rank()));
      for (size_t k = 0; k < d.new_axes.size(); ++k) {
        std::string suffix = "new_axis" + std::to_string(k);
        TFLC_ASSIGN_OR_RETURN(ValueView axis, l.Scalar(suffix + "/axis", TFLC_TYPE_INT32,
                                                       static_cast<double>(d.new_axes[k])));
        TFLC_ASSIGN_OR_RETURN(x, l.Emit1("EXPAND_DIMS", suffix, {x, axis}));
      }
      TFLC_ASSIGN_OR_RETURN(begin, l.ConstInt32Vector("begin", d.begin));
      TFLC_ASSIGN_OR_RETURN(end, l.ConstInt32Vector("end", d.end));
      TFLC_ASSIGN_OR_RETURN(strides, l.ConstInt32Vector("strides", d.strides));
      begin_mask = d.begin_mask;
      end_mask = d.end_mask;
      shrink_mask = d.shrink_mask;
      ellipsis_mask = 0;
      new_axis_mask = 0;
    } else {
      TFLC_ASSIGN_OR_RETURN(begin, l.Int32Input(1, "begin_int32"));
      TFLC_ASSIGN_OR_RETURN(end, l.Int32Input(2, "end_int32"));
      TFLC_ASSIGN_OR_RETURN(strides, l.Int32Input(3, "strides_int32"));
    }
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("STRIDED_SLICE", "", {x, begin, end, strides},
                                               {{"begin_mask", begin_mask},
                                                {"end_mask", end_mask},
                                                {"ellipsis_mask", ellipsis_mask},
                                                {"new_axis_mask", new_axis_mask},
                                                {"shrink_axis_mask", shrink_mask},
                                                {"offset", false}}));
    return l.Replace(0, y);
  });
}

// MirrorPad(x, paddings, mode) → MIRROR_PAD(mode: REFLECT = 0, SYMMETRIC = 1).
TflcStatus* LowerMirrorPad(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(std::string mode, l.node().StringAttr("mode"));
    int64_t m;
    if (mode == "REFLECT") {
      m = kMirrorReflect;
    } else if (mode == "SYMMETRIC") {
      m = kMirrorSymmetric;
    } else {
      return UnsupportedAttr("mode", "\"" + mode + "\"", "\"REFLECT\", \"SYMMETRIC\"");
    }
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView pads, l.Int32Input(1, "paddings_int32"));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("MIRROR_PAD", "", {x, pads}, {{"mode", m}}));
    return l.Replace(0, y);
  });
}

// Gather(params, indices) → GATHER(axis = 0, batch_dims = 0).
TflcStatus* LowerGather(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(ValueView params, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView indices, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("GATHER", "", {params, indices},
                                               {{"axis", int64_t{0}}, {"batch_dims", int64_t{0}}}));
    return l.Replace(0, y);
  });
}

// ResourceGather(resource, indices) → GATHER(axis = 0, batch_dims): the resource is a variable the
// frontend froze to its checkpoint constant (a Keras 2 Embedding in a SavedModel:
// `embedding_lookup` = ResourceGather on the embeddings variable).
TflcStatus* LowerResourceGather(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(int64_t batch_dims, l.node().IntAttrOr("batch_dims", 0));
    TFLC_ASSIGN_OR_RETURN(ValueView params, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView indices, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("GATHER", "", {params, indices},
                                               {{"axis", int64_t{0}}, {"batch_dims", batch_dims}}));
    return l.Replace(0, y);
  });
}

// GatherV2(params, indices, axis) → GATHER(axis from the constant, batch_dims).
TflcStatus* LowerGatherV2(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TFLC_ASSIGN_OR_RETURN(int64_t batch_dims, l.node().IntAttrOr("batch_dims", 0));
    TFLC_ASSIGN_OR_RETURN(std::vector<int64_t> axis, l.ConstInts(2, "the gather axis"));
    if (axis.size() != 1) return InvalidArgument("the gather axis must be a scalar");
    TFLC_ASSIGN_OR_RETURN(ValueView params, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView indices, l.Input(1));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("GATHER", "", {params, indices},
                                               {{"axis", axis[0]}, {"batch_dims", batch_dims}}));
    return l.Replace(0, y);
  });
}

// Shape(x, out_type) → SHAPE(out_type), INT32 by default.
TflcStatus* LowerShape(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    TflcDataType out_type = TFLC_TYPE_INT32;
    if (l.node().HasAttr("out_type")) {
      TFLC_ASSIGN_OR_RETURN(out_type, l.node().TypeAttr("out_type"));
    }
    if (out_type != TFLC_TYPE_INT32 && out_type != TFLC_TYPE_INT64) {
      return UnsupportedAttr("out_type", TypeName(out_type), "INT32, INT64");
    }
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1("SHAPE", "", {x}, {{"out_type", static_cast<int64_t>(out_type)}}));
    return l.Replace(0, y);
  });
}

// ResizeBilinear / ResizeNearestNeighbor(images, size) with align_corners, half_pixel_centers.
TflcStatus* LowerResize(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    const auto& spec = *static_cast<const SimpleSpec*>(l.user_data());
    TFLC_ASSIGN_OR_RETURN(bool align_corners, l.node().BoolAttrOr("align_corners", false));
    TFLC_ASSIGN_OR_RETURN(bool half_pixel, l.node().BoolAttrOr("half_pixel_centers", false));
    if (align_corners && half_pixel) {
      return UnsupportedAttr("half_pixel_centers", "true with align_corners=true",
                             "at most one of align_corners, half_pixel_centers");
    }
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView size, l.Int32Input(1, "size_int32"));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1(spec.op, "", {x, size},
                                               {{"align_corners", align_corners},
                                                {"half_pixel_centers", half_pixel}}));
    return l.Replace(0, y);
  });
}

// SpaceToDepth / DepthToSpace(x, block_size), NHWC only.
TflcStatus* LowerSpaceDepth(TflcLowerNode_Args* args) {
  return Run(args, [](Lowering& l) -> Status {
    const auto& spec = *static_cast<const SimpleSpec*>(l.user_data());
    TFLC_RETURN_IF_ERROR(l.RequireDataFormat());
    TFLC_ASSIGN_OR_RETURN(int64_t block, l.node().IntAttr("block_size"));
    if (block < 2) return AttrError("block_size", "must be at least 2, got " + std::to_string(block));
    TFLC_ASSIGN_OR_RETURN(ValueView x, l.Input(0));
    TFLC_ASSIGN_OR_RETURN(ValueView y, l.Emit1(spec.op, "", {x}, {{"block_size", block}}));
    return l.Replace(0, y);
  });
}

}  // namespace tflc::lower_builtin
