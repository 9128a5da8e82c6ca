// Reverse-mode differentiation: walk the graph that ops recorded, from the output back to the
// leaves, in reverse topological order, calling each node's backward rule once.
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "descent/autograd/grad_mode.h"
#include "descent/autograd/gradient_ready.h"
#include "descent/autograd/record.h"

namespace descent {
namespace {

uint64_t g_visit_epoch = 0;
thread_local GradientReadyHook* g_ready_hook = nullptr;

// The leaves that require gradients, each with the number of nodes in `order` that read it.
std::unordered_map<const TensorImpl*, int> leaf_readers(const std::vector<TensorImpl*>& order) {
  std::unordered_map<const TensorImpl*, int> readers;
  for (const TensorImpl* t : order)
    if (t->grad_fn)
      for (const Tensor& in : t->grad_fn->inputs)
        if (!in.impl()->grad_fn && in.requires_grad()) ++readers[in.impl()];
  return readers;
}

// Post-order DFS without recursion (deep graphs must not overflow the stack).
void topological_order(TensorImpl* root, std::vector<TensorImpl*>& order) {
  const uint64_t mark = ++g_visit_epoch;
  std::vector<std::pair<TensorImpl*, size_t>> stack;
  stack.push_back({root, 0});
  root->visit_mark = mark;
  while (!stack.empty()) {
    auto& [t, next] = stack.back();
    if (t->grad_fn && next < t->grad_fn->inputs.size()) {
      TensorImpl* in = t->grad_fn->inputs[next++].impl();
      if (in->visit_mark != mark && in->grad_fn) {
        in->visit_mark = mark;
        stack.push_back({in, 0});
      }
      continue;
    }
    order.push_back(t);
    stack.pop_back();
  }
}

}  // namespace

GradientReadyScope::GradientReadyScope(GradientReadyHook hook)
    : previous_(g_ready_hook), hook_(std::move(hook)) {
  g_ready_hook = &hook_;
}

GradientReadyScope::~GradientReadyScope() { g_ready_hook = previous_; }

// The implicit destructor would recurse once per op (Node -> input tensor -> its Node -> ...) and
// overflow the stack when a long chain is freed. Instead, nodes that only this chain owns are
// unlinked into a worklist and die one at a time, each with its inputs already taken.
Node::~Node() {
  std::vector<std::shared_ptr<Node>> pending;
  auto unlink = [&pending](Node& n) {
    n.backward = nullptr;  // the rule holds copies of the inputs as well
    for (Tensor& t : n.inputs)
      if (t.impl_ptr().use_count() == 1 && t.impl()->grad_fn)
        pending.push_back(std::move(t.impl()->grad_fn));
    n.inputs.clear();
  };
  unlink(*this);
  while (!pending.empty()) {
    std::shared_ptr<Node> n = std::move(pending.back());
    pending.pop_back();
    if (n.use_count() == 1) unlink(*n);
  }
}

bool needs_grad(std::initializer_list<const Tensor*> inputs) {
  if (!grad_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->requires_grad()) return true;
  return false;
}

void record(Tensor& output, const char* op, std::initializer_list<Tensor> inputs,
            std::function<void(const float* grad_out)> backward) {
  if (!grad_enabled()) return;
  bool any = false;
  for (const Tensor& t : inputs) any = any || t.requires_grad();
  if (!any) return;
  auto node = std::make_shared<Node>();
  node->op = op;
  node->inputs.assign(inputs.begin(), inputs.end());
  node->backward = std::move(backward);
  output.impl()->requires_grad = true;
  output.impl()->grad_fn = std::move(node);
}

float* input_grad(const Tensor& t) {
  if (!t.requires_grad()) return nullptr;
  return const_cast<Tensor&>(t).grad_data();
}

void Tensor::backward() {
  if (numel() != 1)
    throw std::invalid_argument("backward() needs a one-element tensor (a loss), got shape " +
                                to_string(shape()));
  if (!requires_grad())
    throw std::logic_error(
        "backward(): the tensor does not require grad (no parameter reached it)");
  thread_local std::vector<TensorImpl*> order;
  order.clear();
  topological_order(impl(), order);
  grad_data()[0] += 1.0f;
  NoGradGuard no_grad;  // backward rules must not record
  std::unordered_map<const TensorImpl*, int> readers;
  if (g_ready_hook) readers = leaf_readers(order);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    TensorImpl* t = *it;
    if (!t->grad_fn) continue;
    if (t->grad) {
      t->grad_fn->backward(t->grad->data());
      // Non-leaf gradients are not kept (as in PyTorch): their memory goes back to the cache.
      t->grad.reset();
    }
    if (g_ready_hook)
      for (const Tensor& in : t->grad_fn->inputs) {
        const auto reader = readers.find(in.impl());
        if (reader != readers.end() && --reader->second == 0) (*g_ready_hook)(in.impl());
      }
  }
}

}  // namespace descent
