/* tflc C ABI v1.0 — what a plugin library gives the host.
 *
 * A plugin library exports exactly one symbol, TflcPlugin_Query (TFLC_PLUGIN_QUERY_SYMBOL). The host
 * calls it once with its ABI version and service table; the plugin returns its TflcPluginApi (static
 * storage, valid until the library is unloaded, which the host never does before exit) or NULL when
 * it cannot speak the host's major version.
 *
 * Tables are arrays of structs. Because structs grow by appending fields, the host walks each array
 * with the element size the plugin was compiled with (`*_stride` fields, filled by the SDK macros),
 * and reads a field only if the element's struct_size covers it.
 */
#ifndef TFLC_ABI_TFLC_PLUGIN_H_
#define TFLC_ABI_TFLC_PLUGIN_H_

#include "tflc/abi/tflc_host_api.h"
#include "tflc/abi/tflc_types.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TFLC_PLUGIN_QUERY_SYMBOL "TflcPlugin_Query"

/* ============================== frontends ============================== */

typedef struct TflcFrontendProbe_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  const TflcHostApi* host;  /* borrowed; valid for the process */
  TflcStringView path;      /* the model path the user gave (file or directory) */
  TflcStringView format;    /* what the user said it is ("keras", "saved_model", "graph_def"), or empty */
  void* user_data;          /* the frontend's user_data */
  void* plugin_state;       /* from TflcPluginApi.Create, or NULL */
  int32_t confidence;       /* out: 0 = cannot read it ... 100 = certainly mine */
} TflcFrontendProbe_Args;
#define TflcFrontendProbe_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcFrontendProbe_Args, confidence)

typedef struct TflcFrontendLoad_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  const TflcHostApi* host;        /* borrowed; valid for the process */
  TflcStringView path;
  TflcStringView format;
  const TflcOptions* options;     /* borrowed; valid during the call */
  TflcModel* model;               /* borrowed: add one graph per signature with Model_AddGraph */
  void* user_data;
  void* plugin_state;
} TflcFrontendLoad_Args;
#define TflcFrontendLoad_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcFrontendLoad_Args, plugin_state)

typedef struct TflcFrontend {
  size_t struct_size;
  const char* name;        /* static, NUL-terminated: "keras_h5" */
  const char* description; /* static, NUL-terminated */
  const char* formats;     /* static, NUL-terminated, comma list: "keras" */
  TflcStatus* (*Probe)(TflcFrontendProbe_Args* args);
  TflcStatus* (*Load)(TflcFrontendLoad_Args* args);
  void* user_data;         /* owned by the plugin; passed back in args */
} TflcFrontend;
#define TflcFrontend_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcFrontend, user_data)

/* ============================== lowering =============================== */

typedef enum TflcTarget {
  TFLC_TARGET_BUILTIN = 1,   /* TFLite builtin ops */
  TFLC_TARGET_SELECT_TF = 2, /* Flex<Op> custom ops (Select TF ops) */
  TFLC_TARGET_CUSTOM = 3     /* other custom ops */
} TflcTarget;

typedef struct TflcLowerNode_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  const TflcHostApi* host;      /* borrowed; valid for the process */
  const TflcOptions* options;   /* borrowed; valid during the call */
  TflcGraph* graph;             /* borrowed: emit new nodes here (Graph_AddNode, Graph_AddConst) */
  TflcNode* node;               /* borrowed: the source node; valid only during this call */
  void* user_data;              /* the row's user_data */
  void* plugin_state;
  int32_t matches;              /* out, Match only: 1 = this row applies to the node */
} TflcLowerNode_Args;
#define TflcLowerNode_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcLowerNode_Args, matches)

/* One row: source op → target. The host picks, for each source node, the matching row with the
 * highest priority among the enabled targets. Lower() emits the replacement and redirects each
 * used output of `node` with Value_ReplaceAllUsesWith; the host then removes `node`. */
typedef struct TflcLoweringEntry {
  size_t struct_size;
  const char* source_op;   /* static: exact TF op name ("Conv2D"), or "*" = any op (fallbacks) */
  TflcTarget target;
  const char* target_op;   /* static: the main op emitted ("CONV_2D"), for docs and listings */
  int32_t min_version;     /* emitted op versions this row is tested with */
  int32_t max_version;
  int32_t priority;        /* higher wins; equal priority for the same source op and target in
                              two plugins is a conflict the host reports */
  TflcStatus* (*Match)(TflcLowerNode_Args* args); /* NULL = always matches; else set args->matches */
  TflcStatus* (*Lower)(TflcLowerNode_Args* args);
  void* user_data;
  const char* note;        /* static, may be NULL: one line for docs/ops.md */
} TflcLoweringEntry;
#define TflcLoweringEntry_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcLoweringEntry, note)

