// TensorFlow DataType / TensorShapeProto / TensorProto → tflc types and constant bytes.
#ifndef TFLC_PLUGINS_TF_COMMON_TENSOR_H_
#define TFLC_PLUGINS_TF_COMMON_TENSOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "graph.pb.h"
#include "tflc/abi/tflc_types.h"
#include "tflc/sdk/status.h"

namespace tflc::tf {

// TF DataType number (types.proto; *_REF types map like their value type) → TflcDataType;
// TFLC_TYPE_UNKNOWN for types TFLite has no tensor type for (quantized qint*, float8, ...).
TflcDataType FromTfType(int tf_type);
// "DT_FLOAT" style name for messages.
std::string TfTypeName(int tf_type);

struct Shape {
  bool unknown_rank = false;
  std::vector<int64_t> dims;  // -1 = unknown
};
Shape FromShapeProto(const TensorShapeProto& s);

// A decoded constant: dims, type and little-endian bytes (TFLite's string encoding for STRING).
struct ConstTensor {
  TflcDataType type = TFLC_TYPE_UNKNOWN;
  std::vector<int64_t> dims;
  std::string bytes;
};
// Decodes tensor_content or the typed repeated fields (a field shorter than the tensor repeats
// its last value; an empty one means zeros).
StatusOr<ConstTensor> DecodeTensor(const TensorProto& t);

}  // namespace tflc::tf

#endif  // TFLC_PLUGINS_TF_COMMON_TENSOR_H_
