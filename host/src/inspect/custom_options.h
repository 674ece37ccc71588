// Decoding of custom operator options (FLEXBUFFERS format) for `tflc inspect`.
//
//   * Select TF (Flex) ops: a FlexBuffer vector [TF op name, serialized tensorflow.NodeDef], printed
//     as ["Erf", node_def { name: "e" op: "Erf" input: "x" device: "" attr { ... } }]; the NodeDef
//     is read with a small bounds-checked protobuf wire-format reader (no libprotobuf in the host).
//   * Other custom ops: a FlexBuffer map (what --allow_custom_ops and TensorFlow's converter write),
//     printed as {key: value, ...}.
// Both are fed untrusted bytes (the inspect fuzzer): everything is verified and bounded.
#ifndef TFLC_HOST_INSPECT_CUSTOM_OPTIONS_H_
#define TFLC_HOST_INSPECT_CUSTOM_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace tflc::host {

// Decoded text of a Flex op's options, to print after "custom_options=". Returns false with
// *error set when they do not decode. `hashes`: print content hashes of tensor attributes.
bool DecodeFlexOptions(const uint8_t* p, size_t n, std::string* text, std::string* error, bool hashes);

// Decoded text of options that are a FlexBuffer map ({alpha: 0.5, axis: 3, ...}); false when they
// are not one or do not decode.
bool DecodeFlexMap(const uint8_t* p, size_t n, std::string* text, bool hashes);

}  // namespace tflc::host

#endif  // TFLC_HOST_INSPECT_CUSTOM_OPTIONS_H_