/* =============================== opsets ================================ */

/* How an option attribute is written into the op's FlatBuffer options table. */
typedef enum TflcOptionKind {
  TFLC_OPTION_BOOL = 1,
  TFLC_OPTION_INT8 = 2,   /* also `byte` enums: Padding, ActivationFunctionType, TensorType */
  TFLC_OPTION_UINT8 = 3,
  TFLC_OPTION_INT16 = 4,
  TFLC_OPTION_INT32 = 5,
  TFLC_OPTION_INT64 = 6,
  TFLC_OPTION_FLOAT32 = 7,
  TFLC_OPTION_INT32_VECTOR = 8,
  /* v1.3: an int32 subgraph index. The attribute is a TFLC_ATTR_GRAPH; the exporter writes the
   * index that subgraph gets in the output. Marks the ops that carry subgraphs (IF, WHILE). */
  TFLC_OPTION_SUBGRAPH = 9
} TflcOptionKind;

/* One field of a builtin options table: the node attribute `attr` is written into slot `slot`
 * (the field's position in the schema table, counting deprecated fields, starting at 0). Scalar
 * values equal to `default_value` are omitted, as the FlatBuffers builder does. */
typedef struct TflcOptionField {
  size_t struct_size;
  const char* attr; /* static */
  int32_t slot;
  TflcOptionKind kind;
  double default_value;
} TflcOptionField;
#define TflcOptionField_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcOptionField, default_value)

/* Shape function: read inputs (types, shapes, constant data) and attributes of `node` and set every
 * output's type and shape with Value_SetShape. */
typedef struct TflcOpShape_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  const TflcHostApi* host;
  TflcNode* node;      /* borrowed during the call */
  void* user_data;     /* the entry's user_data */
  void* plugin_state;
} TflcOpShape_Args;
#define TflcOpShape_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcOpShape_Args, plugin_state)

/* Reference kernel: compute the outputs of `node` from input data. Shapes and types are those of
 * the node's values (all known). */
typedef struct TflcOpEval_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  const TflcHostApi* host;
  const TflcNode* node;        /* borrowed during the call */
  const void* const* inputs;   /* borrowed: data of input i (NULL when omitted); num_inputs entries */
  size_t num_inputs;
  void* const* outputs;        /* borrowed: host-allocated buffers, one per output, sized by shape */
  size_t num_outputs;
  void* user_data;
  void* plugin_state;
} TflcOpEval_Args;
#define TflcOpEval_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcOpEval_Args, plugin_state)

typedef struct TflcOpVersion_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  const TflcHostApi* host;
  const TflcNode* node;  /* borrowed during the call; types and shapes are final */
  void* user_data;
  void* plugin_state;
  int32_t version;       /* out */
} TflcOpVersion_Args;
#define TflcOpVersion_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcOpVersion_Args, version)

/* Questions the host may ask about one node of an op (TflcOpsetEntry.Query). */
typedef enum TflcOpQueryKind {
  /* answer 1 if the node reads its data input (input 0) through implicit zero padding (e.g. SAME
   * convolution), so an additive offset on that input cannot be folded into the weights. */
  TFLC_OP_QUERY_PADS_INPUT_WITH_ZEROS = 1
} TflcOpQueryKind;

typedef struct TflcOpQuery_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  const TflcHostApi* host;
  const TflcNode* node;  /* borrowed during the call */
  TflcOpQueryKind kind;
  void* user_data;
  void* plugin_state;
  int64_t answer;        /* out; leave unchanged (0) for questions the op does not know */
} TflcOpQuery_Args;
#define TflcOpQuery_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcOpQuery_Args, answer)

/* ---- quantization facts of an op (v1.1) ---- */

/* Kernels the TFLite runtime has for the op, beyond float32 (TflcOpQuantSpec.kernels bits). */
#define TFLC_QUANT_KERNEL_INT8 1u               /* int8 activations, int8 weights, int32 bias */
#define TFLC_QUANT_KERNEL_INT16X8 2u            /* int16 activations, int8 weights */
#define TFLC_QUANT_KERNEL_HYBRID 4u             /* float activations, int8 weights (dynamic range) */
#define TFLC_QUANT_KERNEL_HYBRID_PER_CHANNEL 8u /* the hybrid kernel takes per-channel weights */

