// Layer converters, one per Keras class (the table is in layers.cc). Each emits the ops TF's Keras
// would have traced for one call of the layer (docs/keras-layers.md lists them).
#ifndef TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_LAYERS_H_
#define TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_LAYERS_H_

#include <string>
#include <vector>

#include "converter.h"

namespace tflc::keras {

// layers_core.cc
Status ConvertDense(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertPassThrough(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertFlatten(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertReshape(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertPermute(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertRepeatVector(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertEmbedding(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertRescaling(LayerContext& ctx, std::vector<Tensor>* out);

// layers_activation.cc
Status ConvertActivation(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertReLU(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertLeakyReLU(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertPReLU(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertELU(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertThresholdedReLU(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertSoftmax(LayerContext& ctx, std::vector<Tensor>* out);

// layers_conv.cc
Status ConvertConv1D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertConv2D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertDepthwiseConv2D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertSeparableConv2D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertConv2DTranspose(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertConv1DTranspose(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertDepthwiseConv1D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertConv3D(LayerContext& ctx, std::vector<Tensor>* out);

// layers_pooling.cc
Status ConvertMaxPooling1D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertAveragePooling1D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertMaxPooling2D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertAveragePooling2D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertGlobalAveragePooling1D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertGlobalAveragePooling2D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertGlobalMaxPooling1D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertGlobalMaxPooling2D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertGlobalAveragePooling3D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertMaxPooling3D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertAveragePooling3D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertGlobalMaxPooling3D(LayerContext& ctx, std::vector<Tensor>* out);

// layers_normalization.cc
Status ConvertBatchNormalization(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertLayerNormalization(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertGroupNormalization(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertUnitNormalization(LayerContext& ctx, std::vector<Tensor>* out);

// layers_attention.cc
Status ConvertEinsumDense(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertMultiHeadAttention(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertAttention(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertAdditiveAttention(LayerContext& ctx, std::vector<Tensor>* out);

// layers_merge.cc
Status ConvertAdd(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertSubtract(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertMultiply(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertAverage(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertMaximum(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertMinimum(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertConcatenate(LayerContext& ctx, std::vector<Tensor>* out);

// layers_spatial.cc
Status ConvertZeroPadding1D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertZeroPadding2D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertCropping1D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertCropping2D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertUpSampling1D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertUpSampling2D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertZeroPadding3D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertCropping3D(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertUpSampling3D(LayerContext& ctx, std::vector<Tensor>* out);

// layers_preprocessing.cc
Status ConvertNormalization(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertResizing(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertCenterCrop(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertDot(LayerContext& ctx, std::vector<Tensor>* out);

// layers_recurrent.cc
Status ConvertLSTM(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertGRU(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertSimpleRNN(LayerContext& ctx, std::vector<Tensor>* out);
// Keras passes masks between layers implicitly (they are not in the config): refuses a recurrent
// layer fed directly by Embedding(mask_zero=True) or Masking, whose mask it would ignore.
Status RefuseImplicitMask(LayerContext& ctx);

// layers_wrappers.cc
Status ConvertBidirectional(LayerContext& ctx, std::vector<Tensor>* out);
Status ConvertTimeDistributed(LayerContext& ctx, std::vector<Tensor>* out);

// layers_tfop.cc: TF-op layers (TFOpLambda, SlicingOpLambda) and Keras 3 operation layers
// (keras.src.ops.*, and their bare-class-name entries in Keras 3 legacy H5); nullptr for others.
LayerFn FindOpLayerConverter(const LayerDef& layer);

// Runs the tf.keras function `name` (a TF-op layer `function`, e.g. "math.reduce_mean",
// "__operators__.getitem") on one synthetic call: `args` / `kwargs` as in a TFOpLambda call, where
// {"__tflc_tensor__": i} is tensors[i] (borrowed for the call). Used by Lambda layers, whose
// intermediate results are more tensors. UNIMPLEMENTED when the name is not in the table.
bool HasTfFunction(const std::string& name);
Status RunTfFunction(LayerContext& ctx, const std::string& name, const std::vector<Tensor>& tensors, const Json& args,
                     const Json& kwargs, std::vector<Tensor>* out);

// layers_lambda.cc: Lambda layers whose function is stored as marshalled bytecode (KERAS.md D).
Status ConvertLambda(LayerContext& ctx, std::vector<Tensor>* out);

// layers_custom.cc: a call of a custom (user-defined) layer class as one claimable source node
// `keras.<Class>` (docs/writing-a-plugin.md, "Keras layers").
std::string CustomLayerOp(const LayerDef& layer);
Status ConvertCustomLayer(LayerContext& ctx, CustomLayerUse& use, std::vector<Tensor>* out);

// Broadcast shape of two Keras shapes (numpy rules, -1 unknown); empty + false when incompatible.
bool BroadcastShapes(const Shape& a, const Shape& b, Shape* out);

}  // namespace tflc::keras

#endif  // TFLC_PLUGINS_FRONTEND_KERAS_H5_SRC_LAYERS_H_
