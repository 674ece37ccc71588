'use strict';
// Agreement metrics of a (quantized) model's outputs with a float reference, accumulated over
// samples: mean cosine similarity, argmax agreement, max abs and max relative error.
//
//   cosine(a, b)  = a·b / (|a| |b|)   per sample and output (1 when both are all zero, 0 when one is)
//   argmax        = same index of the largest value (outputs whose last dim > 1 only)
//   abs error     = max |a - b| over all values
//   rel error     = per sample: max |a - b| / max |ref|, then the max over samples
//                   (0/0 counts as 0; x/0 with x > 0 as Infinity)
// A non-finite candidate value where the reference is finite is counted and fails every check.

function cosine(a, b) {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 && nb === 0) return 1;
  if (na === 0 || nb === 0) return 0;
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}

function argmax(a) {
  let k = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[k]) k = i;
  return k;
}

/** Metrics of one model against the reference, over all outputs and samples. */
class AgreementStats {
  constructor(label) {
    this.label = label;
    this.cosSum = 0;
    this.cosCount = 0;
    this.argmaxSame = 0;
    this.argmaxCount = 0;
    this.maxAbs = 0;
    this.maxRel = 0;
    this.nonFinite = 0;
  }

  /**
   * @param ours  Float32Array (dequantized) output of one sample
   * @param ref   Float32Array reference output of the same sample
   * @param lastDim size of the output's last dimension (argmax needs > 1)
   */
  add(ours, ref, lastDim) {
    if (ours.length !== ref.length) {
      throw new Error(`${this.label}: output has ${ours.length} values, the reference ${ref.length}`);
    }
    let maxAbs = 0;
    let maxRef = 0;
    for (let i = 0; i < ref.length; i++) {
      if (!Number.isFinite(ours[i]) && Number.isFinite(ref[i])) {
        this.nonFinite++;
        continue;
      }
      maxAbs = Math.max(maxAbs, Math.abs(ours[i] - ref[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
    }
    this.maxAbs = Math.max(this.maxAbs, maxAbs);
    const rel = maxAbs === 0 ? 0 : maxRef === 0 ? Infinity : maxAbs / maxRef;
    this.maxRel = Math.max(this.maxRel, rel);
    this.cosSum += cosine(ours, ref);
    this.cosCount++;
    if (lastDim > 1) {
      // Classifier-like output: argmax per row of the last dimension.
      for (let r = 0; r + lastDim <= ref.length; r += lastDim) {
        if (argmax(ours.subarray(r, r + lastDim)) === argmax(ref.subarray(r, r + lastDim))) this.argmaxSame++;
        this.argmaxCount++;
      }
    }
  }

  result() {
    return {
      label: this.label,
      mean_cosine: this.cosCount ? this.cosSum / this.cosCount : NaN,
      // Percent, or null when no output is classifier-like.
      argmax_agreement: this.argmaxCount ? (100 * this.argmaxSame) / this.argmaxCount : null,
      max_abs: this.maxAbs,
      max_rel: this.maxRel,
      non_finite: this.nonFinite,
    };
  }
}

module.exports = {cosine, argmax, AgreementStats};