/* How an integer op's output quantization parameters are chosen. */
typedef enum TflcQuantOutput {
  TFLC_QUANT_OUTPUT_RANGE = 0,         /* from the output's calibrated range */
  TFLC_QUANT_OUTPUT_SAME_AS_INPUT = 1, /* the data input's scale and zero point (pools, PAD...): the
                                        * first same_scale input, else the first quantized input */
  TFLC_QUANT_OUTPUT_FIXED = 2          /* the fixed parameters below (SOFTMAX, LOGISTIC, TANH...) */
} TflcQuantOutput;

typedef struct TflcOpQuantSpec {
  size_t struct_size;
  uint32_t kernels;           /* TFLC_QUANT_KERNEL_* bits */
  TflcQuantOutput output;
  float int8_scale;           /* FIXED: int8 output parameters */
  int32_t int8_zero_point;
  float int16_scale;          /* FIXED: int16 output parameters (zero point 0 in practice) */
  int32_t int16_zero_point;
  /* Bit i: input i is not an activation (axis, shape, paddings, indices) and keeps its type. */
  uint64_t unquantized_inputs;
  /* Bit i: input i must have the output's scale and zero point (the kernel does not rescale, e.g.
   * MAXIMUM); quantizers requantize such inputs when they differ. */
  uint64_t same_scale_inputs;
  TflcDataType int16_bias_type; /* bias type under int16x8: INT64 or INT32; 0 = INT64 */
} TflcOpQuantSpec;
#define TflcOpQuantSpec_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcOpQuantSpec, int16_bias_type)

typedef enum TflcAlgebra {
  TFLC_ALGEBRA_NONE = 0,
  TFLC_ALGEBRA_ADD = 1, /* elementwise broadcasting x + y */
  TFLC_ALGEBRA_SUB = 2, /* x - y */
  TFLC_ALGEBRA_MUL = 3  /* x * y */
} TflcAlgebra;

/* Semantics of one target op. The host uses these facts, never op names, for shape propagation,
 * constant folding, fusions, versioning and export. */
typedef struct TflcOpsetEntry {
  size_t struct_size;
  const char* op;              /* static: "CONV_2D" (builtin) or a custom code */
  TflcOpDomain domain;         /* TFLC_DOMAIN_BUILTIN or TFLC_DOMAIN_CUSTOM */
  int32_t builtin_code;        /* BuiltinOperator value; 32 (CUSTOM) for custom ops */
  int32_t options_type;        /* BuiltinOptions (or BuiltinOptions2 + 1000) union type; 0 = none */
  const TflcOptionField* option_fields; /* static array */
  size_t num_option_fields;
  TflcStatus* (*InferShape)(TflcOpShape_Args* args);   /* required */
  TflcStatus* (*Evaluate)(TflcOpEval_Args* args);      /* may be NULL: then never folded */
  TflcStatus* (*Version)(TflcOpVersion_Args* args);    /* may be NULL: version 1 */
  const char* const* min_runtime; /* static: [v-1] = minimum TFLite runtime for version v ("1.14.0") */
  size_t num_min_runtime;
  /* Fusion facts (0 / -1 when they don't apply). */
  int32_t activation_code;     /* this op alone is ActivationFunctionType N (RELU=1, RELU6=3 ...) */
  int32_t fuses_activation;    /* 1: has a "fused_activation_function" option attr */
  int32_t bias_input;          /* input index of a per-output-channel bias, -1 none */
  int32_t weight_input;        /* input index of the weights, -1 none */
  int32_t weight_output_axis;  /* axis of the weights that indexes output channels */
  TflcAlgebra algebra;
  void* user_data;
  size_t option_field_stride;  /* sizeof(TflcOptionField) as compiled by the plugin; 0 = v1.0 size */
  /* Bit i set: Evaluate reads only the shape of input i (e.g. SHAPE), so the node folds once that
   * input's shape is fully known, and Evaluate receives NULL data for it. */
  uint64_t shape_only_inputs;
  int32_t weight_input_channel_axis; /* axis of the weights that indexes input channels, -1 none */
  /* Answers TflcOpQueryKind questions about a node; may be NULL (every answer 0). */
  TflcStatus* (*Query)(TflcOpQuery_Args* args);
  /* ---- v1.1 ---- */
  /* How the op can be quantized (static), or NULL: the op has no integer kernel and no hybrid
   * kernel, so quantizers leave it in float behind QUANTIZE / DEQUANTIZE. */
  const struct TflcOpQuantSpec* quant;
} TflcOpsetEntry;
#define TflcOpsetEntry_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcOpsetEntry, quant)

