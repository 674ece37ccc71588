/* tflc C ABI v1.0 — the services the host hands to every plugin (TflcHostApi).
 *
 * The table is created by the host and lives until the process exits. Plugins call through it;
 * they never free anything it returns. New functions are appended only; check struct_size
 * (TFLC_HAS_FIELD(host, TflcHostApi, Fn)) before calling a function newer than v1.0.
 */
#ifndef TFLC_ABI_TFLC_HOST_API_H_
#define TFLC_ABI_TFLC_HOST_API_H_

#include "tflc/abi/tflc_types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct TflcModel TflcModel; /* the whole conversion: one graph per signature */

typedef enum TflcLogLevel {
  TFLC_LOG_INFO = 0,
  TFLC_LOG_WARNING = 1,
  TFLC_LOG_ERROR = 2
} TflcLogLevel;

/* Graph_AddInput: a new graph input (a subgraph input in the output, with a SignatureDef entry). */
typedef struct TflcGraph_AddInput_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  TflcGraph* graph;              /* borrowed */
  TflcStringView name;           /* tensor name; copied */
  TflcStringView signature_name; /* SignatureDef input name; copied; empty = same as name */
  TflcDataType type;
  const int64_t* dims;           /* borrowed during the call; -1 = unknown size */
  int32_t rank;                  /* -1 = unknown rank */
  TflcValue* value;              /* out: owned by the graph */
  /* v1.3: the shape the model declares for this input when it differs from `dims` (TF's
   * shape_signature): -1 marks a dimension the model leaves open (an unknown batch). `dims` holds the
   * size the conversion uses (1 for an unknown batch, as TF's converter does). Borrowed during the
   * call; NULL = same as dims. Graph_AddInput only; its rank must equal `rank`. */
  const int64_t* signature_dims;
} TflcGraph_AddInput_Args;
#define TflcGraph_AddInput_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcGraph_AddInput_Args, signature_dims)

/* Graph_AddConst: a constant tensor.
 * If `file_path` is non-empty the constant is bytes [file_offset, file_offset + size) of that file,
 * which the host memory-maps read-only (no copy; the file must not change during the conversion);
 * `data` must then be NULL. Frontends use this for raw little-endian weights stored contiguously
 * in a model file (HDF5 contiguous datasets, checkpoint shards).
 * Else if `data` is non-NULL the host copies `size` bytes from it.
 * Else the host allocates `size` zeroed bytes and returns them in `mutable_data`; the caller fills
 * them before its current call into the plugin returns. */
typedef struct TflcGraph_AddConst_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  TflcGraph* graph;    /* borrowed */
  TflcStringView name; /* copied */
  TflcDataType type;
  const int64_t* dims; /* borrowed during the call; all dims known */
  int32_t rank;
  const void* data;    /* borrowed during the call, or NULL (see above) */
  size_t size;         /* bytes; must equal product(dims) * element size for fixed-size types */
  void* mutable_data;  /* out: host-owned, writable until the current plugin call returns */
  TflcValue* value;    /* out: owned by the graph */
  TflcStringView file_path; /* copied; empty = not file-backed (see above) */
  uint64_t file_offset;
} TflcGraph_AddConst_Args;
#define TflcGraph_AddConst_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcGraph_AddConst_Args, file_offset)

/* Graph_AddNode: a new node. Its outputs are new values of unknown type and shape, filled in by
 * the op's shape function (opset) or by Value_SetShape. */
typedef struct TflcGraph_AddNode_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  TflcGraph* graph;             /* borrowed */
  TflcOpDomain domain;
  TflcStringView op;            /* copied: "Conv2D", "CONV_2D", "FlexRFFT"... */
  TflcStringView name;          /* copied: node name, used in diagnostics and tensor names */
  TflcValue* const* inputs;     /* borrowed during the call; a NULL entry = omitted optional input */
  size_t num_inputs;
  size_t num_outputs;
  TflcNode* node;               /* out: owned by the graph */
} TflcGraph_AddNode_Args;
#define TflcGraph_AddNode_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcGraph_AddNode_Args, node)

/* Graph_Run (v1.3): one run of a graph on the caller's buffers. */
typedef struct TflcGraph_Run_Args {
  size_t struct_size;
  const TflcExtensionBase* extensions;
  const TflcGraph* graph;     /* borrowed: a graph of the model being converted */
  const void* const* inputs;  /* borrowed during the call: data of graph input i, laid out as that
                               * input's type and shape; num_inputs = the graph's input count */
  size_t num_inputs;
  void* const* outputs;       /* borrowed during the call: the caller's buffers, one per graph
                               * output, sized by that output's type and shape; written */
  size_t num_outputs;
} TflcGraph_Run_Args;
#define TflcGraph_Run_Args_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcGraph_Run_Args, num_outputs)

struct TflcOpsetEntry; /* tflc_plugin.h */

