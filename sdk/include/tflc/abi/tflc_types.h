/* tflc C ABI v1.0 — basic types shared by the host and plugins.
 *
 * Rules (docs/abi.md):
 *  - Plain C99. Every struct that crosses the boundary starts with `size_t struct_size`;
 *    fields are only ever appended; readers check struct_size (TFLC_HAS_FIELD) before a field.
 *  - Handles are opaque. Strings are (pointer, length) views and are NOT NUL-terminated unless a
 *    comment says so.
 *  - Every pointer field documents who owns it and how long it lives.
 */
#ifndef TFLC_ABI_TFLC_TYPES_H_
#define TFLC_ABI_TFLC_TYPES_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TFLC_ABI_VERSION_MAJOR 1
#define TFLC_ABI_VERSION_MINOR 3

#if defined(_WIN32)
#define TFLC_EXPORT __declspec(dllexport)
#else
#define TFLC_EXPORT __attribute__((visibility("default")))
#endif

/* Size of a struct up to and including `last_field`: the value a producer built against an ABI
 * whose newest field is `last_field` writes into struct_size. */
#define TFLC_STRUCT_SIZE(type, last_field) \
  (offsetof(type, last_field) + sizeof(((type*)0)->last_field))

/* True when the struct pointed to by `ptr` (with its struct_size) contains `field`. */
#define TFLC_HAS_FIELD(ptr, type, field) \
  ((ptr)->struct_size >= TFLC_STRUCT_SIZE(type, field))

/* A borrowed string: `data` is not owned by the receiver and need not be NUL-terminated. */
typedef struct TflcStringView {
  const char* data;
  size_t size;
} TflcStringView;

/* Base of every extension struct. Extensions form a singly linked list through `next`. */
typedef struct TflcExtensionBase {
  size_t struct_size;
  int32_t type;                          /* TFLC_EXTENSION_* */
  const struct TflcExtensionBase* next;  /* borrowed; NULL ends the chain */
} TflcExtensionBase;

typedef enum TflcStatusCode {
  TFLC_CODE_OK = 0,
  TFLC_CODE_CANCELLED = 1,
  TFLC_CODE_UNKNOWN = 2,
  TFLC_CODE_INVALID_ARGUMENT = 3,
  TFLC_CODE_NOT_FOUND = 5,
  TFLC_CODE_ALREADY_EXISTS = 6,
  TFLC_CODE_FAILED_PRECONDITION = 9,
  TFLC_CODE_OUT_OF_RANGE = 11,
  TFLC_CODE_UNIMPLEMENTED = 12,
  TFLC_CODE_INTERNAL = 13,
  TFLC_CODE_DATA_LOSS = 15
} TflcStatusCode;

/* Element types. Values are TFLite's TensorType values, so they pass straight into the file. */
typedef enum TflcDataType {
  TFLC_TYPE_FLOAT32 = 0,
  TFLC_TYPE_FLOAT16 = 1,
  TFLC_TYPE_INT32 = 2,
  TFLC_TYPE_UINT8 = 3,
  TFLC_TYPE_INT64 = 4,
  TFLC_TYPE_STRING = 5,
  TFLC_TYPE_BOOL = 6,
  TFLC_TYPE_INT16 = 7,
  TFLC_TYPE_COMPLEX64 = 8,
  TFLC_TYPE_INT8 = 9,
  TFLC_TYPE_FLOAT64 = 10,
  TFLC_TYPE_COMPLEX128 = 11,
  TFLC_TYPE_UINT64 = 12,
  TFLC_TYPE_RESOURCE = 13,
  TFLC_TYPE_VARIANT = 14,
  TFLC_TYPE_UINT32 = 15,
  TFLC_TYPE_UINT16 = 16,
  TFLC_TYPE_INT4 = 17,
  TFLC_TYPE_BFLOAT16 = 18,
  TFLC_TYPE_UNKNOWN = -1
} TflcDataType;

/* Which vocabulary a node's op name belongs to. */
typedef enum TflcOpDomain {
  TFLC_DOMAIN_SOURCE = 0,  /* TensorFlow raw op names and tflc composites ("Conv2D", "tflc.LSTM") */
  TFLC_DOMAIN_BUILTIN = 1, /* TFLite builtin, by schema name ("CONV_2D") */
  TFLC_DOMAIN_CUSTOM = 2   /* TFLite custom op: op name = custom_code ("FlexRFFT", "MyVendorOp") */
} TflcOpDomain;

/* Opaque handles. All are owned by the host. */
typedef struct TflcStatus TflcStatus;   /* created by host->Status_Create, freed by the host */
typedef struct TflcGraph TflcGraph;     /* a graph being built or rewritten */
typedef struct TflcNode TflcNode;       /* an op in a graph */
typedef struct TflcValue TflcValue;     /* a tensor: graph input, constant, or node output */
typedef struct TflcOptions TflcOptions; /* conversion options (key → string value) */

/* Attribute kinds. Attribute names on builtin nodes are the schema's option field names
 * ("stride_w", "fused_activation_function"); on source nodes they are TF attr names. */
typedef enum TflcAttrKind {
  TFLC_ATTR_NONE = 0,
  TFLC_ATTR_INT = 1,        /* i */
  TFLC_ATTR_FLOAT = 2,      /* f */
  TFLC_ATTR_BOOL = 3,       /* i (0 or 1) */
  TFLC_ATTR_STRING = 4,     /* s */
  TFLC_ATTR_TYPE = 5,       /* i (a TflcDataType) */
  TFLC_ATTR_INT_LIST = 6,   /* ints[count] */
  TFLC_ATTR_FLOAT_LIST = 7, /* floats[count] */
  TFLC_ATTR_STRING_LIST = 8,/* strings[count] */
  TFLC_ATTR_SHAPE = 9,      /* ints[count] dims (-1 unknown); i = 1 when the rank is unknown */
  TFLC_ATTR_TYPE_LIST = 10, /* ints[count], each a TflcDataType */
  /* v1.3: i = the id of a subgraph of the node's model (Graph_AddSubgraph). A node with such an
   * attribute calls that subgraph (IF branches, WHILE cond and body) with its LAST K inputs, where K
   * is the subgraph's input count: all inputs of a loop, the inputs after the condition of an IF. */
  TFLC_ATTR_GRAPH = 11
} TflcAttrKind;

/* An attribute value. As an input (Node_SetAttr) the host copies everything it points to.
 * As an output (Node_GetAttr) the pointers are owned by the host and valid until the node's
 * attributes change or the node is removed. */
typedef struct TflcAttrValue {
  size_t struct_size;
  TflcAttrKind kind;
  int64_t i;
  double f;
  TflcStringView s;
  const int64_t* ints;
  const double* floats;
  const TflcStringView* strings;
  size_t count; /* elements in ints / floats / strings */
} TflcAttrValue;
#define TflcAttrValue_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcAttrValue, count)

/* Quantization parameters of a value. Arrays are owned by whoever filled the struct: the host
 * (valid until the value changes) or the caller (copied by the host on Value_SetQuant). */
typedef struct TflcQuantParams {
  size_t struct_size;
  const float* scales;
  const int64_t* zero_points;
  size_t count; /* 0 = not quantized */
  int32_t quantized_dimension;
} TflcQuantParams;
#define TflcQuantParams_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcQuantParams, quantized_dimension)

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TFLC_ABI_TFLC_TYPES_H_ */
