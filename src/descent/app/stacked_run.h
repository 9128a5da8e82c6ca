#pragma once
// Training a stacked autoencoder (model.kind = "stacked_autoencoder"): greedily, one layer at a
// time on the previous layer's codes, then optionally the whole stack (app/stacked_config.h).
// Each phase is a complete ordinary run in a sub-directory of the run directory, trained by
// train_run/resume_run on the codes in memory:
//   RUN/config.toml                 the stacked configuration (written first)
//   RUN/layer-1/, ..., RUN/layer-L/ one autoencoder run per layer (its own config.toml,
//                                   checkpoint, metrics.jsonl, model.safetensors, summary.json)
//   RUN/fine-tune/                  the whole stack, with autoencoder.fine_tune_epochs > 0
//   RUN/model.safetensors           the whole stack's weights, assembled from the phases (the
//                                   names of an autoencoder: encoder.0.weight, decoder.4.bias)
//   RUN/metrics.jsonl               every phase's epochs in order, each with a "phase" field
//   RUN/summary.json                the whole stack's test terms, and each phase's summary
// A phase with a summary.json is done: resuming loads its weights, computes the codes for the
// next layer from them and goes on with the phase that was cut short (from its checkpoint, or
// from the start when it had none), so a resumed run is bit-identical to one never stopped.
#include <filesystem>

#include "descent/app/experiment.h"
#include "descent/app/run.h"

namespace descent {

// `e` is the stacked experiment (its data, the whole stack and its objective, which measures
// the test set at the end). With `resuming`, the run directory exists and phases done are kept.
RunOutcome train_stacked_run(Experiment& e, const std::filesystem::path& dir, bool resuming);

// Throws unless the stacked run in `dir` has something left to train.
void check_stacked_run_resumable(const std::filesystem::path& dir);

}  // namespace descent