typedef struct TflcHostApi {
  size_t struct_size;
  int32_t abi_major;
  int32_t abi_minor;

  /* ---- status and diagnostics ---- */
  /* A new status (code != OK). `node` (may be NULL) is named in the message. */
  TflcStatus* (*Status_Create)(TflcStatusCode code, TflcStringView message, const TflcNode* node);
  TflcStatusCode (*Status_Code)(const TflcStatus* status);
  TflcStringView (*Status_Message)(const TflcStatus* status); /* valid until destroyed */
  /* For a status the plugin created and decided not to return. NULL is a no-op. */
  void (*Status_Destroy)(TflcStatus* status);
  void (*Log)(TflcLogLevel level, TflcStringView message);

  /* ---- options (the command line / API settings, as strings) ---- */
  /* Returns 1 and sets *value (host-owned, valid for the conversion) if `key` is set. */
  int (*Options_Get)(const TflcOptions* options, TflcStringView key, TflcStringView* value);

  /* ---- model: one graph per signature ---- */
  /* Adds a graph (subgraph) for `signature_key` (copied). The first graph added is subgraph 0. */
  TflcGraph* (*Model_AddGraph)(TflcModel* model, TflcStringView signature_key);

  /* ---- graph ---- */
  size_t (*Graph_NumNodes)(const TflcGraph* graph);
  /* Nodes in topological order. Valid until the graph is changed. */
  TflcNode* (*Graph_Node)(const TflcGraph* graph, size_t index);
  size_t (*Graph_NumInputs)(const TflcGraph* graph);
  TflcValue* (*Graph_Input)(const TflcGraph* graph, size_t index);
  size_t (*Graph_NumOutputs)(const TflcGraph* graph);
  TflcValue* (*Graph_Output)(const TflcGraph* graph, size_t index);
  TflcStatus* (*Graph_AddInput)(TflcGraph_AddInput_Args* args);
  TflcStatus* (*Graph_AddConst)(TflcGraph_AddConst_Args* args);
  TflcStatus* (*Graph_AddNode)(TflcGraph_AddNode_Args* args);
  /* Marks `value` as a graph output under `signature_name` (copied). */
  TflcStatus* (*Graph_AddOutput)(TflcGraph* graph, TflcValue* value, TflcStringView signature_name);

  /* ---- node ---- */
  TflcOpDomain (*Node_Domain)(const TflcNode* node);
  TflcStringView (*Node_Op)(const TflcNode* node);   /* valid while the node exists */
  TflcStringView (*Node_Name)(const TflcNode* node); /* valid while the node exists */
  size_t (*Node_NumInputs)(const TflcNode* node);
  TflcValue* (*Node_Input)(const TflcNode* node, size_t index); /* NULL = omitted */
  size_t (*Node_NumOutputs)(const TflcNode* node);
  TflcValue* (*Node_Output)(const TflcNode* node, size_t index);
  /* Returns 1 and fills *value (see TflcAttrValue for lifetimes) if the attribute exists. */
  int (*Node_GetAttr)(const TflcNode* node, TflcStringView name, TflcAttrValue* value);
  TflcStatus* (*Node_SetAttr)(TflcNode* node, TflcStringView name, const TflcAttrValue* value);
  size_t (*Node_NumAttrs)(const TflcNode* node);
  TflcStringView (*Node_AttrName)(const TflcNode* node, size_t index); /* sorted by name */

  /* ---- value ---- */
  TflcStringView (*Value_Name)(const TflcValue* value);
  TflcDataType (*Value_Type)(const TflcValue* value);
  int32_t (*Value_Rank)(const TflcValue* value);      /* -1 = unknown */
  const int64_t* (*Value_Dims)(const TflcValue* value); /* valid until the shape changes */
  /* Returns 1 and sets `data` and `size` (host-owned, read-only, valid while the value exists)
   * if the value is a constant. */
  int (*Value_ConstData)(const TflcValue* value, const void** data, size_t* size);
  /* The producing node and its output index, or NULL for graph inputs and constants. */
  TflcNode* (*Value_Producer)(const TflcValue* value, size_t* output_index);
  size_t (*Value_NumConsumers)(const TflcValue* value); /* node uses + graph-output uses */
  int (*Value_IsGraphOutput)(const TflcValue* value);
  TflcStatus* (*Value_SetShape)(TflcValue* value, TflcDataType type, const int64_t* dims,
                                int32_t rank);
  void (*Value_GetQuant)(const TflcValue* value, TflcQuantParams* params);
  TflcStatus* (*Value_SetQuant)(TflcValue* value, const TflcQuantParams* params);
  /* Every use of `from` (node inputs and graph outputs) now uses `to`. If `to` has no name it takes
   * `from`'s. Lowering callbacks call this for each output of the node they replace. */
  TflcStatus* (*Value_ReplaceAllUsesWith)(TflcValue* from, TflcValue* to);
  /* A variable tensor (TFLite `is_variable`, e.g. an RNN state): zero at start, no constant data,
   * not a graph input. Uses the AddInput arguments; `signature_name` is ignored. */
  TflcStatus* (*Graph_AddVariable)(TflcGraph_AddInput_Args* args);

  /* ---- v1.1 (quantization) ---- */
  /* Input `index` of `node` now uses `value` (NULL = omitted optional input). A value nothing uses
   * any more is dropped by the host later. */
  TflcStatus* (*Node_SetInput)(TflcNode* node, size_t index, TflcValue* value);
  /* The opset entry that defines `node`'s op (host-owned; the plugin's static entry, read it with
   * TFLC_HAS_FIELD as it may be older or newer), or NULL if no opset knows the op. */
  const struct TflcOpsetEntry* (*Node_OpsetEntry)(const TflcNode* node);
  /* The range of values `value` took while the host ran the float graph over the representative
   * dataset (calibration). Returns 1 and sets *min / *max if the value was observed. */
  int (*Value_GetRange)(const TflcValue* value, float* min, float* max);
  /* Graph output `index` is now `value` (same signature name), e.g. a DEQUANTIZE after an integer
   * result. Other uses of the old value are unchanged. */
  TflcStatus* (*Graph_SetOutput)(TflcGraph* graph, size_t index, TflcValue* value);

  /* ---- v1.2 (bias correction) ---- */
  /* The mean of each channel (the last dimension) of `value` over every position of every sample
   * of the representative dataset. The host records it during calibration for the activation
   * inputs of ops with weights (TflcOpsetEntry.weight_input >= 0). Returns the number of channels
   * recorded (0: none) and writes the first min(that, capacity) of them to `means`. */
  int64_t (*Value_GetChannelMeans)(const TflcValue* value, float* means, int64_t capacity);

  /* ---- v1.3 (subgraphs) ---- */
  /* A new, empty subgraph of `graph`'s model: a function body that nodes call through an attribute
   * of kind TFLC_ATTR_GRAPH holding *id (IF branches, WHILE cond / body). It gets inputs
   * (Graph_AddInput; the signature name is ignored, the rank may be unknown), nodes and outputs
   * like any graph, and no SignatureDef. `name` (copied) names it in the output and in errors.
   * The host lowers a subgraph when it lowers the node that calls it, after giving each subgraph
   * input the type and shape of the node input bound to it; every later pass covers it too; the
   * exporter writes the subgraphs that entry graphs reach. */
  TflcGraph* (*Graph_AddSubgraph)(TflcGraph* graph, TflcStringView name, int64_t* id);
  /* The subgraph that attribute `attr` (kind TFLC_ATTR_GRAPH) of `node` names, or NULL. */
  TflcGraph* (*Node_Subgraph)(const TflcNode* node, TflcStringView attr);
  /* A constant of `graph` sharing the bytes, shape and quantization of `constant`, a constant of any
   * graph of the same model (no copy): a loop-invariant weight sunk into a loop body. */
  TflcValue* (*Graph_ShareConst)(TflcGraph* graph, const TflcValue* constant, TflcStringView name);
  /* Copies the nodes of `subgraph` into `graph` (names prefixed "<prefix>/"), its inputs bound to
   * inputs[0..num_inputs) (num_inputs = its input count), and writes the values its outputs became
   * to outputs[0..num_outputs) (num_outputs = its output count): an IF on a constant condition
   * becomes its branch. */
  TflcStatus* (*Graph_Inline)(TflcGraph* graph, const TflcGraph* subgraph, TflcStringView prefix,
                              TflcValue* const* inputs, size_t num_inputs, TflcValue** outputs,
                              size_t num_outputs);
  /* The subgraph's name (Graph_AddSubgraph), or the signature key of an entry graph. */
  TflcStringView (*Graph_Name)(const TflcGraph* graph);
  /* Runs `args->graph` with the opsets' reference kernels: what an op that calls subgraphs (a loop,
   * a conditional) does in its Evaluate kernel. The host knows nothing of the caller's semantics;
   * it only runs the graph once. During calibration, every float value of the graph is observed on
   * every run (all iterations of a loop), as the values of the entry graphs are. Every value of
   * the graph needs a known shape. */
  TflcStatus* (*Graph_Run)(TflcGraph_Run_Args* args);
  /* 1 for a subgraph (Graph_AddSubgraph: a function body nodes call), 0 for an entry graph (one
   * per signature), whose inputs and outputs are the model's. */
  int32_t (*Graph_IsSubgraph)(const TflcGraph* graph);
  /* Runs the shape function of the opset entry that defines `node`'s op (any domain) and so sets
   * the types and shapes of its outputs. An opset entry with domain TFLC_DOMAIN_SOURCE describes a
   * source op (a Keras layer plugin's "keras.TransformerBlock"), so a frontend can give a node its
   * output shapes before anything lowers it. NOT_FOUND when no loaded opset defines the op; the
   * shape function's own error (e.g. a plugin refusing the node) otherwise. */
  TflcStatus* (*Node_InferShape)(TflcNode* node);
} TflcHostApi;
#define TflcHostApi_STRUCT_SIZE TFLC_STRUCT_SIZE(TflcHostApi, Node_InferShape)

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* TFLC_ABI_TFLC_HOST_API_H_ */
