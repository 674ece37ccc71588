// The table of supported Keras layer classes. It is the registration: no static registrars.
#include "layers.h"

#include <algorithm>
#include <cstring>

namespace tflc::keras {

namespace {

struct LayerRow {
  const char* class_name;
  LayerFn fn;
};

constexpr LayerRow kLayers[] = {
    // core
    {"Dense", ConvertDense},
    {"Activation", ConvertActivation},
    {"Flatten", ConvertFlatten},
    {"Reshape", ConvertReshape},
    {"Permute", ConvertPermute},
    {"RepeatVector", ConvertRepeatVector},
    {"Embedding", ConvertEmbedding},
    {"Rescaling", ConvertRescaling},
    // inference no-ops
    {"Dropout", ConvertPassThrough},
    {"SpatialDropout1D", ConvertPassThrough},
    {"SpatialDropout2D", ConvertPassThrough},
    {"SpatialDropout3D", ConvertPassThrough},
    {"GaussianNoise", ConvertPassThrough},
    {"GaussianDropout", ConvertPassThrough},
    {"AlphaDropout", ConvertPassThrough},
    {"ActivityRegularization", ConvertPassThrough},
    {"Identity", ConvertPassThrough},
    // activations
    {"ReLU", ConvertReLU},
    {"LeakyReLU", ConvertLeakyReLU},
    {"PReLU", ConvertPReLU},
    {"ELU", ConvertELU},
    {"ThresholdedReLU", ConvertThresholdedReLU},
    {"Softmax", ConvertSoftmax},
    // convolution
    {"Conv1D", ConvertConv1D},
    {"Convolution1D", ConvertConv1D},
    {"Conv2D", ConvertConv2D},
    {"Convolution2D", ConvertConv2D},
    {"DepthwiseConv2D", ConvertDepthwiseConv2D},
    {"SeparableConv2D", ConvertSeparableConv2D},
    {"SeparableConvolution2D", ConvertSeparableConv2D},
    {"Conv2DTranspose", ConvertConv2DTranspose},
    {"Convolution2DTranspose", ConvertConv2DTranspose},
    {"Conv1DTranspose", ConvertConv1DTranspose},
    {"Convolution1DTranspose", ConvertConv1DTranspose},
    {"DepthwiseConv1D", ConvertDepthwiseConv1D},
    {"Conv3D", ConvertConv3D},
    {"Convolution3D", ConvertConv3D},
    // pooling
    {"MaxPooling1D", ConvertMaxPooling1D},
    {"MaxPool1D", ConvertMaxPooling1D},
    {"AveragePooling1D", ConvertAveragePooling1D},
    {"AvgPool1D", ConvertAveragePooling1D},
    {"MaxPooling2D", ConvertMaxPooling2D},
    {"MaxPool2D", ConvertMaxPooling2D},
    {"AveragePooling2D", ConvertAveragePooling2D},
    {"AvgPool2D", ConvertAveragePooling2D},
    {"GlobalAveragePooling1D", ConvertGlobalAveragePooling1D},
    {"GlobalAvgPool1D", ConvertGlobalAveragePooling1D},
    {"GlobalAveragePooling2D", ConvertGlobalAveragePooling2D},
    {"GlobalAvgPool2D", ConvertGlobalAveragePooling2D},
    {"GlobalMaxPooling1D", ConvertGlobalMaxPooling1D},
    {"GlobalMaxPool1D", ConvertGlobalMaxPooling1D},
    {"GlobalMaxPooling2D", ConvertGlobalMaxPooling2D},
    {"GlobalMaxPool2D", ConvertGlobalMaxPooling2D},
    {"MaxPooling3D", ConvertMaxPooling3D},
    {"MaxPool3D", ConvertMaxPooling3D},
    {"AveragePooling3D", ConvertAveragePooling3D},
    {"AvgPool3D", ConvertAveragePooling3D},
    {"GlobalAveragePooling3D", ConvertGlobalAveragePooling3D},
    {"GlobalAvgPool3D", ConvertGlobalAveragePooling3D},
    {"GlobalMaxPooling3D", ConvertGlobalMaxPooling3D},
    {"GlobalMaxPool3D", ConvertGlobalMaxPooling3D},
    // normalization
    {"BatchNormalization", ConvertBatchNormalization},
    {"BatchNormalizationV1", ConvertBatchNormalization},
    {"BatchNormalizationV2", ConvertBatchNormalization},
    {"LayerNormalization", ConvertLayerNormalization},
    {"GroupNormalization", ConvertGroupNormalization},
    {"UnitNormalization", ConvertUnitNormalization},
    // attention
    {"EinsumDense", ConvertEinsumDense},
    {"MultiHeadAttention", ConvertMultiHeadAttention},
    {"Attention", ConvertAttention},
    {"AdditiveAttention", ConvertAdditiveAttention},
    // merge
    {"Add", ConvertAdd},
    {"Subtract", ConvertSubtract},
    {"Multiply", ConvertMultiply},
    {"Average", ConvertAverage},
    {"Maximum", ConvertMaximum},
    {"Minimum", ConvertMinimum},
    {"Concatenate", ConvertConcatenate},
    // padding, cropping, resampling
    {"ZeroPadding1D", ConvertZeroPadding1D},
    {"ZeroPadding2D", ConvertZeroPadding2D},
    {"Cropping1D", ConvertCropping1D},
    {"Cropping2D", ConvertCropping2D},
    {"UpSampling1D", ConvertUpSampling1D},
    {"UpSampling2D", ConvertUpSampling2D},
    {"ZeroPadding3D", ConvertZeroPadding3D},
    {"Cropping3D", ConvertCropping3D},
    {"UpSampling3D", ConvertUpSampling3D},
    // preprocessing (inference) and Dot
    {"Normalization", ConvertNormalization},
    {"Resizing", ConvertResizing},
    {"CenterCrop", ConvertCenterCrop},
    {"Dot", ConvertDot},
    // recurrent
    {"LSTM", ConvertLSTM},
    {"GRU", ConvertGRU},
    {"SimpleRNN", ConvertSimpleRNN},
    // wrappers
    {"Bidirectional", ConvertBidirectional},
    {"TimeDistributed", ConvertTimeDistributed},
    // Lambda: the function's marshalled bytecode (layers_lambda.cc)
    {"Lambda", ConvertLambda},
};

}  // namespace

LayerFn FindLayerConverter(const LayerDef& layer) {
  // Op layers first: a Keras 3 operation `keras.src.ops.numpy` / `Add` is not the layer `Add`.
  if (LayerFn fn = FindOpLayerConverter(layer)) return fn;
  for (const auto& row : kLayers)
    if (layer.class_name == row.class_name) return row.fn;
  return nullptr;
}

bool BroadcastShapes(const Shape& a, const Shape& b, Shape* out) {
  const size_t r = std::max(a.size(), b.size());
  Shape s(r, 1);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da == db || db == 1) s[i] = da;
    else if (da == 1) s[i] = db;
    else if (da < 0 || db < 0) s[i] = -1;
    else return false;
  }
  *out = s;
  return true;
}

}  // namespace tflc::keras