/* ============================= quantizers ============================== */

typedef struct TflcQuantize_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  const TflcHostApi* host;
  const TflcOptions* options;
  TflcGraph* graph;  /* borrowed: rewrite in place */
  void* user_data;
  void* plugin_state;
} TflcQuantize_Args;
#define TflcQuantize_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcQuantize_Args, plugin_state)

/* Statistics a quantizer reads after calibration (TflcQuantizer.CalibrationStats, v1.2). */
typedef enum TflcCalibrationStat {
  TFLC_CALIBRATION_RANGES = 1,        /* Value_GetRange of every float value (always recorded) */
  TFLC_CALIBRATION_CHANNEL_MEANS = 2  /* Value_GetChannelMeans of the activation inputs of weight ops */
} TflcCalibrationStat;

typedef struct TflcQuantizer {
  size_t struct_size;
  const char* name;        /* static: "float16" */
  const char* description; /* static */
  TflcStatus* (*Apply)(TflcQuantize_Args* args);
  void* user_data;
  /* ---- v1.1 ---- */
  /* 1: Apply needs calibrated ranges (Value_GetRange), so the host runs the float graph over the
   * representative dataset first and fails when none was given. */
  int32_t needs_calibration;
  /* ---- v1.2 ---- */
  /* When needs_calibration is 1: the statistics Apply will read under these options, as
   * TflcCalibrationStat bits; the host records ranges always and the others only when asked, as
   * they cost calibration time. May be NULL: ranges only. */
  uint32_t (*CalibrationStats)(const TflcHostApi* host, const TflcOptions* options, void* user_data);
} TflcQuantizer;
#define TflcQuantizer_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcQuantizer, CalibrationStats)

/* ============================== the plugin ============================= */

typedef enum TflcPluginKind {
  TFLC_KIND_FRONTEND = 1,
  TFLC_KIND_LOWERING = 2,
  TFLC_KIND_OPSET = 4,
  TFLC_KIND_QUANTIZER = 8
} TflcPluginKind;

typedef struct TflcPluginCreate_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  const TflcHostApi* host;
  void* plugin_state; /* out: owned by the plugin until Destroy */
} TflcPluginCreate_Args;
#define TflcPluginCreate_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcPluginCreate_Args, plugin_state)

typedef struct TflcPluginApi {
  size_t struct_size;
  int32_t abi_major;       /* the ABI the plugin was built against */
  int32_t abi_minor;
  const char* name;        /* static, NUL-terminated, unique: "lower_builtin" */
  const char* version;     /* static: "0.1.0" */
  const char* description; /* static */
  /* Optional long-lived state: Create is called once after loading, Destroy once before exit. */
  TflcStatus* (*Create)(TflcPluginCreate_Args* args);
  void (*Destroy)(void* plugin_state);
  const TflcFrontend* frontends;           /* static array or NULL */
  size_t num_frontends;
  size_t frontend_stride;                  /* sizeof(TflcFrontend) as compiled by the plugin */
  const TflcLoweringEntry* lowerings;
  size_t num_lowerings;
  size_t lowering_stride;
  const TflcOpsetEntry* ops;
  size_t num_ops;
  size_t op_stride;
  const TflcQuantizer* quantizers;
  size_t num_quantizers;
  size_t quantizer_stride;
} TflcPluginApi;
#define TflcPluginApi_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcPluginApi, quantizer_stride)

typedef struct TflcPluginQuery_Args {
  size_t struct_size;
  int32_t host_abi_major;
  int32_t host_abi_minor;
  const TflcHostApi* host; /* borrowed; valid for the process */
} TflcPluginQuery_Args;
#define TflcPluginQuery_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcPluginQuery_Args, host)

/* The one exported entry point. Returns NULL to decline (e.g. another ABI major). */
typedef const TflcPluginApi* (*TflcPluginQueryFn)(const TflcPluginQuery_Args* args);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TFLC_ABI_TFLC_PLUGIN_H_ */
