// tflc inspect: a deterministic, line-oriented text dump of a .tflite model.
//
// The dump is the canonical text form used by golden tests: one fact per
// line, stable order, no addresses, no locale-dependent formatting. Weights
// are never printed; each constant buffer is summarized by its size and a
// 64-bit FNV-1a hash so a golden diff still catches any change of bytes.
//
// Example (abridged):
//   model version=3 description="MLIR Converted."
//   operator_codes: 2
//     [0] FULLY_CONNECTED v1
//     [1] CUSTOM "FlexRFFT" v1
//   subgraphs: 1
//   subgraph[0] "main" inputs=[0] outputs=[7]
//     tensors: 8
//       [0] "serving_default_input:0" FLOAT32 [1,2] sig=[-1,2] buffer=1
//       [3] "dense/kernel" INT8 [8,2] buffer=3 (16 bytes, fnv1a=9f3a...)
//           q{scale=[0.00392156886] zp=[-128]}      (same line in the output)
//     operators: 4
//       [0] FULLY_CONNECTED(0, 3, 4) -> (5) FullyConnectedOptions{...}
//   signature_defs: 1
//     [0] "serving_default" subgraph=0 inputs{"input":0} outputs{"dense":7}
//   metadata: 2
//     "min_runtime_version" buffer=9 "1.14.0" (16 bytes)
//     "CONVERSION_METADATA" buffer=10 ConversionMetadata{environment: {...}}
//   buffers: 11 (4 with data, total 1234 bytes; buffer 0 empty)
//     [3] 16 bytes, fnv1a=...
//
// Tables (builtin_options, builtin_options_2, quantization details, sparsity,
// ConversionMetadata, ...) are printed generically through the FlatBuffers
// mini-reflection type tables of the generated schema, so every option type
// prints without per-op code.
//   * Operator options (builtin_options / builtin_options_2) print the
//     effective value of every scalar field, i.e. the schema default when the
//     field is absent (`padding: SAME`, `dilation_w_factor: 1`), so the dump
//     does not depend on whether a writer stored defaults explicitly. The
//     defaults come from the generated object API, still without per-op code.
//   * Other tables print only the fields present in the bytes.
//   * Vectors and strings print only when present; byte vectors print as
//     "<N bytes, fnv1a=...>".
//
// Custom options (FLEXBUFFERS format) of CUSTOM operators are decoded:
//   * Select TF ops (custom code "Flex..."): the FlexBuffer vector
//     [op name, NodeDef], the NodeDef read with a bounds-checked protobuf
//     wire-format reader and printed close to protobuf text format, attrs
//     sorted by key (tensors as "<N bytes, fnv1a=...>", functions by name):
//       [0] CUSTOM "FlexErf"(0) -> (1) custom_options=["Erf", node_def {
//           name: "e" op: "Erf" input: "b" input: "^c" device: ""
//           attr { key: "T" value { type: DT_FLOAT } } }]   (one line)
//     Options that do not decode keep the summary and get a marker:
//       custom_options=<FLEXBUFFERS 3 bytes, fnv1a=...>
//       <undecodable Flex options: not a valid FlexBuffer (3 bytes)>
//   * Other custom ops whose options are a FlexBuffer map:
//       custom_options={alpha: 0.5, axis: 3, dims: [1, 2, 3], name: "x"}
//     Anything else keeps the summary "<FLEXBUFFERS N bytes, fnv1a=...>".
//   With show_options off, custom options always print as the summary.

#ifndef TFLC_HOST_INSPECT_INSPECT_H_
#define TFLC_HOST_INSPECT_INSPECT_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace tflc::host {

struct InspectOptions {
  // Print "fnv1a=<16 hex digits>" for buffers, custom options and blobs.
  bool buffer_hashes = true;
  // Print builtin_options / builtin_options_2 of every operator, and decode
  // FLEXBUFFERS custom options (else they print as a size/hash summary).
  bool show_options = true;
};

// Dumps the .tflite model in data[0, size) as text into *out (replacing its
// contents).
//
// Returns true on success. Returns false and sets *error to a sentence naming
// what is wrong for anything that is not a valid TFLite model: wrong size or
// file identifier, FlatBuffer verification failure (truncated or corrupt
// input), schema version other than 3, or indices that point outside their
// tables (operator codes, tensors, buffers, subgraphs) and buffer data that
// lies outside the input. In the last group of cases *out still holds the full
// dump, with the offending values marked "<ERROR: ...>", to help debugging;
// otherwise *out is empty. Never crashes on garbage, truncated or hostile
// input: everything is verified or bounds-checked before it is read, and the
// output size is bounded.
//
// Large-model mode (buffers with offset > 1 and size pointing past the
// FlatBuffer into the same file) is supported: `data` must then hold the whole
// file. `data` need not be aligned.
bool InspectModel(const uint8_t* data, size_t size,
                  const InspectOptions& options, std::string* out,
                  std::string* error);

// Reads `path` and calls InspectModel. An unreadable file is reported in
// *error like any other failure.
bool InspectModelFile(const std::string& path, const InspectOptions& options,
                      std::string* out, std::string* error);

// 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3), the
// hash printed in dumps. Exposed so tests and tools can compute expected
// values.
uint64_t Fnv1a64(const uint8_t* data, size_t size);

}  // namespace tflc::host

#endif  // TFLC_HOST_INSPECT_INSPECT_H_
