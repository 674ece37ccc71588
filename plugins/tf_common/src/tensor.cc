#include "tf_common/tensor.h"

#include <cstring>

#include "tflc/sdk/plugin.h"
#include "types.pb.h"

namespace tflc::tf {

TflcDataType FromTfType(int t) {
  if (t > 100) t -= 100;
  switch (t) {
    case DT_FLOAT: return TFLC_TYPE_FLOAT32;
    case DT_DOUBLE: return TFLC_TYPE_FLOAT64;
    case DT_INT32: return TFLC_TYPE_INT32;
    case DT_UINT8: return TFLC_TYPE_UINT8;
    case DT_INT16: return TFLC_TYPE_INT16;
    case DT_INT8: return TFLC_TYPE_INT8;
    case DT_STRING: return TFLC_TYPE_STRING;
    case DT_COMPLEX64: return TFLC_TYPE_COMPLEX64;
    case DT_INT64: return TFLC_TYPE_INT64;
    case DT_BOOL: return TFLC_TYPE_BOOL;
    case DT_BFLOAT16: return TFLC_TYPE_BFLOAT16;
    case DT_UINT16: return TFLC_TYPE_UINT16;
    case DT_COMPLEX128: return TFLC_TYPE_COMPLEX128;
    case DT_HALF: return TFLC_TYPE_FLOAT16;
    case DT_RESOURCE: return TFLC_TYPE_RESOURCE;
    case DT_VARIANT: return TFLC_TYPE_VARIANT;
    case DT_UINT32: return TFLC_TYPE_UINT32;
    case DT_UINT64: return TFLC_TYPE_UINT64;
    case DT_INT4: return TFLC_TYPE_INT4;
    default: return TFLC_TYPE_UNKNOWN;
  }
}

std::string TfTypeName(int t) {
  if (DataType_IsValid(t)) return DataType_Name(static_cast<DataType>(t));
  return "DataType(" + std::to_string(t) + ")";
}

Shape FromShapeProto(const TensorShapeProto& s) {
  Shape out;
  out.unknown_rank = s.unknown_rank();
  for (const auto& d : s.dim()) out.dims.push_back(d.size() < 0 ? -1 : d.size());
  return out;
}

namespace {

// Copies `n` elements of `field` (repeated, converted to T) into bytes, repeating the last value.
template <typename T, typename Field>
void Fill(const Field& field, int64_t n, std::string* bytes) {
  bytes->assign(static_cast<size_t>(n) * sizeof(T), '\0');
  if (field.empty()) return;
  T* out = reinterpret_cast<T*>(bytes->data());
  for (int64_t i = 0; i < n; ++i) {
    out[i] = static_cast<T>(field.Get(static_cast<int>(i < field.size() ? i : field.size() - 1)));
  }
}

}  // namespace

StatusOr<ConstTensor> DecodeTensor(const TensorProto& t) {
  ConstTensor c;
  c.type = FromTfType(t.dtype());
  if (c.type == TFLC_TYPE_UNKNOWN || c.type == TFLC_TYPE_RESOURCE || c.type == TFLC_TYPE_VARIANT ||
      c.type == TFLC_TYPE_INT4)
    return Unimplemented("constants of type " + TfTypeName(t.dtype()) + " are not supported");
  Shape shape = FromShapeProto(t.tensor_shape());
  if (shape.unknown_rank) return InvalidArgument("a constant tensor has an unknown rank");
  int64_t n = 1;
  for (int64_t d : shape.dims) {
    if (d < 0) return InvalidArgument("a constant tensor has an unknown dimension");
    if (d != 0 && n > (int64_t{1} << 58) / d)  // (keeps n * element size, at most 16, from overflowing)
      return InvalidArgument("a constant tensor's shape has more than 2^58 elements");
    n *= d;
  }
  c.dims = shape.dims;
  if (c.type == TFLC_TYPE_STRING) {
    // TFLite string tensor: int32 count, int32 offsets[count + 1], bytes.
    std::vector<std::string> strs;
    for (int64_t i = 0; i < n; ++i) {
      if (t.string_val_size() == 0) strs.emplace_back();
      else strs.push_back(t.string_val(static_cast<int>(i < t.string_val_size() ? i : t.string_val_size() - 1)));
    }
    std::vector<int32_t> header;
    header.push_back(static_cast<int32_t>(n));
    int32_t off = static_cast<int32_t>(4 * (n + 2));
    for (const auto& s : strs) {
      header.push_back(off);
      off += static_cast<int32_t>(s.size());
    }
    header.push_back(off);
    c.bytes.assign(reinterpret_cast<const char*>(header.data()), header.size() * 4);
    for (const auto& s : strs) c.bytes += s;
    return c;
  }
  const size_t esize = sdk::ElementSize(c.type);
  if (!t.tensor_content().empty()) {
    if (t.tensor_content().size() != static_cast<size_t>(n) * esize)
      return InvalidArgument("tensor_content has " + std::to_string(t.tensor_content().size()) +
                             " bytes, but the shape needs " + std::to_string(n * static_cast<int64_t>(esize)));
    c.bytes = t.tensor_content();
    return c;
  }
  switch (t.dtype() > 100 ? t.dtype() - 100 : t.dtype()) {
    case DT_FLOAT: Fill<float>(t.float_val(), n, &c.bytes); break;
    case DT_DOUBLE: Fill<double>(t.double_val(), n, &c.bytes); break;
    case DT_INT32: Fill<int32_t>(t.int_val(), n, &c.bytes); break;
    case DT_INT16: Fill<int16_t>(t.int_val(), n, &c.bytes); break;
    case DT_INT8: Fill<int8_t>(t.int_val(), n, &c.bytes); break;
    case DT_UINT8: Fill<uint8_t>(t.int_val(), n, &c.bytes); break;
    case DT_UINT16: Fill<uint16_t>(t.int_val(), n, &c.bytes); break;
    case DT_INT64: Fill<int64_t>(t.int64_val(), n, &c.bytes); break;
    case DT_BOOL: Fill<uint8_t>(t.bool_val(), n, &c.bytes); break;
    case DT_HALF: case DT_BFLOAT16: Fill<uint16_t>(t.half_val(), n, &c.bytes); break;
    case DT_UINT32: Fill<uint32_t>(t.uint32_val(), n, &c.bytes); break;
    case DT_UINT64: Fill<uint64_t>(t.uint64_val(), n, &c.bytes); break;
    case DT_COMPLEX64: Fill<float>(t.scomplex_val(), 2 * n, &c.bytes); break;
    case DT_COMPLEX128: Fill<double>(t.dcomplex_val(), 2 * n, &c.bytes); break;
    default: return Unimplemented("constants of type " + TfTypeName(t.dtype()) + " are not supported");
  }
  return c;
}

}  // namespace tflc::tf
